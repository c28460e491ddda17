package dev.arca.iam.policy;

import dev.arca.iam.Principal;
import java.util.List;
import java.util.Objects;

/**
 * One request as policies see it.
 *
 * @param action    the IAM action, e.g. "s3:GetObject" (compared case-insensitively)
 * @param resource  the resource ARN, e.g. "arn:aws:s3:::bucket/key" (compared case-sensitively)
 * @param principal who is asking
 * @param keys      the request's condition keys; null means none. The principal keys
 *                  aws:username, aws:userid, aws:PrincipalAccount, aws:PrincipalArn and
 *                  aws:PrincipalType come from {@code principal} when {@code keys} has no value
 */
public record RequestContext(String action, String resource, Principal principal, ConditionKeys keys) {
    public RequestContext {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(principal, "principal");
        keys = keys == null ? ConditionKeys.NONE : keys;
    }

    /** The values of a condition key (name case-insensitive); empty when the request has none. */
    public List<String> values(String key) {
        List<String> v = keys.values(key);
        if (v != null && !v.isEmpty()) {
            return v;
        }
        String builtin = principalKey(key);
        return builtin == null ? List.of() : List.of(builtin);
    }

    private String principalKey(String key) {
        if (key.length() < 4 || !key.regionMatches(true, 0, "aws:", 0, 4)) {
            return null;
        }
        Principal p = principal;
        String value;
        // Compared in place: this runs per condition on the request path, so no lower-casing copy.
        if (is(key, "username")) {
            value = p.kind() == Principal.Kind.USER ? p.name() : null; // AWS sets it only for IAM users
        } else if (is(key, "userid")) {
            value = p.userId();
        } else if (is(key, "PrincipalAccount")) {
            value = p.accountId();
        } else if (is(key, "PrincipalArn")) {
            value = p.isAnonymous() ? null : p.roleArn(); // a role session reports its role's ARN
        } else if (is(key, "PrincipalType")) {
            value = switch (p.kind()) {
                case ACCOUNT_ROOT -> "Account";
                case USER -> "User";
                case ASSUMED_ROLE -> "AssumedRole";
                case ANONYMOUS -> "Anonymous";
            };
        } else {
            value = null;
        }
        return value == null || value.isEmpty() ? null : value;
    }

    private static boolean is(String key, String name) {
        return key.length() == 4 + name.length() && key.regionMatches(true, 4, name, 0, name.length());
    }
}
