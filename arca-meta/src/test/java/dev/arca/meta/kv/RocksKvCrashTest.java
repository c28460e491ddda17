package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
                .redirectError(stderr.toFile())
                .start();
        AtomicLong lastAck = new AtomicLong(first - 1);
        CompletableFuture<Void> firstAck = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    long seq = Long.parseLong(line);
                    if (seq != lastAck.get() + 1) {
                        throw new IllegalStateException("acks out of order: " + seq + " after " + lastAck.get());
                    }
                    lastAck.set(seq);
                    firstAck.complete(null);
                }
            } catch (IOException | RuntimeException e) {
                firstAck.completeExceptionally(e);
            } finally {
                firstAck.complete(null);
            }
        });
        try {
            firstAck.get(CHILD_START_TIMEOUT_S, TimeUnit.SECONDS);
            assertThat(child.isAlive()).as("child died: %s", Files.readString(stderr)).isTrue();
            Thread.sleep(killDelayMs);
        } finally {
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(CHILD_START_TIMEOUT_S, TimeUnit.SECONDS)).isTrue();
            reader.join();
        }
        assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        return lastAck.get();
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
