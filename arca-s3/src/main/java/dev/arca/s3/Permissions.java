package dev.arca.s3;

/**
 * Permission checks made inside an operation rather than before it: GOVERNANCE bypass and the
 * per-key checks of DeleteObjects, evaluated by the {@link S3Authorizer} like any other need.
 */
final class Permissions {
    private final S3Authorizer authorizer;

    Permissions(S3Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /**
     * Whether the request bypasses GOVERNANCE retention: it asked to with
     * x-amz-bypass-governance-retention: true and holds s3:BypassGovernanceRetention on the object
     * ({@code key} null: on every object of the bucket, for DeleteObjects). Without the permission
     * the header is ignored, so locked versions stay protected (AccessDenied).
     */
    boolean bypassGovernance(S3Request r, String key) {
        return RequestHeaders.bypassGovernanceRequested(r.headers())
                && authorizer.allowed(r, new S3Access.Need("s3:BypassGovernanceRetention", r.bucket().value(),
                        key == null ? "*" : key));
    }

    /** Whether DeleteObjects may delete {@code key} (s3:DeleteObject, or s3:DeleteObjectVersion with a version id). */
    boolean mayDelete(S3Request r, String key, String versionId) {
        return authorizer.allowed(r, new S3Access.Need(versionId == null ? "s3:DeleteObject" : "s3:DeleteObjectVersion",
                r.bucket().value(), key));
    }
}
