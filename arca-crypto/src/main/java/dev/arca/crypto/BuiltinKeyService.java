package dev.arca.crypto;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.AEADBadTagException;

/**
 * The built-in key service. A 32-byte master key (from the environment variable named
 * {@link #MASTER_KEY_ENV}, base64, or else the file {@code <dir>/}{@value #MASTER_KEY_FILE}, created on
 * first start) seals the keyring file {@code <dir>/}{@value #KEYRING_FILE}, which holds every KEK
 * generation (the SSE-S3 key, named KMS keys) and the metadata key. docs/FORMATS.md describes both.
 *
 * <p>Concurrency: changes are made under one lock, written to disk, and only then published as a new
 * immutable {@link Keyring} snapshot; the hot paths ({@link #generateDataKey}, {@link #unwrap}) read
 * the current snapshot without locking and do no file I/O.
 */
public final class BuiltinKeyService implements KeyService {
    public static final String MASTER_KEY_ENV = "ARCA_MASTER_KEY";
    public static final String MASTER_KEY_FILE = "arca-master.key";
    public static final String KEYRING_FILE = "keyring.arca";

    /** Where a master key rotation writes the new key before the keyring is re-sealed under it. */
    static final String NEW_MASTER_KEY_FILE = MASTER_KEY_FILE + ".new";
    static final int MAX_KEY_ID_CHARS = 256;
    private static final String RESERVED_KEY_PREFIX = "arca/";
    private static final int FIRST_GENERATION = 1;
    private static final byte[] DEK_AAD_LABEL = "arca-dek\0".getBytes(StandardCharsets.US_ASCII);
    private static final int WRAPPED_DEK_BYTES = Aead.BOX_OVERHEAD + ObjectCipher.DEK_BYTES;
    private static final String SSE_S3_DESCRIPTION = "SSE-S3 key-encryption key";
    private static final String DEFAULT_KMS_DESCRIPTION = "Default KMS key for requests that name none";

    private final Path masterFile;
    private final Path newMasterFile;
    private final Path keyringFile;
    private final boolean masterFromEnvironment;
    private final boolean createdMasterKey;
    private final String masterKeySource;
    private final Entropy entropy;
    private final InstantSource clock;
    private final ValueCipher metadataCipher;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guarded by {@link #lock}. */
    private byte[] master;
    /** Replaced (under {@link #lock}) only once on disk; null once closed. */
    private volatile Keyring keyring;

    private BuiltinKeyService(Path dir, boolean masterFromEnvironment, boolean createdMasterKey, byte[] master,
            Keyring keyring, Entropy entropy, InstantSource clock) {
        this.masterFile = dir.resolve(MASTER_KEY_FILE);
        this.newMasterFile = dir.resolve(NEW_MASTER_KEY_FILE);
        this.keyringFile = dir.resolve(KEYRING_FILE);
        this.masterFromEnvironment = masterFromEnvironment;
        this.createdMasterKey = createdMasterKey;
        this.masterKeySource = masterFromEnvironment ? "environment variable " + MASTER_KEY_ENV : masterFile.toString();
        this.master = master;
        this.keyring = keyring;
        this.entropy = entropy;
        this.clock = clock;
        this.metadataCipher = ValueCipher.of(keyring.metadataKey(), entropy);
    }

    /**
     * Opens (or, when neither master key nor keyring exists, creates) the key service in {@code dir}.
     *
     * @param envMasterKey the base64 master key from the environment, or null to use the file
     * @throws IOException if a file cannot be read or written, or is damaged, or the master key does
     *                     not open the keyring
     */
    public static BuiltinKeyService open(Path dir, String envMasterKey, Entropy entropy, InstantSource clock)
            throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(clock, "clock");
        Files.createDirectories(dir);
        Path masterFile = dir.resolve(MASTER_KEY_FILE);
        Path keyringFile = dir.resolve(KEYRING_FILE);
        boolean fromEnvironment = envMasterKey != null;
        byte[] master = fromEnvironment ? decodeEnvironmentKey(envMasterKey) : null;
        boolean created = false;
        Keyring keyring;
        if (!Files.exists(keyringFile)) {
            if (master == null) {
                if (Files.exists(masterFile)) {
                    master = KeyFiles.readMaster(masterFile); // a first start that died before its keyring
                } else {
                    master = new byte[Aead.KEY_BYTES];
                    Aead.random(entropy, master);
                    KeyFiles.writeMaster(masterFile, master);
                    created = true;
                }
            }
            keyring = freshKeyring(entropy, clock.millis());
            KeyFiles.writeAtomically(keyringFile, KeyFiles.sealKeyring(keyring, master, entropy));
        } else {
            byte[] content = Files.readAllBytes(keyringFile);
            byte[] masterId = KeyFiles.keyringMasterId(content, keyringFile);
            if (master == null) {
                master = fileMasterFor(masterId, dir, keyringFile);
            } else if (!Arrays.equals(KeyFiles.masterId(master), masterId)) {
                Aead.wipe(master);
                throw new IOException("the master key from environment variable " + MASTER_KEY_ENV
                        + " does not open the keyring " + keyringFile);
            }
            try {
                keyring = KeyFiles.openKeyring(content, master, keyringFile);
            } catch (IOException e) {
                Aead.wipe(master);
                throw e;
            }
        }
        return new BuiltinKeyService(dir, fromEnvironment, created, master, keyring, entropy, clock);
    }

    private static byte[] decodeEnvironmentKey(String base64) throws IOException {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(MASTER_KEY_ENV + " is not valid base64", e);
        }
        if (key.length != Aead.KEY_BYTES) {
            int length = key.length;
            Aead.wipe(key);
            throw new IOException(MASTER_KEY_ENV + " must be the base64 of " + Aead.KEY_BYTES + " bytes, not "
                    + length);
        }
        return key;
    }

    /**
     * The master key file's key that opens the keyring named {@code masterId}. When that is the
     * {@value #NEW_MASTER_KEY_FILE} file, a master key rotation crashed after re-sealing the keyring:
     * finish it by renaming the new key over the old. Never creates a key.
     */
    private static byte[] fileMasterFor(byte[] masterId, Path dir, Path keyringFile) throws IOException {
        Path masterFile = dir.resolve(MASTER_KEY_FILE);
        Path newMasterFile = dir.resolve(NEW_MASTER_KEY_FILE);
        IOException damaged = null;
        if (Files.exists(masterFile)) {
            try {
                byte[] key = KeyFiles.readMaster(masterFile);
                if (Arrays.equals(KeyFiles.masterId(key), masterId)) {
                    // A rotation that died before re-sealing the keyring: its new key seals nothing.
                    Files.deleteIfExists(newMasterFile);
                    return key;
                }
                Aead.wipe(key);
            } catch (IOException e) {
                damaged = e;
            }
        }
        if (Files.exists(newMasterFile)) {
            byte[] key;
            try {
                key = KeyFiles.readMaster(newMasterFile);
            } catch (IOException e) {
                key = null;
            }
            if (key != null && Arrays.equals(KeyFiles.masterId(key), masterId)) {
                KeyFiles.moveAtomically(newMasterFile, masterFile);
                return key;
            }
            Aead.wipe(key);
        }
        if (damaged != null) {
            throw damaged;
        }
        if (!Files.exists(masterFile)) {
            throw new IOException("the master key file " + masterFile + " is missing but the keyring " + keyringFile
                    + " exists: restore the master key file from its backup (or set " + MASTER_KEY_ENV
                    + "); a new master key could not open the keyring");
        }
        throw new IOException("the master key " + masterFile + " does not open the keyring " + keyringFile
                + " (another master key, or the keyring header is damaged)");
    }

    private static Keyring freshKeyring(Entropy entropy, long now) {
        byte[] metadataKey = new byte[Aead.KEY_BYTES];
        Aead.random(entropy, metadataKey);
        Keyring empty = new Keyring(metadataKey, new TreeMap<>());
        return empty.with(newKek(SSE_S3_KEY_ID, SSE_S3_DESCRIPTION, entropy, now));
    }

    private static Keyring.Kek newKek(String keyId, String description, Entropy entropy, long now) {
        return new Keyring.Kek(keyId, description, true, now, FIRST_GENERATION, new TreeMap<>())
                .withGeneration(newGeneration(FIRST_GENERATION, entropy, now));
    }

    private static Keyring.Generation newGeneration(int number, Entropy entropy, long now) {
        byte[] material = new byte[Aead.KEY_BYTES];
        Aead.random(entropy, material);
        return Keyring.Generation.of(number, material, now);
    }

    /** Whether {@link #open} generated a new master key file (the server prints a backup warning). */
    public boolean createdMasterKey() {
        return createdMasterKey;
    }

    /** Where the master key came from: the file's path, or "environment variable ARCA_MASTER_KEY". */
    public String masterKeySource() {
        return masterKeySource;
    }

    @Override
    public DataKey generateDataKey(String keyId, byte[] context) {
        requireKeyId(keyId);
        Objects.requireNonNull(context, "context");
        Keyring.Kek kek = live().keks().get(keyId);
        if (kek == null && DEFAULT_KMS_KEY_ID.equals(keyId)) {
            kek = createDefaultKmsKey();
        }
        kek = usable(kek, keyId);
        Keyring.Generation generation = kek.current();
        byte[] dek = new byte[ObjectCipher.DEK_BYTES];
        Aead.random(entropy, dek);
        return new DataKey(dek, seal(kek.id(), generation, dek, context));
    }

    @Override
    public byte[] unwrap(WrappedKey wrapped, byte[] context) {
        Objects.requireNonNull(context, "context");
        if (WrappedKey.CUSTOMER_KEY.equals(wrapped.keyId())) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                    "the data key is sealed by an SSE-C customer key, not by a key of the key service");
        }
        requireKeyId(wrapped.keyId());
        Keyring.Kek kek = usable(live().keks().get(wrapped.keyId()), wrapped.keyId());
        Keyring.Generation generation = kek.generations().get(wrapped.generation());
        if (generation == null) {
            throw StoreException.of(FailureKind.KMS_NOT_FOUND, "generation " + wrapped.generation() + " of key "
                    + wrapped.keyId() + " does not exist or was retired");
        }
        if (wrapped.ciphertext().length != WRAPPED_DEK_BYTES) {
            throw new IllegalStateException("sealed data key of " + wrapped.keyId() + " has "
                    + wrapped.ciphertext().length + " bytes, not " + WRAPPED_DEK_BYTES);
        }
        try {
            return Aead.open(generation.key(), dekAad(wrapped.keyId(), wrapped.generation(), context),
                    wrapped.ciphertext());
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("sealed data key of " + wrapped.keyId() + "#" + wrapped.generation()
                    + " fails authentication (tampered, or another context)", e);
        }
    }

    @Override
    public WrappedKey rewrap(WrappedKey wrapped, byte[] context) {
        byte[] dek = unwrap(wrapped, context); // also checks the key is enabled and the DEK authentic
        try {
            Keyring.Kek kek = usable(live().keks().get(wrapped.keyId()), wrapped.keyId());
            Keyring.Generation current = kek.current();
            if (current.number() == wrapped.generation()) {
                return wrapped;
            }
            return seal(kek.id(), current, dek, context);
        } finally {
            Aead.wipe(dek);
        }
    }

    @Override
    public KeyInfo createKey(String keyId, String description) {
        requireKeyId(keyId);
        if (keyId.startsWith(RESERVED_KEY_PREFIX) || keyId.equals(WrappedKey.CUSTOMER_KEY)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "key id " + keyId + " is reserved");
        }
        String text = description == null ? "" : description;
        if (text.length() > Keyring.MAX_DESCRIPTION_CHARS) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                    "key description longer than " + Keyring.MAX_DESCRIPTION_CHARS + " characters");
        }
        lock.lock();
        try {
            Keyring ring = live();
            if (ring.keks().containsKey(keyId)) {
                throw StoreException.of(FailureKind.ENTITY_ALREADY_EXISTS, "key " + keyId + " already exists");
            }
            Keyring.Kek kek = newKek(keyId, text, entropy, clock.millis());
            publish(ring.with(kek));
            return kek.info();
        } finally {
            lock.unlock();
        }
    }

    private Keyring.Kek createDefaultKmsKey() {
        lock.lock();
        try {
            Keyring ring = live();
            Keyring.Kek kek = ring.keks().get(DEFAULT_KMS_KEY_ID);
            if (kek == null) { // another thread may have created it while this one waited
                kek = newKek(DEFAULT_KMS_KEY_ID, DEFAULT_KMS_DESCRIPTION, entropy, clock.millis());
                publish(ring.with(kek));
            }
            return kek;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<KeyInfo> describeKey(String keyId) {
        requireKeyId(keyId);
        return Optional.ofNullable(live().keks().get(keyId)).map(Keyring.Kek::info);
    }

    @Override
    public List<KeyInfo> listKeys() {
        List<KeyInfo> infos = new ArrayList<>();
        for (Keyring.Kek kek : live().keks().values()) {
            infos.add(kek.info());
        }
        return List.copyOf(infos);
    }

    @Override
    public KeyInfo setEnabled(String keyId, boolean enabled) {
        requireKeyId(keyId);
        if (SSE_S3_KEY_ID.equals(keyId) && !enabled) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "the SSE-S3 key " + SSE_S3_KEY_ID
                    + " cannot be disabled");
        }
        lock.lock();
        try {
            Keyring ring = live();
            Keyring.Kek kek = existing(ring, keyId);
            if (kek.enabled() != enabled) {
                kek = kek.withEnabled(enabled);
                publish(ring.with(kek));
            }
            return kek.info();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KeyInfo rotateKey(String keyId) {
        requireKeyId(keyId);
        lock.lock();
        try {
            Keyring ring = live();
            Keyring.Kek kek = existing(ring, keyId);
            if (kek.currentGeneration() == Integer.MAX_VALUE) {
                throw StoreException.of(FailureKind.INVALID_REQUEST, "key " + keyId + " cannot be rotated again");
            }
            kek = kek.withGeneration(newGeneration(kek.currentGeneration() + 1, entropy, clock.millis()));
            publish(ring.with(kek));
            return kek.info();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KeyInfo retireGenerations(String keyId, int keepFrom) {
        requireKeyId(keyId);
        lock.lock();
        try {
            Keyring ring = live();
            Keyring.Kek kek = existing(ring, keyId);
            if (keepFrom > kek.currentGeneration()) {
                throw StoreException.of(FailureKind.INVALID_ARGUMENT, "generation " + kek.currentGeneration()
                        + " of key " + keyId + " is current and cannot be retired");
            }
            List<Keyring.Generation> retired = List.copyOf(kek.generations().headMap(keepFrom).values());
            if (retired.isEmpty()) {
                return kek.info();
            }
            kek = kek.withoutGenerationsBelow(keepFrom);
            publish(ring.with(kek));
            for (Keyring.Generation g : retired) {
                Aead.wipe(g.material());
            }
            return kek.info();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Crash-safe order: the new key goes to {@value #NEW_MASTER_KEY_FILE}; the keyring is re-sealed
     * under it (atomic rename); then the new key file is renamed over the old one. A crash after the
     * keyring's rename is finished by {@link #open}.
     */
    @Override
    public void rotateMasterKey() {
        if (masterFromEnvironment) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "the master key comes from environment variable "
                    + MASTER_KEY_ENV + ": change it there, not through the key service");
        }
        lock.lock();
        try {
            Keyring ring = live();
            byte[] next = new byte[Aead.KEY_BYTES];
            Aead.random(entropy, next);
            try {
                KeyFiles.writeMaster(newMasterFile, next);
                KeyFiles.writeAtomically(keyringFile, KeyFiles.sealKeyring(ring, next, entropy));
            } catch (IOException e) {
                Aead.wipe(next);
                throw new UncheckedIOException("master key rotation failed; the old master key still opens "
                        + keyringFile, e);
            }
            // The keyring on disk is now sealed by the new key: from here on only it may seal.
            byte[] old = master;
            master = next;
            Aead.wipe(old);
            try {
                KeyFiles.moveAtomically(newMasterFile, masterFile);
            } catch (IOException e) {
                throw new UncheckedIOException("master key rotation could not rename " + newMasterFile + " to "
                        + masterFile + "; the next start finishes it", e);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ValueCipher metadataCipher() {
        live();
        return metadataCipher;
    }

    /** Overwrites the master key and every KEK held in memory; the service is unusable afterwards. */
    @Override
    public void close() {
        lock.lock();
        try {
            Keyring ring = keyring;
            if (ring == null) {
                return;
            }
            keyring = null;
            ring.wipe();
            Aead.wipe(master);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "BuiltinKeyService[master key from " + masterKeySource + "]";
    }

    /** Valid key ids: 1 to 256 of [A-Za-z0-9/_-]. */
    static boolean isValidKeyId(String keyId) {
        int n = keyId.length();
        if (n == 0 || n > MAX_KEY_ID_CHARS) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = keyId.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/'
                    || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void requireKeyId(String keyId) {
        Objects.requireNonNull(keyId, "keyId");
        if (!isValidKeyId(keyId)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "malformed key id (1-" + MAX_KEY_ID_CHARS
                    + " characters of A-Z a-z 0-9 / _ -)");
        }
    }

    private Keyring live() {
        Keyring ring = keyring;
        if (ring == null) {
            throw new IllegalStateException("the key service is closed");
        }
        return ring;
    }

    private static Keyring.Kek existing(Keyring ring, String keyId) {
        Keyring.Kek kek = ring.keks().get(keyId);
        if (kek == null) {
            throw StoreException.of(FailureKind.KMS_NOT_FOUND, "key " + keyId + " does not exist");
        }
        return kek;
    }

    private static Keyring.Kek usable(Keyring.Kek kek, String keyId) {
        if (kek == null) {
            throw StoreException.of(FailureKind.KMS_NOT_FOUND, "key " + keyId + " does not exist");
        }
        if (!kek.enabled()) {
            throw StoreException.of(FailureKind.KMS_DISABLED, "key " + keyId + " is disabled");
        }
        return kek;
    }

    /** Writes {@code next} to disk, then makes it the live snapshot; on failure nothing changes. */
    private void publish(Keyring next) {
        try {
            KeyFiles.writeAtomically(keyringFile, KeyFiles.sealKeyring(next, master, entropy));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the keyring " + keyringFile, e);
        }
        keyring = next;
    }

    private WrappedKey seal(String keyId, Keyring.Generation generation, byte[] dek, byte[] context) {
        byte[] box = Aead.seal(generation.key(), entropy, dekAad(keyId, generation.number(), context), dek);
        return new WrappedKey(keyId, generation.number(), box);
    }

    /** "arca-dek\0" | u16 key id length | key id | u32 generation | context. */
    private static byte[] dekAad(String keyId, int generation, byte[] context) {
        byte[] id = keyId.getBytes(StandardCharsets.US_ASCII); // valid ids are ASCII
        return ByteBuffer.allocate(DEK_AAD_LABEL.length + Short.BYTES + id.length + Integer.BYTES + context.length)
                .put(DEK_AAD_LABEL).putShort((short) id.length).put(id).putInt(generation).put(context).array();
    }
}
