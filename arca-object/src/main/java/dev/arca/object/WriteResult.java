package dev.arca.object;

import dev.arca.meta.StoredChecksum;

/**
 * What a successful write stored: ETag (unquoted), checksum (or null), size, version id ("null"
 * unless versioning is enabled), time, for a copy the version id of the source read (else null), and
 * how the bytes are sealed (null: in clear), and the version that was current before this write replaced
 * it (null if the key had no current object).
 */
public record WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis,
        String sourceVersionId, dev.arca.meta.Encryption encryption, String replacedVersionId) {
    public WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis,
            String sourceVersionId, dev.arca.meta.Encryption encryption) {
        this(etag, checksum, size, versionId, lastModifiedMillis, sourceVersionId, encryption, null);
    }

    public WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis) {
        this(etag, checksum, size, versionId, lastModifiedMillis, null, null);
    }

    public WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis,
            String sourceVersionId) {
        this(etag, checksum, size, versionId, lastModifiedMillis, sourceVersionId, null);
    }
}
