package dev.arca.core;

/**
 * Every size, count and length limit Arca enforces, named in one place. S3 limits follow the AWS
 * documentation; internal limits bound memory and work per request.
 */
public final class Limits {
    private Limits() {}

    public static final long KIB = 1024L;
    public static final long MIB = 1024L * KIB;
    public static final long GIB = 1024L * MIB;
    public static final long TIB = 1024L * GIB;

    // --- S3 limits (AWS values) ---
    /** Largest object PutObject accepts in one request. */
    public static final long MAX_PUT_OBJECT_SIZE = 5 * GIB;
    /** Largest single part; also the largest range UploadPartCopy may copy. */
    public static final long MAX_PART_SIZE = 5 * GIB;
    /** Smallest part allowed except the last in CompleteMultipartUpload. */
    public static final long MIN_PART_SIZE = 5 * MIB;
    public static final int MAX_PART_NUMBER = 10_000;
    /** Largest object a multipart upload may assemble. */
    public static final long MAX_OBJECT_SIZE = 5 * TIB;
    /** Object key length in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** Total bytes of user metadata (x-amz-meta-* names without the prefix, plus values). */
    public static final int MAX_USER_METADATA_BYTES = 2 * 1024;
    public static final int MAX_TAGS_PER_OBJECT = 10;
    public static final int MAX_TAG_KEY_CHARS = 128;
    public static final int MAX_TAG_VALUE_CHARS = 256;
    public static final int MAX_KEYS_PER_PAGE = 1000;
    public static final int MAX_DELETE_OBJECTS = 1000;
    public static final int MAX_BUCKETS_PER_OWNER = 10_000;
    public static final int MAX_UPLOADS_PER_PAGE = 1000;
    public static final int MAX_PARTS_PER_PAGE = 1000;

    // --- Request parsing limits ---
    /** Largest XML request body we parse (DeleteObjects with 1,000 max-length keys fits). */
    public static final int MAX_XML_BODY_BYTES = 2 * 1024 * 1024;
    /** Largest CompleteMultipartUpload body: 10,000 parts with checksums. */
    public static final int MAX_COMPLETE_BODY_BYTES = 4 * 1024 * 1024;
    public static final int MAX_REQUEST_LINE_BYTES = 16 * 1024;
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Longest aws-chunked chunk header line (size;chunk-signature=...). */
    public static final int MAX_CHUNK_HEADER_BYTES = 4 * 1024;
    /** Total bytes of aws-chunked trailers. */
    public static final int MAX_TRAILER_BYTES = 16 * 1024;
    /** Presigned URLs may be valid for at most 7 days (AWS). */
    public static final long MAX_PRESIGN_SECONDS = 7 * 24 * 3600;
    /** Accepted difference between the request's x-amz-date and the server clock. */
    public static final long MAX_CLOCK_SKEW_SECONDS = 15 * 60;

    // --- Storage and memory bounds ---
    /** Objects smaller than this whose size is known up front are kept inline in metadata. */
    public static final int INLINE_OBJECT_MAX_BYTES = 128 * 1024 - 1;
    /** Unit of checksumming and of reads in a blob file. */
    public static final int BLOB_BLOCK_BYTES = 1024 * 1024;
    /** Largest piece moved through memory in one copy when streaming bodies. */
    public static final int STREAM_PIECE_BYTES = 1024 * 1024;
}
