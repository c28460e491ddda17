package dev.arca.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A blob holding {@code length} consecutive bytes of an object. */
public record BlobSpan(String blobId, long length) {
    public BlobSpan {
        Objects.requireNonNull(blobId, "blobId");
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
    }

    /** Bytes {@code [offset, offset + length)} of blob {@code blobId}, which holds {@code blobLength} bytes. */
    public record Slice(String blobId, long blobLength, long offset, long length) {}

    /**
     * The slices of the blobs of {@code spans} (an object's blobs in order) that hold the object's
     * bytes {@code [first, first + length)}, in order; empty spans are skipped.
     */
    public static List<Slice> covering(List<BlobSpan> spans, long first, long length) {
        List<Slice> out = new ArrayList<>();
        long spanStart = 0;
        long end = first + length;
        for (BlobSpan span : spans) {
            long spanEnd = spanStart + span.length();
            if (spanEnd > first && spanStart < end && span.length() > 0) {
                long from = Math.max(first, spanStart);
                long to = Math.min(end, spanEnd);
                out.add(new Slice(span.blobId(), span.length(), from - spanStart, to - from));
            }
            if (spanEnd >= end) {
                break;
            }
            spanStart = spanEnd;
        }
        return out;
    }
}
