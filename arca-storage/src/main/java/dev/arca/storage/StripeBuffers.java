package dev.arca.storage;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Off-heap buffers for coding one stripe: the k data chunks (one contiguous buffer), the m parity
 * chunks and a CRC slot. Direct memory lets file writes and the ISA-L coder use the bytes where
 * they are: heap arrays would be copied into temporary native buffers on every write and every
 * coder call. Pooled by {@link ErasureBlobStore} (bounded); a writer owns one at a time.
 */
final class StripeBuffers {
    final int dataShards;
    final int parityShards;
    final int chunk;
    final ByteBuffer stripe;
    final ByteBuffer[] parity;
    final ByteBuffer crc;
    final MemorySegment stripeSegment;
    final MemorySegment[] paritySegments;

    StripeBuffers(int dataShards, int parityShards, int chunk) {
        this.dataShards = dataShards;
        this.parityShards = parityShards;
        this.chunk = chunk;
        this.stripe = ByteBuffer.allocateDirect(dataShards * chunk);
        this.stripeSegment = MemorySegment.ofBuffer(stripe);
        this.parity = new ByteBuffer[parityShards];
        this.paritySegments = new MemorySegment[parityShards];
        for (int p = 0; p < parityShards; p++) {
            parity[p] = ByteBuffer.allocateDirect(chunk);
            paritySegments[p] = MemorySegment.ofBuffer(parity[p]);
        }
        this.crc = ByteBuffer.allocateDirect(ShardFormat.CRC_BYTES);
    }

    boolean fits(int k, int m, int c) {
        return dataShards == k && parityShards == m && chunk == c;
    }

    /** Bytes of direct memory held. */
    long bytes() {
        return (long) (dataShards + parityShards) * chunk + ShardFormat.CRC_BYTES;
    }
}
