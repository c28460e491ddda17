package dev.arca.storage;

import dev.arca.core.Limits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} on one local file system. Layout under {@code root}:
 * {@code blobs/00..ff/<id>} holds committed blobs, fanned out by the id's first two hex
 * characters; {@code tmp/<id>.<random>} holds blobs being written. The file format is described
 * in docs/FORMATS.md ("Blob file").
 *
 * <p>Errors: I/O failures surface as {@link UncheckedIOException}. A blob file that fails
 * verification when opened surfaces as an {@link UncheckedIOException} whose cause is a
 * {@link BlobCorruptException} (or an {@link UnsupportedBlobFormatException} for a format version
 * this build does not read); a block that fails verification while streaming throws
 * {@link BlobCorruptException} from the stream's {@code read}. An id that is not 32 lower-case hex
 * characters is a caller bug: {@link IllegalArgumentException}. Creating a blob whose id already
 * exists, or is being written through this store, is a caller bug too: {@link IllegalStateException}.
 *
 * <p>Thread-safe; writers and readers of different blobs never contend. Only one process should
 * use a root at a time.
 */
public final class FileBlobStore implements BlobStore {
    /** Fan-out directories: one per value of the id's first byte. */
    private static final int FAN_OUT = 256;
    private static final int PREFIX_CHARS = 2;
    private static final String BLOBS_DIR = "blobs";
    private static final String TMP_DIR = "tmp";
    /** Attempts at a fresh temporary name; a clash needs a leftover with the same 64-bit random suffix. */
    private static final int TEMP_NAME_ATTEMPTS = 8;
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;
    private final Path blobs;
    private final Path tmp;
    private final int blockSize;
    /** Blob id to temporary file of every writer open in this store. */
    private final Map<String, Path> writing = new ConcurrentHashMap<>();

    private FileBlobStore(Path root, int blockSize) {
        this.root = root;
        this.blobs = root.resolve(BLOBS_DIR);
        this.tmp = root.resolve(TMP_DIR);
        this.blockSize = blockSize;
    }

    /**
     * Opens the store at {@code root}, creating {@code root}, {@code blobs/00..ff} and {@code tmp}
     * where missing; whatever it creates is fsynced along with its parent, so the layout survives a
     * crash. Does not sweep temporary files: call {@link #sweepTemporary()} at start.
     */
    public static FileBlobStore open(Path root) {
        Objects.requireNonNull(root, "root");
        FileBlobStore store = new FileBlobStore(root, Limits.BLOB_BLOCK_BYTES);
        try {
            store.createLayout();
        } catch (IOException e) {
            throw new UncheckedIOException("opening blob store at " + root, e);
        }
        return store;
    }

    /** The directory this store lives in. */
    public Path root() {
        return root;
    }

    @Override
    public BlobWriter create(String blobId) {
        BlobFormat.requireValidId(blobId);
        // Reserve the temporary name before the file exists: sweepTemporary() relies on that order.
        Path temp = tempFileFor(blobId);
        if (writing.putIfAbsent(blobId, temp) != null) {
            throw new IllegalStateException("blob " + blobId + " is already being written");
        }
        FileChannel channel = null;
        try {
            if (Files.exists(pathOf(blobId), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("blob " + blobId + " already exists");
            }
            for (int attempt = 1; channel == null; attempt++) {
                try {
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException clash) {
                    if (attempt == TEMP_NAME_ATTEMPTS) {
                        throw clash;
                    }
                    Path next = tempFileFor(blobId);
                    writing.put(blobId, next);
                    temp = next;
                }
            }
            return new FileBlobWriter(this, blobId, temp, channel, blockSize);
        } catch (IOException | RuntimeException e) {
            try {
                if (channel != null) {
                    channel.close();
                    Files.deleteIfExists(temp);
                }
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            } finally {
                writing.remove(blobId, temp);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("creating blob " + blobId, io);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public BlobReader open(String blobId) {
        BlobFormat.requireValidId(blobId);
        Path path = pathOf(blobId);
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new NoSuchBlobException(blobId);
        } catch (IOException e) {
            throw new UncheckedIOException("opening blob " + blobId, e);
        }
        try {
            return FileBlobReader.open(blobId, channel);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage() + " (" + path + ")", e);
        }
    }

    @Override
    public boolean exists(String blobId) {
        BlobFormat.requireValidId(blobId);
        return Files.exists(pathOf(blobId), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Deletes the blob file and fsyncs its directory, even when the file was already gone, so
     * that a delete by a concurrent caller is durable too when this returns.
     */
    @Override
    public boolean delete(String blobId) {
        BlobFormat.requireValidId(blobId);
        Path path = pathOf(blobId);
        try {
            boolean existed = Files.deleteIfExists(path);
            fsyncDirectory(path.getParent());
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("deleting blob " + blobId, e);
        }
    }

    /**
     * Deletes every file in {@code tmp/} except those of writers open in this store, then fsyncs
     * {@code tmp/}. Directories found there (never created by the store) are left alone.
     */
    @Override
    public int sweepTemporary() {
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp)) {
            for (Path entry : entries) {
                // A writer reserves its temporary path before creating the file, so this check
                // cannot miss a file that a writer of this store is still filling.
                if (writing.containsValue(entry) || Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                if (Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
            fsyncDirectory(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("sweeping " + tmp, e);
        }
        return removed;
    }

    @Override
    public void forEachBlob(Consumer<String> action) {
        scan(action);
    }

    /**
     * What {@link #scan} saw: {@code blobs} ids passed to the action, {@code unexpected} entries
     * that are not blobs (wrong name, wrong fan-out directory, not a regular file, or a stray entry
     * in {@code blobs/}); they are skipped, never deleted.
     */
    public record Scan(long blobs, long unexpected) {}

    /**
     * Calls {@code action} with the id of every committed blob, in no particular order, and counts
     * entries that are not blobs instead of failing on them. Blobs committed or deleted during the
     * scan may or may not be seen.
     */
    public Scan scan(Consumer<String> action) {
        Objects.requireNonNull(action, "action");
        long found = 0;
        long unexpected = 0;
        try {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs)) {
                for (Path entry : entries) {
                    if (!isFanOutName(entry.getFileName().toString()) || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                        unexpected++;
                    }
                }
            }
            for (int i = 0; i < FAN_OUT; i++) {
                String prefix = fanOutName(i);
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(blobs.resolve(prefix))) {
                    for (Path entry : entries) {
                        String name = entry.getFileName().toString();
                        if (BlobFormat.isValidId(name) && name.startsWith(prefix)
                                && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
                            found++;
                            action.accept(name);
                        } else {
                            unexpected++;
                        }
                    }
                } catch (NoSuchFileException e) {
                    // Removed under us (by hand): no blobs there; create() will report the problem.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("scanning " + blobs, e);
        }
        return new Scan(found, unexpected);
    }

    /** Holds no resources of its own: open readers and writers stay usable. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "FileBlobStore[" + root + "]";
    }

    /**
     * Renames a complete, fsynced temporary file into place and fsyncs the directory. Returns true
     * once the rename is done (the file then belongs to the store). Refuses to replace a blob: ids
     * are unique, so an existing file means a bug. The check is not atomic with the rename across
     * processes; within this store {@link #create} already excludes a second writer of the same id.
     */
    boolean publish(String blobId, Path temp) throws IOException {
        Path target = pathOf(blobId);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("blob " + blobId + " already exists; refusing to overwrite it");
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        writing.remove(blobId, temp);
        fsyncDirectory(target.getParent());
        return true;
    }

    /** Deletes an aborted writer's temporary file and releases its id. */
    void discard(String blobId, Path temp) throws IOException {
        try {
            Files.deleteIfExists(temp);
        } finally {
            writing.remove(blobId, temp);
        }
    }

    Path pathOf(String blobId) {
        return blobs.resolve(blobId.substring(0, PREFIX_CHARS)).resolve(blobId);
    }

    private Path tempFileFor(String blobId) {
        return tmp.resolve(blobId + "." + HEX.toHexDigits(ThreadLocalRandom.current().nextLong()));
    }

    private void createLayout() throws IOException {
        if (createDirectory(root)) {
            Path parent = root.toAbsolutePath().getParent();
            if (parent != null) {
                fsyncDirectory(parent);
            }
        }
        boolean rootChanged = createDirectory(blobs);
        rootChanged |= createDirectory(tmp);
        boolean blobsChanged = false;
        for (int i = 0; i < FAN_OUT; i++) {
            blobsChanged |= createDirectory(blobs.resolve(fanOutName(i)));
        }
        if (blobsChanged) {
            fsyncDirectory(blobs);
        }
        if (rootChanged) {
            fsyncDirectory(root);
        }
    }

    /** Creates {@code dir} (and missing parents) if absent and fsyncs it; returns whether it was absent. */
    private static boolean createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return false;
        }
        Files.createDirectories(dir);
        fsyncDirectory(dir);
        return true;
    }

    private static String fanOutName(int i) {
        return HEX.toHexDigits((byte) i);
    }

    private static boolean isFanOutName(String name) {
        return BlobFormat.isLowerHex(name, PREFIX_CHARS);
    }

    /** Makes the directory's entries (creations, renames, deletions) durable. */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
