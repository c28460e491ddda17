package dev.arca.meta;

import java.util.Objects;

/**
 * A bucket: its name, owning account, creation time, region (location constraint), versioning
 * state, and Object Lock: whether it is enabled (it can never be disabled again) and the default
 * retention for new versions (null for none).
 */
public record BucketRecord(String name, String ownerId, long createdMillis, String region, Versioning versioning,
        boolean objectLockEnabled, DefaultRetention defaultRetention) {
    public BucketRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(versioning, "versioning");
        if (objectLockEnabled && versioning != Versioning.ENABLED) {
            throw new IllegalArgumentException("Object Lock needs versioning enabled");
        }
        if (defaultRetention != null && !objectLockEnabled) {
            throw new IllegalArgumentException("default retention without Object Lock");
        }
    }

    /** An unversioned bucket without Object Lock. */
    public BucketRecord(String name, String ownerId, long createdMillis, String region) {
        this(name, ownerId, createdMillis, region, Versioning.UNVERSIONED, false, null);
    }

    public BucketRecord withVersioning(Versioning v) {
        return new BucketRecord(name, ownerId, createdMillis, region, v, objectLockEnabled, defaultRetention);
    }

    /** This bucket with Object Lock enabled and the given default retention (null for none). */
    public BucketRecord withObjectLock(DefaultRetention retention) {
        return new BucketRecord(name, ownerId, createdMillis, region, versioning, true, retention);
    }
}
