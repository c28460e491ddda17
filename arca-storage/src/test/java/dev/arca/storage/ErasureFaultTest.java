package dev.arca.storage;

import static dev.arca.storage.ErasureTesting.chunkPosition;
import static dev.arca.storage.ErasureTesting.deleteTree;
import static dev.arca.storage.ErasureTesting.flip;
import static dev.arca.storage.ErasureTesting.readAll;
import static dev.arca.storage.ErasureTesting.shardPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures of whole drives and of shard files, on 2+2 over 4 drives: lost drives, bit rot,
 * repairs on read, leftovers of deletes, start-up checks. Every blob keeps reading byte-identical
 * while at most m shards are lost, and healing restores the exact shard files.
 */
class ErasureFaultTest {
    private static final ErasureTesting.Shape SHAPE = new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE);
    private static final int SHARDS = SHAPE.k() + SHAPE.m();
    private static final int BLOBS = 24;
    /** Bytes per read call where a test watches how far a failing stream got. */
    private static final int READ_PIECE = 1000;
    /** Longest wait for background healing; it takes milliseconds when the machine is idle. */
    private static final long BACKGROUND_TIMEOUT_MILLIS = 20_000;

    @TempDir(factory = RamTempDir.class)
    Path root;

    private SplittableRandom random;

    @BeforeEach
    void seed(TestInfo test) {
        random = TestSeed.random(test.getDisplayName());
    }

    /** Blobs of random sizes (empty, within one stripe, several stripes), by id. */
    private Map<String, byte[]> writeBlobs(ErasureBlobStore store, int count) {
        Map<String, byte[]> blobs = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = TestSeed.blobId(random);
            int size = switch (i % 4) {
                case 0 -> random.nextInt(3);
                case 1 -> random.nextInt(SHAPE.fullStripe() + 1);
                default -> random.nextInt(4 * SHAPE.fullStripe());
            };
            byte[] data = TestSeed.bytes(random, size);
            ErasureTesting.write(store, id, data, random);
            blobs.put(id, data);
        }
        return blobs;
    }

    private static void assertAllRead(ErasureBlobStore store, Map<String, byte[]> blobs, String when) throws IOException {
        for (Map.Entry<String, byte[]> e : blobs.entrySet()) {
            assertThat(readAll(store, e.getKey())).as("blob %s %s", e.getKey(), when).isEqualTo(e.getValue());
        }
    }

    private static Map<Path, byte[]> snapshot(List<Path> drives) throws IOException {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (Path p : ErasureTesting.shardFiles(drives)) {
            files.put(p, Files.readAllBytes(p));
        }
        return files;
    }

    private static void assertFilesEqual(Map<Path, byte[]> expected) throws IOException {
        for (Map.Entry<Path, byte[]> e : expected.entrySet()) {
            assertThat(e.getKey()).exists();
            assertThat(Files.readAllBytes(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    // ---- drive loss ----

    @Test
    void anyTwoLostDrivesLoseNothingAndHealingRefillsReplacements() throws IOException {
        for (int a = 0; a < SHAPE.drives(); a++) {
            for (int b = a + 1; b < SHAPE.drives(); b++) {
                loseTwoDrivesAndRecover(root.resolve("lose-" + a + "-" + b), a, b);
            }
        }
    }

    private void loseTwoDrivesAndRecover(Path dir, int a, int b) throws IOException {
        String pair = "drives " + a + " and " + b + " lost";
        List<Path> drives = ErasureTesting.drives(dir, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        Map<String, byte[]> blobs = writeBlobs(store, BLOBS);
        Map<Path, byte[]> shards = snapshot(drives);
        assertThat(shards).hasSize(BLOBS * SHARDS);

        deleteTree(drives.get(a));
        deleteTree(drives.get(b));
        assertAllRead(store, blobs, pair);
        assertThat(store.driveStatus()).extracting(ErasureBlobStore.DriveStatus::state)
                .containsExactlyInAnyOrder("offline", "offline", "online", "online");

        // Two of four shards cannot meet the write quorum (k + 1 = 3): refused, and nothing is left.
        for (int size : new int[] {0, 2 * SHAPE.fullStripe() + 1}) {
            String id = TestSeed.blobId(random);
            assertThatThrownBy(() -> ErasureTesting.write(store, id, new byte[size], random))
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.SERVICE_UNAVAILABLE));
            assertThat(store.exists(id)).isFalse();
        }
        assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
        assertThat(ErasureTesting.shardFiles(drives)).hasSize(BLOBS * SHARDS / 2);
        assertThat(store.stats().writeQuorumFailures()).isEqualTo(2);

        // Blank replacement drives: formatted, then refilled by a heal pass.
        Files.createDirectory(drives.get(a));
        Files.createDirectory(drives.get(b));
        assertThat(store.formatEmptyDrives()).containsExactly(a + 1, b + 1);
        HealJob.Summary summary = HealJob.run(store, store::forEachBlob, false, p -> {});
        assertThat(summary.scanned()).isEqualTo(BLOBS);
        assertThat(summary.healed()).isEqualTo(BLOBS);
        assertThat(summary.shardsRebuilt()).isEqualTo(2L * BLOBS);
        assertThat(summary.unrecoverable() + summary.degraded() + summary.danglingRemoved()).isZero();
        assertFilesEqual(shards);
        for (String id : blobs.keySet()) {
            assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        }

        // The rebuilt drives alone now carry everything.
        for (int d = 0; d < SHAPE.drives(); d++) {
            if (d != a && d != b) {
                deleteTree(drives.get(d));
            }
        }
        assertAllRead(store, blobs, pair + ", then the other two");
        store.close();
    }

    @Test
    void aCommitThatLosesItsQuorumLeavesNothing() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 3 * SHAPE.fullStripe() + 1);
        try (BlobWriter writer = store.create(id)) {
            writer.write(data, 0, SHAPE.fullStripe() + 1);
            // Two drives go away under the open writer (writes to its unlinked files still succeed): the
            // commit cannot publish those shards, falls below the write quorum and takes back the others.
            deleteTree(drives.get(0));
            deleteTree(drives.get(1));
            writer.write(data, SHAPE.fullStripe() + 1, 2 * SHAPE.fullStripe());
            assertThatThrownBy(writer::commit)
                    .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(FailureKind.SERVICE_UNAVAILABLE));
        }
        assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
        assertThat(ErasureTesting.shardFiles(drives)).isEmpty();
        assertThat(store.exists(id)).isFalse();
        assertThat(store.stats().writeShardFailures()).isEqualTo(2);
        assertThat(store.stats().writeQuorumFailures()).isEqualTo(1);
    }

    @Test
    void oneLostDriveStillTakesWritesWhichHealingCompletes() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        Path away = root.resolve("away");
        Files.move(drives.get(2), away);
        Map<String, byte[]> blobs = writeBlobs(store, 8);
        assertThat(ErasureTesting.shardFiles(drives)).hasSize(8 * (SHARDS - 1));
        assertThat(store.stats().writeQuorumFailures()).isZero();
        assertAllRead(store, blobs, "with drive 2 away");
        for (String id : blobs.keySet()) {
            HealReport r = store.heal(id, false);
            assertThat(r.outcome()).isEqualTo(HealReport.Outcome.DEGRADED);
            assertThat(r.unreachable()).hasSize(1);
        }
        Files.move(away, drives.get(2));
        HealJob.Summary summary = HealJob.run(store, store::forEachBlob, true, p -> {});
        assertThat(summary.healed()).isEqualTo(8);
        assertThat(ErasureTesting.shardFiles(drives)).hasSize(8 * SHARDS);
        deleteTree(drives.get(0));
        deleteTree(drives.get(1));
        assertAllRead(store, blobs, "after healing, with drives 0 and 1 gone");
    }

    // ---- bit rot ----

    @Test
    void bitRotIsServedAroundAndHealedToTheOriginalFiles() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        Map<String, byte[]> blobs = writeBlobs(store, BLOBS);
        Map<Path, byte[]> original = snapshot(drives);
        // One flip that a read certainly meets: chunk 0 of data shard 0 of a multi-stripe blob.
        String sure = blobs.entrySet().stream().filter(e -> e.getValue().length > SHAPE.fullStripe()).findFirst().orElseThrow().getKey();
        flip(shardPath(drives, sure, 0), chunkPosition(SHAPE, 0) + random.nextInt(SHAPE.chunk()));
        List<String> damaged = new ArrayList<>(List.of(sure));
        for (String id : blobs.keySet()) {
            if (id.equals(sure) || random.nextInt(3) == 0) {
                continue;
            }
            damaged.add(id);
            // Up to m shards of this blob get one to three flipped bytes anywhere in the file (distinct bytes:
            // flipping one twice would undo it).
            for (int s : distinct(1 + random.nextInt(SHAPE.m()), SHARDS)) {
                Path file = shardPath(drives, id, s);
                random.longs(Files.size(file) == 0 ? 0 : 1 + random.nextInt(3), 0, Files.size(file)).distinct()
                        .forEach(at -> flipUnchecked(file, at));
            }
        }
        assertAllRead(store, blobs, "with bit rot");
        assertThat(store.stats().corruptChunks()).isPositive();
        assertThat(store.stats().stripesReconstructed()).isPositive();

        for (String id : blobs.keySet()) {
            HealReport first = store.heal(id, true);
            assertThat(first.outcome()).as("blob %s", id)
                    .isEqualTo(damaged.contains(id) ? HealReport.Outcome.HEALED : HealReport.Outcome.HEALTHY);
            assertThat(store.heal(id, true).outcome()).as("blob %s, healed", id).isEqualTo(HealReport.Outcome.HEALTHY);
        }
        assertFilesEqual(original);
        assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
    }

    @Test
    void bitRotInMoreThanMShardsOfAStripeFailsReadsAndIsUnrecoverable() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 3 * SHAPE.fullStripe() + random.nextInt(SHAPE.fullStripe()));
        ErasureTesting.write(store, id, data, random);
        int stripe = random.nextInt(3);
        for (int s : distinct(SHAPE.m() + 1, SHARDS)) {
            flip(shardPath(drives, id, s), chunkPosition(SHAPE, stripe) + random.nextInt(SHAPE.chunk()));
        }
        try (BlobReader reader = store.open(id); InputStream in = reader.stream(0, data.length)) {
            byte[] got = new byte[data.length];
            int at = 0;
            IOException failure = null;
            try {
                for (int n; at < got.length && (n = in.read(got, at, Math.min(READ_PIECE, got.length - at))) > 0; ) {
                    at += n;
                }
            } catch (IOException e) {
                failure = e;
            }
            assertThat(failure).as("read of a stripe with k - 1 good chunks").isInstanceOf(BlobCorruptException.class);
            // What came before the failure is right, and it stopped at the bad stripe.
            assertThat(Arrays.copyOf(got, at)).isEqualTo(Arrays.copyOf(data, at));
            assertThat(at).isLessThanOrEqualTo((stripe + 1) * SHAPE.fullStripe());
        }
        assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.UNRECOVERABLE);
        assertThat(store.exists(id)).isTrue();
    }

    // ---- heal on read ----

    @Test
    void aReadThatNeededReconstructionIsHealedInTheBackground() throws Exception {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        try {
            Map<String, byte[]> blobs = writeBlobs(store, 4);
            Map<Path, byte[]> original = snapshot(drives);
            List<String> ids = new ArrayList<>(blobs.keySet());
            // One blob misses a shard file, another has a rotten data chunk.
            String missing = ids.get(1);
            String rotten = ids.stream().filter(i -> !i.equals(missing) && blobs.get(i).length > 0).findFirst().orElseThrow();
            Files.delete(shardPath(drives, missing, 1));
            flip(shardPath(drives, rotten, 0), chunkPosition(SHAPE, 0) + 1);
            assertAllRead(store, blobs, "before healing");
            assertThat(store.pendingHeals()).isEqualTo(2);
            assertThat(store.stats().healsQueued()).isEqualTo(2);

            store.startBackground(null);
            assertThat(ErasureTesting.eventually(BACKGROUND_TIMEOUT_MILLIS, () -> store.stats().blobsHealed() == 2))
                    .as("background healer repaired both blobs").isTrue();
            assertThat(store.pendingHeals()).isZero();
            assertFilesEqual(original);
            assertThat(store.heal(missing, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
            assertThat(store.heal(rotten, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        } finally {
            store.close();
        }
    }

    @Test
    void aCommitMissingAShardIsHealedInTheBackground() throws Exception {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        try {
            store.startBackground(null);
            int blobs = 20;
            for (int i = 0; i < blobs; i++) {
                String id = TestSeed.blobId(random);
                byte[] data = TestSeed.bytes(random, random.nextInt(2 * SHAPE.fullStripe()));
                try (BlobWriter writer = store.create(id)) {
                    writer.write(data, 0, data.length);
                    // One shard's temporary file vanishes (its drive hiccuped): three of four are published.
                    Path drive = drives.get(random.nextInt(SHAPE.drives()));
                    Files.delete(ErasureTesting.files(drive.resolve("tmp")).stream()
                            .filter(t -> t.getFileName().toString().startsWith(id)).findFirst().orElseThrow());
                    writer.commit();
                }
                assertThat(readAll(store, id)).isEqualTo(data);
            }
            assertThat(store.stats().writeShardFailures()).isEqualTo(blobs);
            assertThat(ErasureTesting.eventually(BACKGROUND_TIMEOUT_MILLIS, () -> store.stats().blobsHealed() == blobs))
                    .as("every commit that missed a shard was healed; stats %s", store.stats()).isTrue();
            assertThat(ErasureTesting.shardFiles(drives)).hasSize(blobs * SHARDS);
        } finally {
            store.close();
        }
    }

    // ---- dangling leftovers ----

    @Test
    void leftoversOfADeleteWhileADriveWasAwayAreRemovedOnlyWithEveryDriveOnline() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        Map<String, byte[]> blobs = writeBlobs(store, 6);
        List<String> ids = new ArrayList<>(blobs.keySet());
        String deleted = ids.get(0);
        Path away = root.resolve("away");
        Files.move(drives.get(1), away);
        assertThat(store.delete(deleted)).isTrue();
        // Written while drive 1 was away: three shards, healed when it returns.
        String writtenMeanwhile = TestSeed.blobId(random);
        byte[] meanwhile = TestSeed.bytes(random, 2 * SHAPE.fullStripe() + 3);
        ErasureTesting.write(store, writtenMeanwhile, meanwhile, random);
        Files.move(away, drives.get(1));
        blobs.remove(deleted);
        blobs.put(writtenMeanwhile, meanwhile);

        // Readable blobs at the limit: exactly k shards left (files gone, or headers rotten).
        String atLimit = ids.get(1);
        Files.delete(shardPath(drives, atLimit, 0));
        Files.delete(shardPath(drives, atLimit, 3));
        String rottenHeaders = ids.get(2);
        flip(shardPath(drives, rottenHeaders, 1), 0);
        flip(shardPath(drives, rottenHeaders, 2), ShardFormat.HEADER_BYTES - 1);

        Path leftover = shardPath(drives, deleted, shardOn(deleted, 1, SHAPE.drives()));
        assertThat(leftover).exists();
        assertThat(store.exists(deleted)).isTrue();
        assertThatThrownBy(() -> store.open(deleted)).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(BlobCorruptException.class);

        // A leftover without a tombstone (a lost blob's last shard, removed by hand here): unknown history.
        String lost = ids.get(3);
        int kept = shardOn(lost, 0, SHAPE.drives());
        for (int shard = 0; shard < SHARDS; shard++) {
            if (shard != kept) {
                Files.delete(shardPath(drives, lost, shard));
            }
        }
        Path lostLeftover = shardPath(drives, lost, kept);
        blobs.remove(lost);

        // With a drive offline the other shards may be there: an untombstoned leftover is kept. The
        // deleted blob left tombstones on the drives that saw its delete, so its leftover goes at once.
        Path away3 = root.resolve("away3");
        Files.move(drives.get(3), away3);
        assertThat(store.heal(lost, false).outcome()).isEqualTo(HealReport.Outcome.UNRECOVERABLE);
        assertThat(store.heal(deleted, false).outcome()).isEqualTo(HealReport.Outcome.DANGLING_REMOVED);
        assertThat(leftover).doesNotExist();
        assertThat(store.stats().deletedLeftoversRemoved()).isEqualTo(1);
        HealJob.Summary offline = HealJob.run(store, store::forEachHealable, false, p -> {});
        assertThat(offline.danglingRemoved()).isZero();
        assertThat(lostLeftover).exists();
        Files.move(away3, drives.get(3));

        HealJob.Summary summary = HealJob.run(store, store::forEachHealable, true, p -> {});
        assertThat(summary.danglingRemoved()).isEqualTo(1);
        assertThat(summary.unrecoverable()).isZero();
        assertThat(store.stats().danglingRemoved()).isEqualTo(1);
        assertThat(lostLeftover).doesNotExist();
        assertThat(store.exists(deleted)).isFalse();
        assertThat(store.exists(lost)).isFalse();
        assertThat(ErasureTesting.files(drives.get(0).resolve(Drive.TOMBSTONES_DIR))).as("tombstones cleared").isEmpty();
        assertAllRead(store, blobs, "after removing leftovers");
        assertThat(ErasureTesting.shardFiles(drives)).hasSize(blobs.size() * SHARDS);
        for (String id : blobs.keySet()) {
            assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        }
    }

    @Test
    void aHealInAnInterruptedThreadNeverRemovesABlob() throws IOException {
        // close() interrupts the healer and the scrubber, maybe mid-heal: reads then fail with
        // ClosedByInterruptException, which says nothing about the shards. Here the flag is set up front.
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, random.nextLong());
        Map<String, byte[]> blobs = writeBlobs(store, 4);
        List<HealReport.Outcome> outcomes = new ArrayList<>();
        for (String id : blobs.keySet()) {
            for (boolean deep : new boolean[] {false, true}) {
                Thread.currentThread().interrupt();
                try {
                    outcomes.add(store.heal(id, deep).outcome());
                } finally {
                    Thread.interrupted();
                }
            }
        }
        assertThat(outcomes).doesNotContain(HealReport.Outcome.DANGLING_REMOVED);
        assertThat(ErasureTesting.shardFiles(drives)).hasSize(blobs.size() * SHARDS);
        assertAllRead(store, blobs, "after heals in an interrupted thread");
    }

    /** Which shard of a blob drive {@code slot} holds (the inverse of the slot rotation). */
    private static int shardOn(String id, int slot, int drives) {
        return Math.floorMod(slot - Integer.parseInt(id.substring(0, 2), 16), drives);
    }

    // ---- start-up ----

    @Test
    void drivesInAnotherOrderAreRefused() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 1);
        Map<String, byte[]> blobs = writeBlobs(store, 2);
        List<Path> swapped = new ArrayList<>(drives);
        swapped.set(0, drives.get(2));
        swapped.set(2, drives.get(0));
        assertThatThrownBy(() -> ErasureTesting.open(swapped, SHAPE, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("changed order");
        assertThatThrownBy(() -> ErasureTesting.open(drives.reversed(), SHAPE, 2)).isInstanceOf(IllegalStateException.class);
        // One more drive than configured: every drive's recorded count disagrees.
        List<Path> more = new ArrayList<>(drives);
        more.add(root.resolve("drive4"));
        assertThatThrownBy(() -> ErasureTesting.open(more, SHAPE, 2)).isInstanceOf(IllegalStateException.class);
        // A drive of another deployment.
        List<Path> foreign = ErasureTesting.drives(root.resolve("other"), SHAPE.drives());
        ErasureTesting.open(foreign, SHAPE, 3).close();
        List<Path> mixed = new ArrayList<>(drives);
        mixed.set(3, foreign.get(3));
        assertThatThrownBy(() -> ErasureTesting.open(mixed, SHAPE, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deployment");
        assertAllRead(ErasureTesting.open(drives, SHAPE, 2), blobs, "in the right order");
    }

    @Test
    void aNonEmptyDirectoryThatIsNoDriveIsNotFormattedOnFirstStart() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        Files.createDirectories(drives.get(2));
        Files.write(drives.get(2).resolve("precious.txt"), new byte[] {1});
        assertThatThrownBy(() -> ErasureTesting.open(drives, SHAPE, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not an Arca drive");
        for (Path d : drives) {
            assertThat(d.resolve(Drive.FORMAT_FILE)).doesNotExist();
        }
        assertThat(drives.get(2).resolve("precious.txt")).exists();
        assertThat(ErasureTesting.files(drives.get(2))).hasSize(1);
    }

    @Test
    void fewerThanKOnlineDrivesAreRefusedAndKAreReadOnly() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        Map<String, byte[]> blobs = writeBlobs(ErasureTesting.open(drives, SHAPE, 1), 4);
        deleteTree(drives.get(0));
        deleteTree(drives.get(3));
        ErasureBlobStore degraded = ErasureTesting.open(drives, SHAPE, 2);
        assertAllRead(degraded, blobs, "with k drives");
        assertThatThrownBy(() -> ErasureTesting.write(degraded, TestSeed.blobId(random), new byte[1], random))
                .isInstanceOf(StoreException.class);
        deleteTree(drives.get(1));
        assertThatThrownBy(() -> ErasureTesting.open(drives, SHAPE, 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("only 1 of 4 drives are online");
        // A non-Arca directory where a drive was is not formatted either: it stays offline.
        Files.createDirectory(drives.get(1));
        Files.write(drives.get(1).resolve("other.txt"), new byte[] {1});
        assertThatThrownBy(() -> ErasureTesting.open(drives, SHAPE, 3)).isInstanceOf(IllegalStateException.class);
        assertThat(drives.get(1).resolve(Drive.FORMAT_FILE)).doesNotExist();
    }

    @Test
    void anEmptyReplacementDriveIsFormattedAtStartAndRefilled() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        ErasureBlobStore first = ErasureTesting.open(drives, SHAPE, 1);
        Map<String, byte[]> blobs = writeBlobs(first, 6);
        Map<Path, byte[]> original = snapshot(drives);
        first.close();
        ErasureTesting.emptyDirectory(drives.get(1));
        deleteTree(drives.get(2)); // missing: offline, never recreated

        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 2);
        assertThat(store.deploymentId()).isEqualTo(first.deploymentId());
        assertThat(drives.get(1).resolve(Drive.FORMAT_FILE)).isRegularFile();
        assertThat(drives.get(2)).doesNotExist();
        assertThat(store.stats().drivesFormatted()).isEqualTo(1);
        assertThat(store.driveStatus()).extracting(ErasureBlobStore.DriveStatus::state)
                .containsExactly("online", "online", "offline", "online");
        assertAllRead(store, blobs, "with drive 1 blank and drive 2 missing");
        HealJob.Summary summary = HealJob.run(store, store::forEachBlob, false, p -> {});
        assertThat(summary.healed()).isEqualTo(blobs.size());
        assertThat(summary.degraded()).isEqualTo(blobs.size());
        for (Map.Entry<Path, byte[]> e : original.entrySet()) {
            if (e.getKey().startsWith(drives.get(1))) {
                assertThat(Files.readAllBytes(e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void aDriveWhoseFormattingWasCutShortIsFormattedAgain() throws IOException {
        // A crash inside Drive.format leaves the layout without the format file: nothing to lose there.
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        halfFormat(drives.get(1));
        ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 1);
        for (Path d : drives) {
            assertThat(d.resolve(Drive.FORMAT_FILE)).isRegularFile();
        }
        Map<String, byte[]> blobs = writeBlobs(store, 4);
        store.close();

        // The same as a replacement drive of a running deployment.
        deleteTree(drives.get(2));
        halfFormat(drives.get(2));
        ErasureBlobStore again = ErasureTesting.open(drives, SHAPE, 2);
        assertThat(again.stats().drivesFormatted()).isEqualTo(1);
        assertThat(again.driveStatus()).extracting(ErasureBlobStore.DriveStatus::state).containsOnly("online");
        assertThat(HealJob.run(again, again::forEachBlob, false, p -> {}).healed()).isEqualTo(blobs.size());
        assertAllRead(again, blobs, "after refilling");

        // But a drive that lost only its format file still holds shards: never formatted over.
        Files.delete(drives.get(3).resolve(Drive.FORMAT_FILE));
        ErasureBlobStore third = ErasureTesting.open(drives, SHAPE, 3);
        assertThat(third.driveStatus().get(3).state()).isEqualTo("offline");
        assertThat(ErasureTesting.files(drives.get(3).resolve("shards"))).hasSize(blobs.size());
    }

    /** What an interrupted Drive.format leaves: tmp/, part of the fan-out directories, the format file's temporary. */
    private static void halfFormat(Path drive) throws IOException {
        Files.createDirectories(drive.resolve("tmp"));
        for (int i = 0; i < 100; i++) {
            Files.createDirectories(drive.resolve("shards").resolve("%02x".formatted(i)));
        }
        Files.write(drive.resolve(Drive.FORMAT_FILE + ".tmp"), new byte[7]);
    }

    @Test
    void blobsKeepTheGeometryTheyWereWrittenWith() throws IOException {
        List<Path> drives = ErasureTesting.drives(root, SHAPE.drives());
        Map<String, byte[]> old = writeBlobs(ErasureTesting.open(drives, SHAPE, 1), 6);
        ErasureTesting.Shape wider = new ErasureTesting.Shape(4, 3, 1, ErasureTesting.STRIPE / 2);
        ErasureBlobStore store = ErasureTesting.open(drives, wider, 2);
        assertAllRead(store, old, "written 2+2, read by a 3+1 store");
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 3 * wider.fullStripe() + 5);
        ErasureTesting.write(store, id, data, random);
        assertThat(Files.size(shardPath(drives, id, 0))).isEqualTo(ErasureTesting.shardFileSize(wider, data.length));
        deleteTree(drives.get(0));
        assertThat(readAll(store, id)).isEqualTo(data);
        assertAllRead(store, old, "with drive 0 gone");
        Files.createDirectory(drives.get(0));
        store.formatEmptyDrives();
        HealJob.Summary summary = HealJob.run(store, store::forEachBlob, true, p -> {});
        assertThat(summary.healed()).isEqualTo(old.size() + 1);
        deleteTree(drives.get(1));
        deleteTree(drives.get(2));
        assertAllRead(store, old, "2+2 blobs after healing, two drives gone");
    }

    @Test
    void geometriesThatCannotWorkAreRejected() {
        assertThatThrownBy(() -> new ErasureBlobStore.Geometry(0, 1, 1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErasureBlobStore.Geometry(2, -1, 1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErasureBlobStore.Geometry(4, 2, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErasureBlobStore.Geometry(1, 0, ShardFormat.MAX_CHUNK_BYTES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErasureTesting.open(ErasureTesting.drives(root, 3), SHAPE, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 4 drives");
        assertThat(ErasureBlobStore.Geometry.defaultFor(1, 1024)).isEqualTo(new ErasureBlobStore.Geometry(1, 0, 1024));
        assertThat(ErasureBlobStore.Geometry.defaultFor(4, 1024)).isEqualTo(new ErasureBlobStore.Geometry(2, 2, 1024));
        assertThat(ErasureBlobStore.Geometry.defaultFor(16, 1024)).isEqualTo(new ErasureBlobStore.Geometry(12, 4, 1024));
    }

    private static void flipUnchecked(Path file, long at) {
        try {
            flip(file, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} distinct numbers in {@code [0, bound)}. */
    private List<Integer> distinct(int count, int bound) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < bound; i++) {
            all.add(i);
        }
        for (int i = bound - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            all.set(i, all.set(j, all.get(i)));
        }
        return all.subList(0, count);
    }
}
