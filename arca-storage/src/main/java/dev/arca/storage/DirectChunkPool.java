package dev.arca.storage;

import java.nio.ByteBuffer;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Direct buffers for chunk reads, kept after use: allocating a direct buffer costs a zeroing pass
 * and a cleaner, too much to pay per GET. Bounded by {@link #MAX_POOLED_BYTES}; beyond that a
 * released buffer is left to the garbage collector. A buffer must be released once, by its last
 * user, and not touched afterwards.
 */
final class DirectChunkPool {
    /** Most bytes of idle buffers kept; enough for a few dozen concurrent 2+2 GETs of 1 MiB stripes. */
    static final long MAX_POOLED_BYTES = 64L * 1024 * 1024;
    static final DirectChunkPool SHARED = new DirectChunkPool(MAX_POOLED_BYTES);

    private final long maxPooledBytes;
    private final Map<Integer, Deque<ByteBuffer>> idle = new ConcurrentHashMap<>();
    private final AtomicLong pooledBytes = new AtomicLong();

    DirectChunkPool(long maxPooledBytes) {
        this.maxPooledBytes = maxPooledBytes;
    }

    /** A cleared direct buffer of exactly {@code capacity} bytes; its contents are unspecified. */
    ByteBuffer take(int capacity) {
        Deque<ByteBuffer> queue = idle.get(capacity);
        ByteBuffer b = queue == null ? null : queue.pollFirst();
        if (b == null) {
            return ByteBuffer.allocateDirect(capacity);
        }
        pooledBytes.addAndGet(-capacity);
        return b.clear();
    }

    /** Gives {@code b} back for reuse (or drops it when the pool is full). */
    void release(ByteBuffer b) {
        if (!b.isDirect()) {
            throw new IllegalArgumentException("not a pooled (direct) buffer");
        }
        int capacity = b.capacity();
        if (pooledBytes.addAndGet(capacity) > maxPooledBytes) {
            pooledBytes.addAndGet(-capacity);
            return;
        }
        idle.computeIfAbsent(capacity, c -> new ConcurrentLinkedDeque<>()).offerFirst(b);
    }

    /** Bytes held idle now (tests). */
    long pooledBytes() {
        return pooledBytes.get();
    }
}
