package dev.arca.iam;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The IAM master key: 32 random bytes in a small file (docs/FORMATS.md, "IAM master key and
 * identity store") from which the keys that seal access-key secrets and STS session tokens are
 * derived. Losing the file makes every stored secret and outstanding session token unusable;
 * anyone who reads it can open them, so it is created with mode 600. {@link #toString()} never
 * shows the key.
 */
public final class MasterKey {
    /** The file's conventional name in the data directory. */
    public static final String FILE_NAME = "iam-master.key";
    /** "ARCAIAMK": the file's magic. */
    static final byte[] MAGIC = "ARCAIAMK".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    /** magic 8 | version 4 | key 32 | CRC32C 4 */
    static final int FILE_BYTES = 8 + 4 + SecretBox.KEY_BYTES + 4;
    private static final String OWNER_ONLY = "rw-------";

    private final byte[] key;

    private MasterKey(byte[] key) {
        this.key = key;
    }

    /**
     * Reads the key from {@code file}, or creates the file with a new random key when it does not
     * exist (written to a temporary file, fsynced, renamed, directory fsynced).
     *
     * @throws IOException if the file cannot be read or written, or is damaged or foreign
     */
    public static MasterKey loadOrCreate(Path file, Entropy entropy) throws IOException {
        if (Files.exists(file)) {
            return new MasterKey(parse(Files.readAllBytes(file), file));
        }
        byte[] key = new byte[SecretBox.KEY_BYTES];
        entropy.nextBytes(key);
        byte[] content = format(key);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        createOwnerOnly(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(tmp); // another process created it first: use theirs
            return new MasterKey(parse(Files.readAllBytes(file), file));
        }
        fsyncDirectory(file.toAbsolutePath().getParent());
        return new MasterKey(key);
    }

    /** A key from raw bytes (tests, tools): 32 bytes, copied. */
    public static MasterKey of(byte[] key) {
        if (key.length != SecretBox.KEY_BYTES) {
            throw new IllegalArgumentException("master key must be " + SecretBox.KEY_BYTES + " bytes");
        }
        return new MasterKey(key.clone());
    }

    /** A box under this key, for {@link Iam#open}. */
    public SecretBox box(Entropy entropy) {
        return new SecretBox(key, entropy);
    }

    static byte[] format(byte[] key) {
        ByteBuffer buf = ByteBuffer.allocate(FILE_BYTES);
        buf.put(MAGIC).putInt(FORMAT_VERSION).put(key);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());
        return buf.array();
    }

    static byte[] parse(byte[] content, Path file) throws IOException {
        try {
            if (content.length != FILE_BYTES || !Arrays.equals(content, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException(file + " is not an Arca IAM master key file");
            }
            ByteBuffer buf = ByteBuffer.wrap(content);
            buf.position(MAGIC.length);
            int version = buf.getInt();
            if (version != FORMAT_VERSION) {
                throw new IOException(file + " has unsupported master key format version " + version);
            }
            CRC32C crc = new CRC32C();
            crc.update(content, 0, FILE_BYTES - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(content, FILE_BYTES - 4, 4).getInt()) {
                throw new IOException(file + " is damaged (checksum mismatch)");
            }
            return Arrays.copyOfRange(content, MAGIC.length + 4, MAGIC.length + 4 + SecretBox.KEY_BYTES);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    private static void createOwnerOnly(Path path) throws IOException {
        boolean posix = path.toAbsolutePath().getParent().getFileSystem().supportedFileAttributeViews().contains("posix");
        if (posix) {
            FileAttribute<?> perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY));
            Files.createFile(path, perms);
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

    @Override
    public String toString() {
        return "MasterKey[<redacted>]";
    }
}
