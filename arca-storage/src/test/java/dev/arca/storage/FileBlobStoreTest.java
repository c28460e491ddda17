package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Limits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileBlobStoreTest {
    private static final int BLOCK = Limits.BLOB_BLOCK_BYTES;
    /** Largest piece handed to one write call in tests that cut data into random pieces. */
    private static final int MAX_PIECE = 3 * BLOCK / 2;

    @TempDir
    Path root;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7, 20 * BLOCK + 12_345})
    void roundTripsAtBlockBoundaries(int size) throws IOException {
        SplittableRandom random = TestSeed.random("roundTrips size=" + size);
        FileBlobStore store = FileBlobStore.open(root);
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, size);

        write(store, id, data, random);

        Path file = store.pathOf(id);
        assertThat(file).hasParent(root.resolve("blobs").resolve(id.substring(0, 2)));
        assertThat(Files.size(file)).isEqualTo(BlobFormat.fileSize(size, BLOCK));
        try (BlobReader reader = store.open(id)) {
            assertThat(reader.length()).isEqualTo(size);
            assertThat(readAll(reader)).isEqualTo(data);
            // transferTo serves straight from the block buffer: same bytes.
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = reader.stream(0, size)) {
                assertThat(in.transferTo(out)).isEqualTo(size);
            }
            assertThat(out.toByteArray()).isEqualTo(data);
        }
        assertThat(root.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void randomRangesMatchReference() throws IOException {
        SplittableRandom random = TestSeed.random("randomRanges");
        FileBlobStore store = FileBlobStore.open(root);
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 4 * BLOCK + random.nextInt(BLOCK));
        write(store, id, data, random);

        try (BlobReader reader = store.open(id)) {
            for (int i = 0; i < 300; i++) {
                int offset = random.nextInt(data.length + 1);
                int length = random.nextInt(Math.min(data.length - offset, 2 * BLOCK + 3) + 1);
                byte[] expected = java.util.Arrays.copyOfRange(data, offset, offset + length);
                try (InputStream in = reader.stream(offset, length)) {
                    byte[] actual = switch (random.nextInt(4)) {
                        case 0 -> in.readAllBytes();
                        case 1 -> readByteByByte(in, length);
                        case 2 -> readInRandomPieces(in, length, random);
                        default -> skipThenRead(in, length, random, expected);
                    };
                    assertThat(actual).as("range [%d, +%d)", offset, length).isEqualTo(expected);
                    assertThat(in.read()).isEqualTo(-1);
                    assertThat(in.read(new byte[1], 0, 1)).isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void streamRejectsRangesOutsideTheBlob() {
        FileBlobStore store = FileBlobStore.open(root);
        String id = "0123456789abcdef0123456789abcdef";
        write(store, id, new byte[100], new SplittableRandom(1));
        try (BlobReader reader = store.open(id)) {
            assertThatThrownBy(() -> reader.stream(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(0, 101)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(100, 1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(1, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> reader.stream(0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(reader.stream(100, 0)).isEmpty();
        }
    }

    @Test
    void openCreatesTheLayoutAndReopensAnExistingStore() throws IOException {
        Path nested = root.resolve("a/b/store");
        FileBlobStore store = FileBlobStore.open(nested);
        try (Stream<Path> fanOut = Files.list(nested.resolve("blobs"))) {
            assertThat(fanOut.map(p -> p.getFileName().toString()).sorted().toList())
                    .hasSize(256).startsWith("00", "01").endsWith("fe", "ff").allMatch(n -> n.matches("[0-9a-f]{2}"));
        }
        assertThat(nested.resolve("tmp")).isEmptyDirectory();
        String id = "ff00000000000000000000000000000a";
        write(store, id, new byte[] {1, 2, 3}, new SplittableRandom(2));

        FileBlobStore again = FileBlobStore.open(nested);
        try (BlobReader reader = again.open(id)) {
            assertThat(readAll(reader)).containsExactly(1, 2, 3);
        }
    }

    @Test
    void rejectsMalformedIds() {
        FileBlobStore store = FileBlobStore.open(root);
        List<String> bad = List.of("", "abc", "0123456789ABCDEF0123456789abcdef", "0123456789abcdef0123456789abcde",
                "0123456789abcdef0123456789abcdef0", "../../../../../../../../etc/pass", "0123456789abcdef0123456789abcdeg");
        for (String id : bad) {
            assertThatThrownBy(() -> store.create(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.open(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.exists(id)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(id)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.create(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void abortLeavesNothingBehind() throws IOException {
        FileBlobStore store = FileBlobStore.open(root);
        String id = "abababababababababababababababab";
        try (BlobWriter writer = store.create(id)) {
            writer.write(new byte[2 * BLOCK + 5], 0, 2 * BLOCK + 5);
            assertThat(writer.length()).isEqualTo(2 * BLOCK + 5);
            assertThat(entries(root.resolve("tmp"))).hasSize(1);
        }
        assertThat(root.resolve("tmp")).isEmptyDirectory();
        assertThat(store.exists(id)).isFalse();
        assertThat(store.scan(x -> {})).isEqualTo(new FileBlobStore.Scan(0, 0));
        // The id is free again after an abort.
        write(store, id, new byte[] {7}, new SplittableRandom(3));
        assertThat(store.exists(id)).isTrue();
    }

    @Test
    void writerRefusesUseAfterCommitAndCloseIsIdempotent() {
        FileBlobStore store = FileBlobStore.open(root);
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
    }

    @Test
    void refusesToOverwriteOrDoubleWriteABlob() throws IOException {
        FileBlobStore store = FileBlobStore.open(root);
        String id = "11111111111111111111111111111111";
        write(store, id, new byte[] {1}, new SplittableRandom(4));
        assertThatThrownBy(() -> store.create(id)).isInstanceOf(IllegalStateException.class).hasMessageContaining("exists");

        String other = "22222222222222222222222222222222";
        try (BlobWriter first = store.create(other)) {
            assertThatThrownBy(() -> store.create(other)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("being written");
            first.write(new byte[] {1}, 0, 1);
        }

        // A blob that appears while a writer is open (another process, a bug) is not replaced.
        BlobWriter late = store.create(other);
        late.write(new byte[] {9, 9}, 0, 2);
        write(FileBlobStore.open(root), other, new byte[] {5}, new SplittableRandom(5));
        assertThatThrownBy(late::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("overwrite");
        try (BlobReader reader = store.open(other)) {
            assertThat(readAll(reader)).containsExactly(5);
        }
        assertThat(root.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void sweepRemovesLeftoversButNotLiveWriters() throws IOException {
        FileBlobStore store = FileBlobStore.open(root);
        Path tmp = root.resolve("tmp");
        Files.write(tmp.resolve("33333333333333333333333333333333.0123456789abcdef"), new byte[BLOCK + 1]);
        Files.write(tmp.resolve("junk"), new byte[] {1});
        String live = "44444444444444444444444444444444";
        BlobWriter writer = store.create(live);
        writer.write(new byte[] {4, 4}, 0, 2);

        assertThat(store.sweepTemporary()).isEqualTo(2);
        assertThat(entries(tmp)).hasSize(1);
        writer.commit();
        assertThat(tmp).isEmptyDirectory();
        assertThat(store.sweepTemporary()).isZero();
        try (BlobReader reader = store.open(live)) {
            assertThat(readAll(reader)).containsExactly(4, 4);
        }
        // A fresh store (a restart) knows no live writers: everything in tmp/ goes.
        BlobWriter orphan = store.create("55555555555555555555555555555555");
        orphan.write(new byte[] {1}, 0, 1);
        assertThat(FileBlobStore.open(root).sweepTemporary()).isEqualTo(1);
        assertThat(tmp).isEmptyDirectory();
        assertThatThrownBy(orphan::commit).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(store.exists("55555555555555555555555555555555")).isFalse();
    }

    @Test
    void deleteIsIdempotentAndOpenReadersKeepReading() throws IOException {
        SplittableRandom random = TestSeed.random("delete");
        FileBlobStore store = FileBlobStore.open(root);
        String id = TestSeed.blobId(random);
        byte[] data = TestSeed.bytes(random, 2 * BLOCK + 99);
        write(store, id, data, random);

        BlobReader reader = store.open(id);
        InputStream started = reader.stream(0, data.length);
        assertThat(started.readNBytes(10)).isEqualTo(java.util.Arrays.copyOf(data, 10));

        assertThat(store.delete(id)).isTrue();
        assertThat(store.delete(id)).isFalse();
        assertThat(store.exists(id)).isFalse();
        assertThat(Files.exists(store.pathOf(id))).isFalse();
        assertThatThrownBy(() -> store.open(id)).isInstanceOf(NoSuchBlobException.class).hasMessageContaining(id);

        assertThat(started.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 10, data.length));
        assertThat(readAll(reader)).isEqualTo(data);
        reader.close();
        assertThatThrownBy(() -> reader.stream(0, 1).read()).isInstanceOf(IOException.class);
    }

    @Test
    void openOfAMissingBlobFailsClearly() {
        FileBlobStore store = FileBlobStore.open(root);
        assertThatThrownBy(() -> store.open("99999999999999999999999999999999"))
                .isInstanceOf(NoSuchBlobException.class).hasMessageContaining("99999999999999999999999999999999");
        assertThat(store.exists("99999999999999999999999999999999")).isFalse();
    }

    @Test
    void forEachBlobListsExactlyTheCommittedIdsAndCountsStrangers() throws IOException {
        SplittableRandom random = TestSeed.random("forEachBlob");
        FileBlobStore store = FileBlobStore.open(root);
        Set<String> committed = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            String id = TestSeed.blobId(random);
            write(store, id, TestSeed.bytes(random, random.nextInt(100)), random);
            committed.add(id);
        }
        String deleted = committed.iterator().next();
        store.delete(deleted);
        committed.remove(deleted);
        try (BlobWriter uncommitted = store.create(TestSeed.blobId(random))) {
            uncommitted.write(new byte[3], 0, 3);

            Path blobs = root.resolve("blobs");
            Files.write(blobs.resolve("00").resolve("not-a-blob"), new byte[1]);
            Files.write(blobs.resolve("00").resolve("ff" + "0".repeat(30)), new byte[1]); // wrong fan-out directory
            Files.createDirectory(blobs.resolve("01").resolve("01" + "0".repeat(30))); // right name, not a file
            Files.write(blobs.resolve("stray"), new byte[1]);
            Files.createDirectory(blobs.resolve("AB"));

            Set<String> seen = ConcurrentHashMap.newKeySet();
            FileBlobStore.Scan scan = store.scan(id -> assertThat(seen.add(id)).isTrue());
            assertThat(seen).isEqualTo(committed);
            assertThat(scan).isEqualTo(new FileBlobStore.Scan(committed.size(), 5));

            Set<String> viaInterface = new HashSet<>();
            store.forEachBlob(viaInterface::add);
            assertThat(viaInterface).isEqualTo(committed);
        }
    }

    @Test
    void concurrentWritersAndReaders() throws Exception {
        long seed = TestSeed.seed("concurrent");
        FileBlobStore store = FileBlobStore.open(root);
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
                        write(store, id, content(id, random.nextInt(3 * BLOCK)), random);
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
                                assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(expected, offset, offset + length));
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
        assertThat(root.resolve("tmp")).isEmptyDirectory();
    }

    /** Deterministic bytes for an id, so a test can check a blob knowing only its id and length. */
    static byte[] content(String id, int length) {
        return TestSeed.bytes(new SplittableRandom(id.hashCode()), length);
    }

    /** Writes {@code data} in random pieces (empty ones included), then commits. */
    static void write(BlobStore store, String id, byte[] data, SplittableRandom random) {
        try (BlobWriter writer = store.create(id)) {
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, random.nextInt(MAX_PIECE + 1));
                writer.write(data, at, n);
                at += n;
            }
            writer.write(data, data.length, 0);
            assertThat(writer.length()).isEqualTo(data.length);
            writer.commit();
        }
    }

    static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.toList();
        }
    }

    static byte[] readAll(BlobReader reader) throws IOException {
        try (InputStream in = reader.stream(0, reader.length())) {
            return in.readAllBytes();
        }
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

    private static byte[] readInRandomPieces(InputStream in, int length, SplittableRandom random) throws IOException {
        byte[] out = new byte[length];
        int at = 0;
        while (at < length) {
            int n = in.read(out, at, Math.min(length - at, 1 + random.nextInt(BLOCK + BLOCK / 2)));
            assertThat(n).isPositive();
            at += n;
        }
        return out;
    }

    /** Skips a random prefix (without reading it), then reads the rest; returns the expected prefix plus what was read. */
    private static byte[] skipThenRead(InputStream in, int length, SplittableRandom random, byte[] expected) throws IOException {
        int skip = random.nextInt(length + 1);
        assertThat(in.skip(skip)).isEqualTo(skip);
        byte[] rest = in.readAllBytes();
        byte[] out = java.util.Arrays.copyOf(expected, skip + rest.length);
        System.arraycopy(rest, 0, out, skip, rest.length);
        return out;
    }
}
