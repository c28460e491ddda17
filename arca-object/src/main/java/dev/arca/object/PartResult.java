package dev.arca.object;

import dev.arca.meta.StoredChecksum;

/** What UploadPart / UploadPartCopy stored: the part's ETag (unquoted), checksum (or null) and time. */
public record PartResult(String etag, StoredChecksum checksum, long lastModifiedMillis) {}
