package dev.arca.object;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;

/** Object Lock request checks done before a body is streamed; the metadata machine checks again at commit. */
final class Locks {
    private Locks() {}

    static void requireLockBucket(BucketRecord bucket) {
        if (!bucket.objectLockEnabled()) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
    }

    /** A write's lock settings need a lock-enabled bucket and a retain-until date in the future. */
    static void checkRequest(BucketRecord bucket, ObjectLock lock, long nowMillis) {
        if (lock.isEmpty()) {
            return;
        }
        requireLockBucket(bucket);
        if (lock.retention() != null && !lock.retention().activeAt(nowMillis)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "The retain until date must be in the future!");
        }
    }
}
