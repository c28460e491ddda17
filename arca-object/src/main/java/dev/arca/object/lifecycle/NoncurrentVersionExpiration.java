package dev.arca.object.lifecycle;

/**
 * A rule's {@code <NoncurrentVersionExpiration>}: a noncurrent version is removed for good once it
 * has been noncurrent for {@code noncurrentDays} days (counted from when a newer version replaced
 * it, see {@link Lifecycle#dueMillis}), unless it is among the {@code newerNoncurrentVersions}
 * newest noncurrent versions of its key (null: keep none).
 */
public record NoncurrentVersionExpiration(int noncurrentDays, Integer newerNoncurrentVersions) {
    /** AWS's largest NewerNoncurrentVersions. */
    public static final int MAX_NEWER_NONCURRENT_VERSIONS = 100;

    public NoncurrentVersionExpiration {
        if (noncurrentDays <= 0) {
            throw Errors.invalidArgument(
                    "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
        }
        if (newerNoncurrentVersions != null
                && (newerNoncurrentVersions < 1 || newerNoncurrentVersions > MAX_NEWER_NONCURRENT_VERSIONS)) {
            throw Errors.invalidArgument("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be "
                    + "a positive integer no larger than " + MAX_NEWER_NONCURRENT_VERSIONS);
        }
    }

    /** How many of the newest noncurrent versions are kept whatever their age. */
    public int retained() {
        return newerNoncurrentVersions == null ? 0 : newerNoncurrentVersions;
    }
}
