package dev.arca.core.checksum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import org.junit.jupiter.api.Test;

class CrcCombineTest {
    private static final ChecksumAlgorithm[] CRCS = {
        ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME
    };
    private static final int MAX_DATA = 20_000;
    private static final int ROUNDS = 40;

    /** CRC value computed directly with the JDK classes (or Crc64Nvme), independent of Hasher. */
    static long crc(ChecksumAlgorithm alg, byte[] b, int off, int len) {
        Checksum c = switch (alg) {
            case CRC32 -> new CRC32();
            case CRC32C -> new CRC32C();
            case CRC64NVME -> new Crc64Nvme();
            default -> throw new IllegalArgumentException(alg.name());
        };
        c.update(b, off, len);
        return c.getValue();
    }

    @Test
    void combiningRandomSplitsGivesTheWholeCrc() {
        SplittableRandom random = TestSeed.random("CrcCombineTest.splits");
        for (ChecksumAlgorithm alg : CRCS) {
            for (int round = 0; round < ROUNDS; round++) {
                byte[] data = TestSeed.bytes(random, random.nextInt(MAX_DATA));
                long whole = crc(alg, data, 0, data.length);
                // several cut points, duplicates allowed so that empty parts occur
                int cuts = random.nextInt(6);
                int[] points = new int[cuts + 2];
                points[cuts + 1] = data.length;
                for (int i = 1; i <= cuts; i++) {
                    points[i] = random.nextInt(data.length + 1);
                }
                if (random.nextBoolean() && cuts > 0) {
                    points[1] = points[cuts]; // force an empty part
                }
                java.util.Arrays.sort(points);
                long acc = crc(alg, data, 0, points[1]);
                for (int i = 1; i < points.length - 1; i++) {
                    int len = points[i + 1] - points[i];
                    acc = CrcCombine.combine(alg, acc, crc(alg, data, points[i], len), len);
                }
                assertThat(acc).as("%s round %d cuts %s", alg, round, java.util.Arrays.toString(points))
                        .isEqualTo(whole);
            }
        }
    }

    @Test
    void emptySecondPartKeepsFirstAndEmptyFirstPartGivesSecond() {
        byte[] data = "hello, world".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        for (ChecksumAlgorithm alg : CRCS) {
            long c = crc(alg, data, 0, data.length);
            assertThat(CrcCombine.combine(alg, c, 0, 0)).isEqualTo(c);
            assertThat(CrcCombine.combine(alg, 0, c, data.length)).isEqualTo(c);
        }
    }

    @Test
    void combineIsAssociativeOverHugeLengths() {
        // Lengths too large to materialise: (A||B)||C must equal A||(B||C).
        SplittableRandom random = TestSeed.random("CrcCombineTest.associative");
        for (ChecksumAlgorithm alg : CRCS) {
            long mask = alg.digestLength() == 4 ? 0xFFFF_FFFFL : -1L;
            long a = random.nextLong() & mask;
            long b = random.nextLong() & mask;
            long c = random.nextLong() & mask;
            long lenB = random.nextLong(1L << 40);
            long lenC = random.nextLong(1L << 40);
            long left = CrcCombine.combine(alg, CrcCombine.combine(alg, a, b, lenB), c, lenC);
            long bc = CrcCombine.combine(alg, b, c, lenC);
            long right = CrcCombine.combine(alg, a, bc, lenB + lenC);
            assertThat(left).as("%s", alg).isEqualTo(right);
            assertThat(CrcCombine.combine(alg, a, b, Long.MAX_VALUE) & ~mask).isZero();
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> CrcCombine.combine(ChecksumAlgorithm.SHA256, 1, 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrcCombine.combine(ChecksumAlgorithm.CRC32, 1, 2, -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrcCombine.combine(ChecksumAlgorithm.CRC32C, -1L, 2, 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CrcCombine.combine(ChecksumAlgorithm.CRC32, 1, 1L << 32, 3))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
