package dev.arca.object.lifecycle;

import java.util.Objects;

/**
 * One rule of a bucket's lifecycle configuration. Actions not given are null; at least one must be.
 *
 * @param id       the rule's ID, at most {@link #MAX_ID_CHARS} characters; "" when the writer gave
 *                 none ({@link LifecycleConfiguration} then assigns one)
 * @param enabled  Status Enabled (true) or Disabled
 * @param filter   which objects and uploads the rule applies to
 */
public record LifecycleRule(
        String id,
        boolean enabled,
        LifecycleFilter filter,
        Expiration expiration,
        NoncurrentVersionExpiration noncurrentVersionExpiration,
        AbortIncompleteMultipartUpload abortIncompleteMultipartUpload) {
    /** AWS's longest rule ID. */
    public static final int MAX_ID_CHARS = 255;

    public LifecycleRule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(filter, "filter");
        if (id.length() > MAX_ID_CHARS) {
            throw Errors.invalidArgument("ID length should not exceed allowed limit of " + MAX_ID_CHARS);
        }
        if (expiration == null && noncurrentVersionExpiration == null && abortIncompleteMultipartUpload == null) {
            throw Errors.invalidRequest("At least one action needs to be specified in a rule");
        }
        // A delete marker has no tags and no size, and an upload's tags and size are not known until
        // it completes, so S3 refuses these combinations rather than silently never matching.
        if (expiration instanceof Expiration.ExpiredObjectDeleteMarker) {
            if (!filter.tags().isEmpty()) {
                throw Errors.invalidRequest("ExpiredObjectDeleteMarker cannot be specified with Tags.");
            }
            if (filter.hasSizeCondition()) {
                throw Errors.invalidRequest("ExpiredObjectDeleteMarker cannot be specified with Object Size.");
            }
        }
        if (abortIncompleteMultipartUpload != null) {
            if (!filter.tags().isEmpty()) {
                throw Errors.invalidRequest("AbortIncompleteMultipartUpload cannot be specified with Tags.");
            }
            if (filter.hasSizeCondition()) {
                throw Errors.invalidRequest("AbortIncompleteMultipartUpload cannot be specified with Object Size.");
            }
        }
    }

    /** This rule under another ID. */
    public LifecycleRule withId(String newId) {
        return new LifecycleRule(newId, enabled, filter, expiration, noncurrentVersionExpiration,
                abortIncompleteMultipartUpload);
    }

    /** Whether the rule removes lone delete markers. */
    public boolean expiresDeleteMarkers() {
        return expiration instanceof Expiration.ExpiredObjectDeleteMarker(boolean on) && on;
    }

    /** Whether the rule expires current versions (Days or Date). */
    public boolean expiresCurrentVersions() {
        return expiration instanceof Expiration.Days || expiration instanceof Expiration.OnDate;
    }
}
