package dev.arca.core.checksum;

/**
 * How a multipart upload's object checksum is derived from its parts; {@link #name()} is the AWS
 * value of {@code x-amz-checksum-type}.
 *
 * <ul>
 *   <li>{@link #COMPOSITE}: the algorithm applied to the concatenated binary part digests, printed
 *       as {@code base64 + "-" + partCount} (see {@link Checksums#composite}).
 *   <li>{@link #FULL_OBJECT}: the checksum of the whole object, combined from the part CRCs and
 *       lengths; CRC algorithms only (see {@link Checksums#fullObject}).
 * </ul>
 */
public enum ChecksumType {
    COMPOSITE,
    FULL_OBJECT
}
