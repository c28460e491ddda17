package dev.arca.meta;

/**
 * A page request over a bucket's multipart uploads, ordered by key then initiation time.
 * {@code uploadIdMarker} only counts together with {@code keyMarker}, as in S3.
 */
public record UploadQuery(String prefix, String delimiter, String keyMarker, String uploadIdMarker, int maxUploads) {
    public UploadQuery {
        prefix = prefix == null ? "" : prefix;
        if (delimiter != null && delimiter.isEmpty()) {
            delimiter = null;
        }
        if (keyMarker != null && keyMarker.isEmpty()) {
            keyMarker = null;
        }
        if (uploadIdMarker != null && (uploadIdMarker.isEmpty() || keyMarker == null)) {
            uploadIdMarker = null;
        }
    }
}
