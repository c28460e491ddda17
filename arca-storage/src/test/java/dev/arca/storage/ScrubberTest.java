package dev.arca.storage;

import static dev.arca.storage.ErasureTesting.chunkPosition;
import static dev.arca.storage.ErasureTesting.flip;
import static dev.arca.storage.ErasureTesting.shardPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background scrubber end to end: it finds rot and blank drives on its own, at the rate it is given. */
class ScrubberTest {
    private static final ErasureTesting.Shape SHAPE = new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE);
    private static final Duration TICK = Duration.ofMillis(200);
    /** Fast enough that a pass over a few blobs takes milliseconds. */
    private static final long FAST = 64L * 1024 * 1024;
    /** Longest wait for the scrubber; it takes well under a second when the machine is idle. */
    private static final long TIMEOUT_MILLIS = 20_000;

    @TempDir(factory = RamTempDir.class)
    Path root;

    @Test
    void repairsRotAndRefillsAnEmptiedDriveOnItsOwn() throws Exception {
        SplittableRandom random = TestSeed.random("scrubber");
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        try {
            Map<String, byte[]> blobs = new LinkedHashMap<>();
            for (int i = 0; i < 8; i++) {
                String id = TestSeed.blobId(random);
                byte[] data = TestSeed.bytes(random, 1 + random.nextInt(3 * SHAPE.fullStripe()));
                ErasureTesting.write(store, id, data, random);
                blobs.put(id, data);
            }
            Map<Path, byte[]> original = new LinkedHashMap<>();
            for (Path p : ErasureTesting.shardFiles(drives)) {
                original.put(p, Files.readAllBytes(p));
            }
            // Rot in a shard no read touches (parity), and a blank drive.
            String rotten = blobs.keySet().iterator().next();
            Path rottenFile = shardPath(drives, rotten, SHAPE.k());
            flip(rottenFile, chunkPosition(SHAPE, 0) + 3);
            Path blank = drives.stream().filter(d -> !rottenFile.startsWith(d)).findFirst().orElseThrow();
            ErasureTesting.emptyDirectory(blank);

            store.startBackground(new Scrubber.Settings(FAST, TICK, TICK));
            store.startBackground(new Scrubber.Settings(FAST, TICK, TICK)); // idempotent
            assertThat(ErasureTesting.eventually(TIMEOUT_MILLIS, () -> allEqual(original) && store.stats().scrubPasses() > 0))
                    .as("scrubber repaired the rot and refilled %s; stats %s", blank, store.stats()).isTrue();
            ErasureStats.Snapshot stats = store.stats();
            assertThat(stats.drivesFormatted()).isEqualTo(1);
            assertThat(stats.corruptChunks()).isPositive();
            assertThat(stats.scrubbedBlobs()).isGreaterThanOrEqualTo(blobs.size());
            assertThat(stats.scrubbedBytes()).isPositive();
            for (Map.Entry<String, byte[]> e : blobs.entrySet()) {
                assertThat(ErasureTesting.readAll(store, e.getKey())).isEqualTo(e.getValue());
            }
        } finally {
            store.close();
        }
        assertThat(ErasureTesting.eventually(TIMEOUT_MILLIS, () -> !backgroundThreadsAlive()))
                .as("close stops the healer and the scrubber").isTrue();
    }

    @Test
    void aDriveReplacedWhileStoppedIsRefilledSoonAfterStart() throws Exception {
        SplittableRandom random = TestSeed.random("replaced while stopped");
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore first = ErasureTesting.open(drives, SHAPE, random.nextLong());
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String id = TestSeed.blobId(random);
            ErasureTesting.write(first, id, TestSeed.bytes(random, random.nextInt(2 * SHAPE.fullStripe())), random);
            ids.add(id);
        }
        first.close();
        Path replaced = drives.get(2);
        Map<Path, byte[]> lost = new LinkedHashMap<>();
        for (Path p : ErasureTesting.files(replaced.resolve("shards"))) {
            lost.put(p, Files.readAllBytes(p));
        }
        assertThat(lost).hasSize(ids.size());
        ErasureTesting.emptyDirectory(replaced);

        // The start formats the blank drive; the scrubber's drive check then refills it (deep passes are far off).
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        try {
            assertThat(store.stats().drivesFormatted()).isEqualTo(1);
            store.startBackground(new Scrubber.Settings(FAST, Duration.ofHours(1), TICK));
            assertThat(ErasureTesting.eventually(TIMEOUT_MILLIS, () -> allEqual(lost)))
                    .as("the drive formatted at start was refilled; stats %s", store.stats()).isTrue();
            assertThat(store.stats().scrubPasses()).isZero();
        } finally {
            store.close();
        }
    }

    @Test
    void aDeepPassKeepsToItsRate() throws Exception {
        SplittableRandom random = TestSeed.random("scrub rate");
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        try {
            String id = TestSeed.blobId(random);
            int size = 4 * SHAPE.fullStripe();
            ErasureTesting.write(store, id, TestSeed.bytes(random, size), random);
            // Every shard's chunks are verified: (k + m) / k times the data. A second's worth comes as a
            // burst; the remaining third of the pass must take at least half a second.
            long passBytes = (long) size * (SHAPE.k() + SHAPE.m()) / SHAPE.k();
            long rate = passBytes * 2 / 3;
            long start = System.nanoTime();
            store.startBackground(new Scrubber.Settings(rate, TICK, Duration.ofHours(1)));
            // The bytes are counted just after the pass: once they show, the pass is over.
            assertThat(ErasureTesting.eventually(TIMEOUT_MILLIS, () -> store.stats().scrubbedBytes() > 0)).isTrue();
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(TICK.toMillis() + 450);
            assertThat(store.stats().scrubbedBytes()).isEqualTo(passBytes);
        } finally {
            store.close();
        }
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new Scrubber.Settings(-1, TICK, TICK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scrubber.Settings(1, Duration.ZERO, TICK)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Scrubber.Settings(1, TICK, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Scrubber.Settings(0, TICK, TICK).bytesPerSecond()).isZero();
    }

    private static boolean allEqual(Map<Path, byte[]> files) {
        try {
            for (Map.Entry<Path, byte[]> e : files.entrySet()) {
                if (!Files.exists(e.getKey()) || !Arrays.equals(Files.readAllBytes(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false; // mid-rename: look again
        }
    }

    private static boolean backgroundThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && (t.getName().equals("arca-scrubber") || t.getName().equals("arca-healer")));
    }
}
