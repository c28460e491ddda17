package dev.arca.iam.policy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed, validated and compiled IAM policy document in the AWS grammar: Version, Id and
 * Statement; each statement with Sid, Effect, Action/NotAction, Resource/NotResource,
 * Principal/NotPrincipal and Condition. Compiling happens once in {@link #parse}: wildcard
 * patterns, CIDR blocks, dates and numbers are ready, so {@link #evaluate} does no parsing of the
 * policy. Immutable and thread-safe; cache instances, not JSON.
 *
 * <p>Not supported: Service and Federated principals, and condition keys of services other than
 * aws, s3, iam and sts.
 */
public final class Policy {
    /** The current policy language version; the only one with policy variables. */
    public static final String VERSION_2012 = "2012-10-17";
    /** The legacy version, also what an absent Version means: no policy variables. */
    public static final String VERSION_2008 = "2008-10-17";

    private static final Set<String> TOP_LEVEL = Set.of("Version", "Id", "Statement");
    private static final Set<String> STATEMENT_ELEMENTS = Set.of("Sid", "Effect", "Action", "NotAction", "Resource",
            "NotResource", "Principal", "NotPrincipal", "Condition");

    /**
     * Condition keys that pin who may call, so an Allow for Principal "*" limited by a fixed value
     * of one of them is not public (AWS S3 "The meaning of public"). aws:SourceIp is handled apart:
     * it pins only with a narrow enough block.
     */
    private static final Set<String> PINNING_KEYS = Set.of("aws:sourcevpc", "aws:sourcevpce", "aws:sourcearn",
            "aws:sourceaccount", "aws:sourceowner", "aws:principalaccount", "aws:principalarn", "aws:principalorgid",
            "aws:userid", "s3:x-amz-server-side-encryption-aws-kms-key-id", "s3:dataaccesspointarn",
            "s3:dataaccesspointaccount");
    /** An IPv4 block wider than this (fewer prefix bits) does not limit callers enough to be non-public. */
    static final int MIN_PINNING_IPV4_PREFIX = 8;
    /** An IPv6 block wider than this does not limit callers enough to be non-public. */
    static final int MIN_PINNING_IPV6_PREFIX = 32;

    /**
     * The result of evaluating one policy alone.
     *
     * @param decision     ALLOW, EXPLICIT_DENY or IMPLICIT_DENY
     * @param statement    the deciding statement's Sid, or "#index" (0-based) without one; null for IMPLICIT_DENY
     * @param accountGrant for ALLOW by a resource policy: true when the principal matched only through its
     *                     account (account id, root ARN, canonical user), which AWS treats as delegation to
     *                     the account: its users and roles also need an identity-policy allow
     */
    public record Evaluation(Decision decision, String statement, boolean accountGrant) {
        static final Evaluation IMPLICIT = new Evaluation(Decision.IMPLICIT_DENY, null, false);
    }

    private final String json;
    private final PolicyKind kind;
    private final String version;
    private final String id;
    private final List<Statement> statements;
    private final boolean isPublic;
    private final Set<String> principals;
    private final Set<String> canonicalUsers;
    private final List<String> resources;

    private Policy(String json, PolicyKind kind, String version, String id, List<Statement> statements) {
        this.json = json;
        this.kind = kind;
        this.version = version;
        this.id = id;
        this.statements = statements;
        Set<String> p = new LinkedHashSet<>();
        Set<String> c = new LinkedHashSet<>();
        Set<String> r = new LinkedHashSet<>();
        boolean pub = false;
        for (Statement st : statements) {
            if (st.principals() != null) {
                p.addAll(st.principals().awsEntries());
                c.addAll(st.principals().canonicalIds());
            }
            st.resources().forEach(t -> r.add(t.raw()));
            pub |= statementIsPublic(st);
        }
        this.principals = Set.copyOf(p);
        this.canonicalUsers = Set.copyOf(c);
        this.resources = List.copyOf(r);
        this.isPublic = pub;
    }

    /**
     * Parses, validates and compiles a policy document.
     *
     * @throws PolicyException with an AWS-like message when the document is not valid for {@code kind}
     */
    public static Policy parse(String json, PolicyKind kind) {
        Objects.requireNonNull(kind, "kind");
        if (json == null || json.isBlank()) {
            throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        if (json.length() > Json.MAX_CHARS) {
            throw tooLarge(json.length(), kind);
        }
        int size = Json.significantLength(json);
        if (size > kind.maxChars()) {
            throw tooLarge(size, kind);
        }
        if (json.strip().charAt(0) != '{') {
            throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        if (!(Json.parse(json) instanceof Json.Obj(Map<String, Json.Value> top))) {
            throw new PolicyException("Policies must be valid JSON and the first byte must be '{'");
        }
        for (String k : top.keySet()) {
            if (!TOP_LEVEL.contains(k)) {
                throw new PolicyException("Policy has an unknown element: " + k);
            }
        }
        String version = null;
        if (top.containsKey("Version")) {
            if (!(top.get("Version") instanceof Json.Str(String v)) || !(v.equals(VERSION_2012) || v.equals(VERSION_2008))) {
                throw new PolicyException("Invalid policy version: expected \"" + VERSION_2012 + "\" or \"" + VERSION_2008 + "\"");
            }
            version = v;
        }
        String id = null;
        if (top.containsKey("Id")) {
            if (!(top.get("Id") instanceof Json.Str(String v))) {
                throw new PolicyException("Policy Id must be a string");
            }
            id = v;
        }
        Json.Value st = top.get("Statement");
        if (st == null) {
            throw new PolicyException("Missing required field Statement");
        }
        List<Json.Value> items = switch (st) {
            case Json.Obj o -> List.of(o);
            case Json.Arr(List<Json.Value> list) -> list;
            default -> throw new PolicyException("Statement must be an object or a list of objects");
        };
        if (items.isEmpty()) {
            throw new PolicyException("Policy must contain at least one statement");
        }
        boolean variables = VERSION_2012.equals(version);
        List<Statement> statements = new ArrayList<>(items.size());
        Set<String> sids = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Json.Obj(Map<String, Json.Value> members))) {
                throw new PolicyException("Statement must be an object or a list of objects");
            }
            Statement s = statement(members, i, kind, variables);
            if (!s.label().startsWith("#") && !sids.add(s.label())) {
                throw new PolicyException("Statement IDs (SID) in a single policy must be unique: " + s.label());
            }
            statements.add(s);
        }
        return new Policy(json, kind, version, id, List.copyOf(statements));
    }

    private static PolicyException tooLarge(int size, PolicyKind kind) {
        return new PolicyException("Policy document is too large: " + size + " characters (without whitespace), the limit for a "
                + kind.name().toLowerCase(Locale.ROOT) + " policy is " + kind.maxChars());
    }

    private static Statement statement(Map<String, Json.Value> m, int index, PolicyKind kind, boolean variables) {
        for (String k : m.keySet()) {
            if (!STATEMENT_ELEMENTS.contains(k)) {
                throw new PolicyException("Policy has an unknown element in a statement: " + k);
            }
        }
        String label = "#" + index;
        if (m.containsKey("Sid")) {
            if (!(m.get("Sid") instanceof Json.Str(String sid)) || sid.isEmpty() || sid.startsWith("#")) {
                throw new PolicyException("Statement Sid must be a non-empty string not starting with '#'");
            }
            label = sid;
        }
        if (!m.containsKey("Effect")) {
            throw new PolicyException("Missing required field Effect");
        }
        boolean allow = switch (m.get("Effect")) {
            case Json.Str(String e) when e.equals("Allow") -> true;
            case Json.Str(String e) when e.equals("Deny") -> false;
            default -> throw new PolicyException("Invalid effect: Effect must be \"Allow\" or \"Deny\"");
        };

        String actionKey = exactlyOne(m, "Action", "NotAction", true);
        List<Glob> actions = new ArrayList<>();
        for (String a : strings(m.get(actionKey), "Policy has invalid action")) {
            actions.add(Actions.compile(a, kind));
        }

        List<Template> resources = new ArrayList<>();
        boolean notResource = false;
        if (kind == PolicyKind.TRUST) {
            if (m.containsKey("Resource") || m.containsKey("NotResource")) {
                throw new PolicyException("Has prohibited field Resource: a trust policy applies to its role");
            }
        } else {
            String resourceKey = exactlyOne(m, "Resource", "NotResource", true);
            notResource = resourceKey.equals("NotResource");
            for (String r : strings(m.get(resourceKey), "Policy has invalid resource")) {
                if (!r.equals("*") && !(r.startsWith("arn:") && r.split(":", Condition.ARN_SEGMENTS).length == Condition.ARN_SEGMENTS)) {
                    throw new PolicyException("Policy has invalid resource: " + r);
                }
                resources.add(Template.parse(r, variables));
            }
        }

        Principals principals = null;
        boolean notPrincipal = false;
        String principalKey = exactlyOne(m, "Principal", "NotPrincipal", false);
        if (kind.principalRequired()) {
            if (principalKey == null) {
                throw new PolicyException("Missing required field Principal");
            }
            notPrincipal = principalKey.equals("NotPrincipal");
            principals = Principals.parse(m.get(principalKey));
        } else if (principalKey != null) {
            throw new PolicyException("Policy document should not specify a principal: " + principalKey);
        }

        List<Condition> conditions = new ArrayList<>();
        if (m.containsKey("Condition")) {
            if (!(m.get("Condition") instanceof Json.Obj(Map<String, Json.Value> ops))) {
                throw new PolicyException("Condition must be an object");
            }
            for (Map.Entry<String, Json.Value> op : ops.entrySet()) {
                Condition.OperatorName name = Condition.OperatorName.parse(op.getKey());
                if (!(op.getValue() instanceof Json.Obj(Map<String, Json.Value> keys)) || keys.isEmpty()) {
                    throw new PolicyException("Condition operator " + op.getKey() + " must map condition keys to values");
                }
                for (Map.Entry<String, Json.Value> k : keys.entrySet()) {
                    conditions.add(Condition.compile(name, k.getKey(), conditionValues(k.getKey(), k.getValue()), variables));
                }
            }
        }
        return new Statement(label, allow, List.copyOf(actions), actionKey.equals("NotAction"), List.copyOf(resources),
                notResource, principals, notPrincipal, List.copyOf(conditions));
    }

    /** The one of two mutually exclusive elements present; null if neither and not required. */
    private static String exactlyOne(Map<String, Json.Value> m, String a, String notA, boolean required) {
        boolean hasA = m.containsKey(a);
        boolean hasNot = m.containsKey(notA);
        if (hasA && hasNot) {
            throw new PolicyException("Statement cannot have both " + a + " and " + notA);
        }
        if (!hasA && !hasNot) {
            if (required) {
                throw new PolicyException("Missing required field " + a);
            }
            return null;
        }
        return hasA ? a : notA;
    }

    /** A string or a non-empty list of strings. */
    private static List<String> strings(Json.Value v, String error) {
        if (v instanceof Json.Str(String s)) {
            return List.of(s);
        }
        if (v instanceof Json.Arr(List<Json.Value> items) && !items.isEmpty()) {
            List<String> out = new ArrayList<>(items.size());
            for (Json.Value item : items) {
                if (!(item instanceof Json.Str(String s))) {
                    throw new PolicyException(error + ": expected a string or a list of strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new PolicyException(error + ": expected a string or a non-empty list of strings");
    }

    /** Condition values: a string, number or boolean, or a non-empty list of them, as text. */
    private static List<String> conditionValues(String key, Json.Value v) {
        List<Json.Value> items = v instanceof Json.Arr(List<Json.Value> list) ? list : List.of(v);
        if (items.isEmpty()) {
            throw new PolicyException("Condition key " + key + " has no values");
        }
        List<String> out = new ArrayList<>(items.size());
        for (Json.Value item : items) {
            out.add(switch (item) {
                case Json.Str(String s) -> s;
                case Json.Num(String n) -> n;
                case Json.Bool(boolean b) -> Boolean.toString(b);
                default -> throw new PolicyException("Invalid value for condition key " + key
                        + ": expected a string, number or boolean");
            });
        }
        return out;
    }

    /** The document as given to {@link #parse}, byte for byte. */
    public String json() {
        return json;
    }

    public PolicyKind kind() {
        return kind;
    }

    /** The Version element, or null when absent (2008-10-17 semantics). */
    public String version() {
        return version;
    }

    /** The Id element, or null. */
    public String id() {
        return id;
    }

    public int statementCount() {
        return statements.size();
    }

    /**
     * The AWS principals named in Principal and NotPrincipal elements as written (account ids and
     * ARNs; "*" excluded), so the caller can reject principals that do not exist.
     */
    public Set<String> principals() {
        return principals;
    }

    /** The CanonicalUser ids named in Principal and NotPrincipal elements. */
    public Set<String> canonicalUsers() {
        return canonicalUsers;
    }

    /** Every Resource and NotResource entry as written, so the caller can check they name its bucket. */
    public List<String> resources() {
        return resources;
    }

    /** This policy alone: EXPLICIT_DENY if a Deny statement applies, else ALLOW if an Allow does, else IMPLICIT_DENY. */
    public Decision evaluate(RequestContext ctx) {
        return explain(ctx).decision();
    }

    /** Like {@link #evaluate}, naming the deciding statement and how the principal matched. */
    public Evaluation explain(RequestContext ctx) {
        Statement allowDirect = null;
        Statement allowAccount = null;
        for (Statement st : statements) {
            if (allowDirect != null && st.allow()) {
                continue; // only a Deny can still change the outcome
            }
            Principals.Grant g = st.match(ctx);
            if (g == Principals.Grant.NONE) {
                continue;
            }
            if (!st.allow()) {
                return new Evaluation(Decision.EXPLICIT_DENY, st.label(), false);
            }
            if (g == Principals.Grant.DIRECT) {
                allowDirect = st;
            } else if (allowAccount == null) {
                allowAccount = st;
            }
        }
        if (allowDirect != null) {
            return new Evaluation(Decision.ALLOW, allowDirect.label(), false);
        }
        if (allowAccount != null) {
            return new Evaluation(Decision.ALLOW, allowAccount.label(), true);
        }
        return Evaluation.IMPLICIT;
    }

    /**
     * Whether this policy grants public access, as S3 judges it for GetBucketPolicyStatus and Block
     * Public Policy: some Allow statement applies to everyone (Principal "*" or {"AWS": "*"}, or a
     * NotPrincipal) and has no condition that pins the caller to fixed values: a fixed
     * aws:SourceIp block of at least /{@value #MIN_PINNING_IPV4_PREFIX} (IPv4) or
     * /{@value #MIN_PINNING_IPV6_PREFIX} (IPv6), or fixed values of aws:SourceVpc, aws:SourceVpce,
     * aws:SourceArn, aws:SourceAccount, aws:SourceOwner, aws:PrincipalAccount, aws:PrincipalArn,
     * aws:PrincipalOrgID, aws:userid, s3:x-amz-server-side-encryption-aws-kms-key-id,
     * s3:DataAccessPointArn or s3:DataAccessPointAccount. A fixed value has no wildcard and no policy
     * variable; a pinning condition is a positive equality/like/IP operator without IfExists or
     * ForAllValues (both can hold when the key is absent).
     */
    public boolean isPublic() {
        return isPublic;
    }

    private static boolean statementIsPublic(Statement st) {
        if (!st.allow() || st.principals() == null) {
            return false;
        }
        if (!st.notPrincipal() && !st.principals().everyone()) {
            return false;
        }
        for (Condition c : st.conditions()) {
            if (pins(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean pins(Condition c) {
        if (c.ifExists() || c.set() == Condition.SetOp.FOR_ALL_VALUES || c.op().negated) {
            return false;
        }
        String key = c.key().toLowerCase(Locale.ROOT);
        switch (c.op()) {
            case IP_ADDRESS -> {
                if (!key.equals("aws:sourceip")) {
                    return false;
                }
                for (String v : c.rawValues()) {
                    Cidr cidr = Cidr.parse(v);
                    int min = cidr.isV4() ? MIN_PINNING_IPV4_PREFIX : MIN_PINNING_IPV6_PREFIX;
                    if (cidr.prefix() < min) {
                        return false;
                    }
                }
                return true;
            }
            case STRING_EQUALS, STRING_EQUALS_IGNORE_CASE, STRING_LIKE, ARN_EQUALS, ARN_LIKE -> {
                if (!PINNING_KEYS.contains(key)) {
                    return false;
                }
                for (String v : c.rawValues()) {
                    if (v.isEmpty() || v.indexOf('*') >= 0 || v.indexOf('?') >= 0 || v.contains("${")) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    public String toString() {
        return "Policy[" + kind + ", " + statements.size() + " statements" + (id == null ? "" : ", id " + id) + "]";
    }
}
