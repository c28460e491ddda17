package dev.arca.server.http;

import dev.arca.core.Limits;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * The request body as a blocking stream, fed by the event loop through a bounded queue of
 * {@link ByteBuf}s and read by the handler's virtual thread.
 *
 * <p>Event-loop side: {@link #offer}, {@link #end}, {@link #fail}, {@link #paused}. Reader side: the
 * {@link InputStream} methods. {@link #close} may come from either. The queue owns every buffer
 * offered to it and releases each exactly once: when read to the end, or on close.
 *
 * <p>Backpressure: once more than {@link #HIGH_WATERMARK} bytes are queued, {@link #paused} turns
 * true and the connection stops reading the socket; when the reader has drained the queue to
 * {@link #LOW_WATERMARK} or less, {@code onDrained} runs so the event loop can read again.
 */
final class RequestBody extends InputStream {
    /** Queued bytes above which the connection stops reading from the socket. */
    static final int HIGH_WATERMARK = (int) (4 * Limits.MIB);
    /** Queued bytes at or below which reading resumes. */
    static final int LOW_WATERMARK = (int) Limits.MIB;
    /**
     * Bytes of an unread body the connection discards to keep the connection alive; beyond this it
     * is cheaper for the client to reconnect than for us to swallow the rest.
     */
    static final long DRAIN_LIMIT = 64 * Limits.MIB;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition readable = lock.newCondition();
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private final long readTimeoutNanos;
    private final Runnable onFirstRead;
    private final Runnable onDrained;
    private final LongConsumer queuedStat;

    // Guarded by lock.
    private ByteBuf current;
    private long queuedBytes;
    private long discardedBytes;
    private boolean closed;
    private IOException failure;

    // Written under lock (firstReadDone: by the reader), read without it by the other side.
    private volatile boolean firstReadDone;
    private volatile boolean ended;
    private volatile boolean paused;
    private volatile boolean failed;
    private volatile long receivedBytes;

    /**
     * @param readTimeout longest the reader waits for the client to send more
     * @param onFirstRead runs on the reader's thread before its first read (sends 100 Continue)
     * @param onDrained runs on the reader's thread when reading may resume after a pause
     * @param queuedStat observes the queued byte count after each offer (test statistics)
     */
    RequestBody(Duration readTimeout, Runnable onFirstRead, Runnable onDrained, LongConsumer queuedStat) {
        this.readTimeoutNanos = readTimeout.toNanos();
        this.onFirstRead = Objects.requireNonNull(onFirstRead);
        this.onDrained = Objects.requireNonNull(onDrained);
        this.queuedStat = Objects.requireNonNull(queuedStat);
    }

    /** A body that has already ended: the request carries no content. */
    static RequestBody empty() {
        RequestBody body = new RequestBody(Duration.ofNanos(1), () -> {}, () -> {}, n -> {});
        body.ended = true;
        return body;
    }

    // ---- event-loop side ----

    /**
     * Takes ownership of {@code data}. Returns whether the connection should stop reading: the
     * queue is above the high watermark, or (after close) the discarded bytes passed the drain limit.
     */
    boolean offer(ByteBuf data) {
        int n = data.readableBytes();
        long queuedNow;
        lock.lock();
        try {
            receivedBytes += n;
            if (closed || failure != null || ended) {
                data.release();
                discardedBytes += n;
                return discardedBytes > DRAIN_LIMIT;
            }
            queue.add(data);
            queuedBytes += n;
            queuedNow = queuedBytes;
            if (queuedBytes > HIGH_WATERMARK) {
                paused = true;
            }
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        queuedStat.accept(queuedNow);
        return queuedNow > HIGH_WATERMARK;
    }

    /** The client sent the whole body. */
    void end() {
        lock.lock();
        try {
            ended = true;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The body can never complete; the reader sees {@code cause} after any bytes already queued. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = cause;
                failed = true;
            }
            readable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the connection should not read from the socket for this body now. */
    boolean paused() {
        lock.lock();
        try {
            return closed || failure != null ? discardedBytes > DRAIN_LIMIT : paused;
        } finally {
            lock.unlock();
        }
    }

    /** Whether, after close, more than {@link #DRAIN_LIMIT} bytes had to be discarded. */
    boolean drainLimitExceeded() {
        lock.lock();
        try {
            return discardedBytes > DRAIN_LIMIT;
        } finally {
            lock.unlock();
        }
    }

    boolean isEnded() {
        return ended;
    }

    /** Whether the body failed: connection lost, malformed chunking, or the client stalled. */
    boolean isFailed() {
        return failed;
    }

    long receivedBytes() {
        return receivedBytes;
    }

    // ---- reader side ----

    @Override
    public int read() throws IOException {
        beforeRead();
        lock.lock();
        try {
            ByteBuf buf = next(true);
            return buf == null ? -1 : buf.readByte() & 0xff;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        beforeRead();
        lock.lock();
        try {
            int copied = 0;
            // Block for the first buffer only; then take whatever else is already queued.
            for (ByteBuf buf = next(true); buf != null; buf = copied < len ? next(false) : null) {
                int n = Math.min(len - copied, buf.readableBytes());
                buf.readBytes(b, off + copied, n);
                copied += n;
            }
            return copied == 0 ? -1 : copied;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        beforeRead();
        lock.lock();
        try {
            ByteBuf buf = next(true);
            if (buf == null) {
                return 0;
            }
            int skipped = (int) Math.min(n, buf.readableBytes());
            buf.skipBytes(skipped);
            return skipped;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            long n = queuedBytes + (current == null ? 0 : current.readableBytes());
            return (int) Math.min(n, Integer.MAX_VALUE);
        } finally {
            lock.unlock();
        }
    }

    /** Releases every queued buffer; later offers are discarded (and counted against the drain limit). */
    @Override
    public void close() {
        boolean resume;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (current != null) {
                current.release();
                current = null;
            }
            for (ByteBuf buf; (buf = queue.poll()) != null; ) {
                discardedBytes += buf.readableBytes();
                buf.release();
            }
            queuedBytes = 0;
            resume = paused;
            paused = false;
            readable.signalAll();
        } finally {
            lock.unlock();
        }
        if (resume) {
            onDrained.run();
        }
    }

    /** Runs the first-read hook before anything can block. A body has one reader at a time. */
    private void beforeRead() {
        if (!firstReadDone) {
            firstReadDone = true;
            onFirstRead.run();
        }
    }

    /**
     * The buffer to read from next, or null at the end of the body (or, when not waiting, when
     * nothing is queued). Called with the lock held.
     */
    private ByteBuf next(boolean wait) throws IOException {
        long deadline = System.nanoTime() + readTimeoutNanos;
        while (true) {
            if (closed) {
                throw new IOException("request body is closed");
            }
            if (current != null) {
                if (current.isReadable()) {
                    return current;
                }
                current.release();
                current = null;
            }
            ByteBuf head = queue.poll();
            if (head != null) {
                current = head;
                queuedBytes -= head.readableBytes();
                if (paused && queuedBytes <= LOW_WATERMARK) {
                    paused = false;
                    // Only schedules work on the event loop, so it is safe under the lock.
                    onDrained.run();
                }
                continue;
            }
            if (failure != null) {
                throw new IOException("request body failed: " + failure.getMessage(), failure);
            }
            if (ended || !wait) {
                return null;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                failure = new SocketTimeoutException(
                        "client sent no request body bytes for " + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms");
                failed = true;
                throw failure;
            }
            try {
                readable.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the request body", e);
            }
        }
    }
}
