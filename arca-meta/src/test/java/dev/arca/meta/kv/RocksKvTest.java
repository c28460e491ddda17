package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.b;
import static dev.arca.meta.kv.KvTesting.dump;
import static dev.arca.meta.kv.KvTesting.keys;
import static dev.arca.meta.kv.KvTesting.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RocksKvTest extends KvContractTest {
    /** Small buffers: tests open many stores on a shared machine. */
    static final long TEST_BLOCK_CACHE_BYTES = 8L * 1024 * 1024;
    /** Small memtables, so that a few MiB of writes reach table files. */
    static final long TEST_WRITE_BUFFER_BYTES = 1024 * 1024;
    static final int TEST_MAX_OPEN_FILES = 64;
    static final RocksKv.Options TEST_OPTIONS = new RocksKv.Options(
            TEST_BLOCK_CACHE_BYTES, TEST_WRITE_BUFFER_BYTES, 2, TEST_MAX_OPEN_FILES,
            RocksKv.Options.DEFAULT_BLOOM_BITS_PER_KEY, true);
    private static final int VALUE_BYTES = 1024;
    private static final int CORRUPTED_BYTES = 64;

    @Override
    Kv open(Path dir) {
        return RocksKv.open(dir, TEST_OPTIONS);
    }

    @Test
    void writesSurviveReopen() {
        Path dir = tmp.resolve("reopen");
        try (RocksKv store = RocksKv.open(dir, RocksKv.Options.defaults())) {
            store.write(puts("a", "1", "b", "2"), true);
            store.write(new KvBatch().put(utf8("c"), utf8("3")).delete(utf8("a")), false);
        }
        try (RocksKv store = RocksKv.open(dir, RocksKv.Options.defaults())) {
            assertThat(store.get(utf8("a"))).isNull();
            assertThat(str(store.get(utf8("b")))).isEqualTo("2");
            assertThat(str(store.get(utf8("c")))).isEqualTo("3");
            assertThat(store.dir()).isEqualTo(dir);
        }
    }

    /** Enough data to flush memtables into (LZ4-compressed) table files, then read back after reopen. */
    @Test
    void tableFilesSurviveReopen() throws IOException {
        long seed = KvTesting.seed("RocksKvTest.tableFilesSurviveReopen");
        Path dir = tmp.resolve("tables");
        int batches = 96;
        int perBatch = 64;
        List<String> expected;
        try (RocksKv store = RocksKv.open(dir, TEST_OPTIONS)) {
            writeRandom(store, new SplittableRandom(seed), batches, perBatch);
            expected = dump(store.scan(b(), null));
        }
        assertThat(tableFiles(dir)).as("memtables were flushed to table files").isNotEmpty();
        // The options took: the bundled library accepted LZ4 for the lower levels.
        try (Stream<Path> files = Files.list(dir)) {
            Path options = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).findFirst().orElseThrow();
            assertThat(Files.readString(options))
                    .contains("compression_per_level=kNoCompression:kNoCompression:kLZ4Compression:kLZ4Compression")
                    .contains("paranoid_checks=true")
                    .contains("max_open_files=" + TEST_MAX_OPEN_FILES);
        }
        assertThat(expected).hasSize(batches * perBatch);
        try (RocksKv store = RocksKv.open(dir, TEST_OPTIONS)) {
            assertThat(dump(store.scan(b(), null))).containsExactlyElementsOf(expected);
        }
    }

    /** About 6 MiB of poorly compressible values under sortable keys. */
    private static void writeRandom(RocksKv store, SplittableRandom random, int batches, int perBatch) {
        for (int i = 0; i < batches; i++) {
            KvBatch batch = new KvBatch();
            for (int j = 0; j < perBatch; j++) {
                byte[] value = new byte[VALUE_BYTES];
                random.nextBytes(value);
                batch.put(utf8(String.format("key/%05d/%03d", i, j)), value);
            }
            store.write(batch, false);
        }
    }

    private static List<Path> tableFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".sst")).toList();
        }
    }

    @Test
    void corruptTableFileSurfacesAsKvException() throws IOException {
        long seed = KvTesting.seed("RocksKvTest.corruptTableFileSurfacesAsKvException");
        Path dir = tmp.resolve("corrupt");
        try (RocksKv store = RocksKv.open(dir, TEST_OPTIONS)) {
            writeRandom(store, new SplittableRandom(seed), 96, 64);
        }
        // Flip bytes in the middle of every table file: data blocks, not the footer.
        for (Path table : tableFiles(dir)) {
            try (FileChannel channel = FileChannel.open(table, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                long middle = channel.size() / 2;
                ByteBuffer bytes = ByteBuffer.allocate(CORRUPTED_BYTES);
                channel.read(bytes, middle);
                for (int i = 0; i < bytes.capacity(); i++) {
                    bytes.put(i, (byte) ~bytes.get(i));
                }
                channel.write(bytes.flip(), middle);
            }
        }
        assertThatThrownBy(() -> {
            try (RocksKv store = RocksKv.open(dir, TEST_OPTIONS)) {
                dump(store.scan(b(), null));
            }
        }).isInstanceOfSatisfying(KvException.class, e -> {
            System.out.println("corruption reported as: " + e.getMessage());
            assertThat(e.code()).isEqualTo("Corruption");
            assertThat(e.getMessage()).contains("Corruption");
        });
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsWithTheLockError() {
        assertThatThrownBy(() -> RocksKv.open(tmp.resolve("db"), TEST_OPTIONS))
                .isInstanceOfSatisfying(KvException.class, e -> {
                    System.out.println("second open reported as: " + e.getMessage());
                    assertThat(e.code()).startsWith("IOError");
                    assertThat(e.getMessage()).contains("open").containsIgnoringCase("lock");
                });
        // The failed open released what it had allocated and left the first store working.
        kv.write(puts("still", "works"), true);
        assertThat(str(kv.get(utf8("still")))).isEqualTo("works");
    }

    @Test
    void openFailsWhenTheDirectoryCannotBeCreated() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertThatThrownBy(() -> RocksKv.open(file.resolve("db"), TEST_OPTIONS))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo("IOError"));
    }

    @Test
    void closeReleasesOpenCursorsAndTheLock() {
        kv.write(puts("a", "1"), false);
        KvCursor cursor = kv.scan(b(), utf8("z"));
        kv.close();
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
        cursor.close();
        // The directory lock is gone: the store reopens.
        try (RocksKv again = RocksKv.open(tmp.resolve("db"), TEST_OPTIONS)) {
            assertThat(keys(again.scan(b(), null))).hasSize(1);
        }
    }

    /** Closing frees native memory; readers racing with it must get IllegalStateException, not a crash. */
    @Test
    @Timeout(60)
    void closeWhileReadersRunIsSafe() throws Exception {
        int readerCount = 3;
        kv.write(puts("a", "1", "b", "2", "c", "3"), false);
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < readerCount; r++) {
            readers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        kv.get(utf8("b"));
                        try (KvCursor cursor = kv.scan(b(), null)) {
                            while (cursor.next()) {
                                cursor.key();
                                cursor.value();
                            }
                        }
                        reads.incrementAndGet();
                    }
                } catch (IllegalStateException e) {
                    refused.incrementAndGet();
                } catch (Throwable e) {
                    unexpected.compareAndSet(null, e);
                }
            }));
        }
        while (reads.get() < 1000 && unexpected.get() == null) {
            Thread.onSpinWait();
        }
        kv.close();
        for (Thread reader : readers) {
            reader.join();
        }
        assertThat(unexpected.get()).isNull();
        assertThat(refused.get()).isEqualTo(readerCount);
    }

    @Test
    void optionsAreValidated() {
        RocksKv.Options defaults = RocksKv.Options.defaults();
        assertThat(defaults.blockCacheBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(defaults.maxBackgroundJobs()).isEqualTo(2);
        assertThat(defaults.compressLowerLevels()).isTrue();
        assertThatThrownBy(() -> new RocksKv.Options(0, 1, 1, 64, 10, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocksKv.Options(1, 1, 0, 64, 10, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocksKv.Options(1, 1, 1, 5, 10, true))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RocksKv.Options(1, 1, 1, 64, 0, true))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
