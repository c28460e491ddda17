package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes erasure-coded blobs (SIGKILL at a random moment) and checks the
 * crash contract after recovery (sweep, then a heal pass, as at start-up): every blob whose commit
 * returned reads back intact, and no blob is left half-written: whatever is listed has all its
 * shards and reads back intact. SIGKILL keeps the page cache, so this covers process crashes, not
 * power loss. The drives are on the real disk, not tmpfs.
 */
class ErasureCrashTest {
    private static final ErasureTesting.Shape SHAPE = ErasureCrashWriterMain.SHAPE;
    private static final int ROUNDS = 6;
    private static final int CHILD_THREADS = 2;
    /** Longest wait for the child to start and commit its first blob. */
    private static final long FIRST_COMMIT_TIMEOUT_SECONDS = 30;
    private static final long POLL_MILLIS = 10;
    /** The kill lands this long (at most) after the first commit. */
    private static final int MAX_KILL_DELAY_MILLIS = 700;

    @TempDir
    Path dir;

    @Test
    void committedBlobsSurviveSigkillAndNothingHalfWrittenRemains() throws Exception {
        SplittableRandom random = TestSeed.random("erasure crash");
        int swept = 0;
        int committed = 0;
        int leftovers = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long seed = random.nextLong();
            Path root = dir.resolve("round-" + round);
            List<String> acked = runAndKill(root, seed, random.nextInt(MAX_KILL_DELAY_MILLIS));
            committed += acked.size();
            String where = "round %d (seed %d)".formatted(round, seed);

            List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
            ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, seed);
            swept += store.sweepTemporary();
            assertThat(ErasureTesting.tempFiles(drives)).as(where).isEmpty();

            Set<String> listed = new HashSet<>();
            store.forEachBlob(listed::add);
            assertThat(listed).as("%s: acknowledged blobs", where).containsAll(acked);
            // Acknowledged blobs read back before any repair.
            for (String id : acked) {
                assertIntact(store, id, seed, where);
            }
            // Others were killed around their commit: readable ones are intact, the rest have fewer than k shards.
            for (String id : listed) {
                if (acked.contains(id)) {
                    continue;
                }
                try {
                    assertIntact(store, id, seed, where);
                } catch (UncheckedIOException e) {
                    assertThat(e).hasCauseInstanceOf(BlobCorruptException.class);
                    assertThat(shardCount(drives, id)).as("%s: leftover %s", where, id).isLessThan(SHAPE.k());
                    leftovers++;
                }
            }

            HealJob.Summary heal = HealJob.run(store, store::forEachBlob, true, p -> {});
            assertThat(heal.unrecoverable()).as(where).isZero();
            Set<String> after = new HashSet<>();
            store.forEachBlob(after::add);
            assertThat(after).as(where).containsAll(acked);
            for (String id : after) {
                assertThat(shardCount(drives, id)).as("%s: shards of %s", where, id).isEqualTo(SHAPE.k() + SHAPE.m());
                assertIntact(store, id, seed, where);
            }
            store.close();
        }
        System.out.println("erasure crash test: " + committed + " acknowledged blobs, " + swept + " temporary files swept, "
                + leftovers + " unreadable leftovers removed");
        assertThat(committed).isPositive();
    }

    private static void assertIntact(ErasureBlobStore store, String id, long seed, String where) throws IOException {
        assertThat(ErasureTesting.readAll(store, id)).as("blob %s, %s", id, where).isEqualTo(ErasureCrashWriterMain.content(id, seed));
    }

    private static int shardCount(List<Path> drives, String id) {
        int n = 0;
        for (Path d : drives) {
            if (Files.exists(d.resolve("shards").resolve(id.substring(0, 2)).resolve(id))) {
                n++;
            }
        }
        return n;
    }

    /** Runs the child until it has committed at least one blob, kills it, returns the ids it printed. */
    private static List<String> runAndKill(Path root, long seed, int killDelayMillis) throws Exception {
        // Output goes to files, not pipes: what the child wrote before the kill is all there, and
        // nothing races with the JDK draining a dead process's pipe.
        Files.createDirectories(root);
        Path stdout = root.resolveSibling(root.getFileName() + ".stdout");
        Path stderr = root.resolveSibling(root.getFileName() + ".stderr");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                // As the test JVM: the coder may use ISA-L (FFM) or the Vector API.
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"),
                ErasureCrashWriterMain.class.getName(), root.toString(), Long.toString(seed), Integer.toString(CHILD_THREADS)));
        Process child = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FIRST_COMMIT_TIMEOUT_SECONDS);
            while (printedIds(stdout).isEmpty()) {
                assertThat(child.isAlive() && System.nanoTime() < deadline)
                        .as("child is running and commits a blob in time; stderr: %s", Files.readString(stderr)).isTrue();
                Thread.sleep(POLL_MILLIS);
            }
            Thread.sleep(killDelayMillis);
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
        return printedIds(stdout);
    }

    /** Whole ids only: a line cut short by the kill names nothing. */
    private static List<String> printedIds(Path stdout) throws IOException {
        return Files.readAllLines(stdout, StandardCharsets.US_ASCII).stream().filter(l -> l.matches("[0-9a-f]{32}")).toList();
    }
}
