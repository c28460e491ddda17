package dev.arca.iam.policy;

import static dev.arca.iam.policy.Fixtures.ACCT_A;
import static dev.arca.iam.policy.Fixtures.ACCT_B;

import dev.arca.iam.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Random policies and requests over small pools, so that random statements often match random
 * requests: both outcomes occur and the properties are not vacuous.
 */
public final class PolicyGenerator {
    private static final String[] ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:Get*",
        "s3:*", "*", "s3:?etObject", "s3:List*", "iam:CreateUser", "sts:AssumeRole"};
    private static final String[] BUCKET_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
        "s3:Get*", "s3:*", "*", "s3:?etObject", "s3:List*"};
    private static final String[] TRUST_ACTIONS = {"sts:AssumeRole", "sts:*", "*", "sts:Assume*", "sts:TagSession"};
    private static final String[] REQUEST_ACTIONS = {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket",
        "s3:GetObjectTagging", "s3:ListBucketVersions", "iam:CreateUser", "sts:AssumeRole"};
    private static final String[] RESOURCES = {"*", "arn:aws:s3:::b1", "arn:aws:s3:::b1/*", "arn:aws:s3:::b1/a/*",
        "arn:aws:s3:::b?/*", "arn:aws:s3:::b2/${aws:username}/*", "arn:aws:s3:::*", "arn:aws:s3:::b2/${s3:prefix, 'x'}*"};
    private static final String[] REQUEST_RESOURCES = {"arn:aws:s3:::b1", "arn:aws:s3:::b1/a/x", "arn:aws:s3:::b1/c",
        "arn:aws:s3:::b2/alice/x", "arn:aws:s3:::b2/bob/x", "arn:aws:s3:::b3", "arn:aws:s3:::b2/a/"};
    /** operator, key, values (JSON). */
    private static final String[][] CONDITIONS = {
        {"StringEquals", "s3:prefix", "[\"a/\",\"b/\"]"},
        {"StringLike", "s3:prefix", "\"a/*\""},
        {"StringNotEquals", "s3:prefix", "\"a/\""},
        {"StringNotLike", "s3:prefix", "[\"c*\",\"b*\"]"},
        {"StringEqualsIfExists", "s3:prefix", "\"a/\""},
        {"StringEqualsIgnoreCase", "aws:username", "\"ALICE\""},
        {"StringEquals", "aws:username", "\"${aws:username}\""},
        {"StringLike", "aws:PrincipalArn", "\"*:user/*\""},
        {"Null", "s3:prefix", "\"true\""},
        {"Null", "s3:prefix", "\"false\""},
        {"IpAddress", "aws:SourceIp", "[\"10.0.0.0/8\",\"2001:db8::/32\"]"},
        {"NotIpAddress", "aws:SourceIp", "\"10.1.0.0/16\""},
        {"Bool", "aws:SecureTransport", "\"true\""},
        {"BoolIfExists", "aws:SecureTransport", "false"},
        {"NumericLessThan", "s3:max-keys", "100"},
        {"NumericGreaterThanEquals", "s3:max-keys", "\"150\""},
        {"NumericNotEquals", "s3:max-keys", "50"},
        {"DateLessThan", "aws:CurrentTime", "\"2025-01-01T00:00:00Z\""},
        {"DateGreaterThanIfExists", "aws:CurrentTime", "\"2024-06-01\""},
        {"ForAllValues:StringEquals", "aws:TagKeys", "[\"x\",\"y\"]"},
        {"ForAnyValue:StringLike", "aws:TagKeys", "\"z*\""},
        {"ForAnyValue:StringNotEquals", "aws:TagKeys", "\"x\""},
        {"ArnLike", "aws:PrincipalArn", "\"arn:aws:iam::" + ACCT_A + ":*\""},
        {"ArnNotEquals", "aws:PrincipalArn", "\"arn:aws:iam::" + ACCT_B + ":root\""},
    };
    private static final String[] PRINCIPALS = {"\"*\"", "{\"AWS\":\"*\"}", "{\"AWS\":\"" + ACCT_A + "\"}",
        "{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":root\"}", "{\"AWS\":\"" + ACCT_B + "\"}",
        "{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":user/alice\"}", "{\"AWS\":[\"arn:aws:iam::" + ACCT_B + ":user/carol\",\"" + ACCT_B + "\"]}",
        "{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":role/r\"}", "{\"AWS\":\"arn:aws:sts::" + ACCT_A + ":assumed-role/r/s1\"}",
        "{\"CanonicalUser\":\"" + Fixtures.canonical(ACCT_A) + "\"}"};
    public static final Principal[] REQUEST_PRINCIPALS = {Fixtures.user(ACCT_A, "alice"), Fixtures.user(ACCT_A, "bob"),
        Fixtures.root(ACCT_A), Fixtures.user(ACCT_B, "carol"), Fixtures.root(ACCT_B), Fixtures.session(ACCT_A, "r", "s1"),
        Fixtures.session(ACCT_A, "r", "s2"), Principal.ANONYMOUS};

    private final SplittableRandom rnd;

    public PolicyGenerator(SplittableRandom rnd) {
        this.rnd = rnd;
    }

    private <T> T pick(T[] a) {
        return a[rnd.nextInt(a.length)];
    }

    private List<String> some(String[] pool) {
        int n = 1 + rnd.nextInt(3);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String s = pick(pool);
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static String list(List<String> items) {
        return items.size() == 1 && !items.getFirst().startsWith("[")
                ? quote(items.getFirst())
                : items.stream().map(PolicyGenerator::quote).collect(Collectors.joining(",", "[", "]"));
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    /** One random statement as JSON; {@code effect} null means random. */
    public String statement(PolicyKind kind, String effect) {
        StringBuilder sb = new StringBuilder("{\"Effect\":\"").append(effect != null ? effect : rnd.nextInt(3) == 0 ? "Deny" : "Allow")
                .append('"');
        String[] actions = switch (kind) {
            case BUCKET -> BUCKET_ACTIONS;
            case TRUST -> TRUST_ACTIONS;
            case INLINE, MANAGED -> ACTIONS;
        };
        sb.append(rnd.nextInt(5) == 0 ? ",\"NotAction\":" : ",\"Action\":").append(list(some(actions)));
        if (kind != PolicyKind.TRUST) {
            sb.append(rnd.nextInt(6) == 0 ? ",\"NotResource\":" : ",\"Resource\":").append(list(some(RESOURCES)));
        }
        if (kind.principalRequired()) {
            sb.append(rnd.nextInt(8) == 0 ? ",\"NotPrincipal\":" : ",\"Principal\":").append(pick(PRINCIPALS));
        }
        int conditions = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : 0;
        if (conditions > 0) {
            Map<String, Map<String, String>> byOp = new LinkedHashMap<>();
            for (int i = 0; i < conditions; i++) {
                String[] c = pick(CONDITIONS);
                byOp.computeIfAbsent(c[0], k -> new LinkedHashMap<>()).put(c[1], c[2]);
            }
            sb.append(",\"Condition\":").append(byOp.entrySet().stream()
                    .map(op -> quote(op.getKey()) + ":" + op.getValue().entrySet().stream()
                            .map(k -> quote(k.getKey()) + ":" + k.getValue()).collect(Collectors.joining(",", "{", "}")))
                    .collect(Collectors.joining(",", "{", "}")));
        }
        return sb.append('}').toString();
    }

    public List<String> statements(PolicyKind kind) {
        int n = 1 + rnd.nextInt(4);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(statement(kind, null));
        }
        return out;
    }

    /** Parses statements as a policy; null for an empty list (no policy). */
    public static Policy policy(List<String> statements, PolicyKind kind) {
        if (statements.isEmpty()) {
            return null;
        }
        return Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}", kind);
    }

    public String action() {
        return pick(REQUEST_ACTIONS);
    }

    public String resource() {
        return pick(REQUEST_RESOURCES);
    }

    public Principal principal() {
        return pick(REQUEST_PRINCIPALS);
    }

    public ConditionKeys keys() {
        List<String> kv = new ArrayList<>();
        if (rnd.nextBoolean()) {
            kv.add("s3:prefix");
            kv.add(pick(new String[] {"a/", "b/", "c/", "a/x"}));
        }
        if (rnd.nextBoolean()) {
            kv.add("aws:SourceIp");
            kv.add(pick(new String[] {"10.1.2.3", "10.2.3.4", "192.168.1.1", "2001:db8::1"}));
        }
        if (rnd.nextBoolean()) {
            kv.add("aws:SecureTransport");
            kv.add(rnd.nextBoolean() ? "true" : "false");
        }
        if (rnd.nextBoolean()) {
            kv.add("s3:max-keys");
            kv.add(pick(new String[] {"50", "150", "99"}));
        }
        if (rnd.nextBoolean()) {
            kv.add("aws:CurrentTime");
            kv.add(pick(new String[] {"2024-01-01T00:00:00Z", "2024-12-31T00:00:00Z", "2025-06-01T00:00:00Z"}));
        }
        int tags = rnd.nextInt(3);
        for (int i = 0; i < tags; i++) {
            kv.add("aws:TagKeys");
            kv.add(pick(new String[] {"x", "y", "z1"}));
        }
        return Fixtures.keys(kv.toArray(String[]::new));
    }

    public int nextInt(int bound) {
        return rnd.nextInt(bound);
    }

    public boolean nextBoolean() {
        return rnd.nextBoolean();
    }
}
