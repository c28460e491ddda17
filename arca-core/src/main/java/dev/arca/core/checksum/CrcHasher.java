package dev.arca.core.checksum;

import java.nio.ByteBuffer;
import java.util.zip.Checksum;

/** A {@link Hasher} over a {@link Checksum} (CRC32, CRC32C or {@link Crc64Nvme}). */
final class CrcHasher implements Hasher {
    private final ChecksumAlgorithm algorithm;
    private final Checksum checksum;

    CrcHasher(ChecksumAlgorithm algorithm, Checksum checksum) {
        this.algorithm = algorithm;
        this.checksum = checksum;
    }

    @Override
    public void update(byte[] b, int off, int len) {
        checksum.update(b, off, len);
    }

    @Override
    public void update(ByteBuffer buf) {
        checksum.update(buf);
    }

    @Override
    public byte[] digest() {
        byte[] out = Checksums.crcToBytes(algorithm, checksum.getValue());
        checksum.reset();
        return out;
    }

    @Override
    public ChecksumAlgorithm algorithm() {
        return algorithm;
    }
}
