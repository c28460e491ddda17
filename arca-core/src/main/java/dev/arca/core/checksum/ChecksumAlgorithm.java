package dev.arca.core.checksum;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The additional checksum algorithms S3 clients may send ({@code x-amz-checksum-*} headers or
 * trailers) and S3 returns. Digests are exchanged as base64 of the big-endian digest bytes.
 *
 * <p>Only the CRC algorithms ({@link #isCrc()}) support the {@link ChecksumType#FULL_OBJECT}
 * multipart checksum type, because only CRCs can be combined from per-part values.
 */
public enum ChecksumAlgorithm {
    CRC32("CRC32", 4, true),
    CRC32C("CRC32C", 4, true),
    CRC64NVME("CRC64NVME", 8, true),
    SHA1("SHA1", 20, false),
    SHA256("SHA256", 32, false);

    private static final String HEADER_PREFIX = "x-amz-checksum-";
    private static final String XML_PREFIX = "Checksum";

    private final String awsName;
    private final String headerName;
    private final String xmlElement;
    private final int digestLength;
    private final boolean crc;

    ChecksumAlgorithm(String awsName, int digestLength, boolean crc) {
        this.awsName = awsName;
        this.headerName = HEADER_PREFIX + awsName.toLowerCase(Locale.ROOT);
        this.xmlElement = XML_PREFIX + awsName;
        this.digestLength = digestLength;
        this.crc = crc;
    }

    /** The name S3 uses in {@code x-amz-checksum-algorithm} and XML, e.g. {@code "CRC32C"}. */
    public String awsName() {
        return awsName;
    }

    /** The lower-case header carrying this checksum, e.g. {@code "x-amz-checksum-crc32c"}. */
    public String headerName() {
        return headerName;
    }

    /** The XML element carrying this checksum, e.g. {@code "ChecksumCRC32C"}. */
    public String xmlElement() {
        return xmlElement;
    }

    /** Length in bytes of the raw (not base64) digest. */
    public int digestLength() {
        return digestLength;
    }

    /** True for the CRC algorithms, the only ones that support {@link ChecksumType#FULL_OBJECT}. */
    public boolean isCrc() {
        return crc;
    }

    /** A fresh, not thread-safe hasher for this algorithm. */
    public Hasher newHasher() {
        return switch (this) {
            case CRC32 -> new CrcHasher(this, new java.util.zip.CRC32());
            case CRC32C -> new CrcHasher(this, new java.util.zip.CRC32C());
            case CRC64NVME -> new CrcHasher(this, new Crc64Nvme());
            case SHA1 -> new ShaHasher(this, "SHA-1");
            case SHA256 -> new ShaHasher(this, "SHA-256");
        };
    }

    /** Looks up an algorithm by its AWS name, ignoring case; empty if unknown. Null is rejected. */
    public static Optional<ChecksumAlgorithm> fromAwsName(String name) {
        Objects.requireNonNull(name, "name");
        for (ChecksumAlgorithm alg : values()) {
            if (alg.awsName.equalsIgnoreCase(name)) {
                return Optional.of(alg);
            }
        }
        return Optional.empty();
    }

    /** Looks up an algorithm by its header name, ignoring case; empty if unknown. Null is rejected. */
    public static Optional<ChecksumAlgorithm> fromHeaderName(String header) {
        Objects.requireNonNull(header, "header");
        for (ChecksumAlgorithm alg : values()) {
            if (alg.headerName.equalsIgnoreCase(header)) {
                return Optional.of(alg);
            }
        }
        return Optional.empty();
    }
}
