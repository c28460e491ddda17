package dev.arca.client.loader;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pool of equal-sized direct buffers: at most {@link #capacity()} exist at once, so the
 * loader's off-heap memory is at most {@code capacity * bufferSize} however many readers run.
 * Buffers are allocated on first demand and reused after release; {@link #acquire()} blocks while
 * all are leased. Grants are fair (first come, first served), so a reader waiting for its next
 * range is not overtaken forever by others.
 *
 * <p>Contract for callers that hold several buffers: never block on {@link #acquire()} while
 * holding a buffer that only your own progress would release (that is how pools deadlock);
 * prefetch with {@link #tryAcquire()} instead. Thread-safe.
 */
public final class BufferPool implements AutoCloseable {

    /** The largest pool, as a sanity bound: 4096 buffers of 8 MiB are 32 GiB. */
    public static final int MAX_BUFFERS = 4096;

    private final int bufferSize;
    private final int capacity;
    private final Semaphore permits;
    private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
    /** Identity, not equals(): ByteBuffer equality compares contents. */
    private final Set<ByteBuffer> leased = Collections.newSetFromMap(new IdentityHashMap<>());
    private int allocated;
    private volatile boolean closed;

    /**
     * A pool of at most {@code capacity} buffers of {@code bufferSize} bytes each.
     *
     * @throws IllegalArgumentException if either is out of range
     */
    public BufferPool(int bufferSize, int capacity) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive: " + bufferSize);
        }
        if (capacity < 1 || capacity > MAX_BUFFERS) {
            throw new IllegalArgumentException("capacity must be 1.." + MAX_BUFFERS + ": " + capacity);
        }
        this.bufferSize = bufferSize;
        this.capacity = capacity;
        this.permits = new Semaphore(capacity, true);
    }

    /** The size of every buffer. */
    public int bufferSize() {
        return bufferSize;
    }

    /** The most buffers that can exist at once. */
    public int capacity() {
        return capacity;
    }

    /** Buffers leased right now. */
    public synchronized int leased() {
        return leased.size();
    }

    /** Buffers allocated so far (never more than {@link #capacity()}). */
    public synchronized int allocated() {
        return allocated;
    }

    /**
     * Leases a buffer, waiting while none is free. It comes cleared: position 0, limit = capacity.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the pool is closed
     */
    public ByteBuffer acquire() throws InterruptedException {
        checkOpen();
        permits.acquire();
        return lease();
    }

    /** Leases a buffer if one is free right now; otherwise returns null without waiting. */
    public ByteBuffer tryAcquire() {
        checkOpen();
        return permits.tryAcquire() ? lease() : null;
    }

    /** Like {@link #acquire()}, giving up after {@code timeoutMillis}: returns null then. */
    public ByteBuffer acquire(long timeoutMillis) throws InterruptedException {
        checkOpen();
        return permits.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS) ? lease() : null;
    }

    /**
     * Returns a leased buffer. Releasing a buffer twice, or one this pool did not lease, is a bug
     * that would let two readers share memory, so it throws.
     */
    public void release(ByteBuffer buffer) {
        synchronized (this) {
            if (!leased.remove(buffer)) {
                throw new IllegalStateException("buffer not leased from this pool (released twice?)");
            }
            if (!closed) {
                buffer.clear();
                free.push(buffer);
            }
        }
        permits.release();
    }

    /** Drops the free buffers (their memory goes when the GC collects them); leases stay valid until released. */
    @Override
    public synchronized void close() {
        closed = true;
        free.clear();
    }

    private synchronized ByteBuffer lease() {
        if (closed) {
            permits.release();
            throw new IllegalStateException("buffer pool closed");
        }
        ByteBuffer b = free.poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(bufferSize);
            allocated++;
        }
        leased.add(b);
        return b;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("buffer pool closed");
        }
    }
}
