package dev.arca.crypto;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key service's two files (docs/FORMATS.md): the master key file and the keyring file sealed by
 * it, and the crash-safe way both are written (temporary file, fsync, atomic rename, directory fsync),
 * so a crash leaves the old or the new file, never half of one.
 */
final class KeyFiles {
    static final byte[] MASTER_MAGIC = "ARCAMKEY".getBytes(StandardCharsets.US_ASCII);
    static final int MASTER_VERSION = 1;
    /** magic 8 | version 4 | key 32 | CRC32C 4 */
    static final int MASTER_FILE_BYTES = MASTER_MAGIC.length + Integer.BYTES + Aead.KEY_BYTES + Integer.BYTES;

    static final byte[] KEYRING_MAGIC = "ARCAKRNG".getBytes(StandardCharsets.US_ASCII);
    static final int KEYRING_VERSION = 1;
    static final int MASTER_ID_BYTES = 8;
    /** magic 8 | version 4 | master id 8; authenticated as the AAD of the sealed payload. */
    static final int KEYRING_HEADER_BYTES = KEYRING_MAGIC.length + Integer.BYTES + MASTER_ID_BYTES;

    private static final byte[] MASTER_ID_LABEL = "arca-master-id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEYRING_KEY_LABEL = "arca-keyring\0".getBytes(StandardCharsets.US_ASCII);
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String OWNER_ONLY = "rw-------";

    private KeyFiles() {}

    /** The master key file's bytes for {@code key}. */
    static byte[] formatMaster(byte[] key) {
        ByteBuffer buf = ByteBuffer.allocate(MASTER_FILE_BYTES);
        buf.put(MASTER_MAGIC).putInt(MASTER_VERSION).put(key);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    /** The key in master key file {@code file}; IOException if it is not one, or is damaged. */
    static byte[] readMaster(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        try {
            if (content.length != MASTER_FILE_BYTES
                    || !Arrays.equals(content, 0, MASTER_MAGIC.length, MASTER_MAGIC, 0, MASTER_MAGIC.length)) {
                throw new IOException(file + " is not an Arca master key file (wrong size or magic)");
            }
            ByteBuffer buf = ByteBuffer.wrap(content);
            int version = buf.getInt(MASTER_MAGIC.length);
            if (version != MASTER_VERSION) {
                throw new IOException(file + " has unsupported master key format version " + version);
            }
            CRC32C crc = new CRC32C();
            crc.update(content, 0, MASTER_FILE_BYTES - Integer.BYTES);
            if ((int) crc.getValue() != buf.getInt(MASTER_FILE_BYTES - Integer.BYTES)) {
                throw new IOException(file + " is damaged (checksum mismatch): restore the master key from its backup");
            }
            int keyOffset = MASTER_MAGIC.length + Integer.BYTES;
            return Arrays.copyOfRange(content, keyOffset, keyOffset + Aead.KEY_BYTES);
        } finally {
            Aead.wipe(content);
        }
    }

    static void writeMaster(Path file, byte[] key) throws IOException {
        byte[] content = formatMaster(key);
        try {
            writeAtomically(file, content);
        } finally {
            Aead.wipe(content);
        }
    }

    /** First 8 bytes of SHA-256("arca-master-id" || master): names a master key without revealing it. */
    static byte[] masterId(byte[] master) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(MASTER_ID_LABEL);
            sha.update(master);
            return Arrays.copyOf(sha.digest(), MASTER_ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The master id in the header of keyring file content; IOException if the header is not one. */
    static byte[] keyringMasterId(byte[] content, Path file) throws IOException {
        if (content.length < KEYRING_HEADER_BYTES + Aead.BOX_OVERHEAD
                || !Arrays.equals(content, 0, KEYRING_MAGIC.length, KEYRING_MAGIC, 0, KEYRING_MAGIC.length)) {
            throw new IOException(file + " is not an Arca keyring (wrong size or magic)");
        }
        int version = ByteBuffer.wrap(content).getInt(KEYRING_MAGIC.length);
        if (version != KEYRING_VERSION) {
            throw new IOException(file + " has unsupported keyring format version " + version);
        }
        int idOffset = KEYRING_MAGIC.length + Integer.BYTES;
        return Arrays.copyOfRange(content, idOffset, idOffset + MASTER_ID_BYTES);
    }

    /** Keyring file content: header, then the payload sealed under a key derived from {@code master}. */
    static byte[] sealKeyring(Keyring keyring, byte[] master, Entropy entropy) {
        byte[] header = ByteBuffer.allocate(KEYRING_HEADER_BYTES).put(KEYRING_MAGIC).putInt(KEYRING_VERSION)
                .put(masterId(master)).array();
        byte[] payload = keyring.encode();
        try {
            return Aead.concat(header, Aead.seal(keyringKey(master), entropy, header, payload));
        } finally {
            Aead.wipe(payload);
        }
    }

    /** The keyring in {@code content}, whose header's master id is known to be {@code master}'s. */
    static Keyring openKeyring(byte[] content, byte[] master, Path file) throws IOException {
        byte[] header = Arrays.copyOf(content, KEYRING_HEADER_BYTES);
        byte[] box = Arrays.copyOfRange(content, KEYRING_HEADER_BYTES, content.length);
        byte[] payload;
        try {
            payload = Aead.open(keyringKey(master), header, box);
        } catch (AEADBadTagException e) {
            throw new IOException(file + " is damaged: it fails authentication under its master key", e);
        }
        try {
            return Keyring.decode(payload, file.toString());
        } finally {
            Aead.wipe(payload);
        }
    }

    private static SecretKeySpec keyringKey(byte[] master) {
        byte[] derived = Aead.hmac(master, KEYRING_KEY_LABEL);
        try {
            return Aead.aesKey(derived);
        } finally {
            Aead.wipe(derived);
        }
    }

    /** Replaces {@code target} by {@code content}: a crash leaves the old file or the new one. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        Files.deleteIfExists(temp);
        createOwnerOnly(temp);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        moveAtomically(temp, target);
    }

    /** Renames {@code from} over {@code to} and makes the rename durable. */
    static void moveAtomically(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(to.toAbsolutePath().getParent());
    }

    private static void createOwnerOnly(Path path) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
        } else {
            Files.createFile(path);
        }
    }

    private static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is then as durable as they allow.
        }
    }
}
