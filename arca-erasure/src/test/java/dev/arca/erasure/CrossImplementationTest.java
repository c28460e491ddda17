package dev.arca.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arca.erasure.ErasureCoders.Implementation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Scalar, Vector API and ISA-L must produce byte-identical shards, whatever mix of heap and native
 * segments they get. The ISA-L tests skip when the library is absent, unless ARCA_REQUIRE_ISAL=1.
 */
class CrossImplementationTest {
    private static final int[][] SHAPES = {{4, 2}, {8, 4}, {2, 2}, {12, 4}, {10, 4}, {1, 3}, {6, 0}, {17, 15}};
    private static final int TRIALS_PER_SHAPE = 6;
    private static final int MAX_LENGTH = 128 * 1024;
    /** More output rows than one vector pass handles, to cover every pass width and their chaining. */
    private static final int MAX_KERNEL_ROWS = 2 * VectorKernel.ROWS_PER_PASS + 1;

    @Test
    void isalMatchesTheScalarReference() {
        assumeTrue(TestSupport.isalUsable(), "ISA-L not installed (set ARCA_REQUIRE_ISAL=1 to fail instead)");
        compareWithScalar(Implementation.ISAL, TestSupport.seed("isalMatchesTheScalarReference"));
    }

    @Test
    void vectorMatchesTheScalarReference() {
        assumeTrue(ErasureCoders.vectorAvailable(), "run with --add-modules jdk.incubator.vector");
        compareWithScalar(Implementation.JAVA_VECTOR, TestSupport.seed("vectorMatchesTheScalarReference"));
    }

    @Test
    void autoIsIsalWhenIsalLoads() {
        String expected = TestSupport.isalUsable() ? IsalKernel.NAME
                : ErasureCoders.vectorAvailable() ? VectorKernel.NAME : ScalarKernel.NAME;
        assertThat(ErasureCoders.create(8, 4).name()).isEqualTo(expected);
    }

    private static void compareWithScalar(Implementation implementation, long seed) {
        Random random = new Random(seed);
        for (int[] shape : SHAPES) {
            int k = shape[0];
            int m = shape[1];
            ErasureCoder reference = ErasureCoders.create(k, m, Implementation.JAVA_SCALAR);
            ErasureCoder coder = ErasureCoders.create(k, m, implementation);
            for (int trial = 0; trial < TRIALS_PER_SHAPE; trial++) {
                int length = trial == 0 ? random.nextInt(64) : random.nextInt(MAX_LENGTH);
                String context = String.format("seed %d, %d+%d, trial %d, length %d", seed, k, m, trial, length);
                try (Arena arena = Arena.ofConfined()) {
                    // Each shard independently heap or native: ISA-L stages only the heap ones.
                    MemorySegment[] expected = new MemorySegment[k + m];
                    MemorySegment[] actual = new MemorySegment[k + m];
                    for (int i = 0; i < k + m; i++) {
                        expected[i] = i < k
                                ? TestSupport.randomShard(random, arena, random.nextBoolean(), length)
                                : TestSupport.shard(arena, random.nextBoolean(), length);
                        actual[i] = TestSupport.shard(arena, random.nextBoolean(), length);
                        MemorySegment.copy(expected[i], 0, actual[i], 0, length);
                    }
                    reference.encode(expected, length);
                    coder.encode(actual, length);
                    assertThat(TestSupport.firstDifferentShard(expected, actual, length))
                            .as("%s: parity of %s", context, coder.name()).isEqualTo(-1);
                    if (m == 0) {
                        continue;
                    }
                    boolean[] present = new boolean[k + m];
                    java.util.Arrays.fill(present, true);
                    int lose = 1 + random.nextInt(m);
                    while (TestSupport.lost(present).size() < lose) {
                        present[random.nextInt(k + m)] = false;
                    }
                    for (int i = 0; i < k + m; i++) {
                        if (!present[i]) {
                            actual[i].fill((byte) 0);
                        }
                    }
                    coder.reconstruct(actual, present, length);
                    assertThat(TestSupport.firstDifferentShard(expected, actual, length))
                            .as("%s: %s rebuilding %s", context, coder.name(), TestSupport.lost(present))
                            .isEqualTo(-1);
                }
            }
        }
    }

    /** The kernels directly, with arbitrary matrices (zeros and ones included) and row counts. */
    @Test
    void kernelsAgreeOnRandomMatrices() {
        long seed = TestSupport.seed("kernelsAgreeOnRandomMatrices");
        Random random = new Random(seed);
        List<Kernel> kernels = new ArrayList<>();
        for (Implementation implementation : TestSupport.implementations()) {
            kernels.add(ErasureCoders.kernel(implementation));
        }
        for (int trial = 0; trial < 60; trial++) {
            int rows = 1 + random.nextInt(MAX_KERNEL_ROWS);
            int k = 1 + random.nextInt(20);
            int length = random.nextInt(3) == 0 ? random.nextInt(200) : random.nextInt(20_000);
            byte[] coefficients = new byte[rows * k];
            for (int i = 0; i < coefficients.length; i++) {
                int kind = random.nextInt(4);
                coefficients[i] = (byte) (kind == 0 ? 0 : kind == 1 ? 1 : random.nextInt(256));
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment[] inputs = new MemorySegment[k];
                for (int j = 0; j < k; j++) {
                    inputs[j] = TestSupport.randomShard(random, arena, random.nextBoolean(), length);
                }
                MemorySegment[] expected = definition(coefficients, rows, k, inputs, length);
                for (Kernel kernel : kernels) {
                    MemorySegment[] outputs = new MemorySegment[rows];
                    for (int r = 0; r < rows; r++) {
                        outputs[r] = TestSupport.shard(arena, random.nextBoolean(), length);
                        outputs[r].fill((byte) 0x33);
                    }
                    kernel.multiply(coefficients, rows, k, inputs, outputs, length);
                    assertThat(TestSupport.firstDifferentShard(expected, outputs, length))
                            .as("seed %d, trial %d: %s, %dx%d, length %d", seed, trial, kernel.name(), rows, k, length)
                            .isEqualTo(-1);
                }
            }
        }
    }

    /** out[r][x] = Σ_j c[r][j] · in[j][x], one Gf256.mul at a time. */
    private static MemorySegment[] definition(byte[] c, int rows, int k, MemorySegment[] inputs, int length) {
        MemorySegment[] outputs = new MemorySegment[rows];
        for (int r = 0; r < rows; r++) {
            outputs[r] = MemorySegment.ofArray(new byte[length]);
            for (int x = 0; x < length; x++) {
                int sum = 0;
                for (int j = 0; j < k; j++) {
                    sum ^= Gf256.mul(c[r * k + j], inputs[j].get(ValueLayout.JAVA_BYTE, x));
                }
                outputs[r].set(ValueLayout.JAVA_BYTE, x, (byte) sum);
            }
        }
        return outputs;
    }

    @Test
    void isalLoaderReportsAbsenceInsteadOfThrowing() {
        assertThat(IsalKernel.load("libarca-no-such-library.so.9")).isEmpty();
        // A real library without the symbols.
        assertThat(IsalKernel.load("libc.so.6")).isEmpty();
        Optional<Kernel> isal =
                IsalKernel.load(System.getProperty(IsalKernel.LIBRARY_PROPERTY, IsalKernel.DEFAULT_LIBRARY));
        assertThat(isal.isPresent()).isEqualTo(TestSupport.isalUsable());
    }
}
