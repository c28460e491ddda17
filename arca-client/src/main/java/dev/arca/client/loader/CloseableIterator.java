package dev.arca.client.loader;

import java.util.Iterator;

/**
 * An iterator that holds resources (reads in flight, pooled buffers) until {@link #close()}d or
 * exhausted. {@code next()} reports read failures as {@link java.io.UncheckedIOException}.
 */
public interface CloseableIterator<T> extends Iterator<T>, AutoCloseable {

    /** Stops reading ahead and returns every pooled resource; idempotent. */
    @Override
    void close();
}
