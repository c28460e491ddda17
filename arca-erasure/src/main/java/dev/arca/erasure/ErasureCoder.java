package dev.arca.erasure;

import java.lang.foreign.MemorySegment;

/**
 * A systematic Reed-Solomon code over GF(2^8) with {@link #dataShards()} data shards and
 * {@link #parityShards()} parity shards, using ISA-L's Cauchy encoding matrix
 * ({@code gf_gen_cauchy1_matrix}, field polynomial 0x11d), so every implementation produces
 * byte-identical parity for the same input.
 *
 * <p>Shards are passed as {@code totalShards()} segments indexed by shard number: data shards
 * {@code 0..k-1}, then parity shards {@code k..k+m-1}. Only bytes {@code [0, length)} of each
 * segment are read or written; every segment must be at least {@code length} bytes long. Segments
 * may be heap or native; native segments avoid a copy in the ISA-L coder.
 *
 * <p>Implementations are immutable and thread-safe (scratch space, if any, is per call or per thread).
 */
public interface ErasureCoder {
    /** k: shards that carry the data itself; any k shards recover everything. */
    int dataShards();

    /** m: parity shards; up to m lost shards can be rebuilt. */
    int parityShards();

    default int totalShards() {
        return dataShards() + parityShards();
    }

    /** Implementation name for logs and benchmarks, e.g. "isa-l", "java-vector", "java-scalar". */
    String name();

    /** Computes the parity shards {@code k..k+m-1} from the data shards {@code 0..k-1}. */
    void encode(MemorySegment[] shards, int length);

    /**
     * Rebuilds every shard {@code i} with {@code present[i] == false} (data or parity) from the
     * present ones. Present shards are not modified.
     *
     * @throws IllegalArgumentException if fewer than k shards are present
     */
    void reconstruct(MemorySegment[] shards, boolean[] present, int length);
}
