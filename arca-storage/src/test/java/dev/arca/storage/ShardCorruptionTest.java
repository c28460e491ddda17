package dev.arca.storage;

import static dev.arca.storage.ErasureTesting.chunkPosition;
import static dev.arca.storage.ErasureTesting.flip;
import static dev.arca.storage.ErasureTesting.readAll;
import static dev.arca.storage.ErasureTesting.readAt;
import static dev.arca.storage.ErasureTesting.shardPath;
import static dev.arca.storage.ErasureTesting.writeAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged shard files on disk (2+2 on 4 drives): damage to at most m shards of a stripe is
 * detected, served around and healed back to the exact original file; damage beyond m fails the
 * read, never returning wrong bytes. One drive (1+0) has checksums only: damage fails the read.
 */
class ShardCorruptionTest {
    private static final ErasureTesting.Shape SHAPE = new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE);
    private static final int SHARDS = SHAPE.k() + SHAPE.m();
    private static final int STRIPE = SHAPE.fullStripe();
    private static final int CHUNK = SHAPE.chunk();
    /** Four stripes, the last one short. */
    private static final int SIZE = 3 * STRIPE + 1000;
    private static final int STRIPES = 4;

    @TempDir(factory = RamTempDir.class)
    Path root;

    private List<Path> drives;
    private ErasureBlobStore store;
    private SplittableRandom random;
    private String id;
    private byte[] data;
    /** The intact shard files, to check that healing restores them exactly. */
    private byte[][] original;

    @BeforeEach
    void writeBlob() throws IOException {
        random = TestSeed.random("corruption");
        drives = ErasureTesting.drives(root, SHAPE.drives());
        store = ErasureTesting.open(drives, SHAPE, 1);
        id = TestSeed.blobId(random);
        data = TestSeed.bytes(random, SIZE);
        ErasureTesting.write(store, id, data, random);
        original = new byte[SHARDS][];
        for (int s = 0; s < SHARDS; s++) {
            original[s] = Files.readAllBytes(shard(s));
        }
    }

    @Test
    void aFlippedChunkByteIsServedAroundCountedOnceAndHealed() throws IOException {
        for (int s = 0; s < SHARDS; s++) {
            int bad = random.nextInt(STRIPES);
            int chunkLength = bad == STRIPES - 1 ? Math.ceilDiv(SIZE - 3 * STRIPE, SHAPE.k()) : CHUNK;
            flip(shard(s), chunkPosition(SHAPE, bad) + random.nextInt(chunkLength));
            ErasureStats.Snapshot before = store.stats();
            assertReads(0, SIZE);
            ErasureStats.Snapshot after = store.stats();
            if (s < SHAPE.k()) {
                // A data chunk is read and fails; parity is read only to reconstruct it.
                assertThat(after.corruptChunks() - before.corruptChunks()).as("shard %d stripe %d", s, bad).isEqualTo(1);
                assertThat(after.stripesReconstructed() - before.stripesReconstructed()).isEqualTo(1);
            } else {
                assertThat(after.corruptChunks()).as("parity is not read while the data verifies").isEqualTo(before.corruptChunks());
            }
            // Every range still reads right.
            for (int i = 0; i < 20; i++) {
                int offset = random.nextInt(SIZE);
                assertReads(offset, 1 + random.nextInt(SIZE - offset));
            }
            assertThat(store.heal(id, false).outcome()).as("a shallow heal checks no chunks").isEqualTo(HealReport.Outcome.HEALTHY);
            HealReport healed = store.heal(id, true);
            assertThat(healed.outcome()).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(healed.rebuilt()).containsExactly(s);
            assertThat(healed.detail()).contains("shard " + s + " chunk " + bad);
            assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
            assertShardsIntact();
        }
    }

    @Test
    void aFlippedChunkCrcIsDetected() throws IOException {
        flip(shard(1), chunkPosition(SHAPE, 1) + CHUNK + random.nextInt(ShardFormat.CRC_BYTES));
        long before = store.stats().corruptChunks();
        assertReads(STRIPE + CHUNK + 5, 1);
        assertThat(store.stats().corruptChunks()).isEqualTo(before + 1);
        assertReads(0, SIZE);
        assertThat(store.heal(id, true).rebuilt()).containsExactly(1);
        assertShardsIntact();
    }

    @Test
    void moreThanMBadChunksInAStripeFailTheReadAndNeverReturnWrongBytes() throws IOException {
        // Stripe 1 loses three of its four chunks; the other stripes keep at least k.
        flip(shard(0), chunkPosition(SHAPE, 1) + 7);
        flip(shard(2), chunkPosition(SHAPE, 1) + 8);
        flip(shard(3), chunkPosition(SHAPE, 1) + 9);
        flip(shard(3), chunkPosition(SHAPE, 2) + 9);
        try (BlobReader reader = store.open(id)) {
            assertCorrupt(reader, STRIPE, 1, 1);
            assertCorrupt(reader, 0, SIZE, 1);
            // Chunk 1 of stripe 1 verifies: bytes served from it are right.
            assertReads(reader, STRIPE + CHUNK, CHUNK);
            assertReads(reader, 0, STRIPE);
            assertReads(reader, 2 * STRIPE, SIZE - 2 * STRIPE);
            // A stream keeps failing at the bad stripe, whichever way it is read.
            try (InputStream in = reader.stream(STRIPE - 10, 20)) {
                assertThat(in.readNBytes(10)).isEqualTo(Arrays.copyOfRange(data, STRIPE - 10, STRIPE));
                assertThatThrownBy(in::read).isInstanceOf(BlobCorruptException.class).hasMessageContaining("stripe 1");
                assertThatThrownBy(() -> in.read(new byte[5], 0, 5)).isInstanceOf(BlobCorruptException.class);
                assertThatThrownBy(() -> in.transferTo(OutputStream.nullOutputStream())).isInstanceOf(BlobCorruptException.class);
            }
        }
        HealReport report = store.heal(id, true);
        assertThat(report.outcome()).isEqualTo(HealReport.Outcome.UNRECOVERABLE);
        assertThat(report.detail()).contains("stripe 1");
        assertThat(store.stats().unrecoverableBlobs()).isPositive();
        // What is left is kept: nothing is deleted or half-rewritten.
        for (int s = 0; s < SHARDS; s++) {
            assertThat(shard(s)).exists();
        }
        assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
    }

    @Test
    void damageOnMoreThanMShardsInDifferentStripesIsHealed() throws IOException {
        // Three of four shards are damaged, but every stripe keeps three good chunks.
        for (int s = 0; s < 3; s++) {
            flip(shard(s), chunkPosition(SHAPE, s) + random.nextInt(CHUNK));
        }
        assertReads(0, SIZE);
        HealReport report = store.heal(id, true);
        assertThat(report.outcome()).isEqualTo(HealReport.Outcome.HEALED);
        assertThat(report.rebuilt()).containsExactly(0, 1, 2);
        assertShardsIntact();
        assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
    }

    @Test
    void oneDriveHasChecksumsOnly() throws IOException {
        ErasureTesting.Shape single = new ErasureTesting.Shape(1, 1, 0, ErasureTesting.STRIPE);
        List<Path> one = ErasureTesting.drives(root.resolve("single"), 1);
        ErasureBlobStore solo = ErasureTesting.open(one, single, 2);
        ErasureTesting.write(solo, id, data, random);
        Path file = shardPath(one, id, 0);
        flip(file, chunkPosition(single, 2) + 100);
        try (BlobReader reader = solo.open(id)) {
            assertCorrupt(reader, 2 * single.fullStripe() + 100, 1, 2);
            assertReads(reader, 0, 2 * single.fullStripe());
        }
        assertThat(solo.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.UNRECOVERABLE);
        assertThat(file).exists();
    }

    @Test
    void chunksSwappedWithinAShardAreDetected() throws IOException {
        byte[] chunk0 = readAt(shard(0), chunkPosition(SHAPE, 0), CHUNK + ShardFormat.CRC_BYTES);
        byte[] chunk1 = readAt(shard(0), chunkPosition(SHAPE, 1), CHUNK + ShardFormat.CRC_BYTES);
        writeAt(shard(0), chunkPosition(SHAPE, 0), chunk1);
        writeAt(shard(0), chunkPosition(SHAPE, 1), chunk0);
        assertReads(0, SIZE);
        assertThat(store.stats().corruptChunks()).isEqualTo(2);
        assertThat(store.heal(id, true).rebuilt()).containsExactly(0);
        assertShardsIntact();
    }

    @Test
    void aChunkFromAnotherShardOrBlobIsDetected() throws IOException {
        // Same bytes and shard number, but written for another blob: its CRC does not verify here.
        String twin = id.substring(0, 2) + TestSeed.blobId(random).substring(2);
        byte[] twinData = data.clone();
        ErasureTesting.write(store, twin, twinData, random);
        byte[] foreign = readAt(shardPath(drives, twin, 0), chunkPosition(SHAPE, 0), CHUNK + ShardFormat.CRC_BYTES);
        byte[] ours = Arrays.copyOfRange(original[0], ShardFormat.HEADER_BYTES, ShardFormat.HEADER_BYTES + CHUNK + ShardFormat.CRC_BYTES);
        assertThat(Arrays.copyOf(foreign, CHUNK)).as("same data bytes").isEqualTo(Arrays.copyOf(ours, CHUNK));
        assertThat(foreign).as("different CRC").isNotEqualTo(ours);
        writeAt(shard(0), chunkPosition(SHAPE, 0), foreign);
        // Parity chunk of shard 3, moved into shard 2.
        writeAt(shard(2), chunkPosition(SHAPE, 1), readAt(shard(3), chunkPosition(SHAPE, 1), CHUNK + ShardFormat.CRC_BYTES));
        try (BlobReader reader = store.open(id)) {
            assertReads(reader, 0, SIZE);
        }
        assertThat(store.stats().corruptChunks()).isEqualTo(1);
        HealReport healed = store.heal(id, true);
        assertThat(healed.rebuilt()).containsExactly(0, 2);
        assertShardsIntact();
    }

    @Test
    void everyFlippedHeaderOrFooterByteInvalidatesOnlyThatShard() throws IOException {
        Path file = shard(1);
        long size = Files.size(file);
        for (long at = 0; at < size; at = at == ShardFormat.HEADER_BYTES - 1 ? size - ShardFormat.FOOTER_BYTES : at + 1) {
            flip(file, at);
            long missing = store.stats().missingShards();
            try (BlobReader reader = store.open(id)) {
                assertThat(readAll(reader)).as("byte %d flipped", at).isEqualTo(data);
            }
            assertThat(store.stats().missingShards()).as("byte %d flipped", at).isEqualTo(missing + 1);
            flip(file, at);
        }
        // Headers damaged on m + 1 shards: fewer than k remain, and open says so.
        for (int s = 0; s < SHAPE.m() + 1; s++) {
            // Past the version field: a damaged version reads as "unsupported", which is never treated as damage.
            flip(shard(s), 12 + random.nextInt(ShardFormat.HEADER_BYTES - 12));
        }
        assertThatThrownBy(() -> store.open(id).close()).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(BlobCorruptException.class).hasMessageContaining(id).hasMessageContaining("only 1 shard");
    }

    @Test
    void aFlippedHeaderBitIsHealedToTheOriginalFile() throws IOException {
        flip(shard(2), 30); // the shard index
        assertReads(0, SIZE);
        HealReport report = store.heal(id, false);
        assertThat(report.outcome()).isEqualTo(HealReport.Outcome.HEALED);
        assertThat(report.rebuilt()).containsExactly(2);
        assertShardsIntact();
    }

    @Test
    void aNewerFormatVersionIsReportedAsSuchAndNeverRemoved() throws IOException {
        for (int s = 0; s < SHARDS; s++) {
            ByteBuffer header = ByteBuffer.wrap(readAt(shard(s), 0, ShardFormat.HEADER_BYTES));
            header.putInt(8, 2);
            CRC32C crc = new CRC32C();
            crc.update(header.array(), 0, ShardFormat.HEADER_BYTES - ShardFormat.CRC_BYTES);
            header.putInt(ShardFormat.HEADER_BYTES - ShardFormat.CRC_BYTES, (int) crc.getValue());
            writeAt(shard(s), 0, header.array());
        }
        assertThatThrownBy(() -> store.open(id).close()).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(UnsupportedBlobFormatException.class).hasMessageContaining("format version 2");
        assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.UNRECOVERABLE);
        HealJob.Summary summary = HealJob.run(store, store::forEachBlob, true, p -> {});
        assertThat(summary.danglingRemoved()).isZero();
        for (int s = 0; s < SHARDS; s++) {
            assertThat(shard(s)).exists();
        }
    }

    @Test
    void truncatedExtendedOrEmptyShardFilesAreRebuilt() throws IOException {
        long[] lengths = {0, 1, ShardFormat.HEADER_BYTES, ShardFormat.HEADER_BYTES + ShardFormat.FOOTER_BYTES - 1,
                ShardFormat.HEADER_BYTES + ShardFormat.FOOTER_BYTES, CHUNK, original[0].length - ShardFormat.FOOTER_BYTES,
                original[0].length - ShardFormat.FOOTER_BYTES - ShardFormat.CRC_BYTES, original[0].length - 1,
                original[0].length + 1};
        for (long length : lengths) {
            int s = random.nextInt(SHARDS);
            Files.write(shard(s), Arrays.copyOf(original[s], (int) length));
            assertReads(0, SIZE);
            HealReport report = store.heal(id, false);
            assertThat(report.outcome()).as("shard %d cut to %d bytes", s, length).isEqualTo(HealReport.Outcome.HEALED);
            assertThat(report.rebuilt()).containsExactly(s);
            assertShardsIntact();
        }
    }

    @Test
    void shardFilesSwappedBetweenDrivesAreInvalid() throws IOException {
        Path a = shard(0);
        Path b = shard(3);
        Path aside = a.resolveSibling("aside");
        Files.move(a, aside);
        Files.move(b, a);
        Files.move(aside, b);
        assertReads(0, SIZE);
        HealReport report = store.heal(id, false);
        assertThat(report.rebuilt()).containsExactly(0, 3);
        assertThat(report.detail()).contains("found in the slot of shard");
        assertShardsIntact();
    }

    @Test
    void aShardFileUnderAnotherIdIsInvalid() throws IOException {
        // Same first byte: the same drives hold the same shard numbers of both blobs.
        String otherId = id.substring(0, 2) + TestSeed.blobId(random).substring(2);
        ErasureTesting.write(store, otherId, new byte[] {1, 2, 3}, random);
        Files.copy(shard(0), shardPath(drives, otherId, 0), StandardCopyOption.REPLACE_EXISTING);
        try (BlobReader reader = store.open(otherId)) {
            assertThat(readAll(reader)).containsExactly(1, 2, 3);
        }
        HealReport report = store.heal(otherId, false);
        assertThat(report.detail()).contains("holds blob " + id);
        assertThat(report.rebuilt()).containsExactly(0);
        assertReads(0, SIZE);
    }

    @Test
    void aShardTruncatedUnderAnOpenReaderIsServedAround() throws IOException {
        try (BlobReader reader = store.open(id)) {
            ErasureTesting.truncate(shard(0), chunkPosition(SHAPE, 2) + 10);
            assertReads(reader, 0, 2 * STRIPE);
            assertThat(store.stats().stripesReconstructed()).isZero();
            assertReads(reader, 2 * STRIPE, SIZE - 2 * STRIPE);
            assertThat(store.stats().stripesReconstructed()).isEqualTo(2);
        }
        assertThat(store.heal(id, false).rebuilt()).containsExactly(0);
        assertShardsIntact();
    }

    private Path shard(int s) {
        return shardPath(drives, id, s);
    }

    private void assertShardsIntact() throws IOException {
        for (int s = 0; s < SHARDS; s++) {
            assertThat(Files.readAllBytes(shard(s))).as("shard %d", s).isEqualTo(original[s]);
        }
        assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
    }

    private void assertCorrupt(BlobReader reader, long offset, int length, int stripe) {
        assertThatThrownBy(() -> {
            try (InputStream in = reader.stream(offset, length)) {
                in.readAllBytes();
            }
        }).as("range [%d, +%d) over bad stripe %d", offset, length, stripe)
                .isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining("blob " + id)
                .hasMessageContaining("stripe " + stripe + " ");
    }

    private void assertReads(int offset, int length) throws IOException {
        try (BlobReader reader = store.open(id)) {
            assertReads(reader, offset, length);
        }
    }

    private void assertReads(BlobReader reader, int offset, int length) throws IOException {
        try (InputStream in = reader.stream(offset, length)) {
            assertThat(in.readAllBytes()).as("range [%d, +%d)", offset, length)
                    .isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
        }
    }
}
