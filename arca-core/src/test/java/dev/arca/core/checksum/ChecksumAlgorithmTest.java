package dev.arca.core.checksum;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.Hex;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK_INPUT = "123456789".getBytes(US_ASCII);

    private static byte[] digest(ChecksumAlgorithm alg, byte[] data) {
        Hasher h = alg.newHasher();
        h.update(data, 0, data.length);
        return h.digest();
    }

    @Test
    void names() {
        assertThat(ChecksumAlgorithm.values())
                .extracting(ChecksumAlgorithm::awsName)
                .containsExactly("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256");
        assertThat(ChecksumAlgorithm.values())
                .extracting(ChecksumAlgorithm::headerName)
                .containsExactly(
                        "x-amz-checksum-crc32",
                        "x-amz-checksum-crc32c",
                        "x-amz-checksum-crc64nvme",
                        "x-amz-checksum-sha1",
                        "x-amz-checksum-sha256");
        assertThat(ChecksumAlgorithm.values())
                .extracting(ChecksumAlgorithm::xmlElement)
                .containsExactly(
                        "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256");
        assertThat(ChecksumAlgorithm.values())
                .extracting(ChecksumAlgorithm::digestLength)
                .containsExactly(4, 4, 8, 20, 32);
        assertThat(ChecksumAlgorithm.values())
                .extracting(ChecksumAlgorithm::isCrc)
                .containsExactly(true, true, true, false, false);
    }

    @Test
    void lookupsIgnoreCaseAndRejectUnknown() {
        assertThat(ChecksumAlgorithm.fromAwsName("crc32c")).contains(ChecksumAlgorithm.CRC32C);
        assertThat(ChecksumAlgorithm.fromAwsName("Crc64Nvme")).contains(ChecksumAlgorithm.CRC64NVME);
        assertThat(ChecksumAlgorithm.fromAwsName("SHA256")).contains(ChecksumAlgorithm.SHA256);
        assertThat(ChecksumAlgorithm.fromAwsName("SHA-256")).isEmpty();
        assertThat(ChecksumAlgorithm.fromAwsName("MD5")).isEmpty();
        assertThat(ChecksumAlgorithm.fromAwsName("")).isEmpty();
        assertThat(ChecksumAlgorithm.fromHeaderName("X-Amz-Checksum-CRC32")).contains(ChecksumAlgorithm.CRC32);
        assertThat(ChecksumAlgorithm.fromHeaderName("x-amz-checksum-sha1")).contains(ChecksumAlgorithm.SHA1);
        assertThat(ChecksumAlgorithm.fromHeaderName("x-amz-checksum-algorithm")).isEmpty();
        assertThat(ChecksumAlgorithm.fromHeaderName("crc32")).isEmpty();
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            assertThat(ChecksumAlgorithm.fromAwsName(alg.awsName())).contains(alg);
            assertThat(ChecksumAlgorithm.fromHeaderName(alg.headerName())).contains(alg);
        }
    }

    @Test
    void crcCheckValuesAsBigEndianDigests() {
        assertThat(Hex.encode(digest(ChecksumAlgorithm.CRC32, CHECK_INPUT))).isEqualTo("cbf43926");
        assertThat(Hex.encode(digest(ChecksumAlgorithm.CRC32C, CHECK_INPUT))).isEqualTo("e3069283");
        assertThat(Hex.encode(digest(ChecksumAlgorithm.CRC64NVME, CHECK_INPUT))).isEqualTo("ae8b14860a799888");
    }

    @Test
    void shaVectors() {
        byte[] abc = "abc".getBytes(US_ASCII);
        assertThat(Hex.encode(digest(ChecksumAlgorithm.SHA1, abc)))
                .isEqualTo("a9993e364706816aba3e25717850c26c9cd0d89d");
        assertThat(Hex.encode(digest(ChecksumAlgorithm.SHA256, abc)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(Hex.encode(digest(ChecksumAlgorithm.SHA1, new byte[0])))
                .isEqualTo("da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assertThat(Hex.encode(digest(ChecksumAlgorithm.SHA256, new byte[0])))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void digestLengthMatchesAndDigestResets() {
        Map<ChecksumAlgorithm, String> ofCheckInput = new java.util.EnumMap<>(ChecksumAlgorithm.class);
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            ofCheckInput.put(alg, Hex.encode(digest(alg, CHECK_INPUT)));
        }
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            Hasher h = alg.newHasher();
            assertThat(h.algorithm()).isEqualTo(alg);
            h.update(new byte[] {9, 9, 9}, 0, 3);
            assertThat(h.digest()).hasSize(alg.digestLength());
            // after digest() the hasher starts over
            h.update(CHECK_INPUT, 0, CHECK_INPUT.length);
            assertThat(Hex.encode(h.digest())).as("%s", alg).isEqualTo(ofCheckInput.get(alg));
            assertThat(Hex.encode(h.digest())).as("%s empty", alg).isEqualTo(Hex.encode(digest(alg, new byte[0])));
        }
    }

    @Test
    void byteBufferUpdatesEqualArrayUpdates() {
        SplittableRandom random = TestSeed.random("ChecksumAlgorithmTest.buffers");
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            for (int round = 0; round < 20; round++) {
                byte[] data = TestSeed.bytes(random, random.nextInt(5000));
                String expected = Hex.encode(digest(alg, data));
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                ByteBuffer[] buffers = {ByteBuffer.wrap(data), direct, ByteBuffer.wrap(data).asReadOnlyBuffer()};
                for (ByteBuffer buf : buffers) {
                    Hasher h = alg.newHasher();
                    h.update(buf);
                    assertThat(Hex.encode(h.digest())).as("%s %s", alg, buf).isEqualTo(expected);
                    assertThat(buf.hasRemaining()).isFalse();
                }
            }
        }
    }
}
