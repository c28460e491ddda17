package dev.arca.core.checksum;

import java.nio.ByteBuffer;

/**
 * Incremental computation of one {@link ChecksumAlgorithm}'s digest. Not thread-safe.
 *
 * <p>{@link #digest()} returns the big-endian digest bytes ({@link
 * ChecksumAlgorithm#digestLength()} of them; a CRC32 as 4 bytes, a CRC64NVME as 8) and
 * <em>resets</em> the hasher to its initial state, so the same instance may then hash new input.
 */
public sealed interface Hasher permits CrcHasher, ShaHasher {
    void update(byte[] b, int off, int len);

    /** Consumes the buffer's remaining bytes; on return its position equals its limit. */
    void update(ByteBuffer buf);

    /** Finishes, returns the big-endian digest, and resets this hasher. */
    byte[] digest();

    ChecksumAlgorithm algorithm();
}
