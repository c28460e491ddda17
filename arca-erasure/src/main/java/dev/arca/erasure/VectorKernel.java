package dev.arca.erasure;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GF(2^8) matrix multiplication with the Vector API, by split-nibble table lookup: for a
 * coefficient c, {@code c·x = lo[x & 15] ^ hi[x >>> 4]} where lo and hi are c times the 16 low and
 * high nibble values; one {@code selectFrom} (a byte permute: pshufb/vpermb) does 16+ lookups.
 * Each pass over the inputs computes up to {@link #ROWS_PER_PASS} output rows in registers.
 *
 * <p>Loading this class needs {@code --add-modules jdk.incubator.vector}; callers catch the
 * LinkageError when it is absent.
 */
final class VectorKernel implements Kernel {
    static final String NAME = "java-vector";
    /** System property: vector width in bits (128, 256 or 512); default the CPU's preferred one. */
    static final String BITS_PROPERTY = "arca.erasure.vectorBits";
    /** Output rows accumulated per pass: inputs are read once per this many rows. */
    static final int ROWS_PER_PASS = 4;
    /** Entries of a nibble table: a species narrower than this cannot hold one. */
    private static final int NIBBLE_VALUES = 16;
    private static final int NIBBLE_BITS = 4;

    // One species for the whole JVM, fixed at class initialization: the Vector API is only fast
    // when the species is a static final constant, and mixing shapes slows everything down.
    static final VectorSpecies<Byte> SPECIES = species(Integer.getInteger(BITS_PROPERTY, 0));
    private static final int LANES = SPECIES.length();
    /** Bytes of the lo and hi tables of one coefficient, each widened to a full vector. */
    private static final int TABLE_PAIR = 2 * LANES;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private VectorKernel() {}

    /**
     * The kernel, if this JVM can run it.
     *
     * @throws UnsupportedOperationException if vectors are narrower than a nibble table
     */
    static Kernel open() {
        if (LANES < NIBBLE_VALUES) {
            throw new UnsupportedOperationException("byte vectors of " + SPECIES.vectorBitSize()
                    + " bits cannot hold a 16-entry table");
        }
        return new VectorKernel();
    }

    private static VectorSpecies<Byte> species(int bits) {
        return switch (bits) {
            case 0 -> ByteVector.SPECIES_PREFERRED;
            case 128 -> ByteVector.SPECIES_128;
            case 256 -> ByteVector.SPECIES_256;
            case 512 -> ByteVector.SPECIES_512;
            default -> throw new IllegalArgumentException(BITS_PROPERTY + " must be 128, 256 or 512, not " + bits);
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plan prepare(byte[] coefficients, int rows, int k) {
        if (coefficients.length != rows * k) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " coefficients");
        }
        return new VectorPlan(coefficients, rows, k);
    }

    @Override
    public String toString() {
        return NAME + "(" + SPECIES.vectorBitSize() + "-bit)";
    }

    private static final class VectorPlan implements Plan {
        private final int rows;
        private final int k;
        /** For row r, input j at ((r * k) + j) * TABLE_PAIR: lo table, then hi table, each LANES long. */
        private final byte[] tables;
        /** Shards shorter than one vector. */
        private final Plan small;

        VectorPlan(byte[] coefficients, int rows, int k) {
            this.rows = rows;
            this.k = k;
            this.small = ScalarKernel.INSTANCE.prepare(coefficients, rows, k);
            this.tables = new byte[rows * k * TABLE_PAIR];
            for (int i = 0; i < rows * k; i++) {
                int c = coefficients[i] & 0xff;
                for (int lane = 0; lane < LANES; lane++) {
                    // The 16 entries repeat across the vector, so table[i] = table[i & 15]: see lookup.
                    int x = lane % NIBBLE_VALUES;
                    tables[i * TABLE_PAIR + lane] = (byte) Gf256.mul(c, x);
                    tables[i * TABLE_PAIR + LANES + lane] = (byte) Gf256.mul(c, x << NIBBLE_BITS);
                }
            }
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
            if (length < LANES) {
                small.multiply(inputs, outputs, length);
                return;
            }
            for (int r = 0; r < rows; r += ROWS_PER_PASS) {
                switch (Math.min(ROWS_PER_PASS, rows - r)) {
                    case 1 -> pass1(inputs, outputs, r, length);
                    case 2 -> pass2(inputs, outputs, r, length);
                    case 3 -> pass3(inputs, outputs, r, length);
                    default -> pass4(inputs, outputs, r, length);
                }
            }
        }

        // The passes differ only in how many accumulators they keep; written out so that every
        // vector is a local the JIT keeps in a register. The last vector overlaps the one before
        // when length is not a multiple of LANES: outputs are written, never accumulated in
        // memory, so computing those bytes twice is harmless and avoids a scalar tail.

        private void pass4(MemorySegment[] inputs, MemorySegment[] outputs, int r, int length) {
            MemorySegment out0 = outputs[r];
            MemorySegment out1 = outputs[r + 1];
            MemorySegment out2 = outputs[r + 2];
            MemorySegment out3 = outputs[r + 3];
            int stride = k * TABLE_PAIR;
            long last = length - LANES;
            for (long offset = 0; ; offset = Math.min(offset + LANES, last)) {
                ByteVector a0 = ByteVector.zero(SPECIES);
                ByteVector a1 = a0;
                ByteVector a2 = a0;
                ByteVector a3 = a0;
                int t = r * stride;
                for (int j = 0; j < k; j++, t += TABLE_PAIR) {
                    ByteVector in = ByteVector.fromMemorySegment(SPECIES, inputs[j], offset, ORDER);
                    ByteVector hi = highNibbles(in);
                    a0 = a0.lanewise(VectorOperators.XOR, lookup(in, hi, t));
                    a1 = a1.lanewise(VectorOperators.XOR, lookup(in, hi, t + stride));
                    a2 = a2.lanewise(VectorOperators.XOR, lookup(in, hi, t + 2 * stride));
                    a3 = a3.lanewise(VectorOperators.XOR, lookup(in, hi, t + 3 * stride));
                }
                a0.intoMemorySegment(out0, offset, ORDER);
                a1.intoMemorySegment(out1, offset, ORDER);
                a2.intoMemorySegment(out2, offset, ORDER);
                a3.intoMemorySegment(out3, offset, ORDER);
                if (offset == last) {
                    return;
                }
            }
        }

        private void pass3(MemorySegment[] inputs, MemorySegment[] outputs, int r, int length) {
            MemorySegment out0 = outputs[r];
            MemorySegment out1 = outputs[r + 1];
            MemorySegment out2 = outputs[r + 2];
            int stride = k * TABLE_PAIR;
            long last = length - LANES;
            for (long offset = 0; ; offset = Math.min(offset + LANES, last)) {
                ByteVector a0 = ByteVector.zero(SPECIES);
                ByteVector a1 = a0;
                ByteVector a2 = a0;
                int t = r * stride;
                for (int j = 0; j < k; j++, t += TABLE_PAIR) {
                    ByteVector in = ByteVector.fromMemorySegment(SPECIES, inputs[j], offset, ORDER);
                    ByteVector hi = highNibbles(in);
                    a0 = a0.lanewise(VectorOperators.XOR, lookup(in, hi, t));
                    a1 = a1.lanewise(VectorOperators.XOR, lookup(in, hi, t + stride));
                    a2 = a2.lanewise(VectorOperators.XOR, lookup(in, hi, t + 2 * stride));
                }
                a0.intoMemorySegment(out0, offset, ORDER);
                a1.intoMemorySegment(out1, offset, ORDER);
                a2.intoMemorySegment(out2, offset, ORDER);
                if (offset == last) {
                    return;
                }
            }
        }

        private void pass2(MemorySegment[] inputs, MemorySegment[] outputs, int r, int length) {
            MemorySegment out0 = outputs[r];
            MemorySegment out1 = outputs[r + 1];
            int stride = k * TABLE_PAIR;
            long last = length - LANES;
            for (long offset = 0; ; offset = Math.min(offset + LANES, last)) {
                ByteVector a0 = ByteVector.zero(SPECIES);
                ByteVector a1 = a0;
                int t = r * stride;
                for (int j = 0; j < k; j++, t += TABLE_PAIR) {
                    ByteVector in = ByteVector.fromMemorySegment(SPECIES, inputs[j], offset, ORDER);
                    ByteVector hi = highNibbles(in);
                    a0 = a0.lanewise(VectorOperators.XOR, lookup(in, hi, t));
                    a1 = a1.lanewise(VectorOperators.XOR, lookup(in, hi, t + stride));
                }
                a0.intoMemorySegment(out0, offset, ORDER);
                a1.intoMemorySegment(out1, offset, ORDER);
                if (offset == last) {
                    return;
                }
            }
        }

        private void pass1(MemorySegment[] inputs, MemorySegment[] outputs, int r, int length) {
            MemorySegment out0 = outputs[r];
            int stride = k * TABLE_PAIR;
            long last = length - LANES;
            for (long offset = 0; ; offset = Math.min(offset + LANES, last)) {
                ByteVector a0 = ByteVector.zero(SPECIES);
                int t = r * stride;
                for (int j = 0; j < k; j++, t += TABLE_PAIR) {
                    ByteVector in = ByteVector.fromMemorySegment(SPECIES, inputs[j], offset, ORDER);
                    a0 = a0.lanewise(VectorOperators.XOR, lookup(in, highNibbles(in), t));
                }
                a0.intoMemorySegment(out0, offset, ORDER);
                if (offset == last) {
                    return;
                }
            }
        }

        /**
         * c·x for the coefficient whose tables start at {@code t}. {@code selectFrom} wraps each
         * index modulo the lane count (a multiple of 16) and the tables repeat every 16 lanes, so
         * x itself indexes its low nibble and {@code hi} needs no masking: no AND instructions.
         */
        private ByteVector lookup(ByteVector x, ByteVector hi, int t) {
            ByteVector loTable = ByteVector.fromArray(SPECIES, tables, t);
            ByteVector hiTable = ByteVector.fromArray(SPECIES, tables, t + LANES);
            return x.selectFrom(loTable).lanewise(VectorOperators.XOR, hi.selectFrom(hiTable));
        }
    }

    /**
     * Each byte's high nibble in its low 4 bits; the upper 4 bits get the next byte's low nibble,
     * which {@link VectorPlan#lookup} ignores. One int shift: byte shifts are emulated, slowly.
     */
    private static ByteVector highNibbles(ByteVector in) {
        return in.reinterpretAsInts().lanewise(VectorOperators.LSHR, NIBBLE_BITS).reinterpretAsBytes();
    }
}
