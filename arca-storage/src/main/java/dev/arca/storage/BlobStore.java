package dev.arca.storage;

import java.io.Closeable;
import java.util.function.Consumer;

/**
 * Immutable blobs on local storage, named by opaque ids that the caller chooses (lower-case hex,
 * 32 characters: see {@code dev.arca.core.Ids#blobId}). Ids never come from user input, so they
 * never become paths outside the store.
 *
 * <p>Crash contract: a blob is either fully present and verified by its checksums (after
 * {@link BlobWriter#commit()} returned) or absent; a crash before commit leaves only a temporary
 * file that {@link #sweepTemporary()} removes. Reads verify per-block checksums and never return
 * corrupt bytes. Implementations are thread-safe.
 *
 * <p>Errors: an id that is not 32 lower-case hex characters is a caller bug
 * ({@link IllegalArgumentException}); I/O failures are {@link java.io.UncheckedIOException}.
 */
public interface BlobStore extends Closeable {
    /**
     * Starts a new blob. Its bytes go to a temporary file until {@link BlobWriter#commit()}. Creating an
     * id that exists, or is being written, is a bug and throws {@link IllegalStateException} (here
     * or from {@code commit}); an existing blob is never replaced.
     */
    BlobWriter create(String blobId);

    /**
     * Starts a new blob with the given redundancy. Stores without a choice use their one layout
     * for {@link Redundancy#STANDARD} and refuse the rest ({@link UnsupportedOperationException}).
     */
    default BlobWriter create(String blobId, Redundancy redundancy) {
        if (redundancy != Redundancy.STANDARD) {
            throw new UnsupportedOperationException(this + " stores only standard redundancy");
        }
        return create(blobId);
    }

    /**
     * Opens a committed blob. The returned reader stays valid even if the blob is deleted while it
     * is open (reads of an open file continue). Throws {@link NoSuchBlobException} if absent. A file
     * that fails verification on open (header, footer, size) throws an
     * {@link java.io.UncheckedIOException} whose cause is a {@link BlobCorruptException}, or an
     * {@link UnsupportedBlobFormatException} for a format version this build cannot read.
     */
    BlobReader open(String blobId);

    /** True if a committed blob with this id exists. */
    boolean exists(String blobId);

    /** Deletes a committed blob; idempotent. Returns whether it existed. Durable on return. */
    boolean delete(String blobId);

    /** Removes temporary files left by writers that never committed (call at start); returns how many. */
    int sweepTemporary();

    /** Calls {@code action} with the id of every committed blob (for start-up checks and tests). */
    void forEachBlob(Consumer<String> action);
}
