package dev.arca.iam;

import static dev.arca.iam.policy.Fixtures.ACCT_A;
import static dev.arca.iam.policy.Fixtures.bucket;
import static dev.arca.iam.policy.Fixtures.identity;
import static dev.arca.iam.policy.Fixtures.keys;
import static dev.arca.iam.policy.Fixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.iam.Authorizer.AuthorizationRequest;
import dev.arca.iam.policy.ConditionKeys;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A rough cost figure for one authorization with realistic compiled policies, printed for the
 * benchmark discussion (issue: authorization may add at most 5 % to a 4 KiB GET). No timing
 * assertion: CI machines vary; the JMH module is the place for real numbers.
 */
class AuthorizerCostTest {
    @Test
    void printsTheCostOfOneAuthorization() {
        List<Policy> identities = List.of(
                identity("[{\"Sid\":\"List\",\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::data\","
                        + "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"\",\"home/\",\"home/${aws:username}/*\"]}}},"
                        + "{\"Sid\":\"Home\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\",\"s3:DeleteObject\"],"
                        + "\"Resource\":\"arn:aws:s3:::data/home/${aws:username}/*\"}]"),
                identity("[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\"],\"Resource\":[\"arn:aws:s3:::shared\",\"arn:aws:s3:::shared/*\"]},"
                        + "{\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::*log*\"}]"),
                identity("[{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":\"false\"},"
                        + "\"StringEquals\":{\"aws:PrincipalType\":\"Nobody\"}}}]"));
        Policy bucketPolicy = bucket("[{\"Sid\":\"TlsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                + "\"Resource\":[\"arn:aws:s3:::data\",\"arn:aws:s3:::data/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}},"
                + "{\"Sid\":\"Office\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::data/*\","
                + "\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"192.168.0.0/16\"]}}},"
                + "{\"Sid\":\"Public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::data/public/*\"}]");
        Principal alice = user(ACCT_A, "alice");
        ConditionKeys k = keys("aws:SecureTransport", "true", "aws:SourceIp", "10.1.2.3");
        AuthorizationRequest req = new AuthorizationRequest(alice, "s3:GetObject", "arn:aws:s3:::data/home/alice/photo.jpg", ACCT_A,
                identities, bucketPolicy, k);
        assertThat(Authorizer.authorize(req).decision()).isEqualTo(Decision.ALLOW);
        int rounds = 200_000;
        long sink = 0;
        for (int i = 0; i < rounds; i++) { // warm-up
            sink += Authorizer.authorize(req).reason().length();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink += Authorizer.authorize(req).reason().length();
        }
        long ns = (System.nanoTime() - t0) / rounds;
        System.out.println("AuthorizerCostTest: ~" + ns + " ns per authorization (3 identity policies, 3-statement bucket policy), sink " + sink);
    }
}
