package dev.arca.client.bench;

import dev.arca.client.http.BodySink;
import dev.arca.client.http.HttpResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Phaser;

/**
 * One phase: {@code concurrency} platform threads, each with its own connection, repeat one
 * operation. Each worker first warms up (time-bound for small objects, one request for large
 * ones: a single 64 MiB transfer already warms the JIT and the connection), then all meet at a
 * barrier that starts the measured window; requests started before its end are counted.
 */
final class Phase {

    /** From this size on, objects count as large and warm up with one request per worker. */
    static final long LARGE_OBJECT_THRESHOLD = Units.MIB;
    /** Extra time, beyond warm-up, duration and two read timeouts, before a phase is aborted. */
    private static final Duration DEADLINE_SLACK = Duration.ofSeconds(10);
    /** How long aborted workers get to notice. */
    private static final Duration ABORT_GRACE = Duration.ofSeconds(5);
    /** Packs (worker, n) into a long: worker in the high half. */
    private static final int WORKER_SHIFT = 32;
    private static final long N_MASK = 0xFFFF_FFFFL;
    private static final int INITIAL_KEY_CAPACITY = 1024;
    /** At most this much of an S3 error body is quoted in an error message. */
    private static final int ERROR_QUOTE_LENGTH = 200;

    private final BenchConfig config;
    private final Scenario scenario;
    private final Op op;
    private final Payload payload;
    private final long[] readKeys;
    private final ErrorLog log;
    private final int size;
    private final Worker[] workers;
    private volatile boolean stop;
    private volatile boolean measuring;
    private volatile long measureStart;
    private volatile long cpuStart;

    /**
     * @param readKeys packed keys a GET phase reads (see {@link #writtenKeys()}); empty for PUT
     */
    Phase(BenchConfig config, Scenario scenario, Op op, Payload payload, long[] readKeys, ErrorLog log) {
        if ((op == Op.GET || op == Op.BATCH_GET) && readKeys.length == 0) {
            throw new IllegalArgumentException("a GET phase needs keys to read");
        }
        this.config = config;
        this.scenario = scenario;
        this.op = op;
        this.payload = payload;
        this.readKeys = readKeys;
        this.log = log;
        this.size = payload.size();
        this.workers = new Worker[config.concurrency()];
    }

    /** Runs the phase to completion and returns what it measured. */
    PhaseResult run() throws InterruptedException {
        boolean large = size >= LARGE_OBJECT_THRESHOLD;
        long warmupNanos = large ? 0 : config.warmup().toNanos();
        int warmupRequests = large ? 1 : 0;
        long durationNanos = config.duration().toNanos();
        int n = workers.length;
        Phaser start = new Phaser(n) {
            @Override
            protected boolean onAdvance(int phase, int registeredParties) {
                cpuStart = processCpuNanos();
                measureStart = System.nanoTime();
                measuring = true;
                return true;
            }
        };
        long phaseStart = System.nanoTime();
        Thread[] threads = new Thread[n];
        for (int i = 0; i < n; i++) {
            workers[i] = new Worker(i, n, start, phaseStart + warmupNanos, warmupRequests, durationNanos);
            threads[i] = Thread.ofPlatform().daemon().name("arca-bench-" + op + "-" + i).start(workers[i]);
        }
        long deadline = phaseStart + warmupNanos + durationNanos + 2 * config.timeout().toNanos()
                + DEADLINE_SLACK.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
        if (Arrays.stream(threads).anyMatch(Thread::isAlive)) {
            log.record(context(), "phase overran its deadline; closing its connections");
            stop = true;
            for (Worker w : workers) {
                w.client.abort();
            }
            for (Thread t : threads) {
                t.join(ABORT_GRACE);
            }
        }
        long cpuEnd = processCpuNanos();

        LatencyHistogram latencies = new LatencyHistogram();
        long requests = 0;
        long errors = 0;
        long bytes = 0;
        long lastEnd = Long.MIN_VALUE;
        for (Worker w : workers) {
            latencies.add(w.latencies);
            requests += w.requests;
            errors += w.errors;
            bytes += w.bytes;
            if (w.requests > 0) {
                lastEnd = Math.max(lastEnd, w.lastEnd);
            }
        }
        double seconds = 0;
        if (measuring) {
            long end = lastEnd == Long.MIN_VALUE ? measureStart + durationNanos : lastEnd;
            seconds = (end - measureStart) / 1e9;
        }
        double cpuSeconds = cpuStart >= 0 && cpuEnd >= 0 && measuring ? (cpuEnd - cpuStart) / 1e9 : -1;
        return new PhaseResult(scenario, op, size, n, seconds, requests, errors, bytes, latencies, cpuSeconds,
                objectsPerRequest());
    }

    /** Keys this (PUT) phase wrote successfully, warm-up included, packed as (worker, n). */
    long[] writtenKeys() {
        int total = 0;
        for (Worker w : workers) {
            total += w.writtenCount;
        }
        long[] out = new long[total];
        int pos = 0;
        for (Worker w : workers) {
            System.arraycopy(w.written, 0, out, pos, w.writtenCount);
            pos += w.writtenCount;
        }
        return out;
    }

    /** The object key a packed entry of {@link #writtenKeys()} stands for. */
    static String keyOf(long size, long packed) {
        return S3Client.key(size, (int) (packed >>> WORKER_SHIFT), packed & N_MASK);
    }

    /**
     * Process CPU time: all threads of this JVM (workers, JIT, GC), which is the client's true
     * cost. Uses {@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}; -1 if absent.
     */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Objects one successful request moves: a whole batch for batch GETs. */
    private int objectsPerRequest() {
        return op == Op.BATCH_GET ? config.batchCount() : 1;
    }

    private String context() {
        return scenario.label() + " " + op;
    }

    private static String describe(HttpResponse r) {
        String body = r.errorText().strip();
        int from = body.indexOf("<Code>");
        int to = body.indexOf("</Code>");
        String detail = from >= 0 && to > from ? body.substring(from + "<Code>".length(), to)
                : body.substring(0, Math.min(body.length(), ERROR_QUOTE_LENGTH));
        return "HTTP " + r.status() + (detail.isEmpty() ? "" : " " + detail);
    }

    /** One worker thread's loop and its private tallies (read by the main thread after join). */
    private final class Worker implements Runnable {

        private final int id;
        private final Phaser start;
        private final long warmupEnd;
        private final int warmupRequests;
        private final long durationNanos;
        private final S3Client client = new S3Client(config);
        private final LatencyHistogram latencies = new LatencyHistogram();
        private final VerifyingSink verifier = new VerifyingSink();
        private final TarCheckSink tarCheck = new TarCheckSink();
        private long[] written = new long[INITIAL_KEY_CAPACITY];
        private int writtenCount;
        private long next;
        private int cursor;
        private long requests;
        private long errors;
        private long bytes;
        private long lastEnd;

        Worker(int id, int workerCount, Phaser start, long warmupEnd, int warmupRequests, long durationNanos) {
            this.id = id;
            this.start = start;
            this.warmupEnd = warmupEnd;
            this.warmupRequests = warmupRequests;
            this.durationNanos = durationNanos;
            // Spread the readers over the key list so they do not all fetch the same object.
            this.cursor = (int) ((long) readKeys.length * id / workerCount);
        }

        @Override
        public void run() {
            boolean arrived = false;
            try {
                for (int done = 0; !stop && (done < warmupRequests || System.nanoTime() < warmupEnd); done++) {
                    once();
                }
                start.arriveAndAwaitAdvance();
                arrived = true;
                long end = measureStart + durationNanos;
                while (!stop) {
                    long t0 = System.nanoTime();
                    if (t0 - end >= 0) {
                        break;
                    }
                    boolean ok = once();
                    long t1 = System.nanoTime();
                    requests++;
                    lastEnd = t1;
                    if (ok) {
                        bytes += (long) size * objectsPerRequest();
                        latencies.record(t1 - t0);
                    } else {
                        errors++;
                    }
                }
            } catch (RuntimeException | Error e) {
                log.record(context(), "worker " + id + " died: " + e);
                throw e;
            } finally {
                if (!arrived) {
                    start.arriveAndDeregister();
                }
                client.close();
            }
        }

        /** One request; failures are logged and reported as {@code false}, never thrown. */
        private boolean once() {
            try {
                return switch (op) {
                    case PUT -> put();
                    case GET -> get();
                    case BATCH_GET -> batchGet();
                };
            } catch (IOException e) {
                log.record(context(), e.toString());
                return false;
            }
        }

        private boolean put() throws IOException {
            long n = next++;
            int variant = Payload.variantOf(id, n);
            String key = S3Client.key(size, id, n);
            HttpResponse r = client.putObject(key, payload.data(), payload.offset(variant), size);
            if (r.status() != 200) {
                return fail("PUT " + key + ": " + describe(r));
            }
            if (config.checkEtags() && !payload.etagMatches(r.header("ETag"), variant)) {
                return fail("PUT " + key + ": ETag " + r.header("ETag") + ", expected " + payload.md5Hex(variant));
            }
            if (writtenCount == written.length) {
                written = Arrays.copyOf(written, written.length * 2);
            }
            written[writtenCount++] = ((long) id << WORKER_SHIFT) | n;
            return true;
        }

        private boolean get() throws IOException {
            long packed = readKeys[cursor];
            cursor = cursor + 1 == readKeys.length ? 0 : cursor + 1;
            int variant = Payload.variantOf((int) (packed >>> WORKER_SHIFT), packed & N_MASK);
            String key = keyOf(size, packed);
            BodySink sink = BodySink.DISCARD;
            if (config.verifyBodies()) {
                verifier.expect(payload.data(), payload.offset(variant), size);
                sink = verifier;
            }
            HttpResponse r = client.getObject(key, sink);
            if (r.status() != 200) {
                return fail("GET " + key + ": " + describe(r));
            }
            if (r.contentLength() != size || r.bodyLength() != size) {
                return fail("GET " + key + ": Content-Length " + r.contentLength() + ", body " + r.bodyLength()
                        + " bytes, expected " + size);
            }
            if (config.checkEtags() && !payload.etagMatches(r.header("ETag"), variant)) {
                return fail("GET " + key + ": ETag " + r.header("ETag") + ", expected " + payload.md5Hex(variant));
            }
            if (config.verifyBodies() && !verifier.matched()) {
                return fail("GET " + key + ": body differs from what was written");
            }
            return true;
        }

        /** One batch GET of the next {@code batchCount} keys (wrapping around the key list). */
        private boolean batchGet() throws IOException {
            int count = config.batchCount();
            java.util.List<String> keys = new java.util.ArrayList<>(count);
            int[] offsets = new int[count];
            for (int i = 0; i < count; i++) {
                long packed = readKeys[cursor];
                cursor = cursor + 1 == readKeys.length ? 0 : cursor + 1;
                keys.add(keyOf(size, packed));
                offsets[i] = payload.offset(Payload.variantOf((int) (packed >>> WORKER_SHIFT), packed & N_MASK));
            }
            tarCheck.expect(keys, size, !config.verifyBodies() ? null : new TarCheckSink.Expected() {
                @Override
                public byte[] data() {
                    return payload.data();
                }

                @Override
                public int offsetOf(int member) {
                    return offsets[member];
                }
            });
            HttpResponse r = client.batchGet(keys, tarCheck);
            if (r.status() != 200) {
                return fail("batch GET of " + count + " keys from " + keys.getFirst() + ": " + describe(r));
            }
            String problem = tarCheck.problem();
            return problem == null || fail("batch GET of " + count + " keys from " + keys.getFirst() + ": " + problem);
        }

        private boolean fail(String message) {
            log.record(context(), message);
            return false;
        }
    }

    /** Compares a streamed body with the expected bytes without keeping it. */
    private static final class VerifyingSink implements BodySink {

        private byte[] expected = new byte[0];
        private int from;
        private int length;
        private int seen;
        private boolean mismatch;

        void expect(byte[] data, int offset, int len) {
            expected = data;
            from = offset;
            length = len;
            seen = 0;
            mismatch = false;
        }

        boolean matched() {
            return !mismatch && seen == length;
        }

        @Override
        public void accept(byte[] buffer, int offset, int len) {
            if (mismatch || len > length - seen
                    || Arrays.mismatch(buffer, offset, offset + len, expected, from + seen, from + seen + len) >= 0) {
                mismatch = true;
            }
            seen += Math.min(len, length - seen);
        }
    }
}
