package dev.arca.iam.policy;

import static dev.arca.iam.policy.Fixtures.ACCT_A;
import static dev.arca.iam.policy.Fixtures.ctx;
import static dev.arca.iam.policy.Fixtures.keys;
import static dev.arca.iam.policy.Fixtures.session;
import static dev.arca.iam.policy.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.iam.Principal;
import org.junit.jupiter.api.Test;

/**
 * Single-policy examples from the AWS IAM User Guide ("IAM JSON policy elements: NotAction",
 * "Condition", "Condition operators", "IAM policy elements: Variables and tags") and the S3 User
 * Guide, adapted to the s3/iam/sts actions and keys this engine supports. The multi-policy
 * evaluation examples are in AuthorizerTest.
 */
class AwsDocumentedExamplesTest {
    private static final Principal JOHN = user(ACCT_A, "johndoe");

    private static Policy policy(String statements) {
        return Fixtures.identity(statements);
    }

    private static Decision eval(Policy p, Principal who, String action, String resource, ConditionKeys k) {
        return p.evaluate(ctx(who, action, resource, k));
    }

    @Test
    void notActionWithAllowGrantsEverythingButIam() {
        // NotAction: "allows access to all of the actions in all AWS services, except for IAM".
        Policy p = policy("[{\"Effect\":\"Allow\",\"NotAction\":\"iam:*\",\"Resource\":\"*\"}]");
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "sts:GetCallerIdentity", "*", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void notActionWithDenyAndBoolIfExistsForcesMfa() {
        // NotAction: "deny access to all actions except IAM when the user is not signed in with MFA".
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                + "{\"Sid\":\"DenyAllUsersNotUsingMFA\",\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\","
                + "\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"}}}]");
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", null)).as("key absent: IfExists holds").isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", keys("aws:MultiFactorAuthPresent", "false")))
                .isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", keys("aws:MultiFactorAuthPresent", "true")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "iam:ChangePassword", "*", null)).isEqualTo(Decision.ALLOW);
    }

    @Test
    void notActionAndNotResourceDenyEverythingOutsideOneBucket() {
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"NotAction\":\"s3:*\",\"NotResource\":[\"arn:aws:s3:::amzn-s3-demo-bucket\","
                + "\"arn:aws:s3:::amzn-s3-demo-bucket/*\"]}]");
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/k", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::other/k", null)).as("an s3 action is never denied")
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "iam:CreateUser", "arn:aws:iam::111122223333:user/x", null)).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void conditionWithUsername() {
        // Condition: "StringEquals": {"aws:username": "johndoe"}.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"iam:*AccessKey*\",\"Resource\":\"arn:aws:iam::" + ACCT_A + ":user/*\","
                + "\"Condition\":{\"StringEquals\":{\"aws:username\":\"johndoe\"}}}]");
        String res = "arn:aws:iam::" + ACCT_A + ":user/johndoe";
        assertThat(eval(p, JOHN, "iam:CreateAccessKey", res, null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "iam:ListAccessKeys", res, null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, user(ACCT_A, "mary"), "iam:CreateAccessKey", res, null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, JOHN, "iam:CreateUser", res, null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void multipleValuesAreOredMultipleKeysAnded() {
        // Condition: several values for one key are ORed, several keys ANDed.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{"
                + "\"aws:PrincipalTag/department\":[\"finance\",\"hr\",\"legal\"],\"aws:PrincipalTag/role\":[\"audit\",\"security\"]}}}]");
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k",
                keys("aws:PrincipalTag/department", "hr", "aws:PrincipalTag/role", "audit"))).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k",
                keys("aws:PrincipalTag/department", "hr", "aws:PrincipalTag/role", "dev"))).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", keys("aws:PrincipalTag/department", "hr")))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void dateRangeAndTokenAge() {
        // Condition operators: access only in a date range.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{"
                + "\"DateGreaterThan\":{\"aws:CurrentTime\":\"2020-04-01T00:00:00Z\"},"
                + "\"DateLessThan\":{\"aws:CurrentTime\":\"2020-06-30T23:59:59Z\"}}}]");
        assertThat(eval(p, JOHN, "s3:GetObject", "*", keys("aws:CurrentTime", "2020-05-05T10:00:00Z"))).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:GetObject", "*", keys("aws:CurrentTime", "2020-07-01T00:00:00Z"))).isEqualTo(Decision.IMPLICIT_DENY);
        // Null: deny unless the caller uses temporary credentials.
        Policy temp = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"},"
                + "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Null\":{\"aws:TokenIssueTime\":\"true\"}}}]");
        Principal sess = session(ACCT_A, "r", "s");
        assertThat(eval(temp, JOHN, "s3:GetObject", "*", null)).isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(eval(temp, sess, "s3:GetObject", "*", keys("aws:TokenIssueTime", "2024-01-01T00:00:00Z"))).isEqualTo(Decision.ALLOW);
    }

    @Test
    void maxKeysAndSecureTransport() {
        // Condition operators: "NumericLessThanEquals": {"s3:max-keys": "10"}.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\","
                + "\"Condition\":{\"NumericLessThanEquals\":{\"s3:max-keys\":\"10\"}}},"
                + "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]");
        assertThat(eval(p, JOHN, "s3:ListBucket", "arn:aws:s3:::b", keys("s3:max-keys", "10", "aws:SecureTransport", "true")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:ListBucket", "arn:aws:s3:::b", keys("s3:max-keys", "11", "aws:SecureTransport", "true")))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:ListBucket", "arn:aws:s3:::b", keys("s3:max-keys", "5", "aws:SecureTransport", "false")))
                .isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void requireEncryptionHeaderWithIfExistsAndNull() {
        // S3 User Guide: deny PutObject without SSE, or with another algorithm.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\"},"
                + "{\"Sid\":\"DenyWrongSse\",\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"StringNotEquals\":{\"s3:x-amz-server-side-encryption\":\"AES256\"}}},"
                + "{\"Sid\":\"DenyNoSse\",\"Effect\":\"Deny\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"Null\":{\"s3:x-amz-server-side-encryption\":\"true\"}}}]");
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::b/k", keys("s3:x-amz-server-side-encryption", "AES256")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::b/k", keys("s3:x-amz-server-side-encryption", "aws:kms")))
                .isEqualTo(Decision.EXPLICIT_DENY);
        assertThat(p.explain(ctx(JOHN, "s3:PutObject", "arn:aws:s3:::b/k", null)).decision()).isEqualTo(Decision.EXPLICIT_DENY);
    }

    @Test
    void homeFolderWithUsernameVariable() {
        // Variables and tags: each user gets the home/${aws:username}/ folder.
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::amzn-s3-demo-bucket\","
                + "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"${aws:username}/*\"]}}},"
                + "{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],"
                + "\"Resource\":[\"arn:aws:s3:::amzn-s3-demo-bucket/${aws:username}/*\"]}]");
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/johndoe/a.txt", null)).isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:PutObject", "arn:aws:s3:::amzn-s3-demo-bucket/mary/a.txt", null)).isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", keys("s3:prefix", "johndoe/x")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:ListBucket", "arn:aws:s3:::amzn-s3-demo-bucket", keys("s3:prefix", "mary/")))
                .isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void existingObjectTagCondition() {
        Policy p = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\","
                + "\"Condition\":{\"StringEquals\":{\"s3:ExistingObjectTag/environment\":\"production\"}}}]");
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", keys("s3:ExistingObjectTag/environment", "production")))
                .isEqualTo(Decision.ALLOW);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", keys("s3:ExistingObjectTag/environment", "dev")))
                .isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(eval(p, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", null)).isEqualTo(Decision.IMPLICIT_DENY);
    }

    @Test
    void lazyKeysAreOnlyComputedWhenAsked() {
        int[] calls = {0};
        ConditionKeys counting = key -> {
            if (key.equalsIgnoreCase("s3:ExistingObjectTag/env")) {
                calls[0]++;
                return java.util.List.of("prod");
            }
            return java.util.List.of();
        };
        Policy noCondition = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]");
        assertThat(eval(noCondition, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", counting)).isEqualTo(Decision.ALLOW);
        assertThat(calls[0]).isZero();
        Policy tagged = policy("[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"*\","
                + "\"Condition\":{\"StringEquals\":{\"s3:ExistingObjectTag/env\":\"prod\"}}}]");
        assertThat(eval(tagged, JOHN, "s3:GetObject", "arn:aws:s3:::b/k", counting)).as("action does not match").isEqualTo(Decision.IMPLICIT_DENY);
        assertThat(calls[0]).isZero();
        assertThat(eval(tagged, JOHN, "s3:PutObject", "arn:aws:s3:::b/k", counting)).isEqualTo(Decision.ALLOW);
        assertThat(calls[0]).isEqualTo(1);
    }
}
