package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import dev.arca.iam.Iam;
import dev.arca.iam.IamResult;
import dev.arca.iam.IamService;
import dev.arca.iam.MasterKey;
import dev.arca.iam.Principal;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.s3.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IamApiTest {
    private static final String REQUEST_ID = "0123456789ABCDEF";
    private final Entropy entropy = Entropy.seeded(1);
    private final Iam iam = Iam.open(new MemoryKv(), MasterKey.of(new byte[32]).box(entropy),
            InstantSource.fixed(java.time.Instant.parse("2024-05-06T07:08:09.123Z")), entropy, "ROOTKEY", "rootsecret");
    private final IamApi api = new IamApi(iam, new IamService(iam));
    private final Principal root = iam.authenticate(iam.createAccount("acme").accessKeyId(), null).orElseThrow().principal();

    private static byte[] form(String... pairs) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < pairs.length; i += 2) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse call(String service, Principal caller, String... pairs) {
        return api.handle(service, caller, form(pairs), REQUEST_ID, null);
    }

    private static String body(HttpResponse r) {
        return new String(((HttpResponse.Bytes) r.body()).data(), StandardCharsets.UTF_8);
    }

    @Test
    void parsesForms() {
        Map<String, String> p = IamApi.parseForm(
                "Action=CreateUser&Version=2010-05-08&UserName=a%2Bb+c&Empty=&Flag&&Doc=%7B%22k%22%3A%22%C3%A9%22%7D"
                        .getBytes(StandardCharsets.US_ASCII));
        assertThat(p).containsExactly(Map.entry("Action", "CreateUser"), Map.entry("Version", "2010-05-08"),
                Map.entry("UserName", "a+b c"), Map.entry("Empty", ""), Map.entry("Flag", ""),
                Map.entry("Doc", "{\"k\":\"é\"}"));
        assertThat(IamApi.parseForm(new byte[0])).isEmpty();
        for (String bad : List.of("a=%4", "a=%zz", "a=%", "a=1&a=2", "a=%C3%28")) {
            assertThatThrownBy(() -> IamApi.parseForm(bad.getBytes(StandardCharsets.US_ASCII)))
                    .isInstanceOfSatisfying(IamApi.QueryError.class, e -> assertThat(e.code).isEqualTo("MalformedQueryString"));
        }
        assertThatThrownBy(() -> IamApi.parseForm(new byte[IamApi.MAX_FORM_BYTES + 1])).isInstanceOf(IamApi.QueryError.class);
        assertThatThrownBy(() -> IamApi.parseForm(manyParams())).isInstanceOf(IamApi.QueryError.class);
    }

    private static byte[] manyParams() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= IamApi.MAX_PARAMETERS; i++) {
            sb.append("p").append(i).append("=v&");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void rendersAResultAsAwsDoes() {
        HttpResponse r = call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("content-type")).isEqualTo("text/xml");
        String xml = body(r);
        String userId = xml.replaceAll("(?s).*<UserId>([^<]*)</UserId>.*", "$1");
        assertThat(xml).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateUserResult><User>"
                + "<Path>/</Path><UserName>alice</UserName><UserId>" + userId + "</UserId><Arn>arn:aws:iam::"
                + root.accountId() + ":user/alice</Arn><CreateDate>2024-05-06T07:08:09Z</CreateDate></User>"
                + "</CreateUserResult><ResponseMetadata><RequestId>" + REQUEST_ID + "</RequestId></ResponseMetadata>"
                + "</CreateUserResponse>");
        assertThat(userId).startsWith("AIDA");
    }

    @Test
    void rendersNoResultElementForActionsThatReturnNothing() {
        call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice");
        String xml = body(call("iam", root, "Action", "DeleteUser", "Version", "2010-05-08", "UserName", "alice"));
        assertThat(xml).endsWith("<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
                + "<ResponseMetadata><RequestId>" + REQUEST_ID + "</RequestId></ResponseMetadata></DeleteUserResponse>");
    }

    @Test
    void rendersListsAndEncodedDocuments() {
        call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice");
        String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                + "\"Resource\":\"arn:aws:s3:::b/a b&c\"}]}";
        assertThat(call("iam", root, "Action", "PutUserPolicy", "Version", "2010-05-08", "UserName", "alice",
                "PolicyName", "p", "PolicyDocument", doc).status()).isEqualTo(200);
        String got = body(call("iam", root, "Action", "GetUserPolicy", "Version", "2010-05-08", "UserName", "alice",
                "PolicyName", "p"));
        assertThat(got).contains("<GetUserPolicyResult><UserName>alice</UserName><PolicyName>p</PolicyName><PolicyDocument>"
                + "%7B%22Version%22%3A%222012-10-17%22").contains("b%2Fa%20b%26c");
        String list = body(call("iam", root, "Action", "ListUserPolicies", "Version", "2010-05-08", "UserName", "alice"));
        assertThat(list).contains("<ListUserPoliciesResult><PolicyNames><member>p</member></PolicyNames>"
                + "<IsTruncated>false</IsTruncated></ListUserPoliciesResult>");
        String users = body(call("iam", root, "Action", "ListUsers", "Version", "2010-05-08"));
        assertThat(users).contains("<ListUsersResult><Users><member><Path>/</Path><UserName>alice</UserName>");
    }

    @Test
    void rendersStsResultsInTheStsNamespace() {
        String xml = body(call("sts", root, "Action", "GetCallerIdentity", "Version", "2011-06-15"));
        assertThat(xml).contains("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><UserId>" + root.accountId() + "</UserId><Account>" + root.accountId()
                + "</Account><Arn>arn:aws:iam::" + root.accountId() + ":root</Arn></GetCallerIdentityResult>");
    }

    @Test
    void rendersErrors() {
        HttpResponse missing = call("iam", root, "Action", "GetUser", "Version", "2010-05-08", "UserName", "ghost");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(body(missing)).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>"
                + "<Code>NoSuchEntity</Code><Message>The user with name ghost cannot be found.</Message></Error>"
                + "<RequestId>" + REQUEST_ID + "</RequestId></ErrorResponse>");
        call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice");
        assertError(call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "alice"),
                409, "EntityAlreadyExists");
        assertError(call("iam", root, "Action", "CreatePolicy", "Version", "2010-05-08", "PolicyName", "p",
                "PolicyDocument", "{"), 400, "MalformedPolicyDocument");
        assertError(call("iam", root, "Action", "CreateUser", "Version", "2010-05-08", "UserName", "a b"),
                400, "ValidationError");
        assertError(call("iam", Principal.ANONYMOUS, "Action", "ListUsers", "Version", "2010-05-08"), 403, "AccessDenied");
        assertError(call("iam", root, "Action", "CreateLoginProfile", "Version", "2010-05-08"), 400, "InvalidAction");
        assertError(call("iam", root, "Action", "AssumeRole", "Version", "2010-05-08"), 400, "InvalidAction");
        assertError(call("iam", root, "Action", "ListUsers", "Version", "2011-06-15"), 400, "InvalidAction");
        assertError(call("iam", root, "Version", "2010-05-08"), 400, "MissingAction");
        assertError(call("iam", root, "Action", "ListUsers"), 400, "MissingParameter");
        assertError(api.handle("iam", root, "Action=ListUsers&Version=2010-05-08&x=%G0".getBytes(StandardCharsets.US_ASCII),
                REQUEST_ID, null), 400, "MalformedQueryString");
        HttpResponse sts = call("sts", root, "Action", "AssumeRole", "Version", "2011-06-15", "RoleArn",
                "arn:aws:iam::" + root.accountId() + ":role/none", "RoleSessionName", "s");
        assertError(sts, 400, "ValidationError");
        assertThat(body(sts)).contains("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"");
    }

    private static void assertError(HttpResponse r, int status, String code) {
        assertThat(r.status()).as(body(r)).isEqualTo(status);
        assertThat(body(r)).contains("<Code>" + code + "</Code>").contains("<Type>Sender</Type>")
                .contains("<RequestId>" + REQUEST_ID + "</RequestId>");
    }

    @Test
    void escapesText() {
        IamResult r = new IamResult("X", List.of(new IamResult.Text("A", "<&>\"'")));
        assertThat(body(IamApi.render(r, IamApi.IAM_NAMESPACE, "r"))).contains("<A>&lt;&amp;&gt;&quot;&apos;</A>");
    }
}
