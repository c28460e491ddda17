package dev.arca.iam.policy;

import dev.arca.iam.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A compiled Principal or NotPrincipal element: "*", {"AWS": ...} (account ids, account root,
 * user, role and assumed-role ARNs) and {"CanonicalUser": ...}. Entries are exact: AWS allows no
 * wildcards in principals except the lone "*".
 */
final class Principals {
    /** How a principal element matched a request. */
    enum Grant {
        /** Not matched. */
        NONE,
        /** Matched the principal itself ("*", its user, role or session ARN). */
        DIRECT,
        /**
         * Matched only through its account (account id, root ARN, canonical id). AWS calls this
         * delegation: the account's own identity policies must also allow a user or role.
         */
        ACCOUNT
    }

    private static final Pattern ACCOUNT_ID = Pattern.compile("[0-9]{12}");
    private static final Pattern ROOT_ARN = Pattern.compile("arn:aws:iam::([0-9]{12}):root");
    /** IAM names: letters, digits and +=,.@_- ; user ARNs may carry a path. */
    private static final Pattern USER_ARN = Pattern.compile("arn:aws:iam::[0-9]{12}:user/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::[0-9]{12}:role/(?:[\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}");
    private static final Pattern SESSION_ARN =
            Pattern.compile("arn:aws:sts::[0-9]{12}:assumed-role/[\\w+=,.@-]{1,64}/[\\w+=,.@-]{2,64}");
    /** S3 canonical user ids are 64 hex digits; accept any reasonable token. */
    private static final Pattern CANONICAL_ID = Pattern.compile("[0-9A-Za-z]{1,128}");

    private final boolean everyone;
    private final Set<String> accounts;
    private final Set<String> users;
    private final Set<String> roles;
    private final Set<String> sessions;
    private final Set<String> canonicalIds;
    /** The AWS entries as written (account ids and ARNs), for existence checks by the caller. */
    private final Set<String> awsEntries;

    private Principals(Builder b) {
        this.everyone = b.everyone;
        this.accounts = Set.copyOf(b.accounts);
        this.users = Set.copyOf(b.users);
        this.roles = Set.copyOf(b.roles);
        this.sessions = Set.copyOf(b.sessions);
        this.canonicalIds = Collections.unmodifiableSet(b.canonicalIds);
        this.awsEntries = Collections.unmodifiableSet(b.awsEntries);
    }

    /** Collects entries while parsing; the result is immutable. */
    private static final class Builder {
        private boolean everyone;
        private final Set<String> accounts = new LinkedHashSet<>();
        private final Set<String> users = new LinkedHashSet<>();
        private final Set<String> roles = new LinkedHashSet<>();
        private final Set<String> sessions = new LinkedHashSet<>();
        private final Set<String> canonicalIds = new LinkedHashSet<>();
        private final Set<String> awsEntries = new LinkedHashSet<>();

        private void addAws(String a) {
            if (a.equals("*")) {
                everyone = true;
                return;
            }
            var root = ROOT_ARN.matcher(a);
            if (ACCOUNT_ID.matcher(a).matches()) {
                accounts.add(a);
            } else if (root.matches()) {
                accounts.add(root.group(1));
            } else if (USER_ARN.matcher(a).matches()) {
                users.add(a);
            } else if (ROLE_ARN.matcher(a).matches()) {
                roles.add(a);
            } else if (SESSION_ARN.matcher(a).matches()) {
                sessions.add(a);
            } else {
                throw invalid(a);
            }
            awsEntries.add(a);
        }
    }
    static Principals parse(Json.Value element) {
        if (element instanceof Json.Str(String s)) {
            if (!s.equals("*")) {
                throw invalid(s);
            }
            Builder b = new Builder();
            b.everyone = true;
            return new Principals(b);
        }
        if (!(element instanceof Json.Obj(Map<String, Json.Value> members)) || members.isEmpty()) {
            throw new PolicyException("Invalid principal in policy: Principal must be \"*\" or an object");
        }
        Builder b = new Builder();
        for (Map.Entry<String, Json.Value> e : members.entrySet()) {
            switch (e.getKey()) {
                case "AWS" -> strings(e.getValue()).forEach(b::addAws);
                case "CanonicalUser" -> {
                    for (String c : strings(e.getValue())) {
                        if (!CANONICAL_ID.matcher(c).matches()) {
                            throw invalid(c);
                        }
                        b.canonicalIds.add(c);
                    }
                }
                case "Service", "Federated" -> throw new PolicyException(
                        "Invalid principal in policy: " + e.getKey() + " principals are not supported");
                default -> throw new PolicyException("Invalid principal in policy: unknown principal type " + e.getKey());
            }
        }
        return new Principals(b);
    }

    private static List<String> strings(Json.Value v) {
        if (v instanceof Json.Str(String s)) {
            return List.of(s);
        }
        if (v instanceof Json.Arr(List<Json.Value> items) && !items.isEmpty()) {
            List<String> out = new ArrayList<>(items.size());
            for (Json.Value item : items) {
                if (!(item instanceof Json.Str(String s))) {
                    throw new PolicyException("Invalid principal in policy: entries must be strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new PolicyException("Invalid principal in policy: expected a string or a non-empty list of strings");
    }

    private static PolicyException invalid(String entry) {
        return new PolicyException("Invalid principal in policy: " + entry);
    }

    /** Whether the element names everyone ("*" or {"AWS": "*"}). */
    boolean everyone() {
        return everyone;
    }

    Set<String> awsEntries() {
        return awsEntries;
    }

    Set<String> canonicalIds() {
        return canonicalIds;
    }

    /** How a Principal element matches the request's principal. */
    Grant match(Principal p) {
        if (everyone) {
            return Grant.DIRECT;
        }
        return switch (p.kind()) {
            case ANONYMOUS -> Grant.NONE;
            case ACCOUNT_ROOT -> accountListed(p) ? Grant.DIRECT : Grant.NONE;
            case USER -> users.contains(p.arn()) ? Grant.DIRECT : accountListed(p) ? Grant.ACCOUNT : Grant.NONE;
            case ASSUMED_ROLE -> sessions.contains(p.arn()) || roles.contains(p.roleArn())
                    ? Grant.DIRECT
                    : accountListed(p) ? Grant.ACCOUNT : Grant.NONE;
        };
    }

    /**
     * Whether a NotPrincipal element applies to the request's principal. AWS checks every identity
     * the request carries (the account; the user; the role and its session), and the statement
     * applies unless all of them are listed: a Deny with NotPrincipal naming only a user still
     * denies that user, because the user's account is not listed.
     */
    boolean notPrincipalApplies(Principal p) {
        if (everyone) {
            return false;
        }
        return switch (p.kind()) {
            case ANONYMOUS -> true;
            case ACCOUNT_ROOT -> !accountListed(p);
            case USER -> !(accountListed(p) && users.contains(p.arn()));
            case ASSUMED_ROLE -> !(accountListed(p) && roles.contains(p.roleArn()) && sessions.contains(p.arn()));
        };
    }

    private boolean accountListed(Principal p) {
        return accounts.contains(p.accountId()) || (!p.canonicalId().isEmpty() && canonicalIds.contains(p.canonicalId()));
    }
}
