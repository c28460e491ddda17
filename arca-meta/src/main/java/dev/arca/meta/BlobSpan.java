package dev.arca.meta;

import java.util.Objects;

/** A blob holding {@code length} consecutive bytes of an object. */
public record BlobSpan(String blobId, long length) {
    public BlobSpan {
        Objects.requireNonNull(blobId, "blobId");
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
    }
}
