package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.Conditions;
import dev.arca.core.ObjectKey;

/**
 * The object a copy reads from: a version (null for the current object), and the
 * x-amz-copy-source-if-* conditions it must meet, and the source's SSE-C key (null if none).
 */
public record CopySource(BucketName bucket, ObjectKey key, Conditions conditions, String versionId,
        byte[] customerKey) {
    public CopySource {
        conditions = conditions == null ? Conditions.NONE : conditions;
    }

    public CopySource(BucketName bucket, ObjectKey key, Conditions conditions) {
        this(bucket, key, conditions, null, null);
    }

    public CopySource(BucketName bucket, ObjectKey key, Conditions conditions, String versionId) {
        this(bucket, key, conditions, versionId, null);
    }
}
