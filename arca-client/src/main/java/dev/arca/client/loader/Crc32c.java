package dev.arca.client.loader;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.CRC32C;

/**
 * CRC32C helpers: the value of a buffer, the S3 header form (base64 of the big-endian value), and
 * combining the CRCs of consecutive pieces without their bytes, which lets ranges be checksummed
 * in parallel on the threads that fetched them and still verify the whole object.
 */
public final class Crc32c {

    /** The CRC32C polynomial, bit-reflected. */
    private static final int POLY_REFLECTED = 0x82F63B78;
    private static final int BITS = 32;
    private static final int CRC_BYTES = 4;

    private Crc32c() {
    }

    /** CRC32C of the buffer's remaining bytes; the buffer's position is not moved. */
    public static int of(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /** CRC32C of a byte range. */
    public static int of(byte[] data, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** The {@code x-amz-checksum-crc32c} form: base64 of the 4 bytes, most significant first. */
    public static String toBase64(int crc) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(CRC_BYTES).putInt(crc).array());
    }

    /**
     * Parses the base64 form.
     *
     * @throws IllegalArgumentException if it is not base64 of exactly 4 bytes
     */
    public static int fromBase64(String value) {
        byte[] b = Base64.getDecoder().decode(value.strip());
        if (b.length != CRC_BYTES) {
            throw new IllegalArgumentException("a CRC32C is 4 bytes, got " + b.length);
        }
        return ByteBuffer.wrap(b).getInt();
    }

    /**
     * The CRC32C of A followed by B, given CRC(A), CRC(B) and B's length (zlib's crc32_combine:
     * appending {@code lengthB} zero bytes to A is a linear map, applied by repeated squaring).
     */
    public static int combine(int crcA, int crcB, long lengthB) {
        if (lengthB <= 0) {
            return crcA;
        }
        int[] even = new int[BITS];
        int[] odd = new int[BITS];
        odd[0] = POLY_REFLECTED; // the operator for one zero bit
        int row = 1;
        for (int n = 1; n < BITS; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd); // two zero bits
        square(odd, even); // four zero bits
        int crc = crcA;
        long len = lengthB;
        // Each pass squares the operator (one more doubling of zero bytes) and applies it where len has a 1 bit.
        do {
            square(even, odd);
            if ((len & 1) != 0) {
                crc = times(even, crc);
            }
            len >>>= 1;
            if (len == 0) {
                break;
            }
            square(odd, even);
            if ((len & 1) != 0) {
                crc = times(odd, crc);
            }
            len >>>= 1;
        } while (len != 0);
        return crc ^ crcB;
    }

    private static int times(int[] matrix, int vector) {
        int sum = 0;
        int v = vector;
        for (int i = 0; v != 0; i++, v >>>= 1) {
            if ((v & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(int[] result, int[] matrix) {
        for (int n = 0; n < BITS; n++) {
            result[n] = times(matrix, matrix[n]);
        }
    }
}
