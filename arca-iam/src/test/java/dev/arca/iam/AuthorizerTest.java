package dev.arca.iam;

import static dev.arca.iam.policy.Fixtures.ACCT_A;
import static dev.arca.iam.policy.Fixtures.ACCT_B;
import static dev.arca.iam.policy.Fixtures.bucket;
import static dev.arca.iam.policy.Fixtures.identity;
import static dev.arca.iam.policy.Fixtures.keys;
import static dev.arca.iam.policy.Fixtures.root;
import static dev.arca.iam.policy.Fixtures.session;
import static dev.arca.iam.policy.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.iam.Authorizer.Authorization;
import dev.arca.iam.Authorizer.AuthorizationRequest;
import dev.arca.iam.policy.ConditionKeys;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.PolicyGenerator;
import dev.arca.iam.policy.PolicyKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
    private static final String BUCKET = "arn:aws:s3:::data";
    private static final String OBJ = "arn:aws:s3:::data/k";
    private static final Principal ALICE = user(ACCT_A, "alice");
    private static final Principal CAROL = user(ACCT_B, "carol");

    private static final Policy READ_ALL = identity("[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]");
    private static final Policy DENY_ALL = identity("[{\"Sid\":\"No\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]");

    private static Authorization auth(Principal p, String action, String resource, String resourceAccount,
            List<Policy> identities, Policy resourcePolicy) {
        return Authorizer.authorize(new AuthorizationRequest(p, action, resource, resourceAccount, identities, resourcePolicy, null));
    }

    private static Decision decide(Principal p, String resourceAccount, List<Policy> identities, Policy resourcePolicy) {
        return auth(p, "s3:GetObject", OBJ, resourceAccount, identities, resourcePolicy).decision();
    }

    private static Policy bucketAllowing(String principal) {
        return bucket("[{\"Sid\":\"Grant\",\"Effect\":\"Allow\",\"Principal\":" + principal
                + ",\"Action\":\"s3:GetObject\",\"Resource\":\"" + BUCKET + "/*\"}]");
    }

    @Test
    void defaultDenyAndRootOfTheOwningAccount() {
        assertThat(decide(ALICE, ACCT_A, List.of(), null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(root(ACCT_A), ACCT_A, List.of(), null)).isEqualTo(Decision.ALLOW);
        assertThat(decide(root(ACCT_B), ACCT_A, List.of(), null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(), null)).isEqualTo(Decision.IMPLICIT_DENY);
        // Identity policies do not restrict the root user (it has none; any passed are ignored).
        assertThat(decide(root(ACCT_A), ACCT_A, List.of(DENY_ALL), null)).isEqualTo(Decision.ALLOW);
        // A null resource account means the principal's own account (CreateBucket, ListBuckets).
        assertThat(auth(ALICE, "s3:ListAllMyBuckets", "arn:aws:s3:::*", null,
                List.of(identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:ListAllMyBuckets\",\"Resource\":\"*\"}]")), null).decision())
                .isEqualTo(Decision.ALLOW);
        assertThat(auth(root(ACCT_B), "s3:CreateBucket", "arn:aws:s3:::new", null, List.of(), null).decision()).isEqualTo(Decision.ALLOW);
    }

    @Test
    void explicitDenyAnywhereWinsEvenForRoot() {
        Policy denyBucket = bucket("[{\"Sid\":\"Lock\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"" + BUCKET + "/*\"}]");
        Authorization a = auth(root(ACCT_A), "s3:GetObject", OBJ, ACCT_A, List.of(), denyBucket);
        assertThat(a.decision()).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(a.reason()).contains("resource policy").contains("Lock");
        Authorization b = auth(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(READ_ALL, DENY_ALL), bucketAllowing("\"*\""));
        assertThat(b.decision()).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(b.reason()).contains("identity policy 1").contains("No");
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(), denyBucket)).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void sameAccountIdentityOrResourcePolicySuffices() {
        Authorization a = auth(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(READ_ALL), null);
        assertThat(a.decision()).isEqualTo(Decision.ALLOW);
        assertThat(a.reason()).contains("identity policy 0").contains("Read");
        Authorization b = auth(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(), bucketAllowing("{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":user/alice\"}"));
        assertThat(b.decision()).isEqualTo(Decision.ALLOW);
        assertThat(b.reason()).contains("resource policy").contains("Grant");
        assertThat(decide(user(ACCT_A, "bob"), ACCT_A, List.of(), bucketAllowing("{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":user/alice\"}")))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(session(ACCT_A, "r", "s"), ACCT_A, List.of(), bucketAllowing("{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":role/r\"}")))
                .isEqualTo(Decision.ALLOW);
        assertThat(decide(ALICE, ACCT_A, List.of(), bucketAllowing("\"*\""))).isEqualTo(Decision.ALLOW);
        // Wrong action in the identity policy: nothing allows.
        assertThat(auth(ALICE, "s3:PutObject", OBJ, ACCT_A, List.of(READ_ALL), null).decision()).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void aGrantToTheAccountDelegatesToItsIdentityPolicies() {
        for (String principal : new String[] {"{\"AWS\":\"" + ACCT_A + "\"}", "{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":root\"}",
                "{\"CanonicalUser\":\"" + dev.arca.iam.policy.Fixtures.canonical(ACCT_A) + "\"}"}) {
            Policy grant = bucketAllowing(principal);
            Authorization a = auth(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(), grant);
            assertThat(a.decision()).as(principal).isEqualTo(Decision.IMPLICIT_DENY);
            assertThat(a.reason()).contains("grants to the account");
            assertThat(decide(ALICE, ACCT_A, List.of(READ_ALL), grant)).isEqualTo(Decision.ALLOW);
            assertThat(decide(root(ACCT_A), ACCT_A, List.of(), grant)).isEqualTo(Decision.ALLOW);
        }
    }

    @Test
    void anonymousNeedsTheResourcePolicy() {
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(), bucketAllowing("\"*\""))).isEqualTo(Decision.ALLOW);
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(), bucketAllowing("{\"AWS\":\"*\"}"))).isEqualTo(Decision.ALLOW);
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(), bucketAllowing("{\"AWS\":\"" + ACCT_A + "\"}")))
                .isEqualTo(Decision.IMPLICIT_DENY);
        // Identity policies never apply to an anonymous caller.
        assertThat(decide(Principal.ANONYMOUS, ACCT_A, List.of(READ_ALL), null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void crossAccountNeedsBothSides() {
        Policy toB = bucketAllowing("{\"AWS\":\"" + ACCT_B + "\"}");
        Policy toCarol = bucketAllowing("{\"AWS\":\"arn:aws:iam::" + ACCT_B + ":user/carol\"}");
        assertThat(decide(CAROL, ACCT_A, List.of(READ_ALL), null)).as("identity alone").isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(CAROL, ACCT_A, List.of(), toB)).as("resource alone").isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(CAROL, ACCT_A, List.of(), toCarol)).as("even naming the user").isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(CAROL, ACCT_A, List.of(READ_ALL), toB)).isEqualTo(Decision.ALLOW);
        Authorization both = auth(CAROL, "s3:GetObject", OBJ, ACCT_A, List.of(READ_ALL), toCarol);
        assertThat(both.decision()).isEqualTo(Decision.ALLOW);
        assertThat(both.reason()).contains("cross-account").contains("Grant").contains("Read");
        // The other account's root needs only the resource policy.
        assertThat(decide(root(ACCT_B), ACCT_A, List.of(), toB)).isEqualTo(Decision.ALLOW);
        assertThat(decide(root(ACCT_B), ACCT_A, List.of(), toCarol)).isEqualTo(Decision.IMPLICIT_DENY);
        // A public bucket is readable by any account's users, still only with their own identity allow.
        assertThat(decide(CAROL, ACCT_A, List.of(), bucketAllowing("\"*\""))).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(decide(CAROL, ACCT_A, List.of(READ_ALL), bucketAllowing("\"*\""))).isEqualTo(Decision.ALLOW);
        // The grant must be for the right account.
        assertThat(decide(CAROL, ACCT_A, List.of(READ_ALL), bucketAllowing("{\"AWS\":\"" + ACCT_A + "\"}"))).isEqualTo(Decision.IMPLICIT_DENY);
    }

    /**
     * "Policy evaluation for requests within a single account": Carlos's identity policy allows his
     * own bucket and denies any bucket with "log" in its name; the logs bucket's policy allows him.
     * The explicit deny wins.
     */
    @Test
    void awsExampleCarlosAndTheLogsBucket() {
        Principal carlos = user(ACCT_A, "carlossalazar");
        Policy idp = identity("[{\"Sid\":\"AllowS3ListRead\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
                + "\"s3:GetAccountPublicAccessBlock\",\"s3:ListAccessPoints\",\"s3:ListAllMyBuckets\"],\"Resource\":\"arn:aws:s3:::*\"},"
                + "{\"Sid\":\"AllowS3Self\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/*\","
                + "\"arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar\"]},"
                + "{\"Sid\":\"DenyS3Logs\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::*log*\"}]");
        Policy logsBucket = bucket("[{\"Sid\":\"AllowCarlos\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCT_A
                + ":user/carlossalazar\"},\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs\","
                + "\"arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*\"]}]");
        Authorization put = auth(carlos, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/f", ACCT_A,
                List.of(idp), logsBucket);
        assertThat(put.decision()).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(put.reason()).contains("DenyS3Logs");
        assertThat(auth(carlos, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar/f", ACCT_A, List.of(idp), null)
                .decision()).isEqualTo(Decision.ALLOW);
        assertThat(auth(carlos, "s3:ListAllMyBuckets", "arn:aws:s3:::*", null, List.of(idp), null).decision()).isEqualTo(Decision.ALLOW);
        assertThat(auth(carlos, "s3:GetObject", "arn:aws:s3:::someone-else/f", ACCT_A, List.of(idp), null).decision())
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    /**
     * "Cross-account policy evaluation logic": a request from account B is allowed only for what
     * both B's identity policy and A's bucket policy allow.
     */
    @Test
    void awsExampleCrossAccountIntersection() {
        Policy carolIdentity = identity("[{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::data/*\"}]");
        Policy bucketPolicy = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ACCT_B + "\"},"
                + "\"Action\":[\"s3:GetObject\",\"s3:DeleteObject\"],\"Resource\":\"arn:aws:s3:::data/*\"}]");
        Map<String, Decision> expected = Map.of("s3:GetObject", Decision.ALLOW, "s3:PutObject", Decision.IMPLICIT_DENY,
                "s3:DeleteObject", Decision.IMPLICIT_DENY, "s3:ListBucket", Decision.IMPLICIT_DENY);
        expected.forEach((action, d) -> assertThat(auth(CAROL, action, OBJ, ACCT_A, List.of(carolIdentity), bucketPolicy).decision())
                .as(action).isEqualTo(d));
    }

    @Test
    void conditionsSeeTheRequestKeys() {
        Policy vpcOnly = bucket("[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"" + BUCKET + "/*\","
                + "\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}}]");
        ConditionKeys inside = keys("aws:SourceIp", "10.1.1.1");
        ConditionKeys outside = keys("aws:SourceIp", "203.0.113.1");
        assertThat(Authorizer.authorize(new AuthorizationRequest(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(READ_ALL), vpcOnly, inside))
                .decision()).isEqualTo(Decision.ALLOW);
        assertThat(Authorizer.authorize(new AuthorizationRequest(ALICE, "s3:GetObject", OBJ, ACCT_A, List.of(READ_ALL), vpcOnly, outside))
                .decision()).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void trustPolicyForAssumeRole() {
        String role = "arn:aws:iam::" + ACCT_A + ":role/reader";
        Policy trust = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
                + ACCT_B + "\"},\"Action\":\"sts:AssumeRole\"}]}", PolicyKind.TRUST);
        Policy mayAssume = identity("[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"" + role + "\"}]");
        assertThat(auth(CAROL, "sts:AssumeRole", role, ACCT_A, List.of(mayAssume), trust).decision()).isEqualTo(Decision.ALLOW);
        assertThat(auth(CAROL, "sts:AssumeRole", role, ACCT_A, List.of(), trust).decision()).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(auth(ALICE, "sts:AssumeRole", role, ACCT_A, List.of(mayAssume), trust).decision()).isEqualTo(Decision.ALLOW);
        assertThat(auth(ALICE, "sts:AssumeRole", role, ACCT_A, List.of(), trust).decision()).isEqualTo(Decision.IMPLICIT_DENY);
    }

    /**
     * Randomized: identity and resource policies, principals, accounts and keys. Adding a Deny
     * statement to any policy (or a new Deny-only policy) never turns a denial into an allow, and
     * removing an Allow statement never widens access. Prints its seed; replay with -Darca.seed=N.
     */
    @Test
    void randomizedDenyAndAllowMonotonicity() {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("AuthorizerTest seed: " + seed + " (replay with -Darca.seed=" + seed + ")");
        PolicyGenerator gen = new PolicyGenerator(new SplittableRandom(seed));
        Map<Decision, Integer> seen = new EnumMap<>(Decision.class);
        int iterations = 10_000;
        String[] accounts = {ACCT_A, ACCT_B, null};
        for (int i = 0; i < iterations; i++) {
            List<List<String>> identities = new ArrayList<>();
            int n = gen.nextInt(3);
            for (int k = 0; k < n; k++) {
                identities.add(gen.statements(PolicyKind.INLINE));
            }
            List<String> resource = gen.nextInt(4) == 0 ? List.of() : gen.statements(PolicyKind.BUCKET);
            Principal who = gen.principal();
            String action = gen.action();
            String res = gen.resource();
            String account = accounts[gen.nextInt(accounts.length)];
            ConditionKeys keys = gen.keys();
            Decision before = run(identities, resource, who, action, res, account, keys);
            seen.merge(before, 1, Integer::sum);
            String where = "seed " + seed + ", iteration " + i + ", " + who.arn() + " " + action + " " + res + " in " + account
                    + ", identity " + identities + ", resource " + resource;

            // Add a Deny statement somewhere: an identity policy, the resource policy, or a new policy.
            List<List<String>> ids2 = copy(identities);
            List<String> res2 = new ArrayList<>(resource);
            int target = gen.nextInt(ids2.size() + 2);
            if (target < ids2.size()) {
                ids2.get(target).add(gen.nextInt(ids2.get(target).size() + 1), gen.statement(PolicyKind.INLINE, "Deny"));
            } else if (target == ids2.size()) {
                res2.add(gen.nextInt(res2.size() + 1), gen.statement(PolicyKind.BUCKET, "Deny"));
            } else {
                ids2.add(new ArrayList<>(List.of(gen.statement(PolicyKind.INLINE, "Deny"))));
            }
            Decision afterDeny = run(ids2, res2, who, action, res, account, keys);
            if (afterDeny == Decision.ALLOW) {
                assertThat(before).as("adding a Deny widened access: " + where).isEqualTo(Decision.ALLOW);
            }
            if (before == Decision.EXPLICIT_DENY) {
                assertThat(afterDeny).as(where).isEqualTo(Decision.EXPLICIT_DENY);
            }

            // Add an Allow statement somewhere: never narrows, never lifts an explicit deny.
            List<List<String>> ids4 = copy(identities);
            List<String> res4 = new ArrayList<>(resource);
            int where4 = gen.nextInt(ids4.size() + 2);
            if (where4 < ids4.size()) {
                ids4.get(where4).add(gen.statement(PolicyKind.INLINE, "Allow"));
            } else if (where4 == ids4.size()) {
                res4.add(gen.statement(PolicyKind.BUCKET, "Allow"));
            } else {
                ids4.add(new ArrayList<>(List.of(gen.statement(PolicyKind.INLINE, "Allow"))));
            }
            Decision afterAllow = run(ids4, res4, who, action, res, account, keys);
            if (before != Decision.IMPLICIT_DENY) {
                assertThat(afterAllow).as("adding an Allow changed a decided request: " + where).isEqualTo(before);
            }

            // Identity policies combine as a union: merging them into one changes nothing.
            List<String> merged = new ArrayList<>();
            identities.forEach(merged::addAll);
            assertThat(run(merged.isEmpty() ? List.of() : List.of(merged), resource, who, action, res, account, keys))
                    .as("merging identity policies changed the decision: " + where).isEqualTo(before);

            // Remove one Allow statement from some policy.
            List<List<String>> all = copy(identities);
            all.add(new ArrayList<>(resource));
            List<int[]> allows = new ArrayList<>();
            for (int p = 0; p < all.size(); p++) {
                for (int s = 0; s < all.get(p).size(); s++) {
                    if (all.get(p).get(s).startsWith("{\"Effect\":\"Allow\"")) {
                        allows.add(new int[] {p, s});
                    }
                }
            }
            if (!allows.isEmpty()) {
                int[] victim = allows.get(gen.nextInt(allows.size()));
                all.get(victim[0]).remove(victim[1]);
                List<String> res3 = all.removeLast();
                Decision afterRemove = run(all, res3, who, action, res, account, keys);
                if (afterRemove == Decision.ALLOW) {
                    assertThat(before).as("removing an Allow widened access: " + where).isEqualTo(Decision.ALLOW);
                }
            }
        }
        System.out.println("AuthorizerTest outcomes over " + iterations + " requests: " + seen);
        for (Decision d : Decision.values()) {
            assertThat(seen.getOrDefault(d, 0)).as("outcome %s", d).isGreaterThan(iterations / 50);
        }
    }

    private static List<List<String>> copy(List<List<String>> lists) {
        List<List<String>> out = new ArrayList<>();
        for (List<String> l : lists) {
            out.add(new ArrayList<>(l));
        }
        return out;
    }

    private static Decision run(List<List<String>> identities, List<String> resource, Principal who, String action, String res,
            String account, ConditionKeys keys) {
        List<Policy> ids = new ArrayList<>();
        for (List<String> statements : identities) {
            Policy p = PolicyGenerator.policy(statements, PolicyKind.INLINE);
            if (p != null) {
                ids.add(p);
            }
        }
        Policy rp = PolicyGenerator.policy(resource, PolicyKind.BUCKET);
        return Authorizer.authorize(new AuthorizationRequest(who, action, res, account, ids, rp, keys)).decision();
    }
}
