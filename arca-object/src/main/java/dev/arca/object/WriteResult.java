package dev.arca.object;

import dev.arca.meta.StoredChecksum;

/**
 * What a successful write stored: ETag (unquoted), checksum (or null), size, version id ("null"
 * unless versioning is enabled), time, and for a copy the version id of the source read (else null).
 */
public record WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis,
        String sourceVersionId) {
    public WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis) {
        this(etag, checksum, size, versionId, lastModifiedMillis, null);
    }
}
