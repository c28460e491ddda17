package dev.arca.erasure;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;

/**
 * Creates {@link ErasureCoder}s and checks them. Every implementation uses ISA-L's Cauchy matrix
 * over GF(2^8)/0x11d, so shards written by one are read by any other.
 *
 * <p>{@link Implementation#AUTO} picks ISA-L through FFM when {@code libisal.so.2} loads (override the
 * library with the system property {@value IsalKernel#LIBRARY_PROPERTY}), else the Vector API coder
 * when the JVM runs with {@code --add-modules jdk.incubator.vector}, else the scalar reference coder.
 * Loading never throws and never takes the JVM down: an unavailable implementation is skipped.
 */
public final class ErasureCoders {
    private ErasureCoders() {}

    /** Largest k + m: presence fits an int bit mask, and decode matrices stay small. */
    public static final int MAX_TOTAL_SHARDS = 32;

    /** Which multiplication kernel a coder uses; all produce identical bytes. */
    public enum Implementation {
        /** The fastest available: ISA-L, then JAVA_VECTOR, then JAVA_SCALAR. */
        AUTO,
        /** Intel ISA-L ({@code ec_encode_data}) through the FFM API. */
        ISAL,
        /** Split-nibble table lookups on {@code jdk.incubator.vector}. */
        JAVA_VECTOR,
        /** One lookup per byte in a 64 KiB multiplication table; the reference. */
        JAVA_SCALAR
    }

    /** Same as {@code create(k, m, Implementation.AUTO)}. */
    public static ErasureCoder create(int k, int m) {
        return create(k, m, Implementation.AUTO);
    }

    /**
     * A coder for k data and m parity shards.
     *
     * @throws IllegalArgumentException unless k ≥ 1, m ≥ 0 and k + m ≤ {@link #MAX_TOTAL_SHARDS}
     * @throws IllegalStateException if an explicitly requested implementation is not available here
     */
    public static ErasureCoder create(int k, int m, Implementation preferred) {
        checkShape(k, m);
        return new ReedSolomon(k, m, kernel(preferred));
    }

    /** Whether ISA-L loaded (library present, symbols found, native access permitted). */
    public static boolean isalAvailable() {
        return IsalHolder.PROBE.kernel() != null;
    }

    /** Whether the Vector API coder can run in this JVM. */
    public static boolean vectorAvailable() {
        return VectorHolder.PROBE.kernel() != null;
    }

    /** One line for the startup log: which implementations are usable here, and why not. */
    public static String availability() {
        return "isa-l: " + IsalHolder.PROBE.describe() + "; java-vector: " + VectorHolder.PROBE.describe()
                + "; auto: " + kernel(Implementation.AUTO).name();
    }

    static void checkShape(int k, int m) {
        if (k < 1 || m < 0 || k + m > MAX_TOTAL_SHARDS) {
            throw new IllegalArgumentException("invalid erasure code " + k + "+" + m
                    + ": need k >= 1, m >= 0 and k + m <= " + MAX_TOTAL_SHARDS);
        }
    }

    static Kernel kernel(Implementation implementation) {
        return switch (implementation) {
            case AUTO -> IsalHolder.PROBE.kernel() != null ? IsalHolder.PROBE.kernel()
                    : VectorHolder.PROBE.kernel() != null ? VectorHolder.PROBE.kernel()
                    : ScalarKernel.INSTANCE;
            case ISAL -> IsalHolder.PROBE.require();
            case JAVA_VECTOR -> VectorHolder.PROBE.require();
            case JAVA_SCALAR -> ScalarKernel.INSTANCE;
        };
    }

    /** A kernel, or why there is none. */
    private record Probe(Kernel kernel, String problem) {
        Kernel require() {
            if (kernel == null) {
                throw new IllegalStateException(problem);
            }
            return kernel;
        }

        String describe() {
            return kernel != null ? "available" : "unavailable (" + problem + ")";
        }
    }

    // Holders: each kernel is probed once, on first use, and only then.
    private static final class IsalHolder {
        static final Probe PROBE = probeIsal();
    }

    private static final class VectorHolder {
        static final Probe PROBE = probeVector();
    }

    private static Probe probeIsal() {
        String library = System.getProperty(IsalKernel.LIBRARY_PROPERTY, IsalKernel.DEFAULT_LIBRARY);
        try {
            return new Probe(IsalKernel.open(library), null);
        } catch (RuntimeException | LinkageError e) {
            return new Probe(null, "ISA-L library " + library + " not usable: " + e);
        }
    }

    private static Probe probeVector() {
        try {
            return new Probe(VectorKernel.open(), null);
        } catch (RuntimeException | LinkageError e) {
            // NoClassDefFoundError when the JVM lacks --add-modules jdk.incubator.vector.
            return new Probe(null, "Vector API not usable (run with --add-modules jdk.incubator.vector): " + e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Self-test

    /** Shard lengths the known answers cover: below, at and across vector widths and ISA-L's 64. */
    static final int[] SELF_TEST_LENGTHS = {1, 63, 64, 4097, 65_557};
    /** Shard length for the reconstruction checks: odd, so every kernel's tail path runs. */
    static final int SELF_TEST_RECONSTRUCT_LENGTH = 4097;
    /** Most m-shard erasure patterns checked; larger codes get a fixed sample. */
    static final int MAX_SELF_TEST_PATTERNS = 256;
    /** Seed of the erasure patterns sampled for codes with too many m-shard patterns to try all. */
    private static final long SELF_TEST_SAMPLE_SEED = 0x5EED_E7A5_C0DEL;
    /** Written into lost shards before reconstructing, so a no-op rebuild cannot pass. */
    private static final byte GARBAGE = (byte) 0xA5;

    /**
     * CRC32C over the parity shards of {@link #pattern} for every length in {@link
     * #SELF_TEST_LENGTHS}, in order (see {@link #parityCrc}). Generated once with the JAVA_SCALAR
     * coder (ErasureCodersTest.knownAnswersMatchTheScalarReference prints the table), and confirmed
     * identical for ISA-L 2.30 and the Vector API coder at 128, 256 and 512 bits; they pin the
     * field, the matrix and the shard layout forever.
     */
    static final List<KnownAnswer> KNOWN_ANSWERS = List.of(
            new KnownAnswer(4, 2, 0x028be0a8),
            new KnownAnswer(8, 4, 0x4fb3c3c1),
            new KnownAnswer(2, 2, 0x238f6a8a),
            new KnownAnswer(12, 4, 0xd247822d),
            new KnownAnswer(6, 3, 0x46223d7e),
            new KnownAnswer(10, 4, 0xe5195cd3));

    record KnownAnswer(int k, int m, int parityCrc) {}

    /**
     * Checks a coder at server start: parity of a fixed pattern against known answers (for 4+2 and,
     * when known, the coder's own shape; other shapes against the scalar reference), then every
     * single-shard loss and the m-shard losses rebuild the original bytes.
     *
     * @throws IllegalStateException naming the coder and the failed check; the server must not start
     */
    public static void selfTest(ErasureCoder coder) {
        int k = coder.dataShards();
        int m = coder.parityShards();
        if (coder instanceof ReedSolomon rs && !(k == 4 && m == 2)) {
            // The reference shape with the same kernel: a known answer even for unusual shapes.
            ErasureCoder reference = new ReedSolomon(4, 2, rs.kernel());
            checkParity(reference, expectedCrc(reference));
        }
        checkParity(coder, expectedCrc(coder));
        checkReconstruction(coder);
    }

    private static int expectedCrc(ErasureCoder coder) {
        for (KnownAnswer answer : KNOWN_ANSWERS) {
            if (answer.k == coder.dataShards() && answer.m == coder.parityShards()) {
                return answer.parityCrc;
            }
        }
        return parityCrc(new ReedSolomon(coder.dataShards(), coder.parityShards(), ScalarKernel.INSTANCE));
    }

    private static void checkParity(ErasureCoder coder, int expected) {
        int actual = parityCrc(coder);
        if (actual != expected) {
            throw new IllegalStateException(String.format(
                    "erasure coder self-test failed: %s %d+%d parity CRC32C 0x%08x, expected 0x%08x",
                    coder.name(), coder.dataShards(), coder.parityShards(), actual, expected));
        }
    }

    /** CRC32C of all parity bytes of {@link #pattern} encoded at each self-test length, in order. */
    static int parityCrc(ErasureCoder coder) {
        int k = coder.dataShards();
        int n = coder.totalShards();
        CRC32C crc = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            for (int length : SELF_TEST_LENGTHS) {
                MemorySegment[] shards = new MemorySegment[n];
                for (int i = 0; i < n; i++) {
                    shards[i] = arena.allocate(Math.max(length, 1));
                    if (i < k) {
                        pattern(shards[i], i, length);
                    } else {
                        shards[i].fill(GARBAGE);
                    }
                }
                coder.encode(shards, length);
                for (int i = k; i < n; i++) {
                    crc.update(shards[i].asSlice(0, length).asByteBuffer());
                }
            }
        }
        return (int) crc.getValue();
    }

    /** Fills shard {@code index} with a fixed pseudo-random sequence (xorshift32); never change it. */
    static void pattern(MemorySegment shard, int index, int length) {
        int state = 0x9E3779B9 ^ (index * 0x85EBCA6B) ^ length;
        for (int x = 0; x < length; x++) {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            shard.set(ValueLayout.JAVA_BYTE, x, (byte) (state >>> 24));
        }
    }

    private static void checkReconstruction(ErasureCoder coder) {
        int k = coder.dataShards();
        int n = coder.totalShards();
        int length = SELF_TEST_RECONSTRUCT_LENGTH;
        // Heap shards here (native ones in the parity check): ISA-L copies these, a different path.
        MemorySegment[] original = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            original[i] = MemorySegment.ofArray(new byte[length]);
            if (i < k) {
                pattern(original[i], i, length);
            }
        }
        coder.encode(original, length);
        for (boolean[] present : erasurePatterns(n, coder.parityShards())) {
            MemorySegment[] shards = new MemorySegment[n];
            for (int i = 0; i < n; i++) {
                shards[i] = MemorySegment.ofArray(new byte[length]);
                if (present[i]) {
                    shards[i].copyFrom(original[i]);
                } else {
                    shards[i].fill(GARBAGE);
                }
            }
            coder.reconstruct(shards, present, length);
            for (int i = 0; i < n; i++) {
                if (shards[i].mismatch(original[i]) != -1) {
                    throw new IllegalStateException(String.format(
                            "erasure coder self-test failed: %s %d+%d rebuilt shard %d wrongly with shards %s lost",
                            coder.name(), k, coder.parityShards(), i, lost(present)));
                }
            }
        }
    }

    /** Every single loss, then every m-shard loss, or a fixed sample of them when there are too many. */
    static List<boolean[]> erasurePatterns(int n, int m) {
        List<boolean[]> patterns = new ArrayList<>();
        if (m == 0) {
            return patterns;
        }
        for (int i = 0; i < n; i++) {
            boolean[] present = allPresent(n);
            present[i] = false;
            patterns.add(present);
        }
        if (m == 1) {
            return patterns;
        }
        if (binomial(n, m) <= MAX_SELF_TEST_PATTERNS) {
            int[] lost = new int[m];
            for (int i = 0; i < m; i++) {
                lost[i] = i;
            }
            do {
                patterns.add(presentExcept(n, lost));
            } while (nextCombination(lost, n));
            return patterns;
        }
        // Too many to try: the worst case (the first m data shards) plus a fixed pseudo-random
        // sample, the same on every start.
        patterns.add(presentExcept(n, IntStream.range(0, m).toArray()));
        SplittableRandom random = new SplittableRandom(SELF_TEST_SAMPLE_SEED);
        for (int p = 1; p < MAX_SELF_TEST_PATTERNS; p++) {
            patterns.add(presentExcept(n, random.ints(0, n).distinct().limit(m).toArray()));
        }
        return patterns;
    }

    private static boolean[] presentExcept(int n, int[] lost) {
        boolean[] present = allPresent(n);
        for (int i : lost) {
            present[i] = false;
        }
        return present;
    }

    private static boolean[] allPresent(int n) {
        boolean[] present = new boolean[n];
        Arrays.fill(present, true);
        return present;
    }

    private static boolean nextCombination(int[] c, int n) {
        int i = c.length - 1;
        while (i >= 0 && c[i] == n - c.length + i) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        c[i]++;
        for (int j = i + 1; j < c.length; j++) {
            c[j] = c[j - 1] + 1;
        }
        return true;
    }

    private static long binomial(int n, int r) {
        long result = 1;
        for (int i = 1; i <= r; i++) {
            result = result * (n - r + i) / i;
        }
        return result;
    }

    private static List<Integer> lost(boolean[] present) {
        List<Integer> lost = new ArrayList<>();
        for (int i = 0; i < present.length; i++) {
            if (!present[i]) {
                lost.add(i);
            }
        }
        return lost;
    }
}
