package dev.arca.server.zerocopy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.ByteRange;
import dev.arca.core.Entropy;
import dev.arca.erasure.ErasureCoders;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.s3.http.FileSource;
import dev.arca.storage.BlobWriter;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Zero-copy sources over real shard files written by {@link ErasureBlobStore}: pieces concatenate
 * to exactly the requested bytes for any geometry and range; damage and missing shards are read
 * through the ordinary path in verified mode; anything not in format 1 as expected is refused.
 */
class ShardFileReadsTest {
    @TempDir
    Path tmp;

    private ErasureBlobStore store;
    private List<Path> drives;
    private int nextId;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private void openStore(int driveCount, int k, int m, int stripeBytes) {
        drives = new ArrayList<>();
        for (int i = 1; i <= driveCount; i++) {
            drives.add(tmp.resolve("drive-" + i));
        }
        store = ErasureBlobStore.open(drives, new ErasureBlobStore.Geometry(k, m, stripeBytes), ErasureCoders::create,
                Entropy.seeded(7));
    }

    /** A new blob holding {@code data}; ids vary in their first byte, so shards rotate over the drives. */
    private String blob(byte[] data) {
        String id = HexFormat.of().toHexDigits((byte) (nextId * 37 + 11)) + "%030x".formatted(++nextId);
        try (BlobWriter w = store.create(id)) {
            w.write(data, 0, data.length);
            w.commit();
        }
        return id;
    }

    private static ObjectRecord record(List<BlobSpan> spans) {
        long size = spans.stream().mapToLong(BlobSpan::length).sum();
        return new ObjectRecord("v1", size, "etag", 0, "owner", ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Blobs(spans));
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private ShardFileReads reads(ShardFileReads.Mode mode) {
        return new ShardFileReads(mode, drives, store);
    }

    /** Every byte of {@code source}, piece by piece; also checks no region runs past a chunk's data. */
    private static byte[] drain(FileSource source) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (source) {
            FileSource.Piece piece;
            while ((piece = source.next()) != null) {
                assertThat(piece.count()).isPositive();
                switch (piece) {
                    case FileSource.Region r -> {
                        ByteBuffer b = ByteBuffer.allocate((int) r.count());
                        while (b.hasRemaining()) {
                            assertThat(r.channel().read(b, r.position() + b.position())).isPositive();
                        }
                        out.write(b.array());
                    }
                    case FileSource.Bytes b -> out.write(b.data());
                    case FileSource.Lent l -> {
                        byte[] b = new byte[(int) l.count()];
                        l.data().duplicate().get(b);
                        out.write(b);
                        l.release().run();
                    }
                }
                source.sent(piece); // as the transport does once a piece is out
            }
        }
        return out.toByteArray();
    }

    private static Optional<FileSource> open(ShardFileReads reads, ObjectRecord record, long first, long last) {
        ByteRange range = first == 0 && last == record.size() - 1 ? null : new ByteRange(first, last);
        return reads.open("b", "k", record, range, last - first + 1, new ByteArrayInputStream(new byte[0]));
    }

    private static void assertServes(ShardFileReads reads, ObjectRecord record, byte[] data, long first, long last)
            throws IOException {
        Optional<FileSource> source = open(reads, record, first, last);
        assertThat(source).as("bytes %d-%d go zero-copy", first, last).isPresent();
        assertThat(drain(source.get())).as("bytes %d-%d", first, last)
                .isEqualTo(Arrays.copyOfRange(data, (int) first, (int) last + 1));
    }

    /** Ranges at and around every chunk and stripe boundary of a blob of {@code length}, plus a few random ones. */
    private static List<long[]> ranges(long length, int k, int stripeBytes, long seed) {
        int chunk = Math.ceilDiv(stripeBytes, k);
        List<Long> points = new ArrayList<>(List.of(0L, 1L, length - 2, length - 1));
        for (long stripe = 0; stripe * stripeBytes < length; stripe++) {
            for (int j = 0; j <= k; j++) {
                long at = stripe * stripeBytes + (long) j * chunk;
                points.addAll(List.of(at - 1, at, at + 1));
            }
        }
        List<long[]> out = new ArrayList<>();
        out.add(new long[] {0, length - 1});
        for (long p : points) {
            if (p >= 0 && p < length) {
                out.add(new long[] {p, p});
                out.add(new long[] {p, length - 1});
                out.add(new long[] {0, p});
                out.add(new long[] {p, Math.min(length - 1, p + chunk)});
            }
        }
        Random random = new Random(seed);
        for (int i = 0; i < 20; i++) {
            long a = random.nextLong(length);
            long b = random.nextLong(length);
            out.add(new long[] {Math.min(a, b), Math.max(a, b)});
        }
        return out;
    }

    @ParameterizedTest(name = "{0} drives, {1}+{2}, stripe {3}")
    @CsvSource({"1, 1, 0, 4096", "4, 2, 2, 4096", "4, 3, 1, 4096", "6, 4, 2, 1000", "5, 2, 2, 999", "4, 2, 2, 1048576"})
    void anyGeometryAndRangeIsServedExactly(int driveCount, int k, int m, int stripeBytes) throws IOException {
        openStore(driveCount, k, m, stripeBytes);
        for (ShardFileReads.Mode mode : List.of(ShardFileReads.Mode.VERIFIED, ShardFileReads.Mode.UNVERIFIED)) {
            ShardFileReads reads = reads(mode);
            // One byte, one partial stripe, exact stripes, a last stripe of one byte, several stripes and a bit.
            for (int length : List.of(1, stripeBytes / 2 + 1, stripeBytes, 2 * stripeBytes + 1, 3 * stripeBytes + 7)) {
                byte[] data = random(length, length);
                ObjectRecord record = record(List.of(new BlobSpan(blob(data), length)));
                for (long[] r : ranges(length, k, stripeBytes, length)) {
                    assertServes(reads, record, data, r[0], r[1]);
                }
            }
            assertThat(reads.ordinaryReads()).isZero();
        }
    }

    @Test
    void aMultiBlobObjectIsServedAcrossItsBlobs() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] a = random(1, 4096 * 2 + 5);
        byte[] b = random(2, 3000);
        byte[] c = random(3, 4096 + 1);
        ObjectRecord record = record(List.of(new BlobSpan(blob(a), a.length), new BlobSpan(blob(b), b.length),
                new BlobSpan(blob(c), c.length)));
        byte[] all = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        System.arraycopy(c, 0, all, a.length + b.length, c.length);
        ShardFileReads reads = reads(ShardFileReads.Mode.VERIFIED);
        for (long[] r : ranges(all.length, 2, 4096, 9)) {
            assertServes(reads, record, all, r[0], r[1]);
        }
        assertServes(reads, record, all, a.length - 1, a.length + b.length); // last of a, all of b, first of c
        assertThat(reads.ordinaryReads()).isZero();
    }

    /** The shard file of shard {@code s} of {@code blobId}, where the store puts it. */
    private Path shardFile(String blobId, int s) {
        int slot = (Integer.parseInt(blobId.substring(0, 2), 16) + s) % drives.size();
        return drives.get(slot).resolve("shards").resolve(blobId.substring(0, 2)).resolve(blobId);
    }

    private static void flip(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, position);
        }
    }

    @Test
    void aDamagedChunkIsReadThroughTheOrdinaryPathInVerifiedMode() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(5, 4096 * 4 + 100);
        String id = blob(data);
        ObjectRecord record = record(List.of(new BlobSpan(id, data.length)));
        // Chunk 1 of data shard 0 and chunk 2 of data shard 1 (chunks are 2048 bytes, each followed by a CRC).
        flip(shardFile(id, 0), 40 + (2048 + 4) + 17);
        flip(shardFile(id, 1), 40 + 2 * (2048 + 4) + 2047);
        ShardFileReads reads = reads(ShardFileReads.Mode.VERIFIED);
        for (long[] r : ranges(data.length, 2, 4096, 3)) {
            assertServes(reads, record, data, r[0], r[1]);
        }
        assertThat(reads.ordinaryReads()).isPositive();
        assertThat(store.stats().corruptChunks()).as("the ordinary reader reported the damage").isPositive();
        assertThat(store.pendingHeals()).as("and queued the blob for healing").isEqualTo(1);

        // Once healed, nothing is read through the ordinary path any more.
        store.heal(id, true);
        ShardFileReads healed = reads(ShardFileReads.Mode.VERIFIED);
        assertServes(healed, record, data, 0, data.length - 1);
        assertThat(healed.ordinaryReads()).isZero();
    }

    @Test
    void unverifiedModeSendsDamageAsIsAndVerifiedModeNeverDoes() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(6, 4096 * 2);
        String id = blob(data);
        ObjectRecord record = record(List.of(new BlobSpan(id, data.length)));
        flip(shardFile(id, 1), 40 + 5);
        byte[] sent = drain(open(reads(ShardFileReads.Mode.UNVERIFIED), record, 0, data.length - 1).orElseThrow());
        assertThat(sent).isNotEqualTo(data);
        assertThat(sent[2048 + 5]).isEqualTo((byte) (data[2048 + 5] ^ 0x5A));
        assertThat(drain(open(reads(ShardFileReads.Mode.VERIFIED), record, 0, data.length - 1).orElseThrow())).isEqualTo(data);
    }

    @Test
    void aDamagedChunkWithoutParityEndsTheBodyWithAnError() throws IOException {
        openStore(1, 1, 0, 4096);
        byte[] data = random(7, 4096 * 3);
        String id = blob(data);
        ObjectRecord record = record(List.of(new BlobSpan(id, data.length)));
        flip(shardFile(id, 0), 40 + (4096 + 4) + 9);
        FileSource source = open(reads(ShardFileReads.Mode.VERIFIED), record, 0, data.length - 1).orElseThrow();
        try (source) {
            FileSource.Piece first = source.next();
            assertThat(first).isInstanceOf(FileSource.Lent.class);
            ((FileSource.Lent) first).release().run();
            assertThatThrownBy(source::next).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aMissingDataShardSendsTheGetOrItsBlobThroughTheOrdinaryPath() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] a = random(8, 4096 * 3 + 1);
        byte[] b = random(9, 4096 * 2 + 3);
        String first = blob(a);
        String second = blob(b);
        ShardFileReads reads = reads(ShardFileReads.Mode.VERIFIED);
        Files.delete(shardFile(first, 1));
        ObjectRecord alone = record(List.of(new BlobSpan(first, a.length)));
        assertThat(open(reads, alone, 0, a.length - 1)).as("the first blob decides").isEmpty();

        // A later blob that lacks a data shard is read through the ordinary path (which reconstructs it).
        ObjectRecord two = record(List.of(new BlobSpan(second, b.length), new BlobSpan(first, a.length)));
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(b, 0, all, 0, b.length);
        System.arraycopy(a, 0, all, b.length, a.length);
        assertServes(reads, two, all, 0, all.length - 1);
        assertServes(reads, two, all, b.length - 10, b.length + 5000);
        assertThat(reads.ordinaryReads()).isEqualTo(2);
        assertThat(reads.sourcesOpened()).isEqualTo(2);
    }

    @Test
    void anOpenSourceKeepsReadingTheFilesItChecked() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(10, 4096 * 2 + 9);
        byte[] other = random(11, data.length);
        String id = blob(data);
        String decoy = blob(other);
        ObjectRecord record = record(List.of(new BlobSpan(id, data.length)));
        FileSource source = open(reads(ShardFileReads.Mode.VERIFIED), record, 0, data.length - 1).orElseThrow();
        // As healing does: a new file renamed over the old one (here one that would fail every check).
        for (int s = 0; s < 2; s++) {
            Path tmpFile = tmp.resolve("replacement");
            Files.copy(shardFile(decoy, s), tmpFile);
            Files.move(tmpFile, shardFile(id, s), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        assertThat(drain(source)).isEqualTo(data);
    }

    @Test
    void filesNotAsExpectedAreRefused() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(12, 4096 * 2 + 9);
        ShardFileReads reads = reads(ShardFileReads.Mode.VERIFIED);

        // A shard moved into another shard's slot: its header names the wrong index.
        String moved = blob(data);
        Files.copy(shardFile(moved, 0), shardFile(moved, 1), StandardCopyOption.REPLACE_EXISTING);
        assertThat(open(reads, record(List.of(new BlobSpan(moved, data.length))), 0, data.length - 1)).isEmpty();

        // The metadata's length disagrees with the footer's.
        String shorter = blob(data);
        assertThat(open(reads, record(List.of(new BlobSpan(shorter, data.length - 1))), 0, data.length - 2)).isEmpty();

        // Another format version (header CRC recomputed, so only the version is wrong).
        String future = blob(data);
        for (int s = 0; s < 2; s++) {
            rewriteHeader(shardFile(future, s), h -> h.putInt(8, 2));
        }
        assertThat(open(reads, record(List.of(new BlobSpan(future, data.length))), 0, data.length - 1)).isEmpty();

        // A torn footer.
        String torn = blob(data);
        Path file = shardFile(torn, 1);
        flip(file, Files.size(file) - 3);
        assertThat(open(reads, record(List.of(new BlobSpan(torn, data.length))), 0, data.length - 1)).isEmpty();

        // Off, encrypted-looking (any encryption) and inline data never go zero-copy.
        String fine = blob(data);
        assertThat(open(reads(ShardFileReads.Mode.OFF), record(List.of(new BlobSpan(fine, data.length))), 0, 9)).isEmpty();
        ObjectRecord inline = new ObjectRecord("v1", 10, "etag", 0, "owner", ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Inline("x", 10));
        assertThat(open(reads, inline, 0, 9)).isEmpty();
        assertThat(reads.sourcesOpened()).isZero();
        assertServes(reads, record(List.of(new BlobSpan(fine, data.length))), data, 0, data.length - 1);
    }

    private static void rewriteHeader(Path file, java.util.function.Consumer<ByteBuffer> edit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(40);
            ch.read(h, 0);
            edit.accept(h);
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(h.array(), 0, 36);
            h.putInt(36, (int) crc.getValue());
            ch.write(h.rewind(), 0);
        }
    }

    @Test
    void aFinishedBlobsFilesCloseOnceItsLastRegionIsSent() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] a = random(14, 4096 + 1);
        byte[] b = random(15, 4096 + 2);
        byte[] c = random(16, 4096 + 3);
        ObjectRecord record = record(List.of(new BlobSpan(blob(a), a.length), new BlobSpan(blob(b), b.length),
                new BlobSpan(blob(c), c.length)));
        // Regions are what unverified mode sends (verified mode sends the checked bytes from memory).
        try (FileSource source = open(reads(ShardFileReads.Mode.UNVERIFIED), record, 0, record.size() - 1).orElseThrow()) {
            List<FileSource.Region> first = new ArrayList<>();
            long served = 0;
            while (served < a.length) {
                FileSource.Region r = (FileSource.Region) source.next();
                first.add(r);
                served += r.count();
            }
            FileSource.Region second = (FileSource.Region) source.next(); // into blob b: blob a is finished
            assertThat(first.getFirst().channel().isOpen()).as("a region of blob a is still in flight").isTrue();
            first.forEach(source::sent);
            assertThat(first).allSatisfy(r -> assertThat(r.channel().isOpen()).isFalse());
            // Without sent(), a finished blob's files stay open until the source closes.
            while (served < a.length + b.length) {
                served += source.next().count();
            }
            FileSource.Region third = (FileSource.Region) source.next();
            assertThat(second.channel().isOpen()).isTrue();
            source.close();
            assertThat(second.channel().isOpen()).isFalse();
            assertThat(third.channel().isOpen()).isFalse();
        }
    }

    @Test
    void closingTheSourceClosesItsFilesAndTheLeasedStream() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(13, 4096 * 2);
        ObjectRecord record = record(List.of(new BlobSpan(blob(data), data.length)));
        boolean[] closed = new boolean[1];
        ByteArrayInputStream leased = new ByteArrayInputStream(data) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        FileSource source = reads(ShardFileReads.Mode.UNVERIFIED).open("b", "k", record, null, data.length, leased).orElseThrow();
        assertThat(source.stream()).isSameAs(leased);
        FileSource.Region region = (FileSource.Region) source.next();
        source.close();
        source.close();
        assertThat(closed[0]).isTrue();
        assertThat(region.channel().isOpen()).isFalse();
        assertThatThrownBy(source::next).isInstanceOf(IOException.class);
    }

    @Test
    void verifiedModeSendsTheCheckedBytesFromALentBufferAndReusesIt() throws IOException {
        openStore(4, 2, 2, 4096);
        byte[] data = random(17, 4096 * 4 + 5);
        ObjectRecord record = record(List.of(new BlobSpan(blob(data), data.length)));
        try (FileSource source = open(reads(ShardFileReads.Mode.VERIFIED), record, 0, data.length - 1).orElseThrow()) {
            FileSource.Lent first = (FileSource.Lent) source.next();
            assertThat(first.data().isDirect()).isTrue();
            byte[] got = new byte[(int) first.count()];
            first.data().duplicate().get(got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(data, 0, 2048));
            FileSource.Lent second = (FileSource.Lent) source.next();
            // Until released, a lent buffer is not reused: the next chunk did not overwrite the first.
            first.data().duplicate().get(got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(data, 0, 2048));
            first.release().run();
            second.release().run();
            FileSource.Lent third = (FileSource.Lent) source.next();
            got = new byte[(int) third.count()];
            third.data().duplicate().get(got);
            assertThat(got).isEqualTo(Arrays.copyOfRange(data, 4096, 4096 + 2048));
            third.release().run();
        }
    }
}
