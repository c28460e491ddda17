package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.b;
import static dev.arca.meta.kv.KvTesting.dump;
import static dev.arca.meta.kv.KvTesting.hex;
import static dev.arca.meta.kv.KvTesting.keys;
import static dev.arca.meta.kv.KvTesting.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@link Kv} contract, run against every engine so that they behave the same. */
abstract class KvContractTest {
    @TempDir
    Path tmp;

    Kv kv;

    /** Opens (creating if needed) a store in {@code dir}. */
    abstract Kv open(Path dir);

    @BeforeEach
    void openStore() {
        kv = open(tmp.resolve("db"));
    }

    @AfterEach
    void closeStore() {
        kv.close();
    }

    static KvBatch puts(String... keyValues) {
        KvBatch batch = new KvBatch();
        for (int i = 0; i < keyValues.length; i += 2) {
            batch.put(utf8(keyValues[i]), utf8(keyValues[i + 1]));
        }
        return batch;
    }

    static String str(byte[] bytes) {
        return bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void getPutDelete() {
        assertThat(kv.get(utf8("a"))).isNull();
        kv.write(puts("a", "1", "b", "2"), false);
        assertThat(str(kv.get(utf8("a")))).isEqualTo("1");
        assertThat(str(kv.get(utf8("b")))).isEqualTo("2");
        kv.write(puts("a", "3"), true);
        assertThat(str(kv.get(utf8("a")))).isEqualTo("3");
        kv.write(new KvBatch().delete(utf8("a")).delete(utf8("never-there")), false);
        assertThat(kv.get(utf8("a"))).isNull();
        assertThat(str(kv.get(utf8("b")))).isEqualTo("2");
        kv.write(new KvBatch().put(utf8("empty"), b()), false);
        assertThat(kv.get(utf8("empty"))).isEmpty();
        kv.write(new KvBatch(), false);
        kv.write(new KvBatch(), true);
        assertThat(keys(kv.scan(b(), null))).containsExactly(hex(utf8("b")), hex(utf8("empty")));
    }

    @Test
    void returnedArraysDoNotAliasTheStore() {
        kv.write(puts("k", "value"), false);
        kv.get(utf8("k"))[0] = 'X';
        try (KvCursor cursor = kv.scan(b(), null)) {
            assertThat(cursor.next()).isTrue();
            cursor.key()[0] = 'X';
            cursor.value()[0] = 'X';
        }
        assertThat(str(kv.get(utf8("k")))).isEqualTo("value");
        assertThat(dump(kv.scan(b(), null))).containsExactly(hex(utf8("k")) + "=" + hex(utf8("value")));
    }

    @Test
    void scanBoundsAreFromInclusiveToExclusive() {
        kv.write(puts("a", "1", "b", "2", "c", "3", "d", "4"), false);
        assertThat(keys(kv.scan(utf8("b"), utf8("d")))).containsExactly(hex(utf8("b")), hex(utf8("c")));
        assertThat(keys(kv.scan(utf8("b"), null))).containsExactly(hex(utf8("b")), hex(utf8("c")), hex(utf8("d")));
        assertThat(keys(kv.scan(b(), null))).hasSize(4);
        assertThat(keys(kv.scan(utf8("bb"), utf8("cc")))).containsExactly(hex(utf8("c")));
        assertThat(keys(kv.scan(utf8("c"), utf8("c")))).isEmpty();
        assertThat(keys(kv.scan(utf8("d"), utf8("b")))).isEmpty();
        assertThat(keys(kv.scan(utf8("e"), null))).isEmpty();
        assertThat(keys(kv.scan(b(), utf8("a")))).isEmpty();
        assertThat(keys(kv.scan(utf8("a"), Bytes.prefixEnd(utf8("c"))))).hasSize(3);
    }

    private static final int LONG_KEY_BYTES = 1024;

    @Test
    void keysOrderAsUnsignedBytes() {
        // 0x80 0x01 then 1 KiB of 0x42: after 0x80, before 0x80 0x80.
        byte[] longKey = new byte[LONG_KEY_BYTES];
        Arrays.fill(longKey, (byte) 0x42);
        longKey[0] = (byte) 0x80;
        longKey[1] = 0x01;
        List<byte[]> ordered = List.of(
                b(), b(0x00), b(0x00, 0x00), b(0x01), b(0x7F), b(0x7F, 0xFF), b(0x80), longKey,
                b(0x80, 0x80), b(0xFE), b(0xFF), b(0xFF, 0x00), b(0xFF, 0xFF, 0xFF));
        KvBatch batch = new KvBatch();
        for (int i = ordered.size() - 1; i >= 0; i--) {
            batch.put(ordered.get(i), b(i));
        }
        kv.write(batch, false);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            expected.add(hex(ordered.get(i)) + "=" + hex(b(i)));
        }
        assertThat(dump(kv.scan(b(), null))).containsExactlyElementsOf(expected);
        assertThat(kv.get(b())).isEqualTo(b(0));
        assertThat(kv.get(longKey)).isEqualTo(b(7));
        // 0x80 sorts after 0x7F: a scan from 0x80 starts there, one up to 0x80 stops before it.
        assertThat(keys(kv.scan(b(0x80), b(0x80, 0x80)))).containsExactly(hex(b(0x80)), hex(longKey));
        assertThat(keys(kv.scan(b(0x7F), b(0x80)))).containsExactly(hex(b(0x7F)), hex(b(0x7F, 0xFF)));
        assertThat(keys(kv.scan(b(0xFF), null))).hasSize(3);
    }

    @Test
    void laterOpOnTheSameKeyWins() {
        kv.write(new KvBatch()
                .put(utf8("x"), utf8("1")).put(utf8("x"), utf8("2"))
                .put(utf8("y"), utf8("1")).delete(utf8("y"))
                .delete(utf8("z")).put(utf8("z"), utf8("3")), false);
        assertThat(str(kv.get(utf8("x")))).isEqualTo("2");
        assertThat(kv.get(utf8("y"))).isNull();
        assertThat(str(kv.get(utf8("z")))).isEqualTo("3");
        assertThat(keys(kv.scan(b(), null))).containsExactly(hex(utf8("x")), hex(utf8("z")));
    }

    @Test
    void cursorSeesASnapshotAsOfItsCreation() {
        kv.write(puts("a", "1", "b", "2", "c", "3"), false);
        KvCursor unstarted = kv.scan(b(), null);
        KvCursor started = kv.scan(b(), null);
        assertThat(started.next()).isTrue();
        kv.write(new KvBatch().put(utf8("a"), utf8("new")).delete(utf8("b")).put(utf8("d"), utf8("4"))
                .put(utf8("bb"), utf8("5")), true);
        String a1 = hex(utf8("a")) + "=" + hex(utf8("1"));
        String b2 = hex(utf8("b")) + "=" + hex(utf8("2"));
        String c3 = hex(utf8("c")) + "=" + hex(utf8("3"));
        assertThat(dump(unstarted)).containsExactly(a1, b2, c3);
        List<String> rest = dump(started);
        assertThat(rest).containsExactly(b2, c3);
        assertThat(keys(kv.scan(b(), null)))
                .containsExactly(hex(utf8("a")), hex(utf8("bb")), hex(utf8("c")), hex(utf8("d")));
    }

    @Test
    void cursorAccessorsNeedACurrentEntry() {
        kv.write(puts("a", "1"), false);
        KvCursor cursor = kv.scan(b(), null);
        assertThatThrownBy(cursor::key).isInstanceOf(IllegalStateException.class);
        assertThat(cursor.next()).isTrue();
        assertThat(str(cursor.key())).isEqualTo("a");
        assertThat(str(cursor.key())).isEqualTo("a");
        assertThat(str(cursor.value())).isEqualTo("1");
        assertThat(cursor.next()).isFalse();
        assertThat(cursor.next()).isFalse();
        assertThatThrownBy(cursor::value).isInstanceOf(IllegalStateException.class);
        cursor.close();
        cursor.close();
        assertThatThrownBy(cursor::next).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closedStoreRefusesUseAndCloseIsIdempotent() {
        kv.write(puts("a", "1", "b", "2"), false);
        KvCursor open = kv.scan(b(), null);
        assertThat(open.next()).isTrue();
        kv.close();
        kv.close();
        assertThatThrownBy(() -> kv.get(utf8("a"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> kv.scan(b(), null)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> kv.write(puts("c", "3"), false)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(open::next).isInstanceOf(IllegalStateException.class);
        open.close();
    }

    @Test
    @Timeout(60)
    void concurrentWritersAllLand() throws Exception {
        int threads = 4;
        int batchesPerThread = 200;
        List<Thread> writers = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < batchesPerThread; i++) {
                        kv.write(puts("w" + id + "/" + i, "v", "w" + id + "/" + i + "/x", "x"), i % 50 == 0);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(failure.get()).isNull();
        assertThat(keys(kv.scan(b(), null))).hasSize(threads * batchesPerThread * 2);
    }

    /**
     * A writer flips a set of keys together in each batch: every "k" key gets the generation
     * number; on even generations every "x" key is put, on odd ones deleted. Readers scan random
     * ranges and must always see one generation, whole, never going backwards.
     */
    @Test
    @Timeout(120)
    void batchesAreVisibleAtomicallyToConcurrentReaders() throws Exception {
        long seed = KvTesting.seed(getClass().getSimpleName() + ".batchesAreVisibleAtomicallyToConcurrentReaders");
        SplittableRandom random = new SplittableRandom(seed);
        int keyCount = 4 + random.nextInt(29);
        int readerCount = 2;
        int minGenerations = 300;
        int minReadsPerReader = 200;
        kv.write(generation(keyCount, 0), false);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger distinctGenerationsSeen = new AtomicInteger();
        AtomicInteger changesSeen = new AtomicInteger();
        CountDownLatch readersReady = new CountDownLatch(readerCount);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < readerCount; r++) {
            SplittableRandom readerRandom = random.split();
            readers.add(Thread.ofPlatform().start(() -> {
                long lastGeneration = 0;
                int seen = 1;
                readersReady.countDown();
                try {
                    while (!done.get()) {
                        long generation = readOneGeneration(readerRandom, keyCount);
                        if (generation >= 0) {
                            assertThat(generation).as("generation went backwards").isGreaterThanOrEqualTo(lastGeneration);
                            if (generation > lastGeneration) {
                                seen++;
                                changesSeen.incrementAndGet();
                            }
                            lastGeneration = generation;
                        }
                        reads.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    distinctGenerationsSeen.addAndGet(seen);
                }
            }));
        }
        assertThat(readersReady.await(10, TimeUnit.SECONDS)).isTrue();
        long generation = 0;
        try {
            // Keep writing until the readers have also watched the keys change: on a loaded machine
            // they may get little CPU while the writer runs (the @Timeout bounds the wait).
            while (failure.get() == null && (generation < minGenerations || reads.get() < minReadsPerReader * readerCount
                    || changesSeen.get() <= readerCount * 2)) {
                generation++;
                kv.write(generation(keyCount, generation), generation % 64 == 0);
            }
        } finally {
            done.set(true);
            for (Thread reader : readers) {
                reader.join();
            }
        }
        assertThat(failure.get()).as("seed=%d", seed).isNull();
        // Both readers together must have watched the keys change, or the test proved nothing.
        assertThat(distinctGenerationsSeen.get()).as("seed=%d", seed).isGreaterThan(readerCount * 2);
    }

    private static byte[] kKey(int i) {
        return utf8(String.format("k/%03d", i));
    }

    private static byte[] xKey(int i) {
        return utf8(String.format("x/%03d", i));
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    private static KvBatch generation(int keyCount, long generation) {
        KvBatch batch = new KvBatch();
        for (int i = 0; i < keyCount; i++) {
            batch.put(kKey(i), longBytes(generation));
            if (generation % 2 == 0) {
                batch.put(xKey(i), longBytes(generation));
            } else {
                batch.delete(xKey(i));
            }
        }
        return batch;
    }

    /** Scans a random range; returns the one generation it saw, or -1 if the range was empty. */
    private long readOneGeneration(SplittableRandom random, int keyCount) {
        int lo = random.nextInt(keyCount);
        int hi = lo + 1 + random.nextInt(keyCount - lo);
        boolean wholeStore = random.nextInt(4) == 0;
        // From k/lo up to x/hi: k keys lo.., then x keys ..hi-1 (when they exist).
        byte[] from = wholeStore ? b() : kKey(lo);
        byte[] to = wholeStore ? null : xKey(hi);
        long generation = -1;
        int kSeen = 0;
        int xSeen = 0;
        try (KvCursor cursor = kv.scan(from, to)) {
            while (cursor.next()) {
                long value = ByteBuffer.wrap(cursor.value()).getLong();
                if (generation < 0) {
                    generation = value;
                }
                assertThat(value).as("mixed generations in one cursor").isEqualTo(generation);
                if (cursor.key()[0] == 'k') {
                    kSeen++;
                } else {
                    xSeen++;
                }
            }
        }
        int kExpected = wholeStore ? keyCount : keyCount - lo;
        int xExpected = wholeStore ? keyCount : hi;
        assertThat(kSeen).isEqualTo(kExpected);
        assertThat(xSeen).isEqualTo(generation % 2 == 0 ? xExpected : 0);
        return generation;
    }

    @Test
    void overlayCursorSeesOverlayAndBaseAsOfItsCreation() {
        kv.write(puts("a", "1", "c", "3", "e", "5"), false);
        KvOverlay overlay = new KvOverlay(kv);
        overlay.put(utf8("b"), utf8("2"));
        overlay.delete(utf8("c"));
        overlay.put(utf8("e"), utf8("55"));
        KvCursor cursor = overlay.scan(b(), null);
        overlay.put(utf8("d"), utf8("4"));
        overlay.delete(utf8("a"));
        kv.write(puts("f", "6"), false);
        assertThat(dump(cursor)).containsExactly(
                hex(utf8("a")) + "=" + hex(utf8("1")),
                hex(utf8("b")) + "=" + hex(utf8("2")),
                hex(utf8("e")) + "=" + hex(utf8("55")));
        assertThat(keys(overlay.scan(b(), null)))
                .containsExactly(hex(utf8("b")), hex(utf8("d")), hex(utf8("e")), hex(utf8("f")));
        assertThat(overlay.size()).isEqualTo(5);
        assertThat(overlay.toBatch()).containsExactly(
                new KvOp.Delete(utf8("a")), new KvOp.Put(utf8("b"), utf8("2")), new KvOp.Delete(utf8("c")),
                new KvOp.Put(utf8("d"), utf8("4")), new KvOp.Put(utf8("e"), utf8("55")));
        overlay.clear();
        assertThat(overlay.isEmpty()).isTrue();
        assertThat(overlay.toBatch().isEmpty()).isTrue();
        assertThat(keys(overlay.scan(b(), null))).hasSize(4);
    }

    /**
     * Random puts, deletes, reads and commits through a {@link KvOverlay} over this engine,
     * checked against a reference model: a TreeMap for the base plus a TreeMap of pending ops.
     * The base also changes under the overlay, which must read through to it.
     */
    @Test
    @Timeout(120)
    void overlayMatchesReferenceModel() {
        long seed = KvTesting.seed(getClass().getSimpleName() + ".overlayMatchesReferenceModel");
        SplittableRandom random = new SplittableRandom(seed);
        int steps = 4000;
        TreeMap<byte[], byte[]> base = new TreeMap<>(Bytes.COMPARATOR);
        // Pending ops of the overlay: empty Optional for a delete.
        TreeMap<byte[], Optional<byte[]>> pending = new TreeMap<>(Bytes.COMPARATOR);
        KvOverlay overlay = new KvOverlay(kv);
        for (int step = 0; step < steps; step++) {
            String where = "seed=" + seed + " step=" + step;
            int choice = random.nextInt(100);
            if (choice < 30) {
                byte[] key = randomKey(random);
                byte[] value = randomValue(random);
                overlay.put(key, value);
                pending.put(key, Optional.of(value));
            } else if (choice < 42) {
                byte[] key = randomKey(random);
                overlay.delete(key);
                pending.put(key, Optional.empty());
            } else if (choice < 60) {
                byte[] key = randomKey(random);
                byte[] expected = pending.containsKey(key) ? pending.get(key).orElse(null) : base.get(key);
                assertThat(hex(overlay.get(key))).as(where + " get " + hex(key)).isEqualTo(hex(expected));
            } else if (choice < 80) {
                byte[] from = randomKey(random);
                byte[] to = random.nextInt(4) == 0 ? null : randomKey(random);
                assertThat(dump(overlay.scan(from, to)))
                        .as(where + " scan " + hex(from) + ".." + hex(to))
                        .containsExactlyElementsOf(dump(range(view(base, pending), from, to)));
            } else if (choice < 86) {
                // Commit: the net effect becomes the base in one batch.
                KvBatch batch = overlay.toBatch();
                assertThat(batch.size()).as(where).isEqualTo(pending.size());
                kv.write(batch, random.nextInt(8) == 0);
                TreeMap<byte[], byte[]> committed = view(base, pending);
                base.clear();
                base.putAll(committed);
                overlay.clear();
                pending.clear();
                assertThat(dump(kv.scan(b(), null))).as(where + " after commit").containsExactlyElementsOf(dump(base));
            } else if (choice < 89) {
                overlay.clear();
                pending.clear();
            } else if (choice < 97) {
                // Someone else changes the base under the overlay.
                byte[] key = randomKey(random);
                if (random.nextBoolean()) {
                    byte[] value = randomValue(random);
                    kv.write(new KvBatch().put(key, value), false);
                    base.put(key, value);
                } else {
                    kv.write(new KvBatch().delete(key), false);
                    base.remove(key);
                }
            } else {
                assertThat(overlay.isEmpty()).as(where).isEqualTo(pending.isEmpty());
                assertThat(overlay.size()).as(where).isEqualTo(pending.size());
            }
        }
        assertThat(dump(overlay.scan(b(), null))).as("seed=" + seed + " final")
                .containsExactlyElementsOf(dump(view(base, pending)));
    }

    private static final int[] KEY_ALPHABET = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};

    /** Short keys over a few edge bytes, so that keys collide and sit next to each other. */
    private static byte[] randomKey(SplittableRandom random) {
        byte[] key = new byte[random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) KEY_ALPHABET[random.nextInt(KEY_ALPHABET.length)];
        }
        return key;
    }

    private static byte[] randomValue(SplittableRandom random) {
        byte[] value = new byte[random.nextInt(9)];
        random.nextBytes(value);
        return value;
    }

    private static TreeMap<byte[], byte[]> view(TreeMap<byte[], byte[]> base, TreeMap<byte[], Optional<byte[]>> pending) {
        TreeMap<byte[], byte[]> view = new TreeMap<>(base);
        pending.forEach((key, op) -> op.ifPresentOrElse(value -> view.put(key, value), () -> view.remove(key)));
        return view;
    }

    private static Map<byte[], byte[]> range(TreeMap<byte[], byte[]> map, byte[] from, byte[] to) {
        if (to == null) {
            return map.tailMap(from, true);
        }
        return Bytes.compare(from, to) < 0 ? map.subMap(from, true, to, false) : Map.of();
    }
}
