package dev.arca.core.checksum;

/**
 * Combines CRCs of adjacent byte sequences, zlib {@code crc32_combine} style: given {@code crc(A)},
 * {@code crc(B)} and {@code len(B)}, computes {@code crc(A || B)} in O(log len(B)) polynomial
 * multiplications modulo the CRC polynomial, without touching the data. This is how S3 {@link
 * ChecksumType#FULL_OBJECT} multipart checksums are derived from the part checksums.
 *
 * <p>CRC values are the final (post-xorout) values as Java longs; 32-bit CRCs occupy the low 32
 * bits and must have the high 32 bits clear.
 */
public final class CrcCombine {
    /** Entries in the x^(2^k) table: combine starts at k = 3 (bytes to bits) and a length has at most 63 bits. */
    private static final int POWERS = 3 + Long.SIZE;

    private static final Field CRC32_FIELD = new Field(32, 0xEDB88320L);
    private static final Field CRC32C_FIELD = new Field(32, 0x82F63B78L);
    private static final Field CRC64NVME_FIELD = new Field(64, Crc64Nvme.POLY_REFLECTED);

    private CrcCombine() {}

    /**
     * Returns the CRC of {@code A || B}.
     *
     * @param crcAlgorithm CRC32, CRC32C or CRC64NVME
     * @param crc1 the CRC of A
     * @param crc2 the CRC of B
     * @param len2 the length of B in bytes, {@code >= 0}
     * @throws IllegalArgumentException for a non-CRC algorithm, a negative length, or a 32-bit CRC
     *     with high bits set
     */
    public static long combine(ChecksumAlgorithm crcAlgorithm, long crc1, long crc2, long len2) {
        Field field = field(crcAlgorithm);
        if (len2 < 0) {
            throw new IllegalArgumentException("negative length " + len2);
        }
        field.checkValue(crc1);
        field.checkValue(crc2);
        // Init and xorout are both all ones for all three CRCs, so their contributions cancel and
        // crc(A||B) = crc(A) * x^(8 len2) + crc(B) holds on the final values.
        return field.multiply(field.xToThe8N(len2), crc1) ^ crc2;
    }

    private static Field field(ChecksumAlgorithm alg) {
        return switch (alg) {
            case CRC32 -> CRC32_FIELD;
            case CRC32C -> CRC32C_FIELD;
            case CRC64NVME -> CRC64NVME_FIELD;
            case SHA1, SHA256 -> throw new IllegalArgumentException(alg + " is not a CRC");
        };
    }

    /**
     * Polynomials modulo a reflected CRC polynomial of {@code width} bits: bit {@code width - 1}
     * holds the coefficient of x^0, bit 0 that of x^(width-1).
     */
    private static final class Field {
        private final int width;
        private final long one;
        private final long polyReflected;
        /** powers[k] = x^(2^k) mod p. */
        private final long[] powers = new long[POWERS];

        Field(int width, long polyReflected) {
            this.width = width;
            this.one = 1L << (width - 1);
            this.polyReflected = polyReflected;
            powers[0] = one >>> 1; // x^1
            for (int k = 1; k < POWERS; k++) {
                powers[k] = multiply(powers[k - 1], powers[k - 1]);
            }
        }

        void checkValue(long crc) {
            if (width < Long.SIZE && (crc >>> width) != 0) {
                throw new IllegalArgumentException(
                        "CRC value 0x" + Long.toHexString(crc) + " exceeds " + width + " bits");
            }
        }

        /** a * b mod p: walk a's coefficients from x^0 upward while b is multiplied by x. */
        long multiply(long a, long b) {
            long product = 0;
            for (long m = one; m != 0; m >>>= 1) {
                if ((a & m) != 0) {
                    product ^= b;
                }
                b = (b & 1) != 0 ? (b >>> 1) ^ polyReflected : b >>> 1;
            }
            return product;
        }

        /** x^(8n) mod p, by square-and-multiply over the bits of n. */
        long xToThe8N(long n) {
            long p = one;
            for (int k = 3; n != 0; n >>>= 1, k++) {
                if ((n & 1) != 0) {
                    p = multiply(powers[k], p);
                }
            }
            return p;
        }
    }
}
