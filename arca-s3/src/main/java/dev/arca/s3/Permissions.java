package dev.arca.s3;

/**
 * Permission checks that go beyond bucket ownership. Until IAM exists the only principals are
 * accounts acting on their own buckets, which hold every permission; IAM replaces these bodies
 * with policy evaluation.
 */
final class Permissions {
    private Permissions() {}

    /** s3:BypassGovernanceRetention on the request's bucket and key. */
    static boolean mayBypassGovernanceRetention(S3Request r) {
        return true;
    }

    /**
     * Whether the request bypasses GOVERNANCE retention: it asked to with
     * x-amz-bypass-governance-retention: true and holds s3:BypassGovernanceRetention. Without the
     * permission the header is ignored, so locked versions stay protected (AccessDenied).
     */
    static boolean bypassGovernance(S3Request r) {
        return RequestHeaders.bypassGovernanceRequested(r.headers()) && mayBypassGovernanceRetention(r);
    }
}
