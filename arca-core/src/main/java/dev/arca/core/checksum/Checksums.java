package dev.arca.core.checksum;

import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Encoding and multipart helpers for S3 checksums. Digests travel as canonical, padded base64
 * (RFC 4648 section 4) of the big-endian digest bytes.
 */
public final class Checksums {
    private static final Base64.Encoder ENCODER = Base64.getEncoder();
    private static final Base64.Decoder DECODER = Base64.getDecoder();
    private static final String PART_COUNT_SEPARATOR = "-";

    private Checksums() {}

    /** Padded standard base64 of {@code digest}. */
    public static String base64(byte[] digest) {
        return ENCODER.encodeToString(digest);
    }

    /**
     * Decodes canonical, padded standard base64. Rejects everything else (garbage, whitespace,
     * missing padding, non-zero trailing bits) so that one digest has exactly one string form.
     *
     * @throws IllegalArgumentException if {@code value} is not canonical base64
     */
    public static byte[] fromBase64(String value) {
        Objects.requireNonNull(value, "value");
        byte[] decoded = DECODER.decode(value); // throws IllegalArgumentException on bad input
        if (!ENCODER.encodeToString(decoded).equals(value)) {
            throw new IllegalArgumentException("non-canonical base64");
        }
        return decoded;
    }

    /** True if {@code value} is canonical base64 of exactly {@code alg.digestLength()} bytes. */
    public static boolean isValidBase64Digest(ChecksumAlgorithm alg, String value) {
        Objects.requireNonNull(alg, "alg");
        if (value == null) {
            return false;
        }
        try {
            return fromBase64(value).length == alg.digestLength();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The big-endian digest bytes of a CRC value (4 bytes for CRC32/CRC32C, 8 for CRC64NVME).
     *
     * @throws IllegalArgumentException for a non-CRC algorithm or a 32-bit CRC with high bits set
     */
    public static byte[] crcToBytes(ChecksumAlgorithm alg, long crc) {
        if (!alg.isCrc()) {
            throw new IllegalArgumentException(alg + " is not a CRC");
        }
        int n = alg.digestLength();
        if (n < Long.BYTES && (crc >>> (n * Byte.SIZE)) != 0) {
            throw new IllegalArgumentException(
                    "CRC value 0x" + Long.toHexString(crc) + " exceeds " + n + " bytes");
        }
        byte[] out = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            out[i] = (byte) crc;
            crc >>>= Byte.SIZE;
        }
        return out;
    }

    /**
     * The CRC value of a big-endian digest of 4 or 8 bytes (unsigned; 4-byte values land in the
     * low 32 bits).
     *
     * @throws IllegalArgumentException for any other length
     */
    public static long bytesToCrc(byte[] digest) {
        if (digest.length != Integer.BYTES && digest.length != Long.BYTES) {
            throw new IllegalArgumentException("CRC digest must be 4 or 8 bytes, got " + digest.length);
        }
        long crc = 0;
        for (byte b : digest) {
            crc = (crc << Byte.SIZE) | (b & 0xFF);
        }
        return crc;
    }

    /**
     * The {@link ChecksumType#COMPOSITE} multipart checksum: {@code alg} over the concatenated
     * binary part digests, as {@code base64 + "-" + partCount}.
     *
     * @param partDigests the parts' raw digests in part order, at least one, each of {@code
     *     alg.digestLength()} bytes
     * @throws IllegalArgumentException for an empty list or a digest of the wrong length
     */
    public static String composite(ChecksumAlgorithm alg, List<byte[]> partDigests) {
        if (partDigests.isEmpty()) {
            throw new IllegalArgumentException("no parts");
        }
        Hasher hasher = alg.newHasher();
        for (byte[] d : partDigests) {
            checkDigestLength(alg, d);
            hasher.update(d, 0, d.length);
        }
        return base64(hasher.digest()) + PART_COUNT_SEPARATOR + partDigests.size();
    }

    /**
     * The {@link ChecksumType#FULL_OBJECT} multipart checksum: the CRC of the whole object,
     * combined from the part CRCs and lengths, as raw big-endian digest bytes.
     *
     * @param partDigests the parts' raw CRC digests in part order, at least one
     * @param partLengths the parts' lengths in bytes, same size and order as {@code partDigests}
     * @throws IllegalArgumentException for a SHA algorithm, empty or mismatched lists, a digest of
     *     the wrong length or a negative length
     */
    public static byte[] fullObject(
            ChecksumAlgorithm crcAlg, List<byte[]> partDigests, List<Long> partLengths) {
        if (!crcAlg.isCrc()) {
            throw new IllegalArgumentException(crcAlg + " does not support " + ChecksumType.FULL_OBJECT);
        }
        if (partDigests.isEmpty()) {
            throw new IllegalArgumentException("no parts");
        }
        if (partDigests.size() != partLengths.size()) {
            throw new IllegalArgumentException(
                    partDigests.size() + " part digests but " + partLengths.size() + " part lengths");
        }
        long crc = 0;
        for (int i = 0; i < partDigests.size(); i++) {
            byte[] d = partDigests.get(i);
            long len = partLengths.get(i);
            checkDigestLength(crcAlg, d);
            if (len < 0) {
                throw new IllegalArgumentException("negative length of part " + (i + 1));
            }
            long partCrc = bytesToCrc(d);
            crc = i == 0 ? partCrc : CrcCombine.combine(crcAlg, crc, partCrc, len);
        }
        return crcToBytes(crcAlg, crc);
    }

    private static void checkDigestLength(ChecksumAlgorithm alg, byte[] digest) {
        if (digest.length != alg.digestLength()) {
            throw new IllegalArgumentException(
                    alg + " digest must be " + alg.digestLength() + " bytes, got " + digest.length);
        }
    }
}
