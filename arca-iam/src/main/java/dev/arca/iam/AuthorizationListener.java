package dev.arca.iam;

import dev.arca.iam.policy.Decision;

/**
 * Told of every authorization decision (the audit hook). Called on the request's thread, so it
 * must be fast and must not throw; it must not log secrets (none are passed).
 */
@FunctionalInterface
public interface AuthorizationListener {
    AuthorizationListener NONE = (principal, action, resource, decision, reason) -> {};

    void decided(Principal principal, String action, String resource, Decision decision, String reason);
}
