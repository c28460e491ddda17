package dev.arca.core.checksum;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Crc64NvmeTest {
    /** Lengths cross the 16-byte fast path boundary many times over. */
    private static final int MAX_SHORT_LENGTH = 300;
    private static final int MAX_OFFSET = 17;
    private static final int LONG_LENGTH = 1 << 20;

    /** Bit-at-a-time CRC-64/NVME straight from the catalogue parameters. */
    static long reference(byte[] b, int off, int len) {
        long poly = Long.reverse(0xAD93D23594C93659L);
        long crc = -1L;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ poly : crc >>> 1;
            }
        }
        return ~crc;
    }

    private static long crc(byte[] b) {
        Crc64Nvme c = new Crc64Nvme();
        c.update(b, 0, b.length);
        return c.getValue();
    }

    @Test
    void checkValue() {
        assertThat(crc("123456789".getBytes(US_ASCII))).isEqualTo(0xAE8B14860A799888L);
        assertThat(reference("123456789".getBytes(US_ASCII), 0, 9)).isEqualTo(0xAE8B14860A799888L);
    }

    @Test
    void awsCommonRuntimeVectors() {
        // Expected values from the AWS Common Runtime checksum tests (aws-crt-swift, aws-c-s3).
        assertThat(crc(new byte[0])).isZero();
        assertThat(crc(new byte[32])).isEqualTo(0xCF3473434D4ECF3BL);
        byte[] counting = new byte[32];
        for (int i = 0; i < counting.length; i++) {
            counting[i] = (byte) i;
        }
        assertThat(crc(counting)).isEqualTo(0xB9D9D4A8492CBD7FL);
        assertThat(crc("aaaaaaaaaa".getBytes(US_ASCII))).isEqualTo(0x0C1A80036D65C555L);
    }

    @Test
    void matchesBitwiseReferenceAtManyLengthsAndOffsets() {
        SplittableRandom random = TestSeed.random("Crc64NvmeTest.reference");
        byte[] data = TestSeed.bytes(random, MAX_SHORT_LENGTH + MAX_OFFSET);
        for (int off = 0; off < MAX_OFFSET; off++) {
            for (int len = 0; len <= MAX_SHORT_LENGTH; len++) {
                Crc64Nvme c = new Crc64Nvme();
                c.update(data, off, len);
                assertThat(c.getValue()).as("off=%d len=%d", off, len).isEqualTo(reference(data, off, len));
            }
        }
        byte[] big = TestSeed.bytes(random, LONG_LENGTH + random.nextInt(16));
        assertThat(crc(big)).isEqualTo(reference(big, 0, big.length));
    }

    @Test
    void chunkedAndSingleByteUpdatesEqualOneShot() {
        SplittableRandom random = TestSeed.random("Crc64NvmeTest.chunked");
        byte[] data = TestSeed.bytes(random, 10_000);
        long whole = reference(data, 0, data.length);
        Crc64Nvme c = new Crc64Nvme();
        for (int pos = 0; pos < data.length; ) {
            int n = Math.min(random.nextInt(70), data.length - pos);
            c.update(data, pos, n);
            pos += n;
        }
        assertThat(c.getValue()).isEqualTo(whole);

        c.reset();
        for (byte b : data) {
            c.update(b);
        }
        assertThat(c.getValue()).isEqualTo(whole);
    }

    @Test
    void byteBuffersHeapDirectReadOnlyAndSlicedEqualArray() {
        SplittableRandom random = TestSeed.random("Crc64NvmeTest.buffers");
        for (int round = 0; round < 200; round++) {
            int len = random.nextInt(MAX_SHORT_LENGTH);
            int pad = random.nextInt(MAX_OFFSET);
            byte[] data = TestSeed.bytes(random, pad + len + pad);
            long expected = reference(data, pad, len);

            ByteBuffer heap = ByteBuffer.wrap(data, pad, len);
            ByteBuffer sliced = ByteBuffer.wrap(data).position(pad).slice().limit(len); // arrayOffset != 0
            ByteBuffer readOnly = ByteBuffer.wrap(data, pad, len).asReadOnlyBuffer(); // no array access
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).position(pad).limit(pad + len);
            for (ByteBuffer buf : new ByteBuffer[] {heap, sliced, readOnly, direct}) {
                int limit = buf.limit();
                Crc64Nvme c = new Crc64Nvme();
                c.update(buf);
                assertThat(c.getValue()).as("round %d %s", round, buf).isEqualTo(expected);
                assertThat(buf.position()).isEqualTo(limit);
            }
        }
    }

    @Test
    void resetRestartsAndBoundsAreChecked() {
        Crc64Nvme c = new Crc64Nvme();
        c.update(new byte[] {1, 2, 3}, 0, 3);
        c.reset();
        assertThat(c.getValue()).isZero();
        assertThatThrownBy(() -> c.update(new byte[4], 2, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> c.update(new byte[4], -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
