package dev.arca.iam;

import dev.arca.iam.policy.ConditionKeys;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.RequestContext;
import java.util.List;
import java.util.Objects;

/**
 * AWS's policy evaluation logic across the policies that bear on one request: identity policies
 * (the user's inline, attached and group policies, or the role's) and the resource policy (the
 * bucket policy, or a role's trust policy for sts:AssumeRole). Pure and static.
 *
 * <ol>
 *   <li>An explicit Deny in any policy wins, for every principal including an account root.</li>
 *   <li>Anonymous: allowed only if the resource policy allows.</li>
 *   <li>The root user of the resource's account: allowed (identity policies do not restrict it).</li>
 *   <li>Same account: allowed if an identity policy allows, or the resource policy allows the
 *       principal directly ("*", its user, role or session ARN). A resource-policy grant to the
 *       account itself (account id, root ARN, canonical user) is delegation: the account's identity
 *       policies must also allow, as in AWS.</li>
 *   <li>Cross-account: allowed only if the resource policy allows and the principal is its
 *       account's root or its identity policies allow.</li>
 *   <li>Otherwise denied implicitly.</li>
 * </ol>
 */
public final class Authorizer {
    private Authorizer() {}

    /**
     * One authorization question.
     *
     * @param principal         who is asking
     * @param action            the IAM action, e.g. "s3:GetObject"
     * @param resource          the resource ARN
     * @param resourceAccountId the account owning the resource; null for account-level actions
     *                          (CreateBucket, ListBuckets), which count as the principal's own account
     * @param identityPolicies  the principal's identity policies (empty for a root or anonymous principal; ignored for them)
     * @param resourcePolicy    the resource's policy, or null
     * @param keys              the request's condition keys; null means none
     */
    public record AuthorizationRequest(Principal principal, String action, String resource, String resourceAccountId,
            List<Policy> identityPolicies, Policy resourcePolicy, ConditionKeys keys) {
        public AuthorizationRequest {
            Objects.requireNonNull(principal, "principal");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(resource, "resource");
            identityPolicies = identityPolicies == null ? List.of() : List.copyOf(identityPolicies);
        }
    }

    /**
     * The answer.
     *
     * @param decision ALLOW, EXPLICIT_DENY or IMPLICIT_DENY
     * @param reason   which rule and statement decided, for the audit log (never secret material)
     */
    public record Authorization(Decision decision, String reason) {
        public boolean allowed() {
            return decision.allowed();
        }
    }

    /** Decides one request. */
    public static Authorization authorize(AuthorizationRequest r) {
        Principal p = r.principal();
        RequestContext ctx = new RequestContext(r.action(), r.resource(), p, r.keys());
        String resourceAccount = r.resourceAccountId() != null ? r.resourceAccountId() : p.accountId();
        // A root user has no identity policies, and an anonymous caller none at all.
        boolean hasIdentity = p.kind() == Principal.Kind.USER || p.kind() == Principal.Kind.ASSUMED_ROLE;

        String identityAllow = null;
        if (hasIdentity) {
            List<Policy> policies = r.identityPolicies();
            for (int i = 0; i < policies.size(); i++) {
                Policy.Evaluation e = policies.get(i).explain(ctx);
                if (e.decision() == Decision.EXPLICIT_DENY) {
                    return deny(Decision.EXPLICIT_DENY, "explicit deny in identity policy " + i + ", statement " + e.statement());
                }
                if (e.decision() == Decision.ALLOW && identityAllow == null) {
                    identityAllow = "identity policy " + i + ", statement " + e.statement();
                }
            }
        }
        Policy.Evaluation res = r.resourcePolicy() == null ? null : r.resourcePolicy().explain(ctx);
        if (res != null && res.decision() == Decision.EXPLICIT_DENY) {
            return deny(Decision.EXPLICIT_DENY, "explicit deny in resource policy, statement " + res.statement());
        }
        boolean resourceAllows = res != null && res.decision() == Decision.ALLOW;
        String resourceAllow = resourceAllows ? "resource policy, statement " + res.statement() : null;

        if (p.isAnonymous()) {
            return resourceAllows
                    ? new Authorization(Decision.ALLOW, "anonymous allowed by " + resourceAllow)
                    : deny(Decision.IMPLICIT_DENY, "anonymous: no resource policy allows");
        }
        boolean sameAccount = p.accountId().equals(resourceAccount);
        boolean root = p.kind() == Principal.Kind.ACCOUNT_ROOT;
        if (sameAccount) {
            if (root) {
                return new Authorization(Decision.ALLOW, "root user of the owning account");
            }
            if (identityAllow != null) {
                return new Authorization(Decision.ALLOW, "allowed by " + identityAllow);
            }
            if (resourceAllows && !res.accountGrant()) {
                return new Authorization(Decision.ALLOW, "allowed by " + resourceAllow);
            }
            return deny(Decision.IMPLICIT_DENY, resourceAllows
                    ? resourceAllow + " grants to the account, but no identity policy allows"
                    : "no identity or resource policy allows");
        }
        if (!resourceAllows) {
            return deny(Decision.IMPLICIT_DENY, "cross-account: no resource policy allows");
        }
        if (root) {
            return new Authorization(Decision.ALLOW, "cross-account root allowed by " + resourceAllow);
        }
        if (identityAllow != null) {
            return new Authorization(Decision.ALLOW, "cross-account: allowed by " + resourceAllow + " and " + identityAllow);
        }
        return deny(Decision.IMPLICIT_DENY, "cross-account: " + resourceAllow + " allows, but no identity policy does");
    }

    private static Authorization deny(Decision d, String reason) {
        return new Authorization(d, reason);
    }
}
