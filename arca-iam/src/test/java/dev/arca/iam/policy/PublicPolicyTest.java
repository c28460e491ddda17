package dev.arca.iam.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** isPublic(), after the S3 User Guide's "The meaning of public". */
class PublicPolicyTest {
    private static String stmt(String effect, String principal, String condition) {
        return "{\"Effect\":\"" + effect + "\",\"Principal\":" + principal + ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\""
                + (condition == null ? "" : ",\"Condition\":{" + condition + "}") + "}";
    }

    /** statement(s), expected isPublic. */
    private static final Object[][] CASES = {
        {stmt("Allow", "\"*\"", null), true},
        {stmt("Allow", "{\"AWS\":\"*\"}", null), true},
        {stmt("Allow", "{\"AWS\":[\"111122223333\",\"*\"]}", null), true},
        {stmt("Deny", "\"*\"", null), false},
        {stmt("Allow", "{\"AWS\":\"111122223333\"}", null), false},
        {stmt("Allow", "{\"AWS\":\"arn:aws:iam::111122223333:user/alice\"}", null), false},
        {stmt("Allow", "{\"CanonicalUser\":\"abc\"}", null), false},
        {stmt("Allow", "{\"AWS\":\"111122223333\"}", null) + "," + stmt("Allow", "\"*\"", null), true},
        // NotPrincipal with Allow grants to everyone else.
        {stmt("Allow", "{\"AWS\":\"111122223333\"}", null).replace("\"Principal\"", "\"NotPrincipal\""), true},
        // Fixed values of pinning keys make it non-public.
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:SourceVpc\":\"vpc-91237329\"}"), false},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1a2b3c4d\"}"), false},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:PrincipalAccount\":\"111122223333\"}"), false},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc\"}"), false},
        {stmt("Allow", "\"*\"", "\"ArnEquals\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/r\"}"), false},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:userid\":\"AIDAEXAMPLE\"}"), false},
        {stmt("Allow", "\"*\"", "\"StringLike\":{\"aws:SourceAccount\":\"111122223333\"}"), false},
        {stmt("Allow", "\"*\"", "\"IpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}"), false},
        {stmt("Allow", "\"*\"", "\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"2001:db8::/48\"]}"), false},
        // Wildcards, variables, broad blocks, negation and IfExists/ForAllValues do not pin.
        {stmt("Allow", "\"*\"", "\"StringLike\":{\"aws:SourceVpc\":\"vpc-*\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:userid\":\"AROAEXAMPLE:*\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:PrincipalAccount\":\"${aws:PrincipalAccount}\"}"), true},
        {stmt("Allow", "\"*\"", "\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/1\"}"), true},
        {stmt("Allow", "\"*\"", "\"IpAddress\":{\"aws:SourceIp\":[\"192.0.2.0/24\",\"0.0.0.0/0\"]}"), true},
        {stmt("Allow", "\"*\"", "\"IpAddress\":{\"aws:SourceIp\":\"2001::/16\"}"), true},
        {stmt("Allow", "\"*\"", "\"NotIpAddress\":{\"aws:SourceIp\":\"192.0.2.0/24\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringNotEquals\":{\"aws:SourceVpc\":\"vpc-1\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringEqualsIfExists\":{\"aws:SourceVpc\":\"vpc-1\"}"), true},
        {stmt("Allow", "\"*\"", "\"ForAllValues:StringEquals\":{\"aws:SourceVpc\":\"vpc-1\"}"), true},
        {stmt("Allow", "\"*\"", "\"Bool\":{\"aws:SecureTransport\":\"true\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"s3:prefix\":\"public/\"}"), true},
        {stmt("Allow", "\"*\"", "\"StringEquals\":{\"aws:username\":\"alice\"}"), true},
        // One pinning condition among others suffices.
        {stmt("Allow", "\"*\"", "\"Bool\":{\"aws:SecureTransport\":\"true\"},\"StringEquals\":{\"aws:SourceVpc\":\"vpc-1\"}"), false},
    };

    @TestFactory
    Stream<DynamicTest> meaningOfPublic() {
        return Stream.of(CASES).map(row -> DynamicTest.dynamicTest(row[1] + " <- " + row[0], () ->
                assertThat(Fixtures.bucket("[" + row[0] + "]").isPublic()).isEqualTo(row[1])));
    }

    @TestFactory
    Stream<DynamicTest> identityPoliciesAreNeverPublic() {
        return Stream.of(DynamicTest.dynamicTest("identity", () -> assertThat(
                Fixtures.identity("[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]").isPublic()).isFalse()));
    }
}
