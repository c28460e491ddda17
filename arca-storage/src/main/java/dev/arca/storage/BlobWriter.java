package dev.arca.storage;

import java.io.Closeable;

/**
 * Writes one new blob. Not thread-safe. I/O errors surface as {@link java.io.UncheckedIOException}.
 * Closing without {@link #commit()} aborts: the temporary file is removed.
 */
public interface BlobWriter extends Closeable {
    void write(byte[] bytes, int offset, int length);

    /** Bytes written so far. */
    long length();

    /**
     * Makes the blob durable and visible: flushes checksums, fsyncs the file, renames it to its
     * final name and fsyncs the directory. After this returns the blob survives a crash or power loss.
     */
    void commit();

    /** Aborts if not committed; never throws for an already committed or aborted writer. */
    @Override
    void close();
}
