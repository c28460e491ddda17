package dev.arca.meta;

import java.util.Objects;

/**
 * An uploaded part: number, size, ETag (hex MD5), when it was written, the blob holding it and
 * its checksum in base64 under the upload's algorithm (null if the upload has none).
 */
public record PartRecord(int partNumber, long size, String etag, long lastModifiedMillis, String blobId, String checksum) {
    public PartRecord {
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(blobId, "blobId");
    }
}
