package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blob deleted while drives holding k of its shards are away must stay deleted when they come
 * back with their old contents: without tombstones those k shards would make it readable again
 * and healing would rebuild it as an unreferenced blob.
 */
class TombstoneTest {
    private static final ErasureTesting.Shape SHAPE = new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE);
    private static final String ID = "0a".repeat(16);
    private static final String OTHER = "1b".repeat(16);

    @TempDir(factory = RamTempDir.class)
    Path root;

    private SplittableRandom random;
    private List<Path> drives;

    @BeforeEach
    void setUp(TestInfo test) {
        random = TestSeed.random(test.getDisplayName());
        drives = ErasureTesting.drives(root, SHAPE.drives());
    }

    /** Takes a drive away with its contents (an unplugged disk), to be put back later. */
    private Path away(int slot) throws IOException {
        Path parked = root.resolve("parked-" + slot);
        Files.move(drives.get(slot), parked);
        return parked;
    }

    private void back(int slot, Path parked) throws IOException {
        Files.move(parked, drives.get(slot));
    }

    private List<Path> tombstones() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path d : drives) {
            Path dir = d.resolve(Drive.TOMBSTONES_DIR);
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    s.forEach(out::add);
                }
            }
        }
        return out;
    }

    @Test
    void aBlobDeletedWhileTwoDrivesWereAwayStaysDeletedWhenTheyReturn() throws Exception {
        try (ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 1)) {
            byte[] data = ErasureTesting.content(ID, 3 * SHAPE.fullStripe() + 17);
            ErasureTesting.write(store, ID, data, random);
            ErasureTesting.write(store, OTHER, ErasureTesting.content(OTHER, SHAPE.fullStripe()), random);
            Path p0 = away(0);
            Path p1 = away(1);
            assertThat(store.delete(ID)).isTrue();
            // Two drives were reachable: each records the delete.
            assertThat(tombstones()).hasSize(2);
            assertThat(store.stats().tombstonesWritten()).isEqualTo(1);
            back(0, p0);
            back(1, p1);
            // The returned drives hold 2 = k shards: readable, were it not for the tombstones.
            long leftovers = ErasureTesting.shardFiles(drives).stream().filter(f -> f.getFileName().toString().equals(ID)).count();
            assertThat(leftovers).isEqualTo(2);

            HealJob.Summary s = HealJob.run(store, store::forEachHealable, true, p -> {});
            assertThat(s.danglingRemoved()).isEqualTo(1);
            assertThat(s.healed()).isZero();
            assertThat(ErasureTesting.shardFiles(drives)).noneMatch(f -> f.getFileName().toString().equals(ID));
            assertThat(tombstones()).as("cleared once every drive is back").isEmpty();
            assertThat(store.stats().deletedLeftoversRemoved()).isEqualTo(2);
            assertThatThrownBy(() -> store.open(ID)).isInstanceOf(NoSuchBlobException.class);
            // The other blob was never deleted and is untouched.
            assertThat(store.heal(OTHER, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
        }
    }

    @Test
    void tombstonesStayUntilEveryDriveIsBack() throws Exception {
        try (ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 2)) {
            ErasureTesting.write(store, ID, ErasureTesting.content(ID, SHAPE.fullStripe() + 1), random);
            Path p0 = away(0);
            Path p1 = away(1);
            store.delete(ID);
            back(0, p0);
            // Drive 1 is still away: its shard may come back later, so the tombstones must stay.
            assertThat(store.heal(ID, false).outcome()).isEqualTo(HealReport.Outcome.DANGLING_REMOVED);
            assertThat(tombstones()).isNotEmpty();
            back(1, p1);
            assertThat(store.heal(ID, false).outcome()).isEqualTo(HealReport.Outcome.DANGLING_REMOVED);
            assertThat(tombstones()).isEmpty();
            assertThat(store.heal(ID, false).outcome()).isEqualTo(HealReport.Outcome.NOT_FOUND);
        }
    }

    @Test
    void aDeleteWithEveryDriveOnlineLeavesNoTombstone() throws Exception {
        try (ErasureBlobStore store = ErasureTesting.open(drives, SHAPE, 3)) {
            ErasureTesting.write(store, ID, ErasureTesting.content(ID, 1000), random);
            assertThat(store.delete(ID)).isTrue();
            assertThat(store.delete(ID)).isFalse();
            assertThat(tombstones()).isEmpty();
            assertThat(store.stats().tombstonesWritten()).isZero();
        }
    }
}
