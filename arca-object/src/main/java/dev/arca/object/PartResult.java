package dev.arca.object;

import dev.arca.meta.StoredChecksum;

/**
 * What UploadPart / UploadPartCopy stored: the part's ETag (unquoted), checksum (or null), time, and
 * the upload's encryption (null: in clear).
 */
public record PartResult(String etag, StoredChecksum checksum, long lastModifiedMillis,
        dev.arca.meta.Encryption encryption) {}
