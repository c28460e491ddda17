package dev.arca.client.loader;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One object as an ordered byte stream over ranged GETs, from {@link Loader#open}.
 *
 * <p><b>Prefetch.</b> Besides the range being consumed, the reader keeps up to {@link #window()}
 * later ranges in flight or buffered. The window starts at {@link LoaderConfig#initialWindow()},
 * doubles each time a range has been consumed to its end in order (up to
 * {@link LoaderConfig#maxWindow()}), and falls back to the initial size on a {@link #seek} to any
 * other position, which also discards what was prefetched. Only the range the consumer needs next
 * waits for a pool buffer; prefetch takes buffers only when one is free at once, so a reader
 * blocked on the pool holds no buffer and readers cannot deadlock each other. Hence the contract:
 * a thread that reads from several readers in turn must close the ones it stops reading.
 *
 * <p><b>Verification.</b> A response that holds the whole object is checked against the server's
 * checksum when it arrives. The object's {@value Loader#CRC32C_METADATA_HEADER}, if any, is checked
 * when the reader has consumed every byte from 0 to the end in order; after a seek it is not
 * checked. A mismatch is thrown by the read that consumed the last byte.
 *
 * <p>Memory held: at most {@code window + 1} pool buffers. Not thread-safe: one consumer thread.
 */
public final class ObjectReader implements ReadableByteChannel {

    /** A range requested and not yet consumed. */
    private record Pending(long offset, int length, CompletableFuture<Loader.Fetched> future) {
    }

    private final Loader loader;
    private final BufferPool pool;
    private final String key;
    private final long size;
    private final String etag;
    private final Integer declaredCrc;
    private final int rangeSize;
    private final int initialWindow;
    private final int maxWindow;
    private final boolean verify;
    private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
    /** The range being consumed; its buffer is leased. Null between ranges. */
    private Loader.Fetched current;
    private long position;
    private long nextIssue;
    private int window;
    private boolean sequential = true;
    private int crc;
    private long crcLength;
    private boolean closed;
    private IOException failure;

    ObjectReader(Loader loader, String key, Loader.Fetched head) throws IOException {
        this.loader = loader;
        this.pool = loader.bufferPool();
        this.key = key;
        this.size = head.total();
        this.etag = head.etag();
        this.declaredCrc = head.declaredCrc();
        LoaderConfig config = loader.config();
        this.rangeSize = config.rangeSize();
        this.initialWindow = config.initialWindow();
        this.maxWindow = config.maxWindow();
        this.verify = config.verifyChecksums();
        this.window = initialWindow;
        if (head.length() > 0) {
            current = head;
        } else {
            pool.release(head.buffer());
        }
        nextIssue = head.length();
        try {
            if (size == 0) {
                checkWholeCrc();
            }
            topUp();
        } catch (IOException | RuntimeException e) {
            discardAll(); // the caller never gets this reader, so nothing else would return its buffers
            throw e;
        }
    }

    /** The object key. */
    public String key() {
        return key;
    }

    /** The object size, from the first response's Content-Range. */
    public long size() {
        return size;
    }

    /** The ETag every range was checked against (quoted, as sent by the server), or null. */
    public String etag() {
        return etag;
    }

    /** The position of the next byte {@link #read} returns. */
    public long position() {
        return position;
    }

    /** The current prefetch window, in ranges. */
    public int window() {
        return window;
    }

    /** Ranges requested ahead of the one being consumed. */
    public int prefetched() {
        return ahead.size();
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Reads up to {@code dst.remaining()} bytes (at most to the end of the current range).
     *
     * @return bytes read, or -1 at the end of the object
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkUsable();
        if (position >= size) {
            return -1;
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        Loader.Fetched c = currentRange();
        int at = (int) (position - c.offset());
        int n = Math.min(dst.remaining(), c.length() - at);
        dst.put(dst.position(), c.buffer(), at, n);
        dst.position(dst.position() + n);
        advance(c, n);
        return n;
    }

    /**
     * Reads up to {@code length} bytes into {@code b} (at most to the end of the current range).
     *
     * @return bytes read, or -1 at the end of the object
     */
    public int read(byte[] b, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, b.length);
        checkUsable();
        if (position >= size) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        Loader.Fetched c = currentRange();
        int at = (int) (position - c.offset());
        int n = Math.min(length, c.length() - at);
        c.buffer().get(at, b, offset, n);
        advance(c, n);
        return n;
    }

    /**
     * Moves to {@code newPosition} (0..size). Any other position than the current one discards
     * the prefetched ranges, resets the window and turns off the whole-object CRC check.
     */
    public void seek(long newPosition) throws IOException {
        checkUsable();
        if (newPosition < 0 || newPosition > size) {
            throw new IllegalArgumentException("position " + newPosition + " outside 0.." + size);
        }
        if (newPosition == position) {
            return;
        }
        discardAll();
        position = newPosition;
        nextIssue = newPosition;
        window = initialWindow;
        sequential = false;
        topUp();
    }

    /** This reader as an {@link InputStream}; closing the stream closes the reader. */
    public InputStream asInputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = ObjectReader.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return ObjectReader.this.read(b, off, len);
            }

            @Override
            public long skip(long n) throws IOException {
                // Reading through keeps the stream sequential (and verifiable); skipped bytes were prefetched anyway.
                long skipped = 0;
                while (skipped < n && position < size) {
                    Loader.Fetched c = currentRange();
                    int step = (int) Math.min(n - skipped, c.offset() + c.length() - position);
                    advance(c, step);
                    skipped += step;
                }
                return skipped;
            }

            @Override
            public int available() {
                return current == null ? 0 : (int) (current.offset() + current.length() - position);
            }

            @Override
            public void close() {
                ObjectReader.this.close();
            }
        };
    }

    /** Returns every buffer to the pool; ranges still in flight return theirs when they land. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            discardAll();
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (failure != null) {
            throw new IOException("an earlier read of " + key + " failed", failure);
        }
    }

    /** The range holding {@link #position}, waiting for it if needed. */
    private Loader.Fetched currentRange() throws IOException {
        if (current != null) {
            return current;
        }
        try {
            topUp();
            Pending p = ahead.poll();
            if (p == null || p.offset() != position) {
                throw new IllegalStateException("prefetch out of order at " + position);
            }
            current = await(p);
            topUp();
            return current;
        } catch (IOException e) {
            failure = e;
            discardAll();
            throw e;
        }
    }

    private void advance(Loader.Fetched c, int n) throws IOException {
        position += n;
        if (position == c.offset() + c.length()) {
            if (verify && sequential && c.offset() == crcLength) {
                crc = Crc32c.combine(crc, c.crc(), c.length());
                crcLength += c.length();
            }
            current = null;
            pool.release(c.buffer());
            window = Math.min(maxWindow, window * 2);
            if (crcLength == size) {
                checkWholeCrc();
            }
            topUp();
        }
    }

    private void checkWholeCrc() throws IOException {
        if (verify && sequential && declaredCrc != null) {
            try {
                loader.verifyWholeCrc(key, crc, declaredCrc);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** Requests ranges until the window is full; only the range needed next may wait for a buffer. */
    private void topUp() throws IOException {
        while (ahead.size() < window && nextIssue < size && !closed) {
            boolean needed = current == null && ahead.isEmpty();
            ByteBuffer buffer = needed ? loader.acquire() : pool.tryAcquire();
            if (buffer == null) {
                return;
            }
            int length = (int) Math.min(rangeSize, size - nextIssue);
            CompletableFuture<Loader.Fetched> f;
            try {
                f = loader.fetchAsync(key, nextIssue, length, etag, size, buffer);
            } catch (RuntimeException e) {
                pool.release(buffer); // the executor refused: the loader is closed
                throw new InterruptedIOException("loader closed");
            }
            ahead.add(new Pending(nextIssue, length, f));
            nextIssue += length;
        }
    }

    private Loader.Fetched await(Pending p) throws IOException {
        try {
            return p.future().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            releaseWhenDone(p);
            throw new InterruptedIOException("interrupted reading " + key);
        } catch (ExecutionException e) {
            throw Loader.failure(e);
        }
    }

    /** A range still in flight returns its buffer when it lands (a failed fetch already did). */
    private void releaseWhenDone(Pending p) {
        p.future().whenComplete((f, e) -> {
            if (f != null) {
                pool.release(f.buffer());
            }
        });
    }

    private void discardAll() {
        if (current != null) {
            pool.release(current.buffer());
            current = null;
        }
        for (Pending p : ahead) {
            releaseWhenDone(p);
        }
        ahead.clear();
    }
}
