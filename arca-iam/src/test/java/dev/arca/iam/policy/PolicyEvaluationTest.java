package dev.arca.iam.policy;

import static dev.arca.iam.policy.Fixtures.ACCT_A;
import static dev.arca.iam.policy.Fixtures.ACCT_B;
import static dev.arca.iam.policy.Fixtures.bucket;
import static dev.arca.iam.policy.Fixtures.ctx;
import static dev.arca.iam.policy.Fixtures.identity;
import static dev.arca.iam.policy.Fixtures.keys;
import static dev.arca.iam.policy.Fixtures.root;
import static dev.arca.iam.policy.Fixtures.session;
import static dev.arca.iam.policy.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.iam.Principal;
import org.junit.jupiter.api.Test;

/** Matching semantics of single policies: actions, resources, principals, conditions, variables. */
class PolicyEvaluationTest {
    private static final Principal ALICE = user(ACCT_A, "alice");
    private static final String OBJ = "arn:aws:s3:::photos/alice/cat.jpg";

    private static Decision eval(Policy p, String action, String resource) {
        return p.evaluate(ctx(ALICE, action, resource));
    }

    private static Decision eval(Policy p, Principal who, String action, String resource, ConditionKeys k) {
        return p.evaluate(ctx(who, action, resource, k));
    }

    /** One Allow statement for s3:GetObject on every resource with the given Condition body. */
    private static Policy withCondition(String condition) {
        return identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{" + condition + "}}]");
    }

    private static boolean holds(String condition, ConditionKeys k) {
        return withCondition(condition).evaluate(ctx(ALICE, "s3:GetObject", OBJ, k)) == Decision.ALLOW;
    }

    @Test
    void denyBeatsAllowAndNothingMeansImplicitDeny() {
        Policy p = identity("[{\"Sid\":\"All\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
                + "{\"Sid\":\"NoDelete\",\"Effect\":\"Deny\",\"Action\":\"s3:Delete*\",\"Resource\":\"*\"}]");
        assertThat(eval(p, "s3:GetObject", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:DeleteObject", OBJ)).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(p, "iam:CreateUser", "*")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(p.explain(ctx(ALICE, "s3:DeleteObject", OBJ)).statement()).isEqualTo("NoDelete");
        assertThat(p.explain(ctx(ALICE, "s3:GetObject", OBJ)).statement()).isEqualTo("All");
        assertThat(p.explain(ctx(ALICE, "iam:CreateUser", "*")).statement()).isNull();
        Policy unnamed = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]");
        assertThat(unnamed.explain(ctx(ALICE, "s3:GetObject", OBJ)).statement()).isEqualTo("#1");
    }

    @Test
    void actionsMatchCaseInsensitivelyWithWildcards() {
        Policy p = identity("[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List?ucket\"],\"Resource\":\"*\"}]");
        assertThat(eval(p, "s3:GetObject", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "S3:GETOBJECTTAGGING", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:ListBucket", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:ListBucketVersions", OBJ)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "s3:PutObject", OBJ)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "iam:GetUser", OBJ)).isEqualTo(Decision.IMPLICIT_DENY);
        Policy star = identity("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]");
        assertThat(eval(star, "sts:AssumeRole", "arn:aws:iam::111122223333:role/r")).isEqualTo(Decision.ALLOW);
    }

    @Test
    void notActionMatchesEverythingElse() {
        Policy p = identity("[{\"Effect\":\"Allow\",\"NotAction\":[\"s3:Delete*\",\"iam:*\"],\"Resource\":\"*\"}]");
        assertThat(eval(p, "s3:GetObject", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:DeleteObject", OBJ)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "iam:CreateUser", "*")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "sts:GetCallerIdentity", "*")).isEqualTo(Decision.ALLOW);
    }

    @Test
    void resourcesMatchCaseSensitivelyAndNotResourceInverts() {
        Policy p = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::photos/alice/*\",\"arn:aws:s3:::photos\"]}]");
        assertThat(eval(p, "s3:GetObject", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:ListBucket", "arn:aws:s3:::photos")).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::photos/Alice/cat.jpg")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::photos/bob/x")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "s3:ListBucket", "arn:aws:s3:::photos2")).isEqualTo(Decision.IMPLICIT_DENY);
        // '*' spans '/' (keys are flat strings) and '?' is exactly one character.
        Policy q = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/a?c*z\"}]");
        assertThat(eval(q, "s3:GetObject", "arn:aws:s3:::b/abc/d/e/z")).isEqualTo(Decision.ALLOW);
        assertThat(eval(q, "s3:GetObject", "arn:aws:s3:::b/ac/z")).isEqualTo(Decision.IMPLICIT_DENY);
        Policy not = identity("[{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::photos/*\"},"
                + "{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]");
        assertThat(eval(not, "s3:GetObject", OBJ)).isEqualTo(Decision.ALLOW);
        assertThat(eval(not, "s3:GetObject", "arn:aws:s3:::secrets/x")).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void principalsOfResourcePolicies() {
        Principal bob = user(ACCT_A, "bob");
        Principal other = user(ACCT_B, "carol");
        Principal sess = session(ACCT_A, "reader", "s1");
        Principal sess2 = session(ACCT_A, "reader", "s2");
        Principal writerSess = session(ACCT_A, "writer", "s1");
        String s = "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"";
        Policy everyone = bucket("[{\"Effect\":\"Allow\",\"Principal\":\"*\"," + s + "}]");
        Policy everyoneAws = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"}," + s + "}]");
        for (Principal p : new Principal[] {ALICE, bob, other, sess, root(ACCT_B), Principal.ANONYMOUS}) {
            assertThat(eval(everyone, p, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
            assertThat(eval(everyoneAws, p, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
            assertThat(everyone.explain(ctx(p, "s3:GetObject", OBJ)).accountGrant()).isFalse();
        }
        Policy account = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ACCT_A + "\"}," + s + "}]");
        Policy rootArn = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":root\"}," + s + "}]");
        Policy canonical = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"CanonicalUser\":\"" + Fixtures.canonical(ACCT_A) + "\"}," + s + "}]");
        for (Policy p : new Policy[] {account, rootArn, canonical}) {
            for (Principal who : new Principal[] {ALICE, bob, sess, root(ACCT_A)}) {
                assertThat(eval(p, who, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
            }
            assertThat(p.explain(ctx(ALICE, "s3:GetObject", OBJ)).accountGrant()).isTrue();
            assertThat(p.explain(ctx(root(ACCT_A), "s3:GetObject", OBJ)).accountGrant()).isFalse();
            assertThat(eval(p, other, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
            assertThat(eval(p, Principal.ANONYMOUS, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        }
        Policy userArn = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":user/alice\"}," + s + "}]");
        assertThat(eval(userArn, ALICE, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
        assertThat(userArn.explain(ctx(ALICE, "s3:GetObject", OBJ)).accountGrant()).isFalse();
        assertThat(eval(userArn, bob, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(userArn, root(ACCT_A), "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        Policy role = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":role/reader\"}," + s + "}]");
        assertThat(eval(role, sess, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(role, sess2, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(role, writerSess, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(role, ALICE, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        Policy one = bucket("[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:sts::" + ACCT_A + ":assumed-role/reader/s1\"}," + s + "}]");
        assertThat(eval(one, sess, "s3:GetObject", OBJ, null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(one, sess2, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void notPrincipalAppliesUnlessEveryIdentityOfTheCallerIsListed() {
        String s = "\"Action\":\"s3:*\",\"Resource\":\"*\"";
        // The AWS pitfall: naming only the user still denies that user, since its account is not listed.
        Policy onlyUser = bucket("[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::" + ACCT_A + ":user/alice\"}," + s + "}]");
        assertThat(eval(onlyUser, ALICE, "s3:GetObject", OBJ, null)).isEqualTo(Decision.EXPLICIT_DENY);
        Policy userAndAccount = bucket("[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\"arn:aws:iam::" + ACCT_A
                + ":user/alice\",\"" + ACCT_A + "\"]}," + s + "}]");
        assertThat(eval(userAndAccount, ALICE, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(userAndAccount, root(ACCT_A), "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(userAndAccount, user(ACCT_A, "bob"), "s3:GetObject", OBJ, null)).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(userAndAccount, user(ACCT_B, "alice"), "s3:GetObject", OBJ, null)).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(userAndAccount, Principal.ANONYMOUS, "s3:GetObject", OBJ, null)).isEqualTo(Decision.EXPLICIT_DENY);
        Principal sess = session(ACCT_A, "reader", "s1");
        Policy roleSession = bucket("[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":[\"arn:aws:iam::" + ACCT_A
                + ":role/reader\",\"arn:aws:sts::" + ACCT_A + ":assumed-role/reader/s1\",\"" + ACCT_A + "\"]}," + s + "}]");
        assertThat(eval(roleSession, sess, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(roleSession, session(ACCT_A, "reader", "s2"), "s3:GetObject", OBJ, null)).isEqualTo(Decision.EXPLICIT_DENY);
        Policy star = bucket("[{\"Effect\":\"Deny\",\"NotPrincipal\":\"*\"," + s + "}]");
        assertThat(eval(star, Principal.ANONYMOUS, "s3:GetObject", OBJ, null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void stringOperators() {
        ConditionKeys k = keys("s3:prefix", "home/alice/", "aws:username", "alice");
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"home/alice/\"}", k)).isTrue();
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"HOME/alice/\"}", k)).isFalse();
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":[\"x\",\"home/alice/\"]}", k)).as("OR across values").isTrue();
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"home/*\"}", k)).as("no wildcards in StringEquals").isFalse();
        assertThat(holds("\"StringNotEquals\":{\"s3:prefix\":[\"x\",\"y\"]}", k)).isTrue();
        assertThat(holds("\"StringNotEquals\":{\"s3:prefix\":[\"x\",\"home/alice/\"]}", k)).as("NOR across values").isFalse();
        assertThat(holds("\"StringEqualsIgnoreCase\":{\"s3:prefix\":\"HOME/Alice/\"}", k)).isTrue();
        assertThat(holds("\"StringNotEqualsIgnoreCase\":{\"s3:prefix\":\"HOME/Alice/\"}", k)).isFalse();
        assertThat(holds("\"StringLike\":{\"s3:prefix\":\"home/*\"}", k)).isTrue();
        assertThat(holds("\"StringLike\":{\"s3:prefix\":\"home/?lice/\"}", k)).isTrue();
        assertThat(holds("\"StringLike\":{\"s3:prefix\":\"Home/*\"}", k)).isFalse();
        assertThat(holds("\"StringNotLike\":{\"s3:prefix\":\"home/*\"}", k)).isFalse();
        assertThat(holds("\"StringNotLike\":{\"s3:prefix\":\"tmp/*\"}", k)).isTrue();
        // Condition key names are case-insensitive.
        assertThat(holds("\"StringEquals\":{\"S3:Prefix\":\"home/alice/\"}", k)).isTrue();
        // AND across keys and across operators.
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"home/alice/\",\"aws:username\":\"alice\"}", k)).isTrue();
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"home/alice/\",\"aws:username\":\"bob\"}", k)).isFalse();
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"home/alice/\"},\"StringLike\":{\"aws:username\":\"b*\"}", k)).isFalse();
    }

    @Test
    void absentKeys() {
        ConditionKeys none = ConditionKeys.NONE;
        assertThat(holds("\"StringEquals\":{\"s3:prefix\":\"a\"}", none)).isFalse();
        assertThat(holds("\"StringLike\":{\"s3:prefix\":\"*\"}", none)).isFalse();
        assertThat(holds("\"StringNotEquals\":{\"s3:prefix\":\"a\"}", none)).as("negated holds when the key is absent").isTrue();
        assertThat(holds("\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}", none)).isTrue();
        assertThat(holds("\"StringEqualsIfExists\":{\"s3:prefix\":\"a\"}", none)).isTrue();
        assertThat(holds("\"StringEqualsIfExists\":{\"s3:prefix\":\"a\"}", keys("s3:prefix", "b"))).isFalse();
        assertThat(holds("\"StringEqualsIfExists\":{\"s3:prefix\":\"a\"}", keys("s3:prefix", "a"))).isTrue();
        assertThat(holds("\"NumericLessThanIfExists\":{\"s3:max-keys\":\"10\"}", none)).isTrue();
        assertThat(holds("\"Null\":{\"s3:prefix\":\"true\"}", none)).isTrue();
        assertThat(holds("\"Null\":{\"s3:prefix\":\"false\"}", none)).isFalse();
        assertThat(holds("\"Null\":{\"s3:prefix\":\"false\"}", keys("s3:prefix", ""))).isTrue();
        assertThat(holds("\"Null\":{\"s3:prefix\":true}", keys("s3:prefix", "x"))).isFalse();
    }

    @Test
    void setOperators() {
        ConditionKeys ab = keys("aws:TagKeys", "a", "aws:TagKeys", "b");
        ConditionKeys abz = keys("aws:TagKeys", "a", "aws:TagKeys", "b", "aws:TagKeys", "z");
        String allowed = "[\"a\",\"b\",\"c\"]";
        assertThat(holds("\"ForAllValues:StringEquals\":{\"aws:TagKeys\":" + allowed + "}", ab)).isTrue();
        assertThat(holds("\"ForAllValues:StringEquals\":{\"aws:TagKeys\":" + allowed + "}", abz)).isFalse();
        assertThat(holds("\"ForAllValues:StringEquals\":{\"aws:TagKeys\":" + allowed + "}", ConditionKeys.NONE))
                .as("ForAllValues holds vacuously for an absent key").isTrue();
        assertThat(holds("\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"z\"]}", abz)).isTrue();
        assertThat(holds("\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"z\"]}", ab)).isFalse();
        assertThat(holds("\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"z\"]}", ConditionKeys.NONE)).isFalse();
        assertThat(holds("\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"a\"]}", ab)).as("b is not a").isTrue();
        assertThat(holds("\"ForAnyValue:StringNotEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}", ab)).isFalse();
        assertThat(holds("\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"secret\"]}", ab)).isTrue();
        assertThat(holds("\"ForAllValues:StringNotEquals\":{\"aws:TagKeys\":[\"a\"]}", ab)).isFalse();
        assertThat(holds("\"ForAllValues:StringLike\":{\"aws:TagKeys\":[\"?\"]}", ab)).isTrue();
        // Without a set operator a multivalued key matches when any value matches.
        assertThat(holds("\"StringEquals\":{\"aws:TagKeys\":\"z\"}", abz)).isTrue();
        assertThat(holds("\"StringNotEquals\":{\"aws:TagKeys\":\"z\"}", abz)).isFalse();
    }

    @Test
    void numericOperators() {
        ConditionKeys k = keys("s3:max-keys", "10");
        assertThat(holds("\"NumericEquals\":{\"s3:max-keys\":\"10\"}", k)).isTrue();
        assertThat(holds("\"NumericEquals\":{\"s3:max-keys\":10.0}", k)).as("compared as decimals").isTrue();
        assertThat(holds("\"NumericNotEquals\":{\"s3:max-keys\":10}", k)).isFalse();
        assertThat(holds("\"NumericNotEquals\":{\"s3:max-keys\":11}", k)).isTrue();
        assertThat(holds("\"NumericLessThan\":{\"s3:max-keys\":10}", k)).isFalse();
        assertThat(holds("\"NumericLessThan\":{\"s3:max-keys\":11}", k)).isTrue();
        assertThat(holds("\"NumericLessThanEquals\":{\"s3:max-keys\":10}", k)).isTrue();
        assertThat(holds("\"NumericGreaterThan\":{\"s3:max-keys\":9.5}", k)).isTrue();
        assertThat(holds("\"NumericGreaterThan\":{\"s3:max-keys\":10}", k)).isFalse();
        assertThat(holds("\"NumericGreaterThanEquals\":{\"s3:max-keys\":-3}", k)).isTrue();
        // A request value that is not a number can be evaluated by neither polarity.
        assertThat(holds("\"NumericLessThan\":{\"s3:max-keys\":100}", keys("s3:max-keys", "abc"))).isFalse();
        assertThat(holds("\"NumericNotEquals\":{\"s3:max-keys\":100}", keys("s3:max-keys", "abc"))).isFalse();
    }

    @Test
    void dateOperators() {
        ConditionKeys k = keys("aws:CurrentTime", "2024-06-15T12:00:00Z");
        assertThat(holds("\"DateGreaterThan\":{\"aws:CurrentTime\":\"2024-01-01T00:00:00Z\"},"
                + "\"DateLessThan\":{\"aws:CurrentTime\":\"2024-12-31T23:59:59Z\"}", k)).isTrue();
        assertThat(holds("\"DateLessThan\":{\"aws:CurrentTime\":\"2024-06-15\"}", k)).isFalse();
        assertThat(holds("\"DateGreaterThanEquals\":{\"aws:CurrentTime\":\"2024-06-15T14:00:00+02:00\"}", k)).isTrue();
        assertThat(holds("\"DateEquals\":{\"aws:CurrentTime\":\"2024-06-15T12:00:00.000Z\"}", k)).isTrue();
        assertThat(holds("\"DateEquals\":{\"aws:CurrentTime\":1718452800}", k)).as("epoch seconds").isTrue();
        assertThat(holds("\"DateNotEquals\":{\"aws:CurrentTime\":1718452800}", k)).isFalse();
        assertThat(holds("\"DateLessThanEquals\":{\"aws:CurrentTime\":\"2024-06-15T12:00:00\"}", k)).isTrue();
        assertThat(holds("\"DateGreaterThan\":{\"aws:EpochTime\":\"2024-06-15T11:59:59Z\"}", keys("aws:EpochTime", "1718452800"))).isTrue();
    }

    @Test
    void boolAndIpOperators() {
        assertThat(holds("\"Bool\":{\"aws:SecureTransport\":\"true\"}", keys("aws:SecureTransport", "true"))).isTrue();
        assertThat(holds("\"Bool\":{\"aws:SecureTransport\":true}", keys("aws:SecureTransport", "TRUE"))).isTrue();
        assertThat(holds("\"Bool\":{\"aws:SecureTransport\":false}", keys("aws:SecureTransport", "true"))).isFalse();
        assertThat(holds("\"Bool\":{\"aws:SecureTransport\":false}", ConditionKeys.NONE)).isFalse();
        assertThat(holds("\"BoolIfExists\":{\"aws:SecureTransport\":false}", ConditionKeys.NONE)).isTrue();
        String ip = "\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"2001:db8::/32\"]}";
        assertThat(holds(ip, keys("aws:SourceIp", "192.0.2.77"))).isTrue();
        assertThat(holds(ip, keys("aws:SourceIp", "192.0.3.1"))).isFalse();
        assertThat(holds(ip, keys("aws:SourceIp", "2001:db8:0:1::5"))).isTrue();
        assertThat(holds(ip, keys("aws:SourceIp", "2001:db9::5"))).isFalse();
        assertThat(holds(ip, keys("aws:SourceIp", "::ffff:192.0.2.9"))).as("IPv4-mapped").isTrue();
        assertThat(holds(ip, keys("aws:SourceIp", "not-an-ip"))).isFalse();
        assertThat(holds("\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.7/24\"}", keys("aws:SourceIp", "203.0.113.200")))
                .as("host bits ignored").isTrue();
        assertThat(holds("\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.7\"}", keys("aws:SourceIp", "203.0.113.8"))).isFalse();
        assertThat(holds("\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}", keys("aws:SourceIp", "8.8.8.8"))).isTrue();
        // The S3 documentation's example: a range with one address carved out.
        String carve = "\"IpAddress\":{\"aws:SourceIp\":\"54.240.143.0/24\"},\"NotIpAddress\":{\"aws:SourceIp\":\"54.240.143.188/32\"}";
        assertThat(holds(carve, keys("aws:SourceIp", "54.240.143.1"))).isTrue();
        assertThat(holds(carve, keys("aws:SourceIp", "54.240.143.188"))).isFalse();
    }

    @Test
    void arnOperatorsCompareSegmentWise() {
        ConditionKeys k = keys("aws:PrincipalArn", "arn:aws:iam::111122223333:role/x-admin");
        assertThat(holds("\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x-*\"}", k)).isTrue();
        assertThat(holds("\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/x-admin\"}", k)).isTrue();
        assertThat(holds("\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/y-*\"}", k)).isFalse();
        assertThat(holds("\"ArnNotLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/y-*\"}", k)).isTrue();
        assertThat(holds("\"ArnNotEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/x-admin\"}", k)).isFalse();
        // A '*' inside one segment does not reach across the colons into the next segments.
        assertThat(holds("\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam*:role/x-admin\"}", k)).isFalse();
        // The resource segment keeps its colons.
        ConditionKeys colon = keys("aws:SourceArn", "arn:aws:s3:::b/k:with:colons");
        assertThat(holds("\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::b/k:*\"}", colon)).isTrue();
        assertThat(holds("\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::b/*\"}", keys("aws:SourceArn", "not-an-arn"))).isFalse();
    }

    @Test
    void principalKeysComeFromThePrincipal() {
        Principal sess = session(ACCT_A, "reader", "s1");
        assertThat(new RequestContext("s3:GetObject", OBJ, ALICE, null).values("aws:username")).containsExactly("alice");
        assertThat(new RequestContext("s3:GetObject", OBJ, ALICE, null).values("AWS:PrincipalAccount")).containsExactly(ACCT_A);
        assertThat(new RequestContext("s3:GetObject", OBJ, ALICE, null).values("aws:PrincipalArn"))
                .containsExactly("arn:aws:iam::" + ACCT_A + ":user/alice");
        assertThat(new RequestContext("s3:GetObject", OBJ, ALICE, null).values("aws:PrincipalType")).containsExactly("User");
        assertThat(new RequestContext("s3:GetObject", OBJ, sess, null).values("aws:username")).isEmpty();
        assertThat(new RequestContext("s3:GetObject", OBJ, sess, null).values("aws:PrincipalArn"))
                .containsExactly("arn:aws:iam::" + ACCT_A + ":role/reader");
        assertThat(new RequestContext("s3:GetObject", OBJ, sess, null).values("aws:userid")).containsExactly("AROAREADER:s1");
        assertThat(new RequestContext("s3:GetObject", OBJ, Principal.ANONYMOUS, null).values("aws:PrincipalAccount")).isEmpty();
        assertThat(new RequestContext("s3:GetObject", OBJ, Principal.ANONYMOUS, null).values("aws:PrincipalType"))
                .containsExactly("Anonymous");
        assertThat(new RequestContext("s3:GetObject", OBJ, root(ACCT_A), null).values("aws:PrincipalType")).containsExactly("Account");
        // Explicit keys win over the principal's.
        assertThat(new RequestContext("s3:GetObject", OBJ, ALICE, keys("aws:username", "x")).values("aws:username"))
                .containsExactly("x");
        assertThat(holds("\"StringEquals\":{\"aws:PrincipalAccount\":\"" + ACCT_A + "\"}", ConditionKeys.NONE)).isTrue();
    }

    @Test
    void policyVariablesInResourcesAndConditions() {
        Policy p = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::home\","
                + "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"\",\"home/\",\"home/${aws:username}/*\"]}}},"
                + "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::home/home/${aws:username}/*\"}]");
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::home/home/alice/notes.txt")).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::home/home/bob/notes.txt")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, ALICE, "s3:ListBucket", "arn:aws:s3:::home", keys("s3:prefix", "home/alice/docs"))).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, ALICE, "s3:ListBucket", "arn:aws:s3:::home", keys("s3:prefix", "home/bob/"))).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, ALICE, "s3:ListBucket", "arn:aws:s3:::home", keys("s3:prefix", ""))).isEqualTo(Decision.ALLOW);
        // A role session has no aws:username: the variable has no value and the statements match nothing.
        Principal sess = session(ACCT_A, "reader", "s1");
        assertThat(eval(p, sess, "s3:GetObject", "arn:aws:s3:::home/home//notes.txt", null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, sess, "s3:GetObject", "arn:aws:s3:::home/home/${aws:username}/notes.txt", null))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void variableValuesAreLiteralAndEscapesWork() {
        Principal star = user(ACCT_A, "a*");
        Policy p = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/x\"}]");
        assertThat(eval(p, star, "s3:GetObject", "arn:aws:s3:::b/a*/x", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, star, "s3:GetObject", "arn:aws:s3:::b/abc/x", null)).as("'*' from a value is not a wildcard")
                .isEqualTo(Decision.IMPLICIT_DENY);
        Policy esc = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${*}${?}${$}\"}]");
        assertThat(eval(esc, "s3:GetObject", "arn:aws:s3:::b/*?$")).isEqualTo(Decision.ALLOW);
        assertThat(eval(esc, "s3:GetObject", "arn:aws:s3:::b/xy$")).isEqualTo(Decision.IMPLICIT_DENY);
        Policy def = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username, 'it''s-shared'}/*\"}]");
        assertThat(eval(def, session(ACCT_A, "r", "s"), "s3:GetObject", "arn:aws:s3:::b/it's-shared/f", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(def, "s3:GetObject", "arn:aws:s3:::b/alice/f")).isEqualTo(Decision.ALLOW);
        Policy cond = withCondition("\"StringEquals\":{\"s3:prefix\":\"${aws:username}/${s3:delimiter}\"}");
        assertThat(cond.evaluate(ctx(ALICE, "s3:GetObject", OBJ, keys("s3:prefix", "alice//", "s3:delimiter", "/"))))
                .isEqualTo(Decision.ALLOW);
        // Any request key can be a variable; a multivalued one cannot be substituted.
        Policy multi = withCondition("\"StringEquals\":{\"s3:prefix\":\"${aws:TagKeys}\"}");
        assertThat(multi.evaluate(ctx(ALICE, "s3:GetObject", OBJ, keys("s3:prefix", "a", "aws:TagKeys", "a")))).isEqualTo(Decision.ALLOW);
        assertThat(multi.evaluate(ctx(ALICE, "s3:GetObject", OBJ, keys("s3:prefix", "a", "aws:TagKeys", "a", "aws:TagKeys", "b"))))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void unresolvedVariablesMakeTheElementNotApply() {
        Principal sess = session(ACCT_A, "reader", "s1");
        // Negated operator with a variable that has no value: the condition cannot hold.
        Policy neg = withCondition("\"StringNotEquals\":{\"s3:prefix\":\"${aws:username}\"}");
        assertThat(neg.evaluate(ctx(sess, "s3:GetObject", OBJ, keys("s3:prefix", "x")))).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(neg.evaluate(ctx(ALICE, "s3:GetObject", OBJ, keys("s3:prefix", "x")))).isEqualTo(Decision.ALLOW);
        // NotResource with a variable that has no value does not apply either.
        Policy notRes = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"NotResource\":\"arn:aws:s3:::b/${aws:username}/*\"}]");
        assertThat(eval(notRes, sess, "s3:GetObject", "arn:aws:s3:::b/x/y", null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(notRes, ALICE, "s3:GetObject", "arn:aws:s3:::b/x/y", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(notRes, ALICE, "s3:GetObject", "arn:aws:s3:::b/alice/y", null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void version2008TakesVariablesLiterally() {
        Policy p = Policy.parse("{\"Version\":\"2008-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\"}]}", PolicyKind.INLINE);
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::b/alice/f")).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, "s3:GetObject", "arn:aws:s3:::b/${aws:username}/f")).isEqualTo(Decision.ALLOW);
        Policy none = Policy.parse("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\"}]}", PolicyKind.INLINE);
        assertThat(eval(none, "s3:GetObject", "arn:aws:s3:::b/alice/f")).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void trustPoliciesMatchWithoutResources() {
        Policy trust = Policy.parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCT_B + ":user/carol\"},\"Action\":\"sts:AssumeRole\","
                + "\"Condition\":{\"Bool\":{\"aws:MultiFactorAuthPresent\":\"true\"}}}]}", PolicyKind.TRUST);
        String role = "arn:aws:iam::" + ACCT_A + ":role/reader";
        assertThat(eval(trust, user(ACCT_B, "carol"), "sts:AssumeRole", role, keys("aws:MultiFactorAuthPresent", "true")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(trust, user(ACCT_B, "carol"), "sts:AssumeRole", role, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(trust, user(ACCT_B, "dave"), "sts:AssumeRole", role, keys("aws:MultiFactorAuthPresent", "true")))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void thePolicyIsThreadSafe() throws Exception {
        Policy p = identity("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username}/*\"}]");
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int t = 0; t < 16; t++) {
                String name = "u" + t;
                futures.add(pool.submit(() -> {
                    Principal who = user(ACCT_A, name);
                    for (int i = 0; i < 2_000; i++) {
                        if (eval(p, who, "s3:GetObject", "arn:aws:s3:::b/" + name + "/" + i, null) != Decision.ALLOW
                                || eval(p, who, "s3:GetObject", "arn:aws:s3:::b/other/" + i, null) != Decision.IMPLICIT_DENY) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (var f : futures) {
                assertThat(f.get()).isTrue();
            }
        }
    }
}
