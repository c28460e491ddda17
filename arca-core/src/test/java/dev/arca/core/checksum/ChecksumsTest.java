package dev.arca.core.checksum;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class ChecksumsTest {
    @Test
    void base64RoundTripAndKnownValue() {
        assertThat(Checksums.base64(new byte[] {(byte) 0xcb, (byte) 0xf4, 0x39, 0x26})).isEqualTo("y/Q5Jg==");
        assertThat(Checksums.fromBase64("y/Q5Jg==")).containsExactly(0xcb, 0xf4, 0x39, 0x26);
        assertThat(Checksums.fromBase64("")).isEmpty();
    }

    @Test
    void fromBase64RejectsGarbageAndNonCanonicalForms() {
        for (String bad : new String[] {"y/Q5Jg", "y/Q5Jh==", "y/Q5J===", "y_Q5Jg==", "y/Q5 Jg==", "!!!!", "y/Q5Jg==\n"}) {
            assertThatThrownBy(() -> Checksums.fromBase64(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void isValidBase64Digest() {
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, "y/Q5Jg==")).isTrue();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32C, "y/Q5Jg==")).isTrue();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC64NVME, "y/Q5Jg==")).isFalse();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, "AAAAAAA=")).isFalse(); // 5 bytes
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, "AAA=")).isFalse(); // 2 bytes
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, "not base64")).isFalse();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, "")).isFalse();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC32, null)).isFalse();
        assertThat(Checksums.isValidBase64Digest(ChecksumAlgorithm.CRC64NVME, "rosUhgp5mIg=")).isTrue();
        for (ChecksumAlgorithm alg : ChecksumAlgorithm.values()) {
            String good = Checksums.base64(new byte[alg.digestLength()]);
            assertThat(Checksums.isValidBase64Digest(alg, good)).as("%s", alg).isTrue();
            assertThat(Checksums.isValidBase64Digest(alg, Checksums.base64(new byte[alg.digestLength() + 1])))
                    .isFalse();
            assertThat(Checksums.isValidBase64Digest(alg, Checksums.base64(new byte[alg.digestLength() - 1])))
                    .isFalse();
        }
    }

    @Test
    void crcBytesRoundTrip() {
        assertThat(Checksums.crcToBytes(ChecksumAlgorithm.CRC32, 0xCBF43926L)).containsExactly(0xcb, 0xf4, 0x39, 0x26);
        assertThat(Checksums.bytesToCrc(new byte[] {(byte) 0xcb, (byte) 0xf4, 0x39, 0x26})).isEqualTo(0xCBF43926L);
        assertThat(Checksums.crcToBytes(ChecksumAlgorithm.CRC64NVME, 0xAE8B14860A799888L))
                .containsExactly(0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88);
        assertThat(Checksums.base64(Checksums.crcToBytes(ChecksumAlgorithm.CRC64NVME, 0xAE8B14860A799888L)))
                .isEqualTo("rosUhgp5mIg=");
        assertThat(Checksums.bytesToCrc(Checksums.crcToBytes(ChecksumAlgorithm.CRC64NVME, -2L))).isEqualTo(-2L);
        assertThatThrownBy(() -> Checksums.crcToBytes(ChecksumAlgorithm.CRC32, 1L << 32))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.crcToBytes(ChecksumAlgorithm.SHA1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.bytesToCrc(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void compositeIsChecksumOfConcatenatedDigestsWithPartCount() throws Exception {
        byte[][] parts = {"part one".getBytes(US_ASCII), "part two".getBytes(US_ASCII), "3".getBytes(US_ASCII)};
        // CRC32, computed with the JDK directly
        List<byte[]> crcDigests = new ArrayList<>();
        CRC32 whole = new CRC32();
        for (byte[] p : parts) {
            CRC32 c = new CRC32();
            c.update(p);
            byte[] d = Checksums.crcToBytes(ChecksumAlgorithm.CRC32, c.getValue());
            crcDigests.add(d);
            whole.update(d);
        }
        String expected = Base64.getEncoder().encodeToString(
                        Checksums.crcToBytes(ChecksumAlgorithm.CRC32, whole.getValue()))
                + "-3";
        assertThat(Checksums.composite(ChecksumAlgorithm.CRC32, crcDigests)).isEqualTo(expected);

        // SHA256, computed with MessageDigest directly
        List<byte[]> shaDigests = new ArrayList<>();
        MessageDigest outer = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(p);
            shaDigests.add(d);
            outer.update(d);
        }
        String sha = Checksums.composite(ChecksumAlgorithm.SHA256, shaDigests);
        assertThat(sha).isEqualTo(Base64.getEncoder().encodeToString(outer.digest()) + "-3");
        assertThat(sha).matches("[A-Za-z0-9+/]{43}=-3");

        assertThat(Checksums.composite(ChecksumAlgorithm.SHA256, List.of(shaDigests.get(0)))).endsWith("-1");
        assertThatThrownBy(() -> Checksums.composite(ChecksumAlgorithm.CRC32, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.composite(ChecksumAlgorithm.CRC32C, shaDigests))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fullObjectEqualsCrcOfWholeConcatenation() {
        SplittableRandom random = TestSeed.random("ChecksumsTest.fullObject");
        for (ChecksumAlgorithm alg : new ChecksumAlgorithm[] {
            ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME
        }) {
            int partCount = 3 + random.nextInt(5);
            List<byte[]> digests = new ArrayList<>();
            List<Long> lengths = new ArrayList<>();
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            for (int i = 0; i < partCount; i++) {
                byte[] part = TestSeed.bytes(random, i == 1 ? 0 : random.nextInt(10_000));
                whole.writeBytes(part);
                digests.add(Checksums.crcToBytes(alg, CrcCombineTest.crc(alg, part, 0, part.length)));
                lengths.add((long) part.length);
            }
            byte[] all = whole.toByteArray();
            byte[] expected = Checksums.crcToBytes(alg, CrcCombineTest.crc(alg, all, 0, all.length));
            assertThat(Checksums.fullObject(alg, digests, lengths)).as("%s", alg).containsExactly(expected);
        }
    }

    @Test
    void fullObjectRejectsBadInput() {
        List<byte[]> one = List.of(new byte[4]);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.SHA256, List.of(new byte[32]), List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.SHA1, List.of(new byte[20]), List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.CRC32, one, List.of(1L, 2L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.CRC32, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.CRC64NVME, one, List.of(1L)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksums.fullObject(ChecksumAlgorithm.CRC32, one, List.of(-1L)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
