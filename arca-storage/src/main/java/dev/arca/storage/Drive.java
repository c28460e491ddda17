package dev.arca.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * One drive of an {@link ErasureBlobStore}: a directory, ideally its own disk. Layout:
 * {@code arca-drive} (the drive format: which deployment and slot it belongs to),
 * {@code shards/00..ff/<blob id>} (committed shard files, fanned out by the id's first byte) and
 * {@code tmp/} (shards being written) and {@code tombstones/<blob id>} (blobs deleted while another
 * drive was away, so its shards can be recognised as deleted when it returns). The store never creates a drive's root directory after
 * the first start: a missing root means the drive is gone (offline), and an empty root is a
 * replacement drive, formatted and then filled by healing.
 */
final class Drive {
    static final String FORMAT_FILE = "arca-drive";
    static final String SHARDS_DIR = "shards";
    static final String TMP_DIR = "tmp";
    static final String TOMBSTONES_DIR = "tombstones";
    static final int FAN_OUT = 256;

    /** "ARCADRIV" in ASCII. */
    static final long FORMAT_MAGIC = 0x41524341_44524956L;
    static final int FORMAT_VERSION = 1;
    /** magic | u32 version | 16-byte deployment id | u32 slot | u32 drive count | u32 CRC32C. */
    static final int FORMAT_BYTES = 8 + 4 + 16 + 4 + 4 + 4;

    private static final HexFormat HEX = HexFormat.of();

    /** The drive's recorded identity: the deployment it belongs to and its slot (0-based) among {@code driveCount}. */
    record Format(String deploymentId, int slot, int driveCount) {}

    enum State {
        /** Formatted for this deployment and slot: usable. */
        ONLINE,
        /** The root directory (or its format file) is gone: a failed or unmounted drive. */
        OFFLINE,
        /** An empty root directory: a new or replacement drive, to be formatted and healed. */
        EMPTY
    }

    final int slot;
    final Path root;
    private final Path shards;
    private final Path tmp;

    Drive(int slot, Path root) {
        this.slot = slot;
        this.root = root;
        this.shards = root.resolve(SHARDS_DIR);
        this.tmp = root.resolve(TMP_DIR);
    }

    Path shardPath(String blobId) {
        return shards.resolve(blobId.substring(0, 2)).resolve(blobId);
    }

    Path fanOutDir(int i) {
        return shards.resolve(HEX.toHexDigits((byte) i));
    }

    Path tmpDir() {
        return tmp;
    }

    /** Where empty files named by blob id say "this blob was deleted while a drive was away". */
    Path tombstones() {
        return root.resolve(TOMBSTONES_DIR);
    }

    Path tempPath(String blobId) {
        return tmp.resolve(blobId + "." + HEX.toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    /** The state of the drive for deployment {@code deploymentId}; a drive formatted for another one is an error. */
    State state(String deploymentId, int driveCount) {
        Optional<Format> f;
        try {
            f = readFormat();
        } catch (IOException e) {
            return State.OFFLINE;
        }
        if (f.isPresent()) {
            requireMatches(f.get(), deploymentId, driveCount);
            return State.ONLINE;
        }
        return isBlank() ? State.EMPTY : State.OFFLINE;
    }

    void requireMatches(Format f, String deploymentId, int driveCount) {
        if (!f.deploymentId().equals(deploymentId) || f.slot() != slot || f.driveCount() != driveCount) {
            throw new IllegalStateException(("drive %s is formatted as drive %d of %d in deployment %s, but is configured as drive %d"
                    + " of %d in deployment %s: the drive list changed order or a drive from another deployment was mounted here")
                    .formatted(root, f.slot() + 1, f.driveCount(), f.deploymentId(), slot + 1, driveCount, deploymentId));
        }
    }

    boolean rootExists() {
        return Files.isDirectory(root);
    }

    boolean isEmptyDirectory() {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(root)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * An empty root, or one holding only what an interrupted {@link #format} leaves (empty {@code tmp/},
     * {@code shards/} with empty fan-out directories, the format file's temporary): nothing to lose by
     * formatting it. Anything else (a shard file, a stranger's file) makes the drive not blank.
     */
    boolean isBlank() {
        if (isEmptyDirectory()) {
            return true;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                boolean leftover = switch (entry.getFileName().toString()) {
                    case TMP_DIR, TOMBSTONES_DIR -> isEmptyDirectory(entry);
                    case SHARDS_DIR -> onlyEmptyDirectories(entry);
                    case FORMAT_FILE + ".tmp" -> Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS);
                    default -> false;
                };
                if (!leftover) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        }
    }

    private static boolean onlyEmptyDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (!isEmptyDirectory(entry)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The format file's content, or empty if there is none. A damaged format file is an error (fail loudly). */
    Optional<Format> readFormat() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(root.resolve(FORMAT_FILE));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length != FORMAT_BYTES || b.getLong(0) != FORMAT_MAGIC) {
            throw new IllegalStateException(root.resolve(FORMAT_FILE) + " is not an Arca drive format file");
        }
        if (b.getInt(8) != FORMAT_VERSION) {
            throw new IllegalStateException(root.resolve(FORMAT_FILE) + " has format version " + b.getInt(8)
                    + "; this build reads only version " + FORMAT_VERSION);
        }
        if (b.getInt(FORMAT_BYTES - 4) != crc(bytes, FORMAT_BYTES - 4)) {
            throw new IllegalStateException(root.resolve(FORMAT_FILE) + " fails its CRC32C check");
        }
        byte[] id = new byte[16];
        b.get(12, id);
        return Optional.of(new Format(HEX.formatHex(id), b.getInt(28), b.getInt(32)));
    }

    /**
     * Creates the layout and then the format file (written to a temporary name, fsynced, renamed,
     * directory fsynced), so a crash leaves either an unformatted drive or a complete one.
     * {@code createRoot} is only for the first start of a deployment.
     */
    void format(Format f, boolean createRoot) {
        try {
            if (createRoot && !Files.isDirectory(root)) {
                Files.createDirectories(root);
                Path parent = root.toAbsolutePath().getParent();
                if (parent != null) {
                    fsyncDirectory(parent);
                }
            }
            if (!Files.isDirectory(root)) {
                throw new NoSuchFileException(root.toString(), null, "drive directory is missing");
            }
            Files.createDirectories(tmp);
            Files.createDirectories(tombstones());
            Files.createDirectories(shards);
            for (int i = 0; i < FAN_OUT; i++) {
                Files.createDirectories(fanOutDir(i));
            }
            fsyncDirectory(shards);
            fsyncDirectory(tmp);
            fsyncDirectory(tombstones());
            ByteBuffer b = ByteBuffer.allocate(FORMAT_BYTES);
            b.putLong(FORMAT_MAGIC).putInt(FORMAT_VERSION).put(HEX.parseHex(f.deploymentId())).putInt(f.slot()).putInt(f.driveCount());
            b.putInt(crc(b.array(), FORMAT_BYTES - 4));
            Path temp = root.resolve(FORMAT_FILE + ".tmp");
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                b.flip();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(temp, root.resolve(FORMAT_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(root);
        } catch (IOException e) {
            throw new UncheckedIOException("formatting drive " + root, e);
        }
    }

    @Override
    public String toString() {
        return "drive " + (slot + 1) + " (" + root + ")";
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
