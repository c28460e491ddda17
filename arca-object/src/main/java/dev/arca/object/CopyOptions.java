package dev.arca.object;

import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.WritePrecondition;
import java.util.Map;

/**
 * How CopyObject builds the new object: with REPLACE directives the request's attributes and tags
 * are used, with COPY the source's; {@code checksumAlgorithm} (null: keep the source's) picks the
 * checksum computed for the copy; {@code precondition} applies to the destination; {@code lock} is
 * the copy's Object Lock settings (never the source's, as in S3); {@code sse} the copy's encryption
 * (the request's or the destination bucket's default, never the source's, as in S3).
 */
public record CopyOptions(boolean replaceMetadata, ObjectAttributes attributes, boolean replaceTags,
        Map<String, String> tags, ChecksumAlgorithm checksumAlgorithm, WritePrecondition precondition, ObjectLock lock,
        SseRequest sse) {
    public CopyOptions {
        sse = sse == null ? SseRequest.DEFAULT : sse;
        attributes = attributes == null ? ObjectAttributes.EMPTY : attributes;
        tags = tags == null ? Map.of() : tags;
        precondition = precondition == null ? WritePrecondition.NONE : precondition;
        lock = lock == null ? ObjectLock.NONE : lock;
    }

    public CopyOptions(boolean replaceMetadata, ObjectAttributes attributes, boolean replaceTags,
            Map<String, String> tags, ChecksumAlgorithm checksumAlgorithm, WritePrecondition precondition) {
        this(replaceMetadata, attributes, replaceTags, tags, checksumAlgorithm, precondition, ObjectLock.NONE,
                SseRequest.DEFAULT);
    }

    public CopyOptions(boolean replaceMetadata, ObjectAttributes attributes, boolean replaceTags,
            Map<String, String> tags, ChecksumAlgorithm checksumAlgorithm, WritePrecondition precondition, ObjectLock lock) {
        this(replaceMetadata, attributes, replaceTags, tags, checksumAlgorithm, precondition, lock, SseRequest.DEFAULT);
    }
}
