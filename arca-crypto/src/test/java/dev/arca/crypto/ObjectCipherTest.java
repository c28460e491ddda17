package dev.arca.crypto;

import static dev.arca.crypto.ObjectCipher.CHUNK_BYTES;
import static dev.arca.crypto.ObjectCipher.TAG_BYTES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Round trips, every interesting range, and every kind of tampering of {@link ObjectCipher}. */
class ObjectCipherTest {
    private static final int C = CHUNK_BYTES;
    private static final int SEALED_CHUNK = C + TAG_BYTES;
    private static final int[] BOUNDARY_LENGTHS = {0, 1, C - 1, C, C + 1, 3 * C};
    private static final int RANDOM_UNITS = 25;
    private static final int MAX_RANDOM_UNIT = 5 * C + 17;

    private static long seed;
    private static byte[] dek;

    @BeforeAll
    static void seed() {
        seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("ObjectCipherTest seed: " + seed + " (replay with -Darca.seed=" + seed + ")");
        dek = bytes(new SplittableRandom(seed), ObjectCipher.DEK_BYTES);
    }

    private static ObjectCipher cipher() {
        return ObjectCipher.forUnit(dek, "bucket", "photos/cat.jpg", "unit-1");
    }

    @Test
    void sealedLengthArithmetic() {
        assertThat(ObjectCipher.sealedLength(0)).isEqualTo(TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(1)).isEqualTo(1 + TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(C - 1)).isEqualTo(C - 1 + TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(C)).isEqualTo(C + TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(C + 1)).isEqualTo(C + 1 + 2 * TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(3L * C)).isEqualTo(3L * C + 3 * TAG_BYTES);
        assertThat(ObjectCipher.sealedLength(5L << 40)).isEqualTo((5L << 40) + TAG_BYTES * ((5L << 40) / C));
        assertThatThrownBy(() -> ObjectCipher.sealedLength(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectCipher.sealedLength(Long.MAX_VALUE)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void roundTripsAtChunkBoundaries() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int length : BOUNDARY_LENGTHS) {
            checkRoundTrip(rnd, bytes(rnd, length));
        }
    }

    @Test
    void roundTripsRandomSizes() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed + 1);
        for (int i = 0; i < RANDOM_UNITS; i++) {
            int length = rnd.nextInt(MAX_RANDOM_UNIT);
            byte[] plain = bytes(rnd, length);
            checkRoundTrip(rnd, plain);
            for (int r = 0; r < 20; r++) {
                long first = rnd.nextLong(length + 1L);
                long len = rnd.nextLong(length - first + 1);
                checkRange(cipher(), cipher().seal(plain, 0, length), plain, first, len);
            }
        }
    }

    private static void checkRoundTrip(SplittableRandom rnd, byte[] plain) throws IOException {
        ObjectCipher cipher = cipher();
        byte[] sealed = cipher.seal(plain, 0, plain.length);
        assertThat((long) sealed.length).isEqualTo(ObjectCipher.sealedLength(plain.length));
        assertThat(cipher.open(sealed, plain.length)).isEqualTo(plain);
        // Streaming in random pieces gives the very same bytes (the nonces are deterministic).
        assertThat(sealInPieces(cipher, plain, rnd)).isEqualTo(sealed);
        try (InputStream in = cipher.open(source(sealed), plain.length, 0, plain.length)) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
        // A source that returns a few bytes per read must work too.
        try (InputStream in = cipher.open(trickle(sealed, rnd.nextLong()), plain.length, 0, plain.length)) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
    }

    @Test
    void sealsWithAnOffsetIntoTheArray() throws TamperedDataException {
        byte[] buf = bytes(new SplittableRandom(seed + 2), C + 100);
        byte[] sealed = cipher().seal(buf, 7, C + 50);
        assertThat(cipher().open(sealed, C + 50)).isEqualTo(Arrays.copyOfRange(buf, 7, 7 + C + 50));
    }

    @Test
    void everyRangeOfASmallUnit() throws IOException {
        byte[] plain = bytes(new SplittableRandom(seed + 3), 97);
        byte[] sealed = cipher().seal(plain, 0, plain.length);
        for (int first = 0; first <= plain.length; first++) {
            for (int len = 0; first + len <= plain.length; len++) {
                checkRange(cipher(), sealed, plain, first, len);
            }
        }
    }

    @Test
    void everyRangeBetweenChunkBoundaries() throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed + 4);
        for (int length : new int[] {C, C + 1, 2 * C - 1, 2 * C, 3 * C + 5}) {
            byte[] plain = bytes(rnd, length);
            byte[] sealed = cipher().seal(plain, 0, length);
            TreeSet<Long> points = new TreeSet<>();
            for (long p : new long[] {0, 1, C - 1, C, C + 1, 2L * C - 1, 2L * C, 2L * C + 1, 3L * C, length - 1L,
                    length}) {
                if (p >= 0 && p <= length) {
                    points.add(p);
                }
            }
            for (long first : points) {
                for (long end : points.tailSet(first, true)) {
                    checkRange(cipher(), sealed, plain, first, end - first);
                }
            }
        }
    }

    /** Reads the range two ways and checks the source was asked for exactly the covering chunks. */
    private static void checkRange(ObjectCipher cipher, byte[] sealed, byte[] plain, long first, long len)
            throws IOException {
        byte[] expected = Arrays.copyOfRange(plain, (int) first, (int) (first + len));
        List<long[]> calls = new ArrayList<>();
        ObjectCipher.SealedSource recording = (offset, length) -> {
            calls.add(new long[] {offset, length});
            return source(sealed).stream(offset, length);
        };
        try (InputStream in = cipher.open(recording, plain.length, first, len)) {
            assertThat(in.readAllBytes()).as("range [%d, +%d) of %d", first, len, plain.length).isEqualTo(expected);
            assertThat(in.read()).isEqualTo(-1);
        }
        if (len == 0) {
            assertThat(calls).isEmpty();
        } else {
            long firstChunk = first / C;
            long lastChunk = (first + len - 1) / C;
            long end = Math.min(sealed.length, (lastChunk + 1) * SEALED_CHUNK);
            assertThat(calls).hasSize(1);
            assertThat(calls.get(0)).containsExactly(firstChunk * SEALED_CHUNK, end - firstChunk * SEALED_CHUNK);
        }
        try (InputStream in = cipher.open(source(sealed), plain.length, first, len)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0;) {
                out.write(b);
            }
            assertThat(out.toByteArray()).isEqualTo(expected);
        }
        // Reads larger than a chunk open whole chunks straight into the caller's array.
        try (InputStream in = cipher.open(source(sealed), plain.length, first, len)) {
            assertThat(readInPieces(in, 2 * C + 7)).as("large reads of [%d, +%d)", first, len).isEqualTo(expected);
        }
    }

    /** Everything the stream gives, read with {@code read(byte[], int, int)} into a buffer of {@code size}. */
    private static byte[] readInPieces(InputStream in, int size) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[size];
        for (int n; (n = in.read(buf, 1, size - 1)) >= 0;) {
            assertThat(n).isPositive();
            out.write(buf, 1, n);
        }
        return out.toByteArray();
    }

    @Test
    void rangeIsValidatedAndOpenedLazily() throws IOException {
        ObjectCipher.SealedSource refusing = (offset, length) -> {
            throw new AssertionError("source must not be read");
        };
        ObjectCipher cipher = cipher();
        try (InputStream in = cipher.open(refusing, 100, 40, 0)) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        cipher.open(refusing, 100, 40, 10).close(); // nothing read until read() is called
        assertThat(cipher.open(refusing, 0, 0, 0).read()).isEqualTo(-1);
        for (long[] bad : new long[][] {{100, -1, 1}, {100, 0, -1}, {100, 50, 51}, {100, 101, 0},
                {100, Long.MAX_VALUE, 2}, {-1, 0, 0}, {100, 1, Long.MAX_VALUE}}) {
            assertThatThrownBy(() -> cipher.open(refusing, bad[0], bad[1], bad[2]))
                    .as("plain %d first %d length %d", bad[0], bad[1], bad[2])
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void sealerRefusesMisuse() {
        ObjectCipher.Sealer sealer = cipher().sealer((b, o, l) -> {});
        sealer.write(new byte[10], 0, 10);
        assertThat(sealer.plainLength()).isEqualTo(10);
        assertThatThrownBy(() -> sealer.write(new byte[10], 5, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        sealer.finish();
        assertThatThrownBy(sealer::finish).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> sealer.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBitFlippedAnywhereInAnyChunkIsDetected() throws IOException {
        int length = 3 * C + 5;
        byte[] plain = bytes(new SplittableRandom(seed + 5), length);
        byte[] sealed = cipher().seal(plain, 0, length);
        for (int chunk = 0; chunk < 4; chunk++) {
            int start = chunk * SEALED_CHUNK;
            int size = Math.min(SEALED_CHUNK, sealed.length - start);
            for (int at : new int[] {start, start + size / 2, start + size - TAG_BYTES, start + size - 1}) {
                byte[] bad = sealed.clone();
                bad[at] ^= 0x10;
                expectTampered(bad, length, plain, chunk);
            }
        }
        // The empty unit's only content is its tag. (Its only range is empty, read without the source.)
        byte[] empty = cipher().seal(new byte[0], 0, 0);
        empty[3] ^= 1;
        assertThatThrownBy(() -> cipher().open(empty, 0)).isInstanceOf(TamperedDataException.class);
    }

    @Test
    void swappedChunksAreDetected() throws IOException {
        int length = 3 * C;
        byte[] plain = bytes(new SplittableRandom(seed + 6), length);
        byte[] sealed = cipher().seal(plain, 0, length);
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, 0, swapped, SEALED_CHUNK, SEALED_CHUNK);
        System.arraycopy(sealed, SEALED_CHUNK, swapped, 0, SEALED_CHUNK);
        expectTampered(swapped, length, plain, 0);
        // Moving the final chunk forward and a middle one to the end breaks the final flag too.
        byte[] rotated = sealed.clone();
        System.arraycopy(sealed, 2 * SEALED_CHUNK, rotated, SEALED_CHUNK, SEALED_CHUNK);
        System.arraycopy(sealed, SEALED_CHUNK, rotated, 2 * SEALED_CHUNK, SEALED_CHUNK);
        expectTampered(rotated, length, plain, 1);
    }

    @Test
    void truncationIsDetected() throws IOException {
        int length = 3 * C + 5;
        byte[] plain = bytes(new SplittableRandom(seed + 7), length);
        byte[] sealed = cipher().seal(plain, 0, length);
        byte[] withoutLast = Arrays.copyOf(sealed, 3 * SEALED_CHUNK);
        // Metadata still says the true length: the source ends early.
        expectTampered(withoutLast, length, plain, 3);
        // An attacker who also shortens the recorded length: chunk 2 was not sealed as the final one.
        expectTampered(withoutLast, 3L * C, plain, 2);
        // A few bytes cut off the last chunk.
        expectTampered(Arrays.copyOf(sealed, sealed.length - 3), length, plain, 3);
        // A unit cut back to an exact chunk boundary must not pass for a shorter unit either.
        byte[] exact = cipher().seal(plain, 0, 2 * C);
        expectTampered(Arrays.copyOf(exact, SEALED_CHUNK), C, plain, 0);
    }

    @Test
    void appendedChunksAreDetected() throws IOException {
        byte[] plain = bytes(new SplittableRandom(seed + 8), 5 * C);
        byte[] fourChunks = cipher().seal(plain, 0, 4 * C);
        byte[] fiveChunks = cipher().seal(plain, 0, 5 * C);
        byte[] appended = Arrays.copyOf(fourChunks, 5 * SEALED_CHUNK);
        System.arraycopy(fiveChunks, 4 * SEALED_CHUNK, appended, 4 * SEALED_CHUNK, SEALED_CHUNK);
        // Recorded length unchanged: the whole-unit open sees the extra bytes.
        assertThatThrownBy(() -> cipher().open(appended, 4L * C)).isInstanceOf(TamperedDataException.class);
        // Recorded length extended to cover it: chunk 3 was sealed as the final chunk.
        expectTampered(appended, 5L * C, plain, 3);
    }

    @Test
    void aUnitOfAnotherObjectOrKeyDoesNotOpen() throws IOException {
        byte[] plain = bytes(new SplittableRandom(seed + 9), 2 * C + 3);
        byte[] otherDek = dek.clone();
        otherDek[0] ^= 1;
        List<ObjectCipher> others = List.of(
                ObjectCipher.forUnit(dek, "bucket", "photos/cat.jpg", "unit-2"),
                ObjectCipher.forUnit(dek, "bucket2", "photos/cat.jpg", "unit-1"),
                ObjectCipher.forUnit(dek, "bucket", "photos/dog.jpg", "unit-1"),
                // The length prefixes keep ("bucke", "tphotos/...") apart from ("bucket", "photos/...").
                ObjectCipher.forUnit(dek, "bucke", "tphotos/cat.jpg", "unit-1"),
                ObjectCipher.forUnit(otherDek, "bucket", "photos/cat.jpg", "unit-1"));
        for (ObjectCipher other : others) {
            expectTampered(other.seal(plain, 0, plain.length), plain.length, plain, 0);
        }
    }

    /**
     * Whole-unit open and a full-range read must both fail; the stream must hand out only correct
     * bytes, and none of chunk {@code badChunk} or later.
     */
    private static void expectTampered(byte[] sealed, long plainLength, byte[] plain, int badChunk) throws IOException {
        assertThatThrownBy(() -> cipher().open(sealed, plainLength)).isInstanceOf(TamperedDataException.class);
        // Small reads go through the stream's own buffer; reads over a chunk open straight into the caller's array.
        for (int size : new int[] {8192, 2 * C + 1}) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[size];
            try (InputStream in = cipher().open(source(sealed), plainLength, 0, plainLength)) {
                assertThatThrownBy(() -> {
                    for (int n; (n = in.read(buf)) >= 0;) {
                        got.write(buf, 0, n);
                    }
                }).isInstanceOf(TamperedDataException.class);
                assertThatThrownBy(in::read).as("stays failed").isInstanceOf(TamperedDataException.class);
                assertThatThrownBy(() -> in.read(buf)).as("stays failed").isInstanceOf(TamperedDataException.class);
            }
            byte[] returned = got.toByteArray();
            assertThat(returned.length).as("read size %d", size).isLessThanOrEqualTo(badChunk * C);
            assertThat(returned).isEqualTo(Arrays.copyOf(plain, returned.length));
        }
    }

    @Test
    void warmUpIsBounded() {
        long start = System.nanoTime();
        ObjectCipher.warmUp();
        long first = System.nanoTime() - start;
        start = System.nanoTime();
        ObjectCipher.warmUp();
        long second = System.nanoTime() - start;
        System.out.printf("ObjectCipher.warmUp: %.0f ms cold, %.0f ms warm%n", first / 1e6, second / 1e6);
    }

    /** A sanity print, not an assertion: machines are shared and noisy. */
    @Test
    void throughputSanityPrint() throws IOException {
        ObjectCipher.warmUp();
        int unit = 64 * 1024 * 1024;
        int piece = 1024 * 1024;
        byte[] plain = bytes(new SplittableRandom(seed + 10), unit);
        ObjectCipher cipher = cipher();
        byte[] sealed = new byte[(int) ObjectCipher.sealedLength(unit)];
        double bestSeal = 0;
        double bestOpen = 0;
        byte[] buf = new byte[piece];
        for (int round = 0; round < 3; round++) {
            int[] at = {0};
            long t0 = System.nanoTime();
            ObjectCipher.Sealer sealer = cipher.sealer((b, o, l) -> {
                System.arraycopy(b, o, sealed, at[0], l);
                at[0] += l;
            });
            for (int i = 0; i < unit; i += piece) {
                sealer.write(plain, i, piece);
            }
            sealer.finish();
            long t1 = System.nanoTime();
            long read = 0;
            try (InputStream in = cipher.open(source(sealed), unit, 0, unit)) {
                for (int n; (n = in.read(buf)) >= 0;) {
                    read += n;
                }
            }
            long t2 = System.nanoTime();
            assertThat(read).isEqualTo(unit);
            bestSeal = Math.max(bestSeal, unit / (double) (t1 - t0));
            bestOpen = Math.max(bestOpen, unit / (double) (t2 - t1));
        }
        System.out.printf("ObjectCipher throughput (warm, best of 3, 64 MiB): seal %.2f GB/s, open %.2f GB/s%n",
                bestSeal, bestOpen);
    }

    static byte[] bytes(SplittableRandom rnd, int length) {
        byte[] b = new byte[length];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] sealInPieces(ObjectCipher cipher, byte[] plain, SplittableRandom rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ObjectCipher.Sealer sealer = cipher.sealer(out::write);
        int at = 0;
        while (at < plain.length) {
            int n = Math.min(plain.length - at, rnd.nextBoolean() ? rnd.nextInt(1, 100) : rnd.nextInt(1, 3 * C));
            sealer.write(plain, at, n);
            at += n;
        }
        assertThat(sealer.plainLength()).isEqualTo(plain.length);
        sealer.finish();
        return out.toByteArray();
    }

    /** A source over {@code sealed} that, like a blob store, serves only the bytes it has. */
    static ObjectCipher.SealedSource source(byte[] sealed) {
        return (offset, length) -> {
            int from = (int) Math.min(offset, sealed.length);
            int to = (int) Math.min(sealed.length, offset + length);
            return new ByteArrayInputStream(sealed, from, to - from);
        };
    }

    /** A source whose reads return only a few bytes at a time. */
    private static ObjectCipher.SealedSource trickle(byte[] sealed, long streamSeed) {
        return (offset, length) -> {
            InputStream in = source(sealed).stream(offset, length);
            SplittableRandom rnd = new SplittableRandom(streamSeed);
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, Math.min(len, rnd.nextInt(1, 5000)));
                }
            };
        };
    }
}
