package dev.arca.erasure;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The reference kernel: one lookup in the full 256×256 multiplication table per coefficient and
 * byte. Slow (hundreds of MB/s) but obviously correct; the others are checked against it.
 */
final class ScalarKernel implements Kernel {
    static final ScalarKernel INSTANCE = new ScalarKernel();
    static final String NAME = "java-scalar";
    /** Bytes of each shard staged in heap arrays at a time: k+1 of them stay in L1/L2. */
    static final int CHUNK_BYTES = 4096;

    private ScalarKernel() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plan prepare(byte[] coefficients, int rows, int k) {
        if (coefficients.length != rows * k) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " coefficients");
        }
        return new ScalarPlan(coefficients.clone(), rows, k);
    }

    private static final class ScalarPlan implements Plan {
        private final byte[] coefficients;
        private final int rows;
        private final int k;

        ScalarPlan(byte[] coefficients, int rows, int k) {
            this.coefficients = coefficients;
            this.rows = rows;
            this.k = k;
        }

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
            int chunk = Math.min(CHUNK_BYTES, length);
            byte[][] in = new byte[k][chunk];
            byte[] out = new byte[chunk];
            byte[] mul = Gf256.mulTable();
            for (long offset = 0; offset < length; offset += chunk) {
                int n = (int) Math.min(chunk, length - offset);
                for (int j = 0; j < k; j++) {
                    MemorySegment.copy(inputs[j], ValueLayout.JAVA_BYTE, offset, in[j], 0, n);
                }
                for (int r = 0; r < rows; r++) {
                    Arrays.fill(out, 0, n, (byte) 0);
                    for (int j = 0; j < k; j++) {
                        int row = (coefficients[r * k + j] & 0xff) << 8;
                        if (row == 0) {
                            continue;
                        }
                        byte[] src = in[j];
                        for (int x = 0; x < n; x++) {
                            out[x] ^= mul[row | (src[x] & 0xff)];
                        }
                    }
                    MemorySegment.copy(out, 0, outputs[r], ValueLayout.JAVA_BYTE, offset, n);
                }
            }
        }
    }
}
