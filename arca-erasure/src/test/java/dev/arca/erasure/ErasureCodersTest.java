package dev.arca.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.erasure.ErasureCoders.Implementation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ErasureCodersTest {
    private static final int[][] SELF_TEST_SHAPES = {{4, 2}, {8, 4}, {3, 1}, {1, 0}, {5, 5}, {20, 12}};

    @Test
    void shapesAreValidated() {
        assertThatThrownBy(() -> ErasureCoders.create(0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErasureCoders.create(4, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ErasureCoders.create(20, ErasureCoders.MAX_TOTAL_SHARDS - 19))
                .isInstanceOf(IllegalArgumentException.class);
        ErasureCoder largest = ErasureCoders.create(16, ErasureCoders.MAX_TOTAL_SHARDS - 16);
        assertThat(largest.totalShards()).isEqualTo(ErasureCoders.MAX_TOTAL_SHARDS);
        assertThat(ErasureCoders.create(1, 0).totalShards()).isEqualTo(1);
    }

    @Test
    void namesFollowTheImplementation() {
        assertThat(ErasureCoders.create(4, 2, Implementation.JAVA_SCALAR).name()).isEqualTo("java-scalar");
        if (ErasureCoders.vectorAvailable()) {
            assertThat(ErasureCoders.create(4, 2, Implementation.JAVA_VECTOR).name()).isEqualTo("java-vector");
        }
        if (TestSupport.isalUsable()) {
            assertThat(ErasureCoders.create(4, 2, Implementation.ISAL).name()).isEqualTo("isa-l");
        }
        assertThat(ErasureCoders.availability()).contains("auto: " + ErasureCoders.create(4, 2).name());
    }

    @Test
    void moreThanMLostShardsAreRejected() {
        for (Implementation implementation : TestSupport.implementations()) {
            ErasureCoder coder = ErasureCoders.create(8, 4, implementation);
            MemorySegment[] shards = heapShards(12, 100);
            boolean[] present = new boolean[12];
            Arrays.fill(present, true);
            for (int i : new int[] {0, 3, 8, 9, 11}) {
                present[i] = false;
            }
            assertThatThrownBy(() -> coder.reconstruct(shards, present, 100))
                    .as(coder.name())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("only 7 of 12 shards present");
        }
    }

    @Test
    void malformedArgumentsAreRejected() {
        for (Implementation implementation : TestSupport.implementations()) {
            ErasureCoder coder = ErasureCoders.create(4, 2, implementation);
            assertThatThrownBy(() -> coder.encode(heapShards(5, 10), 10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> coder.encode(heapShards(6, 10), -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> coder.encode(heapShards(6, 10), 11))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("less than length");
            MemorySegment[] withNull = heapShards(6, 10);
            withNull[2] = null;
            assertThatThrownBy(() -> coder.encode(withNull, 10)).isInstanceOf(IllegalArgumentException.class);
            MemorySegment[] readOnlyParity = heapShards(6, 10);
            readOnlyParity[5] = readOnlyParity[5].asReadOnly();
            assertThatThrownBy(() -> coder.encode(readOnlyParity, 10))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> coder.reconstruct(heapShards(6, 10), new boolean[5], 10))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void withoutParityEncodeIsANoOpAndEveryShardIsNeeded() {
        for (Implementation implementation : TestSupport.implementations()) {
            ErasureCoder coder = ErasureCoders.create(3, 0, implementation);
            MemorySegment[] shards = heapShards(3, 50);
            for (int i = 0; i < 3; i++) {
                ErasureCoders.pattern(shards[i], i, 50);
            }
            MemorySegment[] before = TestSupport.copies(shards, null, false, 50);
            coder.encode(shards, 50);
            coder.reconstruct(shards, new boolean[] {true, true, true}, 50);
            assertThat(TestSupport.firstDifferentShard(before, shards, 50)).isEqualTo(-1);
            assertThatThrownBy(() -> coder.reconstruct(shards, new boolean[] {true, false, true}, 50))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void selfTestPassesForEveryImplementation() {
        for (Implementation implementation : TestSupport.implementations()) {
            for (int[] shape : SELF_TEST_SHAPES) {
                ErasureCoders.selfTest(ErasureCoders.create(shape[0], shape[1], implementation));
            }
        }
    }

    @Test
    void knownAnswersMatchTheScalarReference() {
        StringBuilder table = new StringBuilder();
        boolean match = true;
        for (ErasureCoders.KnownAnswer answer : ErasureCoders.KNOWN_ANSWERS) {
            int crc = ErasureCoders.parityCrc(ErasureCoders.create(answer.k(), answer.m(), Implementation.JAVA_SCALAR));
            table.append(String.format("new KnownAnswer(%d, %d, 0x%08x),%n", answer.k(), answer.m(), crc));
            match &= crc == answer.parityCrc();
        }
        assertThat(match).as("known answers differ from the scalar coder; its values:%n%s", table).isTrue();
    }

    @Test
    void selfTestCatchesWrongParity() {
        ErasureCoder corrupt = new ReedSolomon(8, 4, new BitFlippingKernel(ScalarKernel.INSTANCE, false));
        assertThatThrownBy(() -> ErasureCoders.selfTest(corrupt))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("self-test failed")
                .hasMessageContaining("parity CRC32C");
    }

    @Test
    void selfTestCatchesWrongReconstruction() {
        for (Implementation implementation : TestSupport.implementations()) {
            Kernel kernel = new BitFlippingKernel(ErasureCoders.kernel(implementation), true);
            ErasureCoder corrupt = new ReedSolomon(4, 2, kernel);
            assertThatThrownBy(() -> ErasureCoders.selfTest(corrupt))
                    .as(implementation.name())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("rebuilt shard");
        }
    }

    @Test
    void selfTestCatchesAForeignCoderThatDoesNotRebuild() {
        ErasureCoder honest = ErasureCoders.create(4, 2, Implementation.JAVA_SCALAR);
        ErasureCoder lazy = new ErasureCoder() {
            @Override
            public int dataShards() {
                return 4;
            }

            @Override
            public int parityShards() {
                return 2;
            }

            @Override
            public String name() {
                return "lazy";
            }

            @Override
            public void encode(MemorySegment[] shards, int length) {
                honest.encode(shards, length);
            }

            @Override
            public void reconstruct(MemorySegment[] shards, boolean[] present, int length) {}
        };
        assertThatThrownBy(() -> ErasureCoders.selfTest(lazy)).hasMessageContaining("lazy 4+2 rebuilt shard");
    }

    @Test
    void selfTestErasurePatternsCoverSmallCodesCompletely() {
        List<boolean[]> patterns = ErasureCoders.erasurePatterns(6, 2);
        assertThat(patterns).hasSize(6 + 15);
        assertThat(patterns).allSatisfy(p -> assertThat(TestSupport.lost(p)).hasSizeBetween(1, 2));
        assertThat(patterns.stream().map(p -> TestSupport.lost(p)).distinct()).hasSize(21);
        List<boolean[]> sampled = ErasureCoders.erasurePatterns(32, 16);
        assertThat(sampled).hasSize(32 + ErasureCoders.MAX_SELF_TEST_PATTERNS);
        assertThat(TestSupport.lost(sampled.get(32))).isEqualTo(range(16));
        assertThat(sampled).allSatisfy(p -> assertThat(TestSupport.lost(p)).hasSizeBetween(1, 16));
    }

    /** Many erasure patterns (more than the decode cache holds) on one coder from several threads. */
    @Test
    void oneCoderServesManyPatternsConcurrently() throws Exception {
        long seed = TestSupport.seed("oneCoderServesManyPatternsConcurrently");
        int k = 10;
        int m = 4;
        int length = 3000;
        int threads = 4;
        int patternsPerThread = 3 * ReedSolomon.DECODE_CACHE_PATTERNS;
        MemorySegment[] original = heapShards(k + m, length);
        Random data = new Random(seed);
        for (int i = 0; i < k; i++) {
            byte[] bytes = new byte[length];
            data.nextBytes(bytes);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, original[i], 0, length);
        }
        ErasureCoders.create(k, m, Implementation.JAVA_SCALAR).encode(original, length);
        for (Implementation implementation : TestSupport.implementations()) {
            ErasureCoder coder = ErasureCoders.create(k, m, implementation);
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Random random = new Random(seed + t);
                    futures.add(pool.submit(() -> {
                        for (int p = 0; p < patternsPerThread; p++) {
                            boolean[] present = new boolean[k + m];
                            Arrays.fill(present, true);
                            int lose = 1 + random.nextInt(m);
                            while (TestSupport.lost(present).size() < lose) {
                                present[random.nextInt(k + m)] = false;
                            }
                            MemorySegment[] shards = TestSupport.copies(original, null, false, length);
                            for (int i = 0; i < k + m; i++) {
                                if (!present[i]) {
                                    shards[i].fill((byte) 0);
                                }
                            }
                            coder.reconstruct(shards, present, length);
                            assertThat(TestSupport.firstDifferentShard(original, shards, length))
                                    .as("seed %d, %s, lost %s", seed, coder.name(), TestSupport.lost(present))
                                    .isEqualTo(-1);
                        }
                        return null;
                    }));
                }
                for (Future<?> future : futures) {
                    future.get();
                }
            }
        }
    }

    private static List<Integer> range(int n) {
        List<Integer> range = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            range.add(i);
        }
        return range;
    }

    private static MemorySegment[] heapShards(int n, int length) {
        MemorySegment[] shards = new MemorySegment[n];
        for (int i = 0; i < n; i++) {
            shards[i] = MemorySegment.ofArray(new byte[length]);
        }
        return shards;
    }

    /**
     * A broken kernel: flips one bit in the middle of its first output row. With {@code decodeOnly}
     * it spares the plans that are exactly an encoding matrix's parity rows, so encoding stays right.
     */
    private record BitFlippingKernel(Kernel delegate, boolean decodeOnly) implements Kernel {
        @Override
        public String name() {
            return "flipping-" + delegate.name();
        }

        @Override
        public Plan prepare(byte[] coefficients, int rows, int k) {
            Plan plan = delegate.prepare(coefficients, rows, k);
            byte[] parityRows = Arrays.copyOfRange(Gf256.cauchyMatrix(k, rows), k * k, (k + rows) * k);
            if (decodeOnly && Arrays.equals(coefficients, parityRows)) {
                return plan;
            }
            return new Plan() {
                @Override
                public int rows() {
                    return rows;
                }

                @Override
                public int k() {
                    return k;
                }

                @Override
                public void multiply(MemorySegment[] inputs, MemorySegment[] outputs, int length) {
                    plan.multiply(inputs, outputs, length);
                    if (length > 0) {
                        long at = length / 2;
                        outputs[0].set(ValueLayout.JAVA_BYTE, at, (byte) (outputs[0].get(ValueLayout.JAVA_BYTE, at) ^ 1));
                    }
                }
            };
        }
    }
}
