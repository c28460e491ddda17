package dev.arca.audit;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The audit chain writer: an append-only, hash-chained log of {@link AuditRecord}s in segment
 * files under one directory, with periodic Ed25519-signed checkpoints (format:
 * arca-audit/FORMATS-audit.md; checked by {@link AuditVerifier}).
 *
 * <p>Hot path: {@link #append} encodes the record to JSON on the caller's thread and puts it into
 * a bounded queue of {@link #QUEUE_CAPACITY} records; it never touches the disk. One platform
 * thread drains the queue in batches of up to {@link #MAX_BATCH} records, chains and formats
 * them, and writes each batch with one write call; it fsyncs per
 * {@link AuditOptions#fsyncInterval()}. When the queue is full, {@code append} blocks until
 * there is room: an audit record is never dropped (backpressure slows requests instead).
 *
 * <p>Durability: a record is durable once a later {@link #flush()} returns or, without one,
 * within about {@code fsyncInterval} of being written. A crash loses at most the records not yet
 * fsynced; at the next {@link #open} a torn last line is cut away (logged) and the chain
 * continues.
 *
 * <p>Failure: if writing fails (disk full, I/O error), the log stops: later {@code append}s
 * throw {@link UncheckedIOException}, {@code flush} and {@code close} throw
 * {@link IOException}, and records still queued are lost (they could not be written). Callers
 * should then refuse the requests they cannot audit.
 *
 * <p>{@link #close()} must be called (e.g. at server shutdown): it drains the queue, writes a
 * final checkpoint and fsyncs. The writer thread is a daemon and does not keep the JVM alive.
 * One process at a time may write a directory ({@code audit.lock}).
 */
public final class AuditLog implements AutoCloseable {
    /** Records queued between {@code append} and the writer; {@code append} blocks beyond it. */
    public static final int QUEUE_CAPACITY = 65_536;
    /** Records the writer takes from the queue per batch (and per write call, when they fit). */
    static final int MAX_BATCH = 4_096;
    /** The batch buffer: 1 MiB holds a full batch of typical (~300-byte) records. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;
    /** How long close waits between looks at appends still in progress. */
    private static final long CLOSE_PARK_NANOS = 100_000;
    private static final System.Logger LOG = System.getLogger("arca.audit");
    /** The fsync interval when the configured one is too long to count in nanoseconds. */
    private static final long NEVER_NANOS = Long.MAX_VALUE / 2;

    private final Path dir;
    private final AuditOptions options;
    private final InstantSource clock;
    private final SigningKey key;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ArrayBlockingQueue<Object> queue;
    private final Runnable beforeBatch;
    private final WebhookSender webhook;
    private final Thread writerThread;
    private final long fsyncIntervalNanos;

    // Caller side.
    private final LongAdder appended = new LongAdder();
    /** Appends and flushes between their closed check and their put: close waits for them. */
    private final AtomicInteger inflight = new AtomicInteger();
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile long written;
    private final Object closeLock = new Object();
    private boolean closeDone;

    // Writer thread only (published to it by Thread.start).
    private FileChannel segment;
    private long segmentSize;
    private long nextSeq;
    private final byte[] prev;
    private long sinceCheckpoint;
    private Head lastCheckpoint;
    private long headSeq;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final ByteBuffer exportBuf;
    private FileChannel export;
    private long exportFailures;
    private final List<byte[]> toWebhook = new ArrayList<>();
    private final List<Object> batch = new ArrayList<>(MAX_BATCH);
    private long unwrittenRecords;
    private boolean dirty;
    private long lastFsyncNanos = System.nanoTime();
    private final MessageDigest sha = LogFormat.sha256();
    private final byte[] lineHead = new byte[LogFormat.LINE_OVERHEAD_BYTES];

    /** A flush or close request travelling through the queue behind the records before it. */
    private static final class Barrier {
        final boolean close;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Barrier(boolean close) {
            this.close = close;
        }
    }

    /** Where the chain stands after recovery. */
    private record State(Path segment, long segmentSize, long nextSeq, byte[] prev, long sinceCheckpoint,
            Head lastCheckpoint, long headSeq) {}

    private AuditLog(Path dir, AuditOptions options, InstantSource clock, SigningKey key, FileChannel lockChannel,
            FileLock lock, State state, int queueCapacity, Runnable beforeBatch) throws IOException {
        this.dir = dir;
        this.options = options;
        this.clock = clock;
        this.key = key;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.beforeBatch = beforeBatch;
        this.fsyncIntervalNanos = toNanos(options);
        this.nextSeq = state.nextSeq();
        this.prev = state.prev().clone();
        this.sinceCheckpoint = state.sinceCheckpoint();
        this.lastCheckpoint = state.lastCheckpoint();
        this.headSeq = state.headSeq();
        this.segmentSize = state.segmentSize();
        this.segment = FileChannel.open(state.segment(), StandardOpenOption.WRITE);
        try {
            segment.position(segmentSize);
            if (options.exportFile() != null) {
                Path parent = options.exportFile().toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                export = FileChannel.open(options.exportFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
                exportBuf = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
            } else {
                exportBuf = null;
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(segment);
            throw e;
        }
        this.webhook = options.webhook() == null ? null : new WebhookSender(options.webhook(), options.webhookQueue());
        this.writerThread = Thread.ofPlatform().name("arca-audit-writer").daemon().unstarted(this::runWriter);
        writerThread.start();
    }

    private static long toNanos(AuditOptions options) {
        try {
            return Math.min(options.fsyncInterval().toNanos(), NEVER_NANOS);
        } catch (ArithmeticException e) {
            return NEVER_NANOS;
        }
    }

    /**
     * Opens (creating if needed) the audit log in {@code dir} and starts its writer thread.
     * Creates the signing key on first use. Recovers from a crash: a torn last line of the newest
     * segment is cut away (logged). Refuses to open (IOException) a log whose newest segment is
     * damaged other than by a torn tail, whose tail was cut back past the checkpoint in
     * {@code audit.head}, or that another process is writing: run {@code arca audit verify}, and
     * move the directory aside to start a new chain.
     *
     * @param entropy draws the signing key when one is created
     * @param clock stamps checkpoints (intervals are measured with {@link System#nanoTime()})
     */
    public static AuditLog open(Path dir, AuditOptions options, Entropy entropy, InstantSource clock) throws IOException {
        return open(dir, options, entropy, clock, QUEUE_CAPACITY, () -> {});
    }

    /** As {@link #open(Path, AuditOptions, Entropy, InstantSource)}, with a queue size and a hook run before each batch (tests). */
    static AuditLog open(Path dir, AuditOptions options, Entropy entropy, InstantSource clock, int queueCapacity,
            Runnable beforeBatch) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(clock, "clock");
        if (queueCapacity < 1) {
            throw new IllegalArgumentException("queue capacity must be at least 1");
        }
        Files.createDirectories(dir);
        FileChannel lockChannel = FileChannel.open(dir.resolve(LogFormat.LOCK_FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("audit log " + dir + " is in use by another writer");
            }
            deleteStaleTemporaries(dir);
            SigningKey key = SigningKey.loadOrCreate(dir.resolve(LogFormat.KEY_FILE), entropy);
            State state = recover(dir);
            return new AuditLog(dir, options, clock, key, lockChannel, lock, state, queueCapacity, beforeBatch);
        } catch (IOException | RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Queues {@code record} for the writer. Never does disk I/O; blocks while the queue is full
     * (even when interrupted: the interrupt is kept and re-asserted once the record is queued).
     * Safe to call from many threads; records from one thread keep their order.
     *
     * @throws IllegalStateException if the log is closed
     * @throws IllegalArgumentException if the record's JSON exceeds 1 MiB
     * @throws UncheckedIOException if the writer has failed
     */
    public void append(AuditRecord record) {
        byte[] json = record.toJson().getBytes(StandardCharsets.UTF_8);
        if (json.length > LogFormat.MAX_JSON_BYTES) {
            throw new IllegalArgumentException("audit record of " + json.length + " bytes exceeds "
                    + LogFormat.MAX_JSON_BYTES);
        }
        inflight.incrementAndGet();
        try {
            if (closed) {
                throw new IllegalStateException("audit log " + dir + " is closed");
            }
            Throwable f = failure;
            if (f != null) {
                throw new UncheckedIOException(failed(f));
            }
            putUninterruptibly(json);
            appended.increment();
        } finally {
            inflight.decrementAndGet();
        }
    }

    /**
     * Returns once every record appended (by any thread) before this call is written, covered by
     * a checkpoint, and fsynced, and {@code audit.head} names that checkpoint.
     *
     * @throws IOException if the writer failed
     * @throws InterruptedIOException if interrupted while waiting (the records are still written)
     */
    public void flush() throws IOException {
        Barrier barrier = new Barrier(false);
        inflight.incrementAndGet();
        try {
            if (!closed) {
                putUninterruptibly(barrier);
            }
        } finally {
            inflight.decrementAndGet();
        }
        try {
            if (closed && !barrier.done.isDone()) {
                writerThread.join(); // close drains and syncs everything
                barrier.done.complete(null);
            }
            barrier.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while flushing the audit log");
        } catch (ExecutionException e) {
            throw failed(e.getCause());
        }
        Throwable f = failure;
        if (f != null) {
            throw failed(f);
        }
    }

    /** Records accepted by {@link #append} so far. */
    public long appended() {
        return appended.sum();
    }

    /** Records handed to the operating system (written, not necessarily fsynced) so far. */
    public long written() {
        return written;
    }

    /** Records the webhook dropped (queue full, connection failure or non-2xx answer); 0 without a webhook. */
    public long webhookDropped() {
        return webhook == null ? 0 : webhook.dropped();
    }

    /**
     * The checkpoint signing key's public half: base64 of its X.509 encoding. Print or store it
     * outside the data directory; {@code arca audit verify --public-key} then detects a log
     * re-signed with another key.
     */
    public String publicKeyBase64() {
        return key.publicKeyBase64();
    }

    long webhookSent() {
        return webhook == null ? 0 : webhook.sent();
    }

    /**
     * Waits for appends in progress, drains the queue, writes a final checkpoint (when records
     * were written since the last one), fsyncs, stops the webhook (after it has sent what it
     * holds, for a bounded time) and releases the directory. Idempotent.
     *
     * @throws IOException if the writer failed at any time
     */
    @Override
    public void close() throws IOException {
        synchronized (closeLock) {
            if (closeDone) {
                return;
            }
            closed = true;
            while (inflight.get() != 0) {
                LockSupport.parkNanos(CLOSE_PARK_NANOS);
            }
            Barrier barrier = new Barrier(true);
            putUninterruptibly(barrier);
            boolean interrupted = false;
            while (writerThread.isAlive()) {
                try {
                    writerThread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            closeDone = true;
            if (webhook != null) {
                webhook.close();
            }
            try {
                lock.release();
            } finally {
                lockChannel.close();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable f = failure;
            if (f != null) {
                throw failed(f);
            }
        }
    }

    private void putUninterruptibly(Object item) {
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(item);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static IOException failed(Throwable cause) {
        return new IOException("audit log writer failed: " + cause, cause);
    }

    // ---------------------------------------------------------------- writer thread

    private void runWriter() {
        try {
            writeLoop();
        } catch (Throwable t) {
            failure = t;
            LOG.log(System.Logger.Level.ERROR, "audit log writer failed; appends now fail", t);
            closeQuietly(segment);
            closeQuietly(export);
            // Release flushers and a closer already in the failed batch, then keep draining.
            boolean closeSeen = false;
            for (Object o : batch) {
                if (o instanceof Barrier b) {
                    b.done.completeExceptionally(t);
                    closeSeen |= b.close;
                }
            }
            batch.clear();
            if (!closeSeen) {
                drainAfterFailure(t);
            }
        }
    }

    /** Keeps taking from the queue so blocked appenders return; fails every barrier; ends at close. */
    private void drainAfterFailure(Throwable t) {
        while (true) {
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread but close's protocol needs it alive
            }
            if (o instanceof Barrier b) {
                b.done.completeExceptionally(t);
                if (b.close) {
                    return;
                }
            }
        }
    }

    private void writeLoop() throws IOException, InterruptedException {
        while (true) {
            Object first;
            if (dirty) {
                long wait = fsyncIntervalNanos - (System.nanoTime() - lastFsyncNanos);
                first = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
                if (first == null) {
                    sync(); // idle: make what was written durable once the interval is up
                    continue;
                }
            } else {
                first = queue.take();
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            beforeBatch.run();
            boolean stop = false;
            for (Object o : batch) {
                if (o instanceof byte[] json) {
                    appendRecord(json);
                } else {
                    Barrier b = (Barrier) o;
                    sync();
                    if (b.close) {
                        closeFiles();
                        stop = true;
                    }
                    b.done.complete(null);
                }
            }
            batch.clear();
            if (stop) {
                return;
            }
            writeOut();
            if (dirty && System.nanoTime() - lastFsyncNanos >= fsyncIntervalNanos) {
                sync();
            }
        }
    }

    private void appendRecord(byte[] json) throws IOException {
        long seq = nextSeq++;
        LogFormat.chainHash(sha, prev, seq, LogFormat.TYPE_RECORD, json, 0, json.length, prev);
        putLine(LogFormat.TYPE_RECORD, seq, json);
        unwrittenRecords++;
        sinceCheckpoint++;
        if (export != null) {
            if (exportBuf.remaining() < json.length + 1) {
                writeOut();
            }
            if (exportBuf.remaining() >= json.length + 1) {
                exportBuf.put(json).put((byte) '\n');
            } else {
                writeExport(ByteBuffer.wrap(Arrays.copyOf(json, json.length + 1)).put(json.length, (byte) '\n'));
            }
        }
        if (webhook != null) {
            toWebhook.add(json);
        }
        if (sinceCheckpoint >= options.checkpointEvery()) {
            checkpoint();
        }
        if (segmentSize >= options.segmentBytes()) {
            roll();
        }
    }

    private void checkpoint() throws IOException {
        long seq = nextSeq++;
        long time = clock.millis();
        byte[] attested = prev.clone();
        byte[] signature = key.sign(LogFormat.signedMessage(seq, attested, time));
        byte[] payload = LogFormat.checkpointPayload(time, signature);
        LogFormat.chainHash(sha, prev, seq, LogFormat.TYPE_CHECKPOINT, payload, 0, payload.length, prev);
        putLine(LogFormat.TYPE_CHECKPOINT, seq, payload);
        sinceCheckpoint = 0;
        lastCheckpoint = new Head(seq, attested, prev.clone(), time, signature);
    }

    /** Appends {@code <type> <seq> <hash> <payload>\n} to the batch buffer; the hash is {@link #prev}. */
    private void putLine(byte type, long seq, byte[] payload) throws IOException {
        int n = 0;
        lineHead[n++] = type;
        lineHead[n++] = ' ';
        String digits = Long.toString(seq);
        for (int i = 0; i < digits.length(); i++) {
            lineHead[n++] = (byte) digits.charAt(i);
        }
        lineHead[n++] = ' ';
        LogFormat.hexInto(prev, lineHead, n);
        n += LogFormat.HASH_HEX_CHARS;
        lineHead[n++] = ' ';
        int len = n + payload.length + 1;
        if (buf.remaining() < len) {
            writeOut();
        }
        if (buf.remaining() >= len) {
            buf.put(lineHead, 0, n).put(payload).put((byte) '\n');
        } else {
            // Longer than the whole buffer (a record near the 1 MiB limit): write it by itself.
            ByteBuffer big = ByteBuffer.allocate(len);
            big.put(lineHead, 0, n).put(payload).put((byte) '\n').flip();
            LogFormat.writeFully(segment, big);
            dirty = true;
        }
        segmentSize += len;
    }

    /** Hands the batch to the OS: one write for the segment, one for the export, then the webhook queue. */
    private void writeOut() throws IOException {
        if (buf.position() > 0) {
            buf.flip();
            LogFormat.writeFully(segment, buf);
            buf.clear();
            dirty = true;
        }
        if (unwrittenRecords > 0) {
            written += unwrittenRecords;
            unwrittenRecords = 0;
        }
        if (export != null && exportBuf.position() > 0) {
            exportBuf.flip();
            writeExport(exportBuf);
            exportBuf.clear();
        }
        if (!toWebhook.isEmpty()) {
            for (byte[] json : toWebhook) {
                webhook.offer(json);
            }
            toWebhook.clear();
        }
    }

    private void writeExport(ByteBuffer data) {
        try {
            LogFormat.writeFully(export, data);
        } catch (IOException e) {
            exportFailed(e);
        }
    }

    private void exportFailed(IOException e) {
        if (exportFailures++ == 0) {
            LOG.log(System.Logger.Level.WARNING, "audit export to " + options.exportFile()
                    + " failed; the audit log itself continues", e);
        }
    }

    /** Checkpoint (if records are uncovered), write, fsync, then advance {@code audit.head}. */
    private void sync() throws IOException {
        if (sinceCheckpoint > 0) {
            checkpoint();
        }
        writeOut();
        if (dirty) {
            segment.force(false);
            if (export != null) {
                try {
                    export.force(false);
                } catch (IOException e) {
                    exportFailed(e);
                }
            }
            dirty = false;
        }
        lastFsyncNanos = System.nanoTime();
        // Only after the fsync: the head must never name a checkpoint that is not durable.
        if (lastCheckpoint != null && lastCheckpoint.seq() > headSeq) {
            lastCheckpoint.write(dir);
            headSeq = lastCheckpoint.seq();
        }
    }

    private void roll() throws IOException {
        sync();
        segment.close();
        Path next = createSegment(dir, nextSeq, prev);
        segment = FileChannel.open(next, StandardOpenOption.WRITE);
        segmentSize = segment.size();
        segment.position(segmentSize);
    }

    private void closeFiles() throws IOException {
        segment.close();
        if (export != null) {
            export.close();
        }
    }

    // ---------------------------------------------------------------- open and recovery

    /** A new segment appears whole or not at all: header written to a temporary file, fsynced, renamed. */
    static Path createSegment(Path dir, long firstSeq, byte[] prev) throws IOException {
        Path file = dir.resolve(LogFormat.segmentName(firstSeq));
        if (Files.exists(file)) {
            throw new IOException("audit segment " + file + " already exists");
        }
        Path tmp = dir.resolve(file.getFileName() + LogFormat.TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            LogFormat.writeFully(ch, ByteBuffer.wrap(LogFormat.headerLine(firstSeq, prev)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        LogFormat.fsyncDirectory(dir);
        return file;
    }

    private static void deleteStaleTemporaries(Path dir) throws IOException {
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + LogFormat.TMP_SUFFIX)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.equals(LogFormat.HEAD_FILE + LogFormat.TMP_SUFFIX) || (name.startsWith(LogFormat.SEGMENT_PREFIX)
                        && name.endsWith(LogFormat.SEGMENT_SUFFIX + LogFormat.TMP_SUFFIX))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static State recover(Path dir) throws IOException {
        List<Path> segments = LogFormat.listSegments(dir);
        Head head = Head.read(dir);
        if (segments.isEmpty()) {
            if (head != null) {
                throw refuse(dir, "audit.head names checkpoint " + head.seq() + " but there are no segments (deleted?)");
            }
            Path first = createSegment(dir, 1, LogFormat.genesis());
            return new State(first, Files.size(first), 1, LogFormat.genesis(), 0, null, 0);
        }
        Path last = segments.getLast();
        String name = last.getFileName().toString();
        long nameSeq = LogFormat.segmentSeq(name);
        byte[] prev;
        long expected;
        long goodEnd;
        long since = 0;
        Head lastCheckpoint = null;
        boolean headMatches = false;
        long badOffset = -1;
        MessageDigest sha = LogFormat.sha256();
        byte[] hash = new byte[LogFormat.HASH_BYTES];
        try (LineReader r = new LineReader(last)) {
            LogFormat.Header header = r.next() && r.terminated() ? LogFormat.parseHeader(r.line(), r.length()) : null;
            if (header == null || header.firstSeq() != nameSeq) {
                throw refuse(dir, "segment " + name + " has no valid header");
            }
            prev = header.prev();
            expected = header.firstSeq();
            goodEnd = r.end();
            while (r.next()) {
                LogFormat.Entry e = r.terminated() && !r.oversize() ? LogFormat.parseEntry(r.line(), r.length()) : null;
                LogFormat.CheckpointPayload cp = null;
                boolean ok = e != null && e.seq() == expected;
                if (ok) {
                    LogFormat.chainHash(sha, prev, e.seq(), e.type(), r.line(), e.payloadOff(), e.payloadLen(), hash);
                    ok = Arrays.equals(hash, e.hash());
                    if (ok && e.type() == LogFormat.TYPE_CHECKPOINT) {
                        cp = LogFormat.parseCheckpoint(r.line(), e.payloadOff(), e.payloadLen());
                        ok = cp != null;
                    }
                }
                if (!ok) {
                    badOffset = r.offset();
                    break;
                }
                if (cp != null) {
                    lastCheckpoint = new Head(e.seq(), prev, e.hash(), cp.timeMillis(), cp.signature());
                    since = 0;
                } else {
                    since++;
                }
                if (head != null && e.seq() == head.seq()) {
                    headMatches = cp != null && Arrays.equals(e.hash(), head.entryHash());
                }
                prev = e.hash();
                expected++;
                goodEnd = r.end();
            }
        }
        if (badOffset >= 0) {
            long size = Files.size(last);
            if (!isTornTail(last, badOffset)) {
                throw refuse(dir, "segment " + name + " is damaged at byte " + badOffset + " (record " + expected
                        + "), and not just by a torn last line");
            }
            try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
                ch.truncate(goodEnd);
                ch.force(true);
            }
            LOG.log(System.Logger.Level.WARNING, "audit segment {0}: cut a torn last line left by a crash ({1} bytes at"
                    + " byte {2}); the chain continues at record {3}", name, size - goodEnd, goodEnd, expected);
        }
        long headSeq = 0;
        if (head != null) {
            if (head.seq() >= expected) {
                throw refuse(dir, "audit.head names checkpoint " + head.seq() + " but the log ends at record "
                        + (expected - 1) + " (tail removed?)");
            }
            if (head.seq() >= nameSeq && !headMatches) {
                throw refuse(dir, "audit.head does not match record " + head.seq() + " of the log");
            }
            headSeq = head.seq();
        }
        if (lastCheckpoint != null && lastCheckpoint.seq() > headSeq) {
            lastCheckpoint.write(dir); // a crash came between the checkpoint's fsync and the head update
            headSeq = lastCheckpoint.seq();
        }
        return new State(last, goodEnd, expected, prev, since, lastCheckpoint, headSeq);
    }

    /** A crash leaves at most a partial last line (no newline), or zeros where the data never landed. */
    private static boolean isTornTail(Path file, long from) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(WRITE_BUFFER_BYTES);
            long pos = from;
            boolean newline = false;
            boolean allZero = true;
            while (true) {
                b.clear();
                int n = ch.read(b, pos);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    byte c = b.get(i);
                    newline |= c == '\n';
                    allZero &= c == 0;
                }
                pos += n;
            }
            return !newline || allZero;
        }
    }

    private static IOException refuse(Path dir, String why) {
        return new IOException("audit log " + dir + ": " + why + "; refusing to extend it. Run `arca audit verify`,"
                + " then move the directory aside to start a new chain");
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // Already failing; the first error is the one reported.
        }
    }
}
