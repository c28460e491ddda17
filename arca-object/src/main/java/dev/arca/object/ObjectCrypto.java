package dev.arca.object;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.crypto.CustomerKeys;
import dev.arca.crypto.DataKey;
import dev.arca.crypto.KeyService;
import dev.arca.crypto.TamperedDataException;
import dev.arca.meta.Encryption;
import dev.arca.meta.MetadataStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Chooses how new data is sealed and recovers the data key to read it: the one place where the
 * encryption modes (SSE-S3, SSE-KMS, SSE-C), the bucket default and the key service meet.
 *
 * <p>A data key is sealed with the context "bucket \0 key \0 kms-context", so a sealed key copied
 * to another object's record does not open.
 */
public final class ObjectCrypto {
    private final KeyService keys;
    private final Entropy entropy;
    private final boolean encryptByDefault;
    private final MetadataStore meta;

    /**
     * @param keys             the key service, or null when this layer has none (then only clear data is
     *                         written, and a request for encryption fails)
     * @param encryptByDefault whether a bucket without an encryption configuration gets SSE-S3 (true in
     *                         production; false stores data in clear unless a request asks otherwise)
     */
    ObjectCrypto(KeyService keys, Entropy entropy, boolean encryptByDefault, MetadataStore meta) {
        this.keys = keys;
        this.entropy = entropy;
        this.encryptByDefault = encryptByDefault && keys != null;
        this.meta = meta;
    }

    /**
     * How new data is sealed: the record to store and the plaintext data key (wipe after use).
     * {@code slot} names the KEK generation that sealed the data key while the write is in flight
     * (null for SSE-C); the writer calls {@link #done} once the version is committed or abandoned.
     */
    public record Sealing(Encryption encryption, byte[] dataKey, String slot) {
        public Sealing(Encryption encryption, byte[] dataKey) {
            this(encryption, dataKey, null);
        }
    }

    /**
     * Writes in flight per KEK generation ("keyId#generation"): rotation waits for the old
     * generations' writes to commit before it looks for data keys to rewrap, so a write that took its
     * data key just before a rotation cannot be left sealed by retired material.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicInteger> inFlight =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** How often a rotation looks whether old-generation writes have finished. */
    static final java.time.Duration QUIET_POLL = java.time.Duration.ofMillis(20);

    private java.util.concurrent.atomic.AtomicInteger counter(String keyId, int generation) {
        return inFlight.computeIfAbsent(keyId + "#" + generation, k -> new java.util.concurrent.atomic.AtomicInteger());
    }

    /**
     * A fresh data key of {@code keyId}, counted in flight under the generation that sealed it. The
     * count is taken before the key is made, so a rotation that finds no write in flight on a
     * generation knows none can still appear with it.
     */
    private Tracked generateTracked(String keyId, byte[] context) {
        KeyService k = requireKeys();
        int expected = k.describeKey(keyId).map(dev.arca.crypto.KeyInfo::currentGeneration).orElse(1);
        java.util.concurrent.atomic.AtomicInteger c = counter(keyId, expected);
        c.incrementAndGet();
        DataKey dk;
        try {
            dk = k.generateDataKey(keyId, context);
        } catch (RuntimeException e) {
            c.decrementAndGet();
            throw e;
        }
        int got = dk.wrapped().generation();
        if (got != expected) {
            counter(keyId, got).incrementAndGet();
            c.decrementAndGet();
        }
        return new Tracked(dk, keyId + "#" + got);
    }

    private record Tracked(DataKey key, String slot) {}

    /** Ends the in-flight count of a write's sealing (after its commit, or when it was abandoned). */
    void done(Sealing sealing) {
        if (sealing != null && sealing.slot() != null) {
            inFlight.get(sealing.slot()).decrementAndGet();
        }
    }

    /**
     * Waits until no write sealed by a generation of {@code keyId} older than {@code current} is in
     * flight; false if that took longer than {@code timeout}.
     */
    boolean awaitQuiet(String keyId, int current, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean quiet = true;
            for (var e : inFlight.entrySet()) {
                String slot = e.getKey();
                int hash = slot.lastIndexOf('#');
                if (slot.substring(0, hash).equals(keyId) && Integer.parseInt(slot.substring(hash + 1)) < current
                        && e.getValue().get() > 0) {
                    quiet = false;
                }
            }
            if (quiet) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(QUIET_POLL);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The bucket's default encryption, as GetBucketEncryption reports it. */
    public Optional<BucketEncryption> bucketDefault(String bucket) {
        Optional<byte[]> raw = meta.bucketConfig(bucket, BucketEncryption.CONFIG_NAME);
        if (raw.isPresent()) {
            return Optional.of(BucketEncryption.decode(raw.get()));
        }
        return encryptByDefault ? Optional.of(BucketEncryption.SSE_S3) : Optional.empty();
    }

    /** The sealing for a new object version or upload of {@code bucket/key}, or null to store it in clear. */
    Sealing plan(String bucket, String key, SseRequest request) {
        SseRequest effective = request;
        if (request instanceof SseRequest.BucketDefault) {
            Optional<BucketEncryption> def = bucketDefault(bucket);
            if (def.isEmpty()) {
                return null;
            }
            effective = def.get().kms() ? new SseRequest.Kms(def.get().kmsKeyId(), null) : new SseRequest.S3();
        }
        return switch (effective) {
            case SseRequest.BucketDefault ignored -> throw new IllegalStateException("resolved above");
            case SseRequest.S3 ignored -> {
                Tracked t = generateTracked(KeyService.SSE_S3_KEY_ID, context(bucket, key, null));
                yield new Sealing(new Encryption(Encryption.Mode.SSE_S3, t.key().wrapped(), null, null),
                        t.key().plaintext(), t.slot());
            }
            case SseRequest.Kms(String keyId, String ctx) -> {
                String id = keyId;
                if (id == null) {
                    Optional<BucketEncryption> def = bucketDefault(bucket);
                    id = def.isPresent() && def.get().kms() && def.get().kmsKeyId() != null
                            ? def.get().kmsKeyId() : KeyService.DEFAULT_KMS_KEY_ID;
                }
                Tracked t = generateTracked(id, context(bucket, key, ctx));
                yield new Sealing(new Encryption(Encryption.Mode.SSE_KMS, t.key().wrapped(), ctx, null),
                        t.key().plaintext(), t.slot());
            }
            case SseRequest.Customer(byte[] customerKey, String ignored) -> {
                DataKey dk = CustomerKeys.generateDataKey(customerKey, context(bucket, key, null), entropy);
                yield new Sealing(new Encryption(Encryption.Mode.SSE_C, dk.wrapped(), null,
                        CustomerKeys.fingerprint(customerKey, entropy)), dk.plaintext());
            }
        };
    }

    /**
     * The plaintext data key of data sealed with {@code encryption} for {@code bucket/key} (null when
     * the data is in clear), checking the SSE-C key the request carries ({@code customerKey}, or null).
     */
    byte[] dataKey(String bucket, String key, Encryption encryption, byte[] customerKey) {
        checkCustomerKey(encryption, customerKey);
        if (encryption == null) {
            return null;
        }
        if (encryption.mode() != Encryption.Mode.SSE_C) {
            return requireKeys().unwrap(encryption.dataKey(), context(bucket, key, encryption.kmsContext()));
        }
        try {
            return CustomerKeys.unwrap(customerKey, encryption.dataKey(), context(bucket, key, null));
        } catch (TamperedDataException e) {
            throw new IllegalStateException("the sealed data key of " + bucket + "/" + key
                    + " does not open with the customer key that matches its fingerprint", e);
        }
    }

    /**
     * Checks that a request carries an SSE-C key exactly when the data needs one, and that it is the
     * right one: InvalidRequest for a missing or needless key, AccessDenied for a wrong key.
     */
    public void checkCustomerKey(Encryption encryption, byte[] customerKey) {
        boolean needsKey = encryption != null && encryption.mode() == Encryption.Mode.SSE_C;
        if (!needsKey) {
            if (customerKey != null) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The encryption parameters are not applicable to this object.");
            }
            return;
        }
        if (customerKey == null) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
        }
        if (!CustomerKeys.matches(customerKey, encryption.customerKeyFingerprint())) {
            throw StoreException.of(FailureKind.ACCESS_DENIED,
                    "The SSE-C key provided does not match the key the object was stored with.");
        }
    }

    /** Key rotation over this layer's metadata; empty when this layer has no key service. */
    public Optional<KeyRotation> rotation() {
        return keys == null ? Optional.empty() : Optional.of(new KeyRotation(meta, keys, this));
    }

    /** The key service (for rotation and the admin API); empty when this layer has none. */
    public Optional<KeyService> keys() {
        return Optional.ofNullable(keys);
    }

    private KeyService requireKeys() {
        if (keys == null) {
            throw StoreException.of(FailureKind.NOT_IMPLEMENTED, "Server-side encryption is not configured on this server.");
        }
        return keys;
    }

    /** The context a data key is sealed with (docs/FORMATS.md, "Sealed object data"). */
    static byte[] context(String bucket, String key, String kmsContext) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bucket.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        out.writeBytes(key.getBytes(StandardCharsets.UTF_8));
        out.write(0);
        if (kmsContext != null) {
            out.writeBytes(kmsContext.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
