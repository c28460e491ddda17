package dev.arca.client.loader;

import dev.arca.client.http.BodySink;
import dev.arca.client.http.HttpHeader;
import dev.arca.client.http.HttpResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32;

/**
 * Reads objects of one bucket with ranged GETs into pooled off-heap buffers.
 *
 * <p><b>Requests.</b> Every read starts with {@code GET Range: bytes=0-(rangeSize-1)}; the object's
 * size comes from that response's {@code Content-Range} (an empty object answers 416 with
 * {@code bytes *}{@code /0}), so the data path never sends a HEAD. Later ranges carry
 * {@code If-Match} with the first response's ETag: if the object is replaced mid-read they fail
 * with 412 and the read throws {@link LoaderException.ObjectChanged} instead of mixing versions.
 * A server that ignores Range (200 with the whole body) still works, wastefully: only the wanted
 * window of each body is kept.
 *
 * <p><b>Memory and concurrency.</b> Range buffers come from one {@link BufferPool} of
 * {@link LoaderConfig#buffers()} buffers; a request holds a buffer and one of as many pooled
 * connections, so memory, ranges in flight and sockets are all bounded by the config. Fetches run
 * on virtual threads.
 *
 * <p><b>Retries.</b> 500, 502, 503 (SlowDown), 504, 429, timeouts and broken connections are
 * retried per {@link RetryPolicy} with jittered exponential backoff; 404, 412 and other statuses
 * fail at once.
 *
 * <p><b>Verification</b> (when {@link LoaderConfig#verifyChecksums()}), exactly:
 * <ol>
 *   <li>Every first request sends {@code x-amz-checksum-mode: ENABLED}. S3 returns the stored
 *       checksum only when the response covers the whole object, so when the first range does
 *       (objects up to one range) a {@code x-amz-checksum-crc32c}, {@code -crc32}, {@code -sha256}
 *       or {@code -sha1} value is checked against those bytes. Composite (multipart) checksums
 *       and CRC64NVME are not checked.</li>
 *   <li>An object whose user metadata {@value #CRC32C_METADATA_HEADER} holds a CRC32C (base64 of
 *       the big-endian value, the {@code x-amz-checksum-crc32c} format) is checked whole, at any
 *       size, when it was read completely: by {@link #drain} and {@link #readFully} always, by an
 *       {@link ObjectReader} read from 0 to the end without a seek. Each range's CRC32C is
 *       computed on the thread that fetched it and the values are combined.</li>
 *   <li>Always, verification on or off: each 206's {@code Content-Range} matches the request, the
 *       body length matches it, and every range reports the first range's ETag and size.</li>
 * </ol>
 * A mismatch throws {@link LoaderException.ChecksumMismatch}. Empty objects have nothing to verify.
 *
 * <p>Thread-safe. {@link #close()} aborts requests in flight: their reads fail.
 */
public final class Loader implements AutoCloseable {

    /** The user-metadata name under which a dataset writer stores an object's CRC32C. */
    public static final String CRC32C_METADATA = "crc32c";
    /** The header that carries {@link #CRC32C_METADATA} on PUT and GET. */
    public static final String CRC32C_METADATA_HEADER = "x-amz-meta-" + CRC32C_METADATA;
    /** Asks S3 to return the stored checksum headers. */
    static final String CHECKSUM_MODE_HEADER = "x-amz-checksum-mode";
    /** {@link #readFully} materialises into one array; larger objects must be streamed. */
    public static final int MAX_MATERIALIZED_BYTES = Integer.MAX_VALUE - 64;
    private static final String COMPOSITE = "COMPOSITE";

    private final LoaderConfig config;
    private final BufferPool pool;
    private final ConnectionPool connections;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final LongAdder requests = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder serverChecksums = new LongAdder();
    private final LongAdder wholeObjectCrcs = new LongAdder();
    private volatile boolean closed;

    /**
     * Counters since the loader was made.
     *
     * @param requests GET requests sent, retries included
     * @param retries requests that were retries
     * @param bytes body bytes kept in range buffers
     * @param serverChecksums responses whose {@code x-amz-checksum-*} value was verified
     * @param wholeObjectCrcs objects whose {@value #CRC32C_METADATA_HEADER} was verified
     * @param connects TCP connections opened
     */
    public record Stats(long requests, long retries, long bytes, long serverChecksums, long wholeObjectCrcs,
            int connects) {
    }

    /** A loader with its own buffer pool and connections. */
    public Loader(LoaderConfig config) {
        this.config = config;
        this.pool = new BufferPool(config.rangeSize(), config.buffers());
        this.connections = new ConnectionPool(config, config.buffers());
    }

    /** The configuration. */
    public LoaderConfig config() {
        return config;
    }

    /** The pool of range buffers (for observing its bounds). */
    public BufferPool pool() {
        return pool;
    }

    /** A snapshot of the counters. */
    public Stats stats() {
        return new Stats(requests.sum(), retries.sum(), bytes.sum(), serverChecksums.sum(), wholeObjectCrcs.sum(),
                connections.connects());
    }

    /**
     * Opens an object for ordered reading: fetches the first range now (that is where the size
     * comes from) and prefetches from there. Close the reader to return its buffers.
     *
     * @throws LoaderException.NotFound if the object does not exist
     */
    public ObjectReader open(String key) throws IOException {
        checkOpen();
        ByteBuffer buffer = acquire();
        Fetched head;
        try {
            head = fetch(key, 0, config.rangeSize(), null, -1, buffer);
        } catch (IOException | RuntimeException e) {
            pool.release(buffer);
            throw e;
        }
        return new ObjectReader(this, key, head);
    }

    /**
     * Reads a whole object as fast as it can: the first range, then the rest with up to
     * {@link LoaderConfig#parallelism()} ranges in flight, each handed to {@code consumer} as it
     * arrives (see {@link RangeConsumer} for ordering and threads). Buffers are held only while a
     * range is fetched and consumed, so concurrent drains never deadlock on the pool.
     *
     * @return the object's size and ETag
     */
    public ObjectInfo drain(String key, RangeConsumer consumer) throws IOException {
        checkOpen();
        ByteBuffer buffer = acquire();
        Fetched head;
        ObjectInfo info;
        try {
            head = fetch(key, 0, config.rangeSize(), null, -1, buffer);
            info = new ObjectInfo(key, head.total(), head.etag());
            consumer.begin(info);
            if (head.length() > 0) {
                consumer.accept(0, head.data());
            }
        } finally {
            pool.release(buffer);
        }
        long rest = head.total() - head.length();
        int ranges = Math.toIntExact(Math.ceilDiv(rest, config.rangeSize()));
        int[] crcs = new int[ranges];
        if (ranges > 0) {
            drainRest(key, head, ranges, crcs, consumer);
        }
        if (config.verifyChecksums() && head.declaredCrc() != null) {
            int crc = head.crc();
            for (int i = 0; i < ranges; i++) {
                long offset = head.length() + (long) i * config.rangeSize();
                crc = Crc32c.combine(crc, crcs[i], Math.min(config.rangeSize(), head.total() - offset));
            }
            verifyWholeCrc(key, crc, head.declaredCrc());
        }
        return info;
    }

    /**
     * Reads a whole object into a new array (through {@link #drain}, so verified the same way).
     *
     * @throws IOException also when the object is larger than {@value #MAX_MATERIALIZED_BYTES} bytes
     */
    public byte[] readFully(String key) throws IOException {
        AtomicReference<byte[]> out = new AtomicReference<>();
        drain(key, new RangeConsumer() {
            @Override
            public void begin(ObjectInfo info) throws IOException {
                if (info.size() > MAX_MATERIALIZED_BYTES) {
                    throw new IOException(key + " has " + info.size() + " bytes, too many for one array; stream it");
                }
                out.set(new byte[(int) info.size()]);
            }

            @Override
            public void accept(long offset, ByteBuffer data) {
                // Distinct ranges write distinct parts of the array; the drain's joins publish them.
                data.get(0, out.get(), (int) offset, data.remaining());
            }
        });
        return out.get();
    }

    /** Aborts requests in flight and stops new ones; readers fail from now on. */
    @Override
    public void close() {
        closed = true;
        connections.close();
        executor.shutdown();
        pool.close();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- internals

    /** One fetched range: {@code length} bytes at the start of {@code buffer}. */
    record Fetched(long offset, int length, long total, String etag, int crc, Integer declaredCrc, ByteBuffer buffer) {

        /** The bytes, read-only. */
        ByteBuffer data() {
            return buffer.slice(0, length).asReadOnlyBuffer();
        }
    }

    BufferPool bufferPool() {
        return pool;
    }

    /** Leases a buffer, waiting; interruption becomes {@link InterruptedIOException}. */
    ByteBuffer acquire() throws InterruptedIOException {
        try {
            return pool.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a range buffer");
        }
    }

    /** Runs a fetch on a virtual thread; the buffer goes back to the pool if the fetch fails. */
    CompletableFuture<Fetched> fetchAsync(String key, long offset, int length, String etag, long size, ByteBuffer buffer) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fetch(key, offset, length, etag, size, buffer);
            } catch (IOException | RuntimeException e) {
                pool.release(buffer);
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** Unwraps what a fetch future failed with. */
    static IOException failure(Throwable t) {
        Throwable cause = t instanceof ExecutionException || t instanceof CompletionException ? t.getCause() : t;
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause);
    }

    void verifyWholeCrc(String key, int crc, int declared) throws LoaderException.ChecksumMismatch {
        if (crc != declared) {
            throw new LoaderException.ChecksumMismatch(key + ": CRC32C of the bytes read is " + Crc32c.toBase64(crc)
                    + ", its " + CRC32C_METADATA_HEADER + " says " + Crc32c.toBase64(declared));
        }
        wholeObjectCrcs.increment();
    }

    private void drainRest(String key, Fetched head, int ranges, int[] crcs, RangeConsumer consumer) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        int workers = Math.min(config.parallelism(), ranges);
        List<Future<?>> tasks = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            tasks.add(executor.submit(() -> {
                // Each worker holds at most one buffer at a time and waits for one holding none.
                int i;
                while (failed.get() == null && (i = next.getAndIncrement()) < ranges) {
                    long offset = head.length() + (long) i * config.rangeSize();
                    int length = (int) Math.min(config.rangeSize(), head.total() - offset);
                    ByteBuffer buffer = acquire();
                    try {
                        Fetched f = fetch(key, offset, length, head.etag(), head.total(), buffer);
                        crcs[i] = f.crc();
                        consumer.accept(offset, f.data());
                    } catch (IOException | RuntimeException e) {
                        failed.compareAndSet(null, e);
                    } finally {
                        pool.release(buffer);
                    }
                }
                return null;
            }));
        }
        boolean interrupted = false;
        for (Future<?> t : tasks) {
            while (true) {
                try {
                    t.get();
                    break;
                } catch (InterruptedException e) {
                    // Wait anyway: returning early would leave workers writing into the caller's consumer.
                    interrupted = true;
                    failed.compareAndSet(null, new InterruptedIOException("interrupted"));
                } catch (ExecutionException e) {
                    failed.compareAndSet(null, e.getCause());
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failed.get() != null) {
            throw failure(failed.get());
        }
    }

    /**
     * One ranged GET into {@code buffer}, retried per the policy.
     *
     * @param etag the ETag every range must have (sent as If-Match), or null for the first range
     * @param size the object size every range must report, or -1 for the first range
     */
    Fetched fetch(String key, long offset, int length, String etag, long size, ByteBuffer buffer) throws IOException {
        List<HttpHeader> headers = new ArrayList<>(3);
        headers.add(new HttpHeader("Range", "bytes=" + offset + "-" + (offset + length - 1)));
        if (etag != null) {
            headers.add(new HttpHeader("If-Match", etag));
        }
        if (config.verifyChecksums() && offset == 0) {
            headers.add(new HttpHeader(CHECKSUM_MODE_HEADER, "ENABLED"));
        }
        String where = key + " bytes " + offset + "-" + (offset + length - 1);
        IOException lastError = null;
        String lastStatus = "";
        int lastCode = 0;
        for (int attempt = 1; attempt <= config.retry().maxAttempts(); attempt++) {
            if (attempt > 1) {
                retries.increment();
                // Jitter is timing, not data: unseeded on purpose.
                pause(config.retry().delayBefore(attempt, ThreadLocalRandom.current()));
            }
            checkOpen();
            RangeSink sink = new RangeSink(buffer, offset, length, where);
            ObjectClient client = borrow();
            HttpResponse r;
            try {
                requests.increment();
                r = client.get(key, headers, sink);
                if (r.isSuccess()) {
                    sink.finish();
                }
            } catch (LoaderException e) {
                throw e;
            } catch (IOException e) {
                if (closed) {
                    throw new InterruptedIOException("loader closed while reading " + where);
                }
                lastError = e;
                lastCode = 0;
                lastStatus = e.toString();
                continue;
            } finally {
                connections.giveBack(client);
            }
            int status = r.status();
            if (r.isSuccess()) {
                return accepted(key, where, etag, size, sink, r);
            }
            if (status == 416 && offset == 0) {
                ContentRange cr = ContentRange.parse(r.header("Content-Range"));
                if (cr != null && cr.unsatisfied() && cr.total() == 0) {
                    if (size > 0) {
                        throw new LoaderException.ObjectChanged(where + ": the object is now empty");
                    }
                    return new Fetched(0, 0, 0, etag != null ? etag : r.header("ETag"), 0, null, buffer);
                }
            }
            String code = ObjectClient.errorCode(r);
            if (status == 404) {
                throw new LoaderException.NotFound(where + ": HTTP 404 " + code);
            }
            if (status == 412) {
                throw new LoaderException.ObjectChanged(where + ": the object changed since its first range (If-Match "
                        + etag + " failed)");
            }
            if (!RetryPolicy.retryable(status)) {
                throw new LoaderException.RequestFailed(where + ": HTTP " + status + " " + code, status, null);
            }
            lastError = null;
            lastCode = status;
            lastStatus = "HTTP " + status + " " + code;
        }
        throw new LoaderException.RequestFailed(where + ": gave up after " + config.retry().maxAttempts()
                + " attempts; last: " + lastStatus, lastCode, lastError);
    }

    private Fetched accepted(String key, String where, String etag, long size, RangeSink sink, HttpResponse r)
            throws LoaderException {
        String responseEtag = r.header("ETag");
        if (etag != null && responseEtag != null && !responseEtag.equals(etag)) {
            throw new LoaderException.ObjectChanged(where + ": ETag " + responseEtag + ", first range had " + etag);
        }
        if (size >= 0 && sink.total != size) {
            throw new LoaderException.ObjectChanged(where + ": size " + sink.total + ", first range said " + size);
        }
        int n = sink.kept();
        bytes.add(n);
        ByteBuffer data = sink.buffer.slice(0, n);
        int crc = 0;
        Integer declared = null;
        if (config.verifyChecksums()) {
            crc = Crc32c.of(data);
            String meta = r.header(CRC32C_METADATA_HEADER);
            if (meta != null) {
                try {
                    declared = Crc32c.fromBase64(meta);
                } catch (IllegalArgumentException e) {
                    throw new LoaderException.RequestFailed(where + ": malformed " + CRC32C_METADATA_HEADER + ": " + meta,
                            r.status(), e);
                }
            }
            if (sink.offset == 0 && n == sink.total) {
                verifyServerChecksum(key, r, data, crc);
            }
        }
        return new Fetched(sink.offset, n, sink.total, etag != null ? etag : responseEtag, crc, declared, sink.buffer);
    }

    /** Checks the x-amz-checksum-* value of a response that holds the whole object. */
    private void verifyServerChecksum(String key, HttpResponse r, ByteBuffer data, int crc32c)
            throws LoaderException.ChecksumMismatch {
        if (COMPOSITE.equalsIgnoreCase(r.header("x-amz-checksum-type"))) {
            return; // a checksum of part checksums: not computable from the bytes alone
        }
        boolean checked = false;
        String v = r.header("x-amz-checksum-crc32c");
        if (isFullObject(v)) {
            compare(key, "CRC32C", v, Crc32c.toBase64(crc32c));
            checked = true;
        }
        v = r.header("x-amz-checksum-crc32");
        if (isFullObject(v)) {
            CRC32 c = new CRC32();
            c.update(data.duplicate());
            compare(key, "CRC32", v, Base64.getEncoder().encodeToString(
                    ByteBuffer.allocate(Integer.BYTES).putInt((int) c.getValue()).array()));
            checked = true;
        }
        v = r.header("x-amz-checksum-sha256");
        if (isFullObject(v)) {
            compare(key, "SHA-256", v, digest("SHA-256", data));
            checked = true;
        }
        v = r.header("x-amz-checksum-sha1");
        if (isFullObject(v)) {
            compare(key, "SHA-1", v, digest("SHA-1", data));
            checked = true;
        }
        if (checked) {
            serverChecksums.increment();
        }
    }

    /** A value with "-N" is a composite of N parts. */
    private static boolean isFullObject(String value) {
        return value != null && value.indexOf('-') < 0;
    }

    private static void compare(String key, String algorithm, String declared, String actual)
            throws LoaderException.ChecksumMismatch {
        if (!declared.strip().equals(actual)) {
            throw new LoaderException.ChecksumMismatch(key + ": " + algorithm + " of the bytes read is " + actual
                    + ", the server says " + declared);
        }
    }

    private static String digest(String algorithm, ByteBuffer data) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            md.update(data.duplicate());
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + algorithm, e);
        }
    }

    private ObjectClient borrow() throws InterruptedIOException {
        try {
            return connections.borrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a connection");
        } catch (IllegalStateException e) {
            throw new InterruptedIOException("loader closed");
        }
    }

    private static void pause(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during retry backoff");
        }
    }

    private void checkOpen() throws InterruptedIOException {
        if (closed) {
            throw new InterruptedIOException("loader closed");
        }
    }

    /**
     * Puts the wanted window of a 2xx body into a range buffer. For a 206 it checks the
     * Content-Range against the request before a byte arrives; for a 200 (Range ignored) the body
     * is the whole object and only the window is kept.
     */
    static final class RangeSink implements BodySink {
        final ByteBuffer buffer;
        final long offset;
        private final int length;
        private final String where;
        /** Absolute object position of the next body byte. */
        private long position;
        private long bodyStart;
        private long expectedBody;
        long total;

        RangeSink(ByteBuffer buffer, long offset, int length, String where) {
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            this.where = where;
        }

        @Override
        public void begin(int status, List<HttpHeader> headers) throws IOException {
            buffer.clear();
            if (status == 206) {
                ContentRange cr = ContentRange.parse(header(headers, "Content-Range"));
                if (cr == null || cr.unsatisfied()) {
                    throw new LoaderException.RequestFailed(where + ": 206 without a usable Content-Range", status, null);
                }
                long wantedLast = offset + length - 1;
                if (cr.first() != offset || cr.last() > wantedLast || (cr.last() != wantedLast && cr.last() != cr.total() - 1)) {
                    throw new LoaderException.RequestFailed(where + ": server sent bytes " + cr.first() + "-" + cr.last()
                            + "/" + cr.total(), status, null);
                }
                total = cr.total();
                bodyStart = cr.first();
                expectedBody = cr.length();
            } else if (status == 200) {
                String cl = header(headers, "Content-Length");
                if (cl == null) {
                    throw new LoaderException.RequestFailed(where + ": 200 without Content-Length", status, null);
                }
                try {
                    total = Long.parseLong(cl.strip());
                } catch (NumberFormatException e) {
                    throw new LoaderException.RequestFailed(where + ": bad Content-Length " + cl, status, e);
                }
                bodyStart = 0;
                expectedBody = total;
            } else {
                throw new LoaderException.RequestFailed(where + ": unexpected HTTP " + status, status, null);
            }
            position = bodyStart;
        }

        @Override
        public void accept(byte[] bytes, int off, int len) {
            long start = position;
            position += len;
            long from = Math.max(start, offset);
            long to = Math.min(position, offset + length);
            if (from < to) {
                buffer.put((int) (from - offset), bytes, off + (int) (from - start), (int) (to - from));
            }
        }

        /** Checks that the whole promised body arrived (a chunked body has no length to enforce). */
        void finish() throws IOException {
            if (position - bodyStart != expectedBody) {
                throw new IOException(where + ": body of " + (position - bodyStart) + " bytes, expected " + expectedBody);
            }
        }

        /** Bytes of the window now in the buffer. */
        int kept() {
            return (int) Math.max(0, Math.min(offset + length, total) - offset);
        }

        private static String header(List<HttpHeader> headers, String name) {
            for (HttpHeader h : headers) {
                if (h.is(name)) {
                    return h.value();
                }
            }
            return null;
        }
    }
}
