package dev.arca.meta;

/**
 * One part of an object assembled by CompleteMultipartUpload: number, size, ETag (hex MD5) and
 * its checksum value in base64 (null when the upload had no checksum algorithm).
 */
public record PartSummary(int partNumber, long size, String etag, String checksum) {}
