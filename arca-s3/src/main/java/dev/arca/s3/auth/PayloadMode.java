package dev.arca.s3.auth;

/** How the request body was authenticated, chosen by the {@code x-amz-content-sha256} header. */
public enum PayloadMode {
    /** {@code UNSIGNED-PAYLOAD} (or a presigned URL without the header): the body is not verified. */
    UNSIGNED,
    /** A hex SHA-256 of the whole body, verified when the body is read to its end. */
    SIGNED_HEX,
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: aws-chunked with a signature per chunk. */
    STREAMING_SIGNED,
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: signed chunks, then signed trailers. */
    STREAMING_SIGNED_TRAILER,
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: aws-chunked without signatures, then trailers. */
    STREAMING_UNSIGNED_TRAILER,
    /** No authentication at all; the body is passed through untouched. */
    ANONYMOUS;

    /** True for the aws-chunked encodings, whose body the authenticator decodes. */
    public boolean isStreaming() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }

    /** True when trailers follow the final chunk. */
    public boolean hasTrailers() {
        return this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }
}
