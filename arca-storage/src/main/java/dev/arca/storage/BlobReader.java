package dev.arca.storage;

import java.io.Closeable;
import java.io.InputStream;

/** Reads one committed blob. Thread-safe: several streams may read concurrently. */
public interface BlobReader extends Closeable {
    /** Length of the blob's data in bytes (excluding the file format's own framing). */
    long length();

    /**
     * The data bytes {@code [offset, offset + length)}. Each block read is verified against its
     * checksum before any of its bytes are returned; a mismatch throws {@link BlobCorruptException}
     * (an {@link java.io.IOException}) from {@code read}. The stream reads lazily, in blocks.
     * Throws {@link IndexOutOfBoundsException} unless {@code 0 <= offset <= offset + length <= length()}.
     */
    InputStream stream(long offset, long length);

    @Override
    void close();
}
