package dev.arca.erasure;

import java.lang.foreign.MemorySegment;

/**
 * The one operation every coder is built on: multiply a {@code rows × k} GF(2^8) coefficient
 * matrix by k input shards, giving {@code rows} output shards: {@code out[r][x] = Σ_j c[r][j] ·
 * in[j][x]}. Encoding uses the parity rows of the encoding matrix; reconstruction uses rows derived
 * from its inverse. Implementations differ only in speed and must produce identical bytes.
 */
interface Kernel {
    /** Short name for logs and benchmarks, e.g. "java-scalar". */
    String name();

    /**
     * Prepares a coefficient matrix (row-major, {@code rows × k}, copied) for repeated use: tables
     * are built once here, not per call. The result is immutable and thread-safe.
     */
    Plan prepare(byte[] coefficients, int rows, int k);

    /** Convenience for one-off products; prefer caching {@link #prepare}'s result. */
    default void multiply(byte[] coefficients, int rows, int k, MemorySegment[] inputs,
                          MemorySegment[] outputs, int length) {
        prepare(coefficients, rows, k).multiply(inputs, outputs, length);
    }

    /** A prepared coefficient matrix. */
    interface Plan {
        int rows();

        int k();

        /**
         * Writes bytes {@code [0, length)} of {@code outputs[0..rows)} from bytes {@code [0, length)}
         * of {@code inputs[0..k)}. The caller has checked counts and sizes; outputs must not overlap
         * inputs.
         */
        void multiply(MemorySegment[] inputs, MemorySegment[] outputs, int length);
    }
}
