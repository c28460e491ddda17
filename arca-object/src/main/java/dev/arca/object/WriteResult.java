package dev.arca.object;

import dev.arca.meta.StoredChecksum;

/** What a successful write stored: ETag (unquoted), checksum (or null), size, version and time. */
public record WriteResult(String etag, StoredChecksum checksum, long size, String versionId, long lastModifiedMillis) {}
