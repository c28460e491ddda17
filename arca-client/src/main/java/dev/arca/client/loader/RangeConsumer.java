package dev.arca.client.loader;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Receives the ranges of one object read by {@link Loader#drain}. {@link #begin} comes first, once,
 * on the calling thread; then {@link #accept} once per range, possibly on several threads at the
 * same time and in any order, so implementations must be thread-safe for distinct ranges.
 */
@FunctionalInterface
public interface RangeConsumer {

    /** Discards the bytes; the loader still verifies them. What a benchmark needs. */
    RangeConsumer DISCARD = (offset, data) -> { };

    /** The object's size and ETag, before any byte. Throwing aborts the read. */
    default void begin(ObjectInfo info) throws IOException {
    }

    /**
     * One range: {@code data} (read-only, off-heap) holds the object's bytes from {@code offset}.
     * It is a pooled buffer: use it before returning and never keep the reference.
     */
    void accept(long offset, ByteBuffer data) throws IOException;
}
