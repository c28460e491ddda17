package dev.arca.core.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Hex;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ObjectDigesterTest {
    @Test
    void oneStreamingPassEqualsSeparateDigests() throws Exception {
        SplittableRandom random = TestSeed.random("ObjectDigesterTest.stream");
        byte[] data = TestSeed.bytes(random, 100_000 + random.nextInt(1000));
        ObjectDigester digester = new ObjectDigester(EnumSet.allOf(ChecksumAlgorithm.class));
        for (int pos = 0; pos < data.length; ) {
            int n = Math.min(random.nextInt(9000), data.length - pos);
            digester.update(data, pos, n);
            pos += n;
        }
        assertThat(digester.length()).isEqualTo(data.length);
        assertThat(digester.md5()).isEqualTo(MessageDigest.getInstance("MD5").digest(data));
        assertThat(digester.digest(ChecksumAlgorithm.SHA1)).isEqualTo(MessageDigest.getInstance("SHA-1").digest(data));
        assertThat(digester.digest(ChecksumAlgorithm.SHA256))
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        for (ChecksumAlgorithm crc : new ChecksumAlgorithm[] {
            ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME
        }) {
            assertThat(Checksums.bytesToCrc(digester.digest(crc)))
                    .as("%s", crc)
                    .isEqualTo(CrcCombineTest.crc(crc, data, 0, data.length));
        }
    }

    @Test
    void finishingIsIdempotentAndFreezesTheDigester() {
        ObjectDigester digester = new ObjectDigester(Set.of(ChecksumAlgorithm.CRC32C));
        byte[] data = {1, 2, 3};
        digester.update(data, 0, 3);
        byte[] first = digester.md5();
        first[0] ^= 1; // callers get copies
        assertThat(digester.md5()).isEqualTo(digester.md5()).isNotEqualTo(first);
        assertThat(digester.digest(ChecksumAlgorithm.CRC32C)).isEqualTo(digester.digest(ChecksumAlgorithm.CRC32C));
        assertThat(digester.length()).isEqualTo(3);
        assertThatThrownBy(() -> digester.update(data, 0, 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unrequestedAlgorithmIsRejected() {
        ObjectDigester digester = new ObjectDigester(Set.of(ChecksumAlgorithm.SHA256));
        assertThatThrownBy(() -> digester.digest(ChecksumAlgorithm.CRC32)).isInstanceOf(IllegalStateException.class);
        ObjectDigester none = new ObjectDigester(Set.of());
        assertThatThrownBy(() -> none.digest(ChecksumAlgorithm.SHA256)).isInstanceOf(IllegalStateException.class);
        assertThat(Hex.encode(none.md5())).isEqualTo("d41d8cd98f00b204e9800998ecf8427e"); // MD5 of nothing
        assertThat(none.length()).isZero();
    }

    @Test
    void updateChecksBounds() {
        ObjectDigester digester = new ObjectDigester(Set.of());
        assertThatThrownBy(() -> digester.update(new byte[3], 2, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(digester.length()).isZero();
    }
}
