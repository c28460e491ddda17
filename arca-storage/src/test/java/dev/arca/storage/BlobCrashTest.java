package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes blobs (SIGKILL at a random moment) and checks the crash contract:
 * every blob whose commit returned is present and intact, and nothing else is left half-written.
 * SIGKILL keeps the page cache, so this covers process crashes, not power loss.
 */
class BlobCrashTest {
    private static final int ROUNDS = 8;
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
        SplittableRandom random = TestSeed.random("crash");
        int swept = 0;
        int committed = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long seed = random.nextLong();
            Path root = dir.resolve("round-" + round);
            List<String> printed = runAndKill(root, seed, random.nextInt(MAX_KILL_DELAY_MILLIS));
            committed += printed.size();

            FileBlobStore store = FileBlobStore.open(root);
            swept += store.sweepTemporary();
            assertThat(root.resolve("tmp")).as("round %d (seed %d)", round, seed).isEmptyDirectory();

            Set<String> present = new HashSet<>();
            FileBlobStore.Scan scan = store.scan(present::add);
            assertThat(scan.unexpected()).isZero();
            assertThat(present).as("round %d (seed %d): acknowledged blobs", round, seed).containsAll(printed);
            // Every file under blobs/ is complete, acknowledged or not (the kill may land between
            // commit() returning and the id being printed).
            for (String id : present) {
                byte[] expected = CrashWriterMain.content(id, seed);
                try (BlobReader reader = store.open(id); InputStream in = reader.stream(0, reader.length())) {
                    assertThat(in.readAllBytes()).as("blob %s, round %d (seed %d)", id, round, seed).isEqualTo(expected);
                }
            }
        }
        System.out.println("crash test: " + committed + " acknowledged blobs, " + swept + " temporary files swept");
        assertThat(committed).isPositive();
    }

    /** Runs the child until it has committed at least one blob, kills it, returns the ids it printed. */
    private static List<String> runAndKill(Path root, long seed, int killDelayMillis) throws Exception {
        // Output goes to files, not pipes: what the child wrote before the kill is all there, and
        // nothing races with the JDK draining a dead process's pipe.
        Path stdout = root.resolveSibling(root.getFileName() + ".stdout");
        Path stderr = root.resolveSibling(root.getFileName() + ".stderr");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"),
                        CrashWriterMain.class.getName(), root.toString(), Long.toString(seed), Integer.toString(CHILD_THREADS))
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
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
        return Files.readAllLines(stdout, StandardCharsets.US_ASCII).stream().filter(BlobFormat::isValidId).toList();
    }
}
