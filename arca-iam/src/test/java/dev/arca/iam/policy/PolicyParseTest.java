package dev.arca.iam.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Parser table tests: documents that must parse, and documents that must fail with a given message. */
class PolicyParseTest {
    private static final String V = "\"Version\":\"2012-10-17\",";

    /** kind, document: each must parse. */
    private static final Object[][] GOOD = {
        {PolicyKind.INLINE, "{" + V + "\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}"},
        {PolicyKind.INLINE, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\",\"s3:List*\"],\"Resource\":\"arn:aws:s3:::b/*\"}]}"},
        {PolicyKind.MANAGED, "{\"Version\":\"2008-10-17\",\"Id\":\"x\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"NotResource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"]}]}"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"S3:getobject\",\"Resource\":\"*\"}]}"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"iam:CreateUser\",\"sts:AssumeRole\",\"sts:GetCallerIdentity\"],\"Resource\":\"*\"}]}"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\","
                + "\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"${aws:username}/*\",\"home/${aws:username, 'nobody'}/*\"]},"
                + "\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]},\"NumericLessThanEquals\":{\"s3:max-keys\":10},"
                + "\"Bool\":{\"aws:SecureTransport\":true},\"DateLessThanIfExists\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"},"
                + "\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"2001:db8::/32\",\"192.0.2.1\"]},\"Null\":{\"aws:TokenIssueTime\":\"false\"},"
                + "\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x-*\"},\"ForAllValues:StringNotEqualsIgnoreCase\":{\"aws:TagKeys\":\"secret\"}}}]}"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"111122223333\",\"arn:aws:iam::444455556666:root\","
                + "\"arn:aws:iam::111122223333:user/alice\",\"arn:aws:iam::111122223333:user/path/bob\",\"arn:aws:iam::111122223333:role/r\","
                + "\"arn:aws:sts::111122223333:assumed-role/r/s1\"],\"CanonicalUser\":\"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be\"},"
                + "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"]}]}"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"111122223333\"},\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"},
        {PolicyKind.TRUST, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"sts:AssumeRole\"}]}"},
        {PolicyKind.INLINE, " \n\t{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${*}${?}${$}\"}]}\n"},
        // A 2008 policy takes "${" literally, so a malformed variable is just text there.
        {PolicyKind.INLINE, "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${oops\"}]}"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{}}]}"},
    };

    /** kind, document, expected message fragment. */
    private static final Object[][] BAD = {
        {PolicyKind.INLINE, "", "the first byte must be '{'"},
        {PolicyKind.INLINE, "[]", "the first byte must be '{'"},
        {PolicyKind.INLINE, "\"x\"", "the first byte must be '{'"},
        {PolicyKind.INLINE, "{\"Statement\":[}", "Policies must be valid JSON"},
        {PolicyKind.INLINE, "{\"Statement\":[],\"Statement\":[]}", "duplicate key"},
        {PolicyKind.INLINE, "{\"Version\":\"2012-10-17\"}", "Missing required field Statement"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[]}", "at least one statement"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":\"x\"}", "Statement must be an object"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[1]}", "Statement must be an object"},
        {PolicyKind.INLINE, "{\"Version\":\"2012-10-18\",\"Statement\":[]}", "Invalid policy version"},
        {PolicyKind.INLINE, "{\"Version\":2012,\"Statement\":[]}", "Invalid policy version"},
        {PolicyKind.INLINE, "{" + V + "\"Id\":1,\"Statement\":[]}", "Id must be a string"},
        {PolicyKind.INLINE, "{" + V + "\"Statment\":[]}", "unknown element: Statment"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Resources\":\"*\"}]}", "unknown element in a statement: Resources"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Missing required field Effect"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid effect"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Resource\":\"*\"}]}", "Missing required field Action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"NotAction\":\"s3:PutObject\",\"Resource\":\"*\"}]}", "both Action and NotAction"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObjects\",\"Resource\":\"*\"}]}", "Policy has invalid action: s3:GetObjects"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"GetObject\",\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:\",\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:Get Object\",\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRoles\",\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}]}", "Policy has invalid action"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}", "Missing required field Resource"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"NotResource\":\"*\"}]}", "both Resource and NotResource"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"bucket/*\"}]}", "Policy has invalid resource: bucket/*"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:b\"}]}", "Policy has invalid resource"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username\"}]}", "Invalid policy variable"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${}\"}]}", "Invalid policy variable"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/${aws:username, nobody}\"}]}", "Invalid policy variable"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "should not specify a principal"},
        {PolicyKind.MANAGED, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"NotPrincipal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "should not specify a principal"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Missing required field Principal"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"NotPrincipal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "both Principal and NotPrincipal"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"alice\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"12345\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy: 12345"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:user/*\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:group/g\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Invalid principal in policy"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudfront.amazonaws.com\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Service principals are not supported"},
        {PolicyKind.TRUST, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"cognito-identity.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}", "Federated principals are not supported"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Aws\":\"*\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "unknown principal type Aws"},
        {PolicyKind.TRUST, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\",\"Resource\":\"*\"}]}", "prohibited field Resource"},
        {PolicyKind.TRUST, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}", "Missing required field Principal"},
        {PolicyKind.BUCKET, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"iam:CreateUser\",\"Resource\":\"*\"}]}", "cannot be used in a bucket policy"},
        {PolicyKind.TRUST, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}]}", "cannot be used in a trust policy"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Sid\":\"A\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "must be unique"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Sid\":1,\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}", "Sid must be"},
        {PolicyKind.INLINE, cond("\"StringEqual\":{\"aws:username\":\"a\"}"), "Unknown condition operator: StringEqual"},
        {PolicyKind.INLINE, cond("\"stringequals\":{\"aws:username\":\"a\"}"), "Unknown condition operator: stringequals"},
        {PolicyKind.INLINE, cond("\"ForSomeValues:StringEquals\":{\"aws:username\":\"a\"}"), "Unknown condition operator"},
        {PolicyKind.INLINE, cond("\"NullIfExists\":{\"aws:username\":\"true\"}"), "Unknown condition operator: NullIfExists"},
        {PolicyKind.INLINE, cond("\"ForAnyValue:Null\":{\"aws:username\":\"true\"}"), "Unknown condition operator"},
        {PolicyKind.INLINE, cond("\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.0/33\"}"), "Invalid IP address or CIDR block"},
        {PolicyKind.INLINE, cond("\"IpAddress\":{\"aws:SourceIp\":\"10.0.0.256\"}"), "Invalid IP address or CIDR block"},
        {PolicyKind.INLINE, cond("\"NotIpAddress\":{\"aws:SourceIp\":\"example.com\"}"), "Invalid IP address or CIDR block"},
        {PolicyKind.INLINE, cond("\"IpAddress\":{\"aws:SourceIp\":\"2001:db8:::1\"}"), "Invalid IP address or CIDR block"},
        {PolicyKind.INLINE, cond("\"DateLessThan\":{\"aws:CurrentTime\":\"yesterday\"}"), "Invalid date value"},
        {PolicyKind.INLINE, cond("\"DateLessThan\":{\"aws:CurrentTime\":\"2020-13-01T00:00:00Z\"}"), "Invalid date value"},
        {PolicyKind.INLINE, cond("\"NumericLessThan\":{\"s3:max-keys\":\"ten\"}"), "Invalid numeric value"},
        {PolicyKind.INLINE, cond("\"NumericLessThan\":{\"s3:max-keys\":1e3}"), "Invalid numeric value"},
        {PolicyKind.INLINE, cond("\"Bool\":{\"aws:SecureTransport\":\"yes\"}"), "Invalid boolean value"},
        {PolicyKind.INLINE, cond("\"Null\":{\"aws:SecureTransport\":1}"), "Invalid boolean value"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"aws:username\":[]}"), "has no values"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"aws:username\":null}"), "expected a string, number or boolean"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"aws:username\":{\"a\":1}}"), "expected a string, number or boolean"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{}"), "must map condition keys to values"},
        {PolicyKind.INLINE, cond("\"StringEquals\":\"x\""), "must map condition keys to values"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"username\":\"a\"}"), "invalid condition key: username"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"ec2:InstanceType\":\"a\"}"), "invalid condition key: ec2:InstanceType"},
        {PolicyKind.INLINE, cond("\"StringEquals\":{\"aws:user name\":\"a\"}"), "invalid condition key"},
        {PolicyKind.INLINE, "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":[]}]}", "Condition must be an object"},
    };

    private static String cond(String operators) {
        return "{" + V + "\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{" + operators + "}}]}";
    }

    @TestFactory
    Stream<DynamicTest> goodDocumentsParse() {
        return Stream.of(GOOD).map(row -> DynamicTest.dynamicTest((String) row[1], () -> {
            Policy p = Policy.parse((String) row[1], (PolicyKind) row[0]);
            assertThat(p.json()).isEqualTo(row[1]);
            assertThat(p.kind()).isEqualTo(row[0]);
            assertThat(p.statementCount()).isPositive();
        }));
    }

    @TestFactory
    Stream<DynamicTest> badDocumentsFailWithAClearMessage() {
        return Stream.of(BAD).map(row -> DynamicTest.dynamicTest(row[2] + " <- " + row[1], () ->
                assertThatThrownBy(() -> Policy.parse((String) row[1], (PolicyKind) row[0]))
                        .isInstanceOf(PolicyException.class)
                        .hasMessageContaining((String) row[2])));
    }

    @Test
    void nullDocumentIsRejected() {
        assertThatThrownBy(() -> Policy.parse(null, PolicyKind.BUCKET)).isInstanceOf(PolicyException.class)
                .hasMessageContaining("first byte must be '{'");
    }

    @Test
    void sizeLimitCountsCharactersWithoutWhitespaceOutsideStrings() {
        for (PolicyKind kind : PolicyKind.values()) {
            String head = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    + (kind.principalRequired() ? "\"Principal\":\"*\"," : "")
                    + "\"Action\":\"" + (kind == PolicyKind.TRUST ? "sts:AssumeRole" : "s3:GetObject") + "\","
                    + (kind == PolicyKind.TRUST ? "" : "\"Resource\":\"*\",")
                    + "\"Sid\":\"";
            String tail = "\"}]}";
            int fill = kind.maxChars() - head.length() - tail.length();
            String exact = head + "x".repeat(fill) + tail;
            assertThat(Json.significantLength(exact)).isEqualTo(kind.maxChars());
            // Whitespace outside strings does not count, so a pretty-printed document at the limit is fine.
            Policy.parse(exact.replace(",", ",\n    "), kind);
            String over = head + "x".repeat(fill + 1) + tail;
            assertThatThrownBy(() -> Policy.parse(over, kind)).isInstanceOf(PolicyException.class)
                    .hasMessageContaining("Policy document is too large")
                    .hasMessageContaining(String.valueOf(kind.maxChars()));
            // Whitespace inside strings does count.
            String spaces = head + " ".repeat(fill + 1) + tail;
            assertThatThrownBy(() -> Policy.parse(spaces, kind)).hasMessageContaining("too large");
        }
        // 20 KB bucket policy limit, as in the issue.
        assertThat(PolicyKind.BUCKET.maxChars()).isEqualTo(20_480);
    }

    @Test
    void accessorsReportPrincipalsResourcesAndVersion() {
        Policy p = Policy.parse("{\"Version\":\"2012-10-17\",\"Id\":\"P1\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":[\"*\",\"111122223333\",\"arn:aws:iam::444455556666:user/bob\"],\"CanonicalUser\":\"abc123\"},"
                + "\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::b/*\",\"arn:aws:s3:::b\"]},"
                + "{\"Effect\":\"Deny\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"NotResource\":\"arn:aws:s3:::b/public/*\"}]}",
                PolicyKind.BUCKET);
        assertThat(p.principals()).containsExactlyInAnyOrder("111122223333", "arn:aws:iam::444455556666:user/bob",
                "arn:aws:iam::111122223333:root");
        assertThat(p.canonicalUsers()).containsExactly("abc123");
        assertThat(p.resources()).containsExactly("arn:aws:s3:::b/*", "arn:aws:s3:::b", "arn:aws:s3:::b/public/*");
        assertThat(p.version()).isEqualTo(Policy.VERSION_2012);
        assertThat(p.id()).isEqualTo("P1");
        assertThat(p.statementCount()).isEqualTo(2);
        assertThat(Policy.parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", PolicyKind.INLINE).version()).isNull();
    }

    @Test
    void everyS3ActionNameIsAcceptedInAnyCase() {
        for (String a : Actions.S3) {
            Actions.compile("s3:" + a, PolicyKind.BUCKET);
            Actions.compile("S3:" + a.toUpperCase(java.util.Locale.ROOT), PolicyKind.INLINE);
        }
        assertThat(Actions.S3).hasSizeGreaterThan(150).contains("getobject", "putobject", "listbucket",
                "listallmybuckets", "getbucketpolicystatus", "putbucketpublicaccessblock", "deleteobjectversion",
                "listbucketmultipartuploads", "abortmultipartupload", "putobjecttagging", "getobjectattributes");
    }
}
