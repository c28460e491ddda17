package dev.arca.meta;

import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import java.util.Objects;

/**
 * A multipart upload in progress: the target, when and by whom it was started, the attributes the
 * final object will get, and the checksum algorithm and type parts must use (both null if none).
 */
public record UploadRecord(
        String bucket,
        String key,
        String uploadId,
        long initiatedMillis,
        String ownerId,
        ObjectAttributes attributes,
        ChecksumAlgorithm checksumAlgorithm,
        ChecksumType checksumType,
        Encryption encryption) {
    public UploadRecord {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(attributes, "attributes");
        if ((checksumAlgorithm == null) != (checksumType == null)) {
            throw new IllegalArgumentException("checksum algorithm and type go together");
        }
    }

    /** An upload whose parts are stored in clear. */
    public UploadRecord(String bucket, String key, String uploadId, long initiatedMillis, String ownerId,
            ObjectAttributes attributes, ChecksumAlgorithm checksumAlgorithm, ChecksumType checksumType) {
        this(bucket, key, uploadId, initiatedMillis, ownerId, attributes, checksumAlgorithm, checksumType, null);
    }

    public UploadRecord withEncryption(Encryption newEncryption) {
        return new UploadRecord(bucket, key, uploadId, initiatedMillis, ownerId, attributes, checksumAlgorithm,
                checksumType, newEncryption);
    }
}
