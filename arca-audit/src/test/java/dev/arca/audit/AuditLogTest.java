package dev.arca.audit;

import static dev.arca.audit.AuditTestSupport.CLOCK;
import static dev.arca.audit.AuditTestSupport.record;
import static dev.arca.audit.AuditTestSupport.smallOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditLogTest {
    @TempDir
    Path tmp;

    @Test
    void writesSeveralSegmentsThatVerify() throws IOException {
        Path dir = tmp.resolve("audit");
        List<AuditRecord> records = AuditTestSupport.writeLog(dir, smallOptions(), 500, 1);
        assertThat(AuditTestSupport.segments(dir)).hasSizeGreaterThan(5);
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo(500);
        // a checkpoint every 10 records, plus one closing each segment early
        assertThat(report.checkpoints()).isGreaterThanOrEqualTo(50);
        assertThat(report.recordNumber()).isEqualTo(report.records() + report.checkpoints());
        List<AuditRecord> back = AuditTestSupport.entriesOfType(dir, 'R').stream()
                .map(l -> AuditRecord.fromJson(l.text().split(" ", 4)[3])).toList();
        assertThat(back).isEqualTo(records);
        // every segment but the newest ends with a checkpoint
        List<Path> segments = AuditTestSupport.segments(dir);
        for (Path seg : segments.subList(0, segments.size() - 1)) {
            assertThat(AuditTestSupport.readLines(seg).getLast()).startsWith("C ");
        }
        assertThat(AuditTestSupport.readLines(segments.getFirst()).getFirst())
                .isEqualTo("ARCAAUD1 1 1 " + "0".repeat(64));
        assertThat(Files.readString(dir.resolve("audit.head"))).startsWith("ARCAHEAD 1 " + report.recordNumber() + " ");
    }

    @Test
    void signingKeyFileIsOwnerOnlyAndStable() throws IOException {
        Path dir = tmp.resolve("audit");
        String key1;
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(7), CLOCK)) {
            key1 = log.publicKeyBase64();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit-signing.key"))))
                .isEqualTo("rw-------");
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(8), CLOCK)) {
            assertThat(log.publicKeyBase64()).isEqualTo(key1);
        }
        // the same seed gives the same key: key generation draws only from the injected entropy
        try (AuditLog log = AuditLog.open(tmp.resolve("other"), smallOptions(), Entropy.seeded(7), CLOCK)) {
            assertThat(log.publicKeyBase64()).isEqualTo(key1);
        }
    }

    @Test
    void reopenContinuesTheChain() throws IOException {
        Path dir = tmp.resolve("audit");
        for (int round = 0; round < 4; round++) {
            try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
                for (int i = 0; i < 40; i++) {
                    log.append(record(round * 40 + i));
                }
                assertThat(log.appended()).isEqualTo(40);
            }
        }
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo(160);
        List<AuditTestSupport.Line> lines = AuditTestSupport.entries(dir);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).seq()).isEqualTo(i + 1);
        }
        List<String> ids = AuditTestSupport.entriesOfType(dir, 'R').stream()
                .map(l -> AuditRecord.fromJson(l.text().split(" ", 4)[3]).requestId()).toList();
        assertThat(ids).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 160).mapToObj(i -> "req-" + i).toList());
    }

    @Test
    void openingTwiceIsRefused() throws IOException {
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
            assertThatThrownBy(() -> AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK))
                    .isInstanceOf(IOException.class).hasMessageContaining("in use");
            log.append(record(1));
        }
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
            log.append(record(2));
        }
        assertThat(AuditVerifier.verify(dir, null).records()).isEqualTo(2);
    }

    @Test
    void tornLastLineIsCutAtOpenAndTheChainContinues() throws IOException {
        for (String torn : new String[] {"R 99", "R 123 00ab {\"timeMillis\":1", "\0".repeat(300)}) {
            Path dir = tmp.resolve("torn-" + torn.length());
            AuditTestSupport.writeLog(dir, smallOptions(), 95, 1);
            Path last = AuditTestSupport.segments(dir).getLast();
            long size = Files.size(last);
            Files.writeString(last, torn, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            assertThat(AuditVerifier.verify(dir, null).firstProblem()).contains("truncated (torn last line");
            try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
                assertThat(Files.size(last)).isEqualTo(size);
                for (int i = 95; i < 120; i++) {
                    log.append(record(i));
                }
            }
            AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
            assertThat(report.ok()).as(report.firstProblem()).isTrue();
            assertThat(report.records()).isEqualTo(120);
        }
    }

    @Test
    void tornWriteOfAnUnflushedBatchIsRepaired() throws IOException {
        // A crash mid-batch: complete lines written after the last checkpoint plus a partial one.
        Path dir = tmp.resolve("audit");
        AuditTestSupport.writeLog(dir, smallOptions(), 30, 1);
        Path last = AuditTestSupport.segments(dir).getLast();
        List<String> lines = AuditTestSupport.readLines(last);
        // Fabricate the crash from a longer log: write 3 more records with a second instance elsewhere.
        Path twin = tmp.resolve("twin");
        AuditTestSupport.writeLog(twin, smallOptions(), 30, 1);
        try (AuditLog log = AuditLog.open(twin, smallOptions().withCheckpointEvery(1_000), Entropy.seeded(1), CLOCK)) {
            for (int i = 30; i < 33; i++) {
                log.append(record(i));
            }
        }
        List<String> twinLines = AuditTestSupport.readLines(AuditTestSupport.segments(twin).getLast());
        // the twin's last segment = ours + 3 records + its closing checkpoint
        assertThat(twinLines.subList(0, lines.size())).isEqualTo(lines);
        String partial = twinLines.get(lines.size() + 3);
        String crashed = String.join("\n", twinLines.subList(0, lines.size() + 3)) + "\n"
                + partial.substring(0, partial.length() / 2);
        Files.writeString(last, crashed, StandardCharsets.UTF_8);
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
            log.append(record(33));
        }
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo(34);
    }

    @Test
    void openRefusesALogWhoseTailWasCutPastTheHead() throws IOException {
        Path dir = tmp.resolve("audit");
        AuditTestSupport.writeLog(dir, smallOptions(), 95, 1);
        Path last = AuditTestSupport.segments(dir).getLast();
        List<String> lines = AuditTestSupport.readLines(last);
        AuditTestSupport.writeLines(last, lines.subList(0, lines.size() - 2));
        assertThatThrownBy(() -> AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("tail removed");
    }

    @Test
    void openRefusesADamagedNewestSegment() throws IOException {
        Path dir = tmp.resolve("audit");
        AuditTestSupport.writeLog(dir, smallOptions().withSegmentBytes(1 << 20), 95, 1);
        Path last = AuditTestSupport.segments(dir).getLast();
        List<String> lines = AuditTestSupport.readLines(last);
        lines.set(5, lines.get(5).replace("photos/img-", "photos/imx-"));
        AuditTestSupport.writeLines(last, lines);
        assertThatThrownBy(() -> AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("damaged");
    }

    @Test
    void flushMakesEverythingDurableAndCheckpointed() throws IOException {
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, AuditOptions.defaults().withFsyncInterval(Duration.ofHours(1)),
                Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 25; i++) {
                log.append(record(i));
            }
            log.flush();
            assertThat(log.written()).isEqualTo(25);
            List<AuditTestSupport.Line> lines = AuditTestSupport.entries(dir);
            assertThat(lines).hasSize(26);
            assertThat(lines.getLast().type()).isEqualTo('C');
            assertThat(Files.readString(dir.resolve("audit.head"))).startsWith("ARCAHEAD 1 26 ");
            // verifying a live, flushed log works
            assertThat(AuditVerifier.verify(dir, log.publicKeyBase64()).ok()).isTrue();
        }
    }

    @Test
    void idleFsyncHappensWithinTheInterval() throws Exception {
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, AuditOptions.defaults().withFsyncInterval(Duration.ofMillis(20)),
                Entropy.seeded(1), CLOCK)) {
            log.append(record(0));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(dir.resolve("audit.head")) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(dir.resolve("audit.head")).exists();
            assertThat(AuditTestSupport.entries(dir)).extracting(AuditTestSupport.Line::type).containsExactly('R', 'C');
        }
    }

    @Test
    void appendAfterCloseIsRefusedAndCloseIsIdempotent() throws IOException {
        AuditLog log = AuditLog.open(tmp.resolve("audit"), smallOptions(), Entropy.seeded(1), CLOCK);
        log.append(record(0));
        log.close();
        log.close();
        log.flush();
        assertThatThrownBy(() -> log.append(record(1))).isInstanceOf(IllegalStateException.class);
        assertThat(log.appended()).isEqualTo(1);
        assertThat(log.written()).isEqualTo(1);
    }

    @Test
    void oversizedRecordsAreRefusedAndLargeOnesWritten() throws IOException {
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK)) {
            // JSON of exactly the limit: its line is longer than the whole write buffer
            int base = withDetails(record(0), Map.of("blob", "")).toJson().length();
            AuditRecord big = withDetails(record(0), Map.of("blob", "x".repeat(LogFormat.MAX_JSON_BYTES - base)));
            assertThat(big.toJson().length() + LogFormat.LINE_OVERHEAD_BYTES).isGreaterThan(AuditLog.WRITE_BUFFER_BYTES);
            log.append(big);
            log.append(record(1));
            AuditRecord huge = withDetails(record(2), Map.of("blob", "x".repeat(LogFormat.MAX_JSON_BYTES)));
            assertThatThrownBy(() -> log.append(huge)).isInstanceOf(IllegalArgumentException.class);
        }
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo(2);
    }

    private static AuditRecord withDetails(AuditRecord r, Map<String, String> details) {
        return new AuditRecord(r.timeMillis(), r.requestId(), r.kind(), r.principal(), r.account(), r.sourceIp(),
                r.operation(), r.bucket(), r.key(), r.versionId(), r.status(), r.errorCode(), r.bytesIn(), r.bytesOut(),
                r.tls(), details);
    }

    @Test
    void exportFileHoldsEveryRecordInOrder() throws IOException {
        Path dir = tmp.resolve("audit");
        Path export = tmp.resolve("export/audit.jsonl");
        List<AuditRecord> records = AuditTestSupport.writeLog(dir, smallOptions().withExportFile(export), 300, 1);
        List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
        assertThat(lines).containsExactlyElementsOf(records.stream().map(AuditRecord::toJson).toList());
    }

    @Test
    void concurrentAppendsAreAllChainedInPerThreadOrder() throws Exception {
        Path dir = tmp.resolve("audit");
        int threads = 8;
        int perThread = 10_000;
        AuditOptions options = AuditOptions.defaults().withSegmentBytes(1 << 20);
        try (AuditLog log = AuditLog.open(dir, options, Entropy.seeded(1), CLOCK)) {
            List<Thread> started = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                started.add(Thread.ofVirtual().start(() -> {
                    awaitQuietly(go);
                    for (int i = 0; i < perThread; i++) {
                        log.append(new AuditRecord(i, "t" + thread + "-" + i, "request", null, null, null, "GetObject",
                                "b", "k" + i, null, 200, null, 0, 0, false, Map.of()));
                    }
                }));
            }
            go.countDown();
            for (Thread t : started) {
                t.join();
            }
            assertThat(log.appended()).isEqualTo((long) threads * perThread);
        }
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo((long) threads * perThread);
        long[] next = new long[threads];
        for (AuditTestSupport.Line line : AuditTestSupport.entriesOfType(dir, 'R')) {
            String id = AuditRecord.fromJson(line.text().split(" ", 4)[3]).requestId();
            int thread = Integer.parseInt(id.substring(1, id.indexOf('-')));
            assertThat(Long.parseLong(id.substring(id.indexOf('-') + 1))).isEqualTo(next[thread]++);
        }
    }

    @Test
    void aFullQueueBlocksAppendersAndLosesNothing() throws Exception {
        Path dir = tmp.resolve("audit");
        int capacity = 4;
        AtomicLong batches = new AtomicLong();
        int threads = 4;
        int perThread = 60;
        long maxBacklog;
        long start = System.nanoTime();
        try (AuditLog log = AuditLog.open(dir, smallOptions(), Entropy.seeded(1), CLOCK, capacity, () -> {
            batches.incrementAndGet();
            sleepQuietly(5); // a slow disk
        })) {
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                started.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        log.append(record(thread * perThread + i));
                    }
                }));
            }
            long max = 0;
            while (started.stream().anyMatch(Thread::isAlive)) {
                max = Math.max(max, log.appended() - log.written());
                Thread.sleep(1);
            }
            maxBacklog = max;
        }
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("backpressure: max backlog " + maxBacklog + ", " + batches.get() + " batches, " + elapsedMillis + " ms");
        // queued (<= capacity) + the batch in the writer's hands (its first record + up to a full queue)
        assertThat(maxBacklog).isLessThanOrEqualTo(2L * capacity + 1);
        // 240 records, at most capacity + 1 per 5 ms batch: appenders must have waited for the writer
        long minBatches = (long) threads * perThread / (capacity + 1);
        assertThat(batches.get()).isGreaterThanOrEqualTo(minBatches);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(5L * minBatches);
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo((long) threads * perThread);
    }

    @Test
    void throughputOf200kAppendsFrom8VirtualThreads() throws Exception {
        Path dir = tmp.resolve("audit");
        int threads = 8;
        int perThread = 25_000;
        AuditRecord sample = record(42);
        double appendRate;
        double durableRate;
        try (AuditLog log = AuditLog.open(dir, AuditOptions.defaults(), Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 20_000; i++) { // warm the JIT
                log.append(sample);
            }
            log.flush();
            long start = System.nanoTime();
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                started.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; i < perThread; i++) {
                        log.append(sample);
                    }
                }));
            }
            for (Thread t : started) {
                t.join();
            }
            long appended = System.nanoTime();
            log.flush();
            long flushed = System.nanoTime();
            appendRate = threads * perThread / ((appended - start) / 1e9);
            durableRate = threads * perThread / ((flushed - start) / 1e9);
        }
        System.out.printf("audit append throughput: %.0f records/s appended, %.0f records/s written+fsynced"
                + " (200k records, 8 virtual threads, %d-byte JSON)%n", appendRate, durableRate,
                sample.toJson().getBytes(StandardCharsets.UTF_8).length);
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.ok()).as(report.firstProblem()).isTrue();
        assertThat(report.records()).isEqualTo(220_000);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
