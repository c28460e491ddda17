package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child process that writes synced batches ({@link RocksKvCrashChild}) with SIGKILL at a
 * random moment, reopens the store and checks that every acknowledged batch is wholly present and
 * that no batch is partly present. Several rounds continue the same store.
 *
 * <p>SIGKILL loses the process, not the OS page cache, so this proves atomic batches and WAL
 * recovery, not fsync against power loss.
 */
class RocksKvCrashTest {
    private static final int ROUNDS = 4;
    private static final long MAX_KILL_DELAY_MS = 600;
    private static final long CHILD_START_TIMEOUT_S = 30;

    @TempDir
    Path tmp;

    @Test
    @Timeout(120)
    void acknowledgedBatchesSurviveSigkillAndNoBatchIsPartial() throws Exception {
        long seed = KvTesting.seed("RocksKvCrashTest");
        SplittableRandom random = new SplittableRandom(seed);
        Path dir = tmp.resolve("db");
        long next = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String where = "seed=" + seed + " round=" + round;
            long killDelayMs = random.nextLong(MAX_KILL_DELAY_MS + 1);
            long acknowledged = runAndKill(dir, next, killDelayMs, round);
            System.out.println(where + ": killed after " + killDelayMs + " ms, acknowledged through "
                    + acknowledged + " (started at " + next + ")");
            assertThat(acknowledged).as(where + ": the child acknowledged nothing").isGreaterThanOrEqualTo(next);
            next = verify(dir, acknowledged, where) + 1;
        }
    }

    /** Runs the child from {@code first}, kills it, returns the last sequence it acknowledged. */
    private long runAndKill(Path dir, long first, long killDelayMs, int round) throws Exception {
        Path childTmp = Files.createDirectories(tmp.resolve("child-tmp"));
        Path stderr = tmp.resolve("child-" + round + ".err");
        Path acks = tmp.resolve("child-" + round + ".acks");
        // Acks go to a file, not a pipe: Process.destroyForcibly() closes the parent's end of a pipe,
        // losing acks still in it, which would under-count and fake a durability failure.
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-XX:TieredStopAtLevel=1",
                        // The native library is extracted here; a killed JVM cannot delete it.
                        "-Djava.io.tmpdir=" + childTmp,
                        "-cp", System.getProperty("java.class.path"),
                        RocksKvCrashChild.class.getName(),
                        dir.toString(),
                        Long.toString(first))
                .redirectOutput(acks.toFile())
                .redirectError(stderr.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_START_TIMEOUT_S);
            while (Files.size(acks) == 0) {
                assertThat(child.isAlive()).as("child died: %s", Files.readString(stderr)).isTrue();
                assertThat(System.nanoTime()).as("no ack within %d s", CHILD_START_TIMEOUT_S).isLessThan(deadline);
                Thread.sleep(1);
            }
            Thread.sleep(killDelayMs);
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(CHILD_START_TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        long lastAck = first - 1;
        String content = Files.readString(acks, StandardCharsets.UTF_8);
        // Only complete lines count: a line cut by the kill was never fully acknowledged.
        String complete = content.substring(0, content.lastIndexOf('\n') + 1);
        for (String line : complete.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            assertThat(line).as("ack line").matches("\\d+");
            long seq = Long.parseLong(line);
            assertThat(seq).as("acks in order").isEqualTo(lastAck + 1);
            lastAck = seq;
        }
        return lastAck;
    }

    /** Checks the reopened store; returns the last batch present. */
    private static long verify(Path dir, long acknowledged, String where) {
        try (RocksKv store = RocksKv.open(dir, RocksKvTest.TEST_OPTIONS)) {
            byte[] lastBytes = store.get(RocksKvCrashChild.LAST);
            assertThat(lastBytes).as(where + ": no batch at all").isNotNull();
            long last = ByteBuffer.wrap(lastBytes).getLong();
            // A batch written but not yet acknowledged may be there (at most the one in flight).
            assertThat(last).as(where + ": acknowledged batches lost").isBetween(acknowledged, acknowledged + 1);
            long dataKeys = 0;
            for (long seq = 0; seq <= last; seq++) {
                for (int i = 0; i < RocksKvCrashChild.keysPerBatch(seq); i++) {
                    byte[] value = store.get(RocksKvCrashChild.dataKey(seq, i));
                    assertThat(value).as(where + ": batch " + seq + " key " + i).isEqualTo(RocksKvCrashChild.value(seq, i));
                    dataKeys++;
                }
            }
            // Nothing of a later batch: the data keys are exactly those of batches 0..last.
            assertThat(KvTesting.keys(store.scan(utf8("b/"), Bytes.prefixEnd(utf8("b/")))))
                    .as(where + ": keys of a partial or phantom batch").hasSize(Math.toIntExact(dataKeys));
            // Each batch deletes the previous batch's marker: exactly one survives, the last one.
            List<String> markers = KvTesting.keys(store.scan(utf8("t/"), Bytes.prefixEnd(utf8("t/"))));
            assertThat(markers).as(where).containsExactly(KvTesting.hex(RocksKvCrashChild.tombKey(last)));
            return last;
        }
    }
}
