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
        ChecksumType checksumType) {
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
}
