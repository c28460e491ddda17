package dev.arca.it;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import software.amazon.awssdk.core.SdkPojo;

/**
 * Expected checksum values, computed in the test independently of the server (JDK CRC32/CRC32C and
 * MessageDigest, plus a table-driven CRC-64/NVME written here), in the forms S3 prints them; and
 * the value of a checksum on SDK model objects.
 */
final class ExpectedChecksums {
    /** CRC-64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, init and xorout all ones. */
    private static final long[] CRC64_NVME_TABLE = new long[256];

    static {
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x9A6C9329AC4BC9B5L : c >>> 1;
            }
            CRC64_NVME_TABLE[n] = c;
        }
    }

    enum Alg {
        CRC32, CRC32C, CRC64NVME, SHA1, SHA256
    }

    private ExpectedChecksums() {}

    /** The raw digest of {@code data[off, off+len)} (big-endian for CRCs, as S3 encodes them). */
    static byte[] digest(Alg alg, byte[] data, int off, int len) {
        return switch (alg) {
            case CRC32 -> {
                CRC32 c = new CRC32();
                c.update(data, off, len);
                yield ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
            }
            case CRC32C -> {
                CRC32C c = new CRC32C();
                c.update(data, off, len);
                yield ByteBuffer.allocate(4).putInt((int) c.getValue()).array();
            }
            case CRC64NVME -> ByteBuffer.allocate(8).putLong(crc64Nvme(data, off, len)).array();
            case SHA1 -> sha("SHA-1", data, off, len);
            case SHA256 -> sha("SHA-256", data, off, len);
        };
    }

    static byte[] digest(Alg alg, byte[] data) {
        return digest(alg, data, 0, data.length);
    }

    /** Base64 of the digest: the value of x-amz-checksum-*. */
    static String base64(Alg alg, byte[] data) {
        return b64(digest(alg, data));
    }

    static String base64(Alg alg, byte[] data, int off, int len) {
        return b64(digest(alg, data, off, len));
    }

    /** A COMPOSITE multipart checksum: the algorithm over the concatenated part digests, then "-N". */
    static String composite(Alg alg, List<byte[]> partDigests) {
        int total = partDigests.stream().mapToInt(d -> d.length).sum();
        ByteBuffer all = ByteBuffer.allocate(total);
        partDigests.forEach(all::put);
        return base64(alg, all.array()) + "-" + partDigests.size();
    }

    static long crc64Nvme(byte[] data, int off, int len) {
        long crc = ~0L;
        for (int i = off; i < off + len; i++) {
            crc = CRC64_NVME_TABLE[(int) ((crc ^ data[i]) & 0xFF)] ^ (crc >>> 8);
        }
        return ~crc;
    }

    static String b64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    static byte[] md5(byte[] data, int off, int len) {
        return sha("MD5", data, off, len);
    }

    static String md5Hex(byte[] data) {
        return HexFormat.of().formatHex(md5(data, 0, data.length));
    }

    /** Base64 MD5: the value of Content-MD5. */
    static String md5Base64(byte[] data) {
        return b64(md5(data, 0, data.length));
    }

    /** The ETag of a multipart object: MD5 of the concatenated binary part MD5s, then "-N", in quotes. */
    static String multipartEtag(List<byte[]> partMd5s) {
        MessageDigest md5 = newDigest("MD5");
        partMd5s.forEach(md5::update);
        return "\"" + HexFormat.of().formatHex(md5.digest()) + "-" + partMd5s.size() + "\"";
    }

    private static byte[] sha(String name, byte[] data, int off, int len) {
        MessageDigest d = newDigest(name);
        d.update(data, off, len);
        return d.digest();
    }

    static MessageDigest newDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The checksum of {@code alg} on any SDK response or model object (ChecksumCRC32, ChecksumSHA256...). */
    static String checksumOf(SdkPojo pojo, Alg alg) {
        var field = pojo.sdkFields().stream().filter(f -> f.memberName().equals("Checksum" + alg.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no Checksum" + alg.name() + " in " + pojo.getClass()));
        return (String) field.getValueOrDefault(pojo);
    }
}
