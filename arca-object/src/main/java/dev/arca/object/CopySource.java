package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.Conditions;
import dev.arca.core.ObjectKey;

/**
 * The object a copy reads from: a version (null for the current object), and the
 * x-amz-copy-source-if-* conditions it must meet.
 */
public record CopySource(BucketName bucket, ObjectKey key, Conditions conditions, String versionId) {
    public CopySource {
        conditions = conditions == null ? Conditions.NONE : conditions;
    }

    public CopySource(BucketName bucket, ObjectKey key, Conditions conditions) {
        this(bucket, key, conditions, null);
    }
}
