package dev.arca.object.restore;

import dev.arca.core.BucketName;
import java.time.Instant;
import java.util.Objects;

/**
 * What to restore: every key of {@code bucket} starting with {@code prefix} ("" for all), made to
 * read as it did at {@code to}.
 *
 * @param bucket   the bucket (versioning enabled or suspended)
 * @param prefix   the key prefix ("" for every key)
 * @param to       the point in time: a version committed at or before it (by its last-modified time) counts
 * @param dryRun   true to only compute what a run would do, writing nothing
 * @param afterKey resume position: only keys after this one are restored (null: from the first key)
 */
public record RestoreRequest(BucketName bucket, String prefix, Instant to, boolean dryRun, String afterKey) {
    public RestoreRequest {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(to, "to");
        prefix = prefix == null ? "" : prefix;
        if (afterKey != null && afterKey.isEmpty()) {
            afterKey = null;
        }
    }

    /** The same restore, continuing after {@code key} (null: from the start), dry or not. */
    public RestoreRequest resumedAfter(String key, boolean dry) {
        return new RestoreRequest(bucket, prefix, to, dry, key);
    }
}
