package dev.arca.s3;

/**
 * Admits or refuses an authenticated, routed request before it runs: where containment (a quarantined
 * principal, a protected bucket) takes effect. Refusal is a {@link dev.arca.core.StoreException}
 * (AccessDenied), which the caller answers and audits like any other failure. Thread-safe.
 */
@FunctionalInterface
public interface RequestGuard {
    RequestGuard NONE = context -> { };

    /** Throws to refuse the request described by {@code context} (principal, operation, bucket and key are set). */
    void admit(RequestContext context);
}
