package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.Conditions;
import dev.arca.core.ObjectKey;

/** The object a copy reads from, and the x-amz-copy-source-if-* conditions it must meet. */
public record CopySource(BucketName bucket, ObjectKey key, Conditions conditions) {
    public CopySource {
        conditions = conditions == null ? Conditions.NONE : conditions;
    }
}
