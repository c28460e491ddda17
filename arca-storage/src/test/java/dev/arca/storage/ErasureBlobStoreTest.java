package dev.arca.storage;

import static dev.arca.storage.ErasureTesting.content;
import static dev.arca.storage.ErasureTesting.readAll;
import static dev.arca.storage.ErasureTesting.shardPath;
import static dev.arca.storage.ErasureTesting.tempFiles;
import static dev.arca.storage.ErasureTesting.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@link BlobStore} contract, held by the erasure store in every geometry it is deployed with. */
@ParameterizedClass(name = "{0}")
@MethodSource("shapes")
class ErasureBlobStoreTest {
    /** Reads per randomized range test: enough to hit every read path in every stripe position. */
    private static final int RANGE_READS = 200;

    static Stream<ErasureTesting.Shape> shapes() {
        return Stream.of(
                new ErasureTesting.Shape(1, 1, 0, ErasureTesting.STRIPE),
                new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE),
                new ErasureTesting.Shape(6, 4, 2, ErasureTesting.STRIPE),
                // 65_533 / 3 rounds up to an odd chunk (21_845), and a full stripe (65_535) exceeds the setting.
                new ErasureTesting.Shape(5, 3, 2, ErasureTesting.STRIPE - 3));
    }

    @Parameter
    ErasureTesting.Shape shape;

    @TempDir(factory = RamTempDir.class)
    Path root;

    private List<Path> drives;
    private ErasureBlobStore store;

    @BeforeEach
    void openStore() {
        drives = ErasureTesting.drives(root, shape.drives());
        store = ErasureTesting.open(drives, shape, 1);
    }

    /** Sizes around chunk and stripe boundaries, empty and one byte included. */
    private List<Integer> boundarySizes() {
        int chunk = shape.chunk();
        int stripe = shape.fullStripe();
        return List.of(0, 1, shape.k() - 1, shape.k() + 1, chunk - 1, chunk, chunk + 1, stripe - 1, stripe, stripe + 1,
                2 * stripe, 3 * stripe + 7, 4 * stripe + 2 * chunk + 1);
    }

    @Test
    void roundTripsAtChunkAndStripeBoundaries() throws IOException {
        SplittableRandom random = TestSeed.random("roundTrips " + shape);
        for (int size : boundarySizes()) {
            String id = TestSeed.blobId(random);
            byte[] data = TestSeed.bytes(random, size);
            write(store, id, data, random);

            // Every shard k+m in its slot, with the size the format implies; no other drive holds one.
            Set<Path> expectedShards = new HashSet<>();
            for (int s = 0; s < shape.k() + shape.m(); s++) {
                Path shard = shardPath(drives, id, s);
                expectedShards.add(shard);
                assertThat(Files.size(shard)).as("shard %d of a %d-byte blob", s, size).isEqualTo(ErasureTesting.shardFileSize(shape, size));
            }
            for (Path d : drives) {
                Path p = d.resolve("shards").resolve(id.substring(0, 2)).resolve(id);
                assertThat(Files.exists(p)).as("%s", p).isEqualTo(expectedShards.contains(p));
            }
            try (BlobReader reader = store.open(id)) {
                assertThat(reader.length()).isEqualTo(size);
                assertThat(readAll(reader)).as("size %d", size).isEqualTo(data);
                // transferTo serves straight from the chunk buffers: same bytes.
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (InputStream in = reader.stream(0, size)) {
                    assertThat(in.transferTo(out)).isEqualTo(size);
                    assertThat(in.transferTo(out)).isZero();
                }
                assertThat(out.toByteArray()).as("transferTo, size %d", size).isEqualTo(data);
            }
        }
        assertThat(tempFiles(drives)).isEmpty();
        assertThat(store.stats().corruptChunks()).isZero();
        assertThat(store.stats().stripesReconstructed()).isZero();
    }

    @Test
    void randomRangesMatchReference() throws IOException {
        SplittableRandom random = TestSeed.random("randomRanges " + shape);
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 4 * shape.fullStripe() + random.nextInt(shape.fullStripe()));
        write(store, id, data, random);

        try (BlobReader reader = store.open(id)) {
            for (int i = 0; i < RANGE_READS; i++) {
                int offset = random.nextInt(data.length + 1);
                int length = random.nextInt(Math.min(data.length - offset, 2 * shape.fullStripe() + 3) + 1);
                byte[] expected = Arrays.copyOfRange(data, offset, offset + length);
                try (InputStream in = reader.stream(offset, length)) {
                    byte[] actual = switch (random.nextInt(5)) {
                        case 0 -> in.readAllBytes();
                        case 1 -> readByteByByte(in, length);
                        case 2 -> readInRandomPieces(in, length, random);
                        case 3 -> transfer(in);
                        default -> skipThenRead(in, length, random, expected);
                    };
                    assertThat(actual).as("range [%d, +%d)", offset, length).isEqualTo(expected);
                    assertThat(in.read()).isEqualTo(-1);
                    assertThat(in.read(new byte[1], 0, 1)).isEqualTo(-1);
                    assertThat(in.read(new byte[1], 0, 0)).isZero();
                    assertThat(in.skip(10)).isZero();
                }
            }
        }
    }

    @Test
    void streamRejectsRangesOutsideTheBlob() throws IOException {
        String id = "0123456789abcdef0123456789abcdef";
        write(store, id, new byte[100], new SplittableRandom(1));
        try (BlobReader reader = store.open(id)) {
            assertThatThrownBy(() -> reader.stream(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(0, 101)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(100, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(1, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(reader.stream(100, 0)).isEmpty();
            try (InputStream in = reader.stream(0, 100)) {
                assertThatThrownBy(() -> in.read(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
                in.close();
                assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
            }
        }
    }

    @Test
    void openFormatsEveryDriveAndReopensAnExistingStore() throws IOException {
        for (Path d : drives) {
            assertThat(d.resolve(Drive.FORMAT_FILE)).isRegularFile();
            try (Stream<Path> fanOut = Files.list(d.resolve("shards"))) {
                assertThat(fanOut.map(p -> p.getFileName().toString()).sorted().toList())
                        .hasSize(256).startsWith("00", "01").endsWith("fe", "ff").allMatch(n -> n.matches("[0-9a-f]{2}"));
            }
            assertThat(d.resolve("tmp")).isEmptyDirectory();
        }
        String id = "ff00000000000000000000000000000a";
        write(store, id, new byte[] {1, 2, 3}, new SplittableRandom(2));
        store.close();

        ErasureBlobStore again = ErasureTesting.open(drives, shape, 2);
        assertThat(again.deploymentId()).isEqualTo(store.deploymentId());
        assertThat(again.driveStatus()).extracting(ErasureBlobStore.DriveStatus::state).containsOnly("online");
        assertThat(readAll(again, id)).containsExactly(1, 2, 3);
    }

    @Test
    void rejectsMalformedIds() {
        List<String> bad = List.of("", "abc", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcde",
                "0123456789abcdef0123456789abcdef0", "../../../../../../../../etc/pass", "0123456789abcdef0123456789abcdeg");
        for (String id : bad) {
            assertThatThrownBy(() -> store.create(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.exists(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.heal(id, true)).as(id).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.create(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(tempFiles(drives)).isEmpty();
    }

    @Test
    void abortLeavesNothingBehind() throws IOException {
        String id = "abababababababababababababababab";
        int size = 2 * shape.fullStripe() + 5;
        try (BlobWriter writer = store.create(id)) {
            writer.write(new byte[size], 0, size);
            assertThat(writer.length()).isEqualTo(size);
            assertThat(tempFiles(drives)).as("one temporary file per shard").hasSize(shape.k() + shape.m());
        }
        assertThat(tempFiles(drives)).isEmpty();
        assertThat(ErasureTesting.shardFiles(drives)).isEmpty();
        assertThat(store.exists(id)).isFalse();
        List<String> listed = new ArrayList<>();
        store.forEachBlob(listed::add);
        assertThat(listed).isEmpty();
        // The id is free again after an abort.
        write(store, id, new byte[] {7}, new SplittableRandom(3));
        assertThat(store.exists(id)).isTrue();
        assertThat(readAll(store, id)).containsExactly(7);
    }

    @Test
    void writerRefusesUseAfterCommitAndCloseIsIdempotent() {
        BlobWriter writer = store.create("cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
        writer.write(new byte[10], 0, 10);
        writer.commit();
        writer.close();
        writer.close();
        assertThatThrownBy(() -> writer.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(writer::commit).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> writer.write(new byte[1], 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);

        BlobWriter aborted = store.create("dcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdc");
        aborted.close();
        aborted.close();
        assertThatThrownBy(aborted::commit).isInstanceOf(IllegalStateException.class);
        assertThat(store.exists("cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd")).isTrue();
        assertThat(store.exists("dcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdc")).isFalse();
        assertThat(tempFiles(drives)).isEmpty();
    }

    @Test
    void refusesToOverwriteOrDoubleWriteABlob() throws IOException {
        String id = "11111111111111111111111111111111";
        write(store, id, new byte[] {1}, new SplittableRandom(4));
        // The contract allows the refusal at create or at commit; either way the blob stays.
        assertThatThrownBy(() -> write(store, id, new byte[] {2, 2}, new SplittableRandom(4)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("exists");
        assertThat(readAll(store, id)).containsExactly(1);

        String other = "22222222222222222222222222222222";
        try (BlobWriter first = store.create(other)) {
            assertThatThrownBy(() -> store.create(other)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("being written");
            first.write(new byte[] {1}, 0, 1);
        }

        // A blob that appears while a writer is open (another process, a bug) is not replaced.
        BlobWriter late = store.create(other);
        late.write(new byte[] {9, 9}, 0, 2);
        write(ErasureTesting.open(drives, shape, 5), other, new byte[] {5}, new SplittableRandom(5));
        assertThatThrownBy(late::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("overwrite");
        assertThat(readAll(store, other)).containsExactly(5);
        assertThat(tempFiles(drives)).isEmpty();
        assertThat(store.heal(other, true).outcome()).isEqualTo(HealReport.Outcome.HEALTHY);
    }

    @Test
    void sweepRemovesLeftoversButNotLiveWriters() throws IOException {
        Path tmp = drives.getFirst().resolve("tmp");
        Files.write(tmp.resolve("33333333333333333333333333333333.0123456789abcdef"), new byte[shape.fullStripe() + 1]);
        Files.write(tmp.resolve("junk"), new byte[] {1});
        Files.createDirectory(tmp.resolve("a-directory"));
        String live = "44444444444444444444444444444444";
        BlobWriter writer = store.create(live);
        writer.write(new byte[] {4, 4}, 0, 2);
        int shards = shape.k() + shape.m();

        assertThat(store.sweepTemporary()).isEqualTo(2);
        assertThat(tempFiles(drives)).hasSize(shards);
        writer.commit();
        assertThat(tempFiles(drives)).isEmpty();
        assertThat(store.sweepTemporary()).isZero();
        assertThat(readAll(store, live)).containsExactly(4, 4);

        // A fresh store (a restart) knows no live writers: everything in tmp/ goes.
        String orphanId = "55555555555555555555555555555555";
        BlobWriter orphan = store.create(orphanId);
        orphan.write(new byte[] {1}, 0, 1);
        assertThat(ErasureTesting.open(drives, shape, 6).sweepTemporary()).isEqualTo(shards);
        assertThat(tempFiles(drives)).isEmpty();
        // Its shards vanished: the commit cannot reach the write quorum and publishes nothing.
        assertThatThrownBy(orphan::commit).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(FailureKind.SERVICE_UNAVAILABLE));
        assertThat(store.exists(orphanId)).isFalse();
        assertThat(ErasureTesting.shardFiles(drives)).allMatch(p -> p.getFileName().toString().equals(live));
    }

    @Test
    void deleteIsIdempotentAndOpenReadersKeepReading() throws IOException {
        SplittableRandom random = TestSeed.random("delete " + shape);
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 2 * shape.fullStripe() + 99);
        write(store, id, data, random);

        BlobReader reader = store.open(id);
        InputStream started = reader.stream(0, data.length);
        assertThat(started.readNBytes(10)).isEqualTo(Arrays.copyOf(data, 10));

        assertThat(store.delete(id)).isTrue();
        assertThat(store.delete(id)).isFalse();
        assertThat(store.exists(id)).isFalse();
        assertThat(ErasureTesting.shardFiles(drives)).isEmpty();
        assertThatThrownBy(() -> store.open(id)).isInstanceOf(NoSuchBlobException.class).hasMessageContaining(id);
        assertThat(store.heal(id, true).outcome()).isEqualTo(HealReport.Outcome.NOT_FOUND);

        assertThat(started.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 10, data.length));
        assertThat(readAll(reader)).isEqualTo(data);
        reader.close();
        assertThatThrownBy(() -> reader.stream(0, 1).read()).isInstanceOf(IOException.class);
        // Reading a closed reader is a caller bug, not damage on the drives.
        assertThat(store.stats().corruptChunks()).isZero();
        assertThat(store.pendingHeals()).isZero();
    }

    @Test
    void openOfAMissingBlobFailsClearly() {
        assertThatThrownBy(() -> store.open("99999999999999999999999999999999"))
                .isInstanceOf(NoSuchBlobException.class).hasMessageContaining("99999999999999999999999999999999");
        assertThat(store.exists("99999999999999999999999999999999")).isFalse();
    }

    @Test
    void forEachBlobListsEveryCommittedIdOnceAndIgnoresStrangers() throws IOException {
        SplittableRandom random = TestSeed.random("forEachBlob " + shape);
        Set<String> committed = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String id = TestSeed.blobId(random);
            write(store, id, TestSeed.bytes(random, random.nextInt(100)), random);
            committed.add(id);
        }
        String deleted = committed.iterator().next();
        store.delete(deleted);
        committed.remove(deleted);
        // A blob missing some shards (a drive lost them) is still listed, once.
        if (shape.m() > 0) {
            Files.delete(shardPath(drives, committed.iterator().next(), 0));
        }
        try (BlobWriter uncommitted = store.create(TestSeed.blobId(random))) {
            uncommitted.write(new byte[3], 0, 3);

            Path shards = drives.getFirst().resolve("shards");
            Files.write(shards.resolve("00").resolve("not-a-blob"), new byte[1]);
            Files.write(shards.resolve("00").resolve("ff" + "0".repeat(30)), new byte[1]); // wrong fan-out directory
            Files.write(shards.resolve("stray"), new byte[1]);
            Files.createDirectory(shards.resolve("AB"));

            List<String> seen = new ArrayList<>();
            store.forEachBlob(seen::add);
            assertThat(seen).doesNotHaveDuplicates();
            assertThat(new HashSet<>(seen)).isEqualTo(committed);
        }
    }

    @Test
    void concurrentWritersAndReaders() throws Exception {
        long seed = TestSeed.seed("concurrent " + shape);
        int threads = 6;
        int blobsPerThread = 5;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<?>> writes = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = new SplittableRandom(seed + t);
                writes.add(pool.submit(() -> {
                    for (int i = 0; i < blobsPerThread; i++) {
                        String id = TestSeed.blobId(random);
                        write(store, id, content(id, random.nextInt(3 * shape.fullStripe())), random);
                        ids.add(id);
                    }
                    return null;
                }));
            }
            for (Future<?> f : writes) {
                f.get();
            }
            assertThat(ids).hasSize(threads * blobsPerThread);
            Set<String> listed = new HashSet<>();
            store.forEachBlob(listed::add);
            assertThat(listed).isEqualTo(ids);

            // Many streams over one shared reader, each checking its own ranges.
            String shared = ids.iterator().next();
            try (BlobReader reader = store.open(shared)) {
                byte[] expected = content(shared, (int) reader.length());
                List<Future<?>> reads = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    SplittableRandom random = new SplittableRandom(seed - t);
                    reads.add(pool.submit(() -> {
                        for (int i = 0; i < 50; i++) {
                            int offset = random.nextInt(expected.length + 1);
                            int length = random.nextInt(expected.length - offset + 1);
                            try (InputStream in = reader.stream(offset, length)) {
                                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(expected, offset, offset + length));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : reads) {
                    f.get();
                }
            }
        }
        for (String id : ids) {
            try (BlobReader reader = store.open(id)) {
                assertThat(readAll(reader)).isEqualTo(content(id, (int) reader.length()));
            }
        }
        assertThat(tempFiles(drives)).isEmpty();
    }

    private static byte[] readByteByByte(InputStream in, int length) throws IOException {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            int b = in.read();
            assertThat(b).isNotNegative();
            out[i] = (byte) b;
        }
        return out;
    }

    private byte[] readInRandomPieces(InputStream in, int length, SplittableRandom random) throws IOException {
        byte[] out = new byte[length];
        int at = 0;
        while (at < length) {
            int n = in.read(out, at, Math.min(length - at, 1 + random.nextInt(shape.chunk() + shape.chunk() / 2)));
            assertThat(n).isPositive();
            at += n;
        }
        return out;
    }

    private static byte[] transfer(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Skips a random prefix (without reading it), then reads the rest; returns the expected prefix plus what was read. */
    private static byte[] skipThenRead(InputStream in, int length, SplittableRandom random, byte[] expected) throws IOException {
        int skip = random.nextInt(length + 1);
        assertThat(in.skip(skip)).isEqualTo(skip);
        byte[] rest = in.readAllBytes();
        byte[] out = Arrays.copyOf(expected, skip + rest.length);
        System.arraycopy(rest, 0, out, skip, rest.length);
        return out;
    }
}
