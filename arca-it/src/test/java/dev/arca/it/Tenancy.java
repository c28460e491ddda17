package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Multi-tenancy helpers shared by the IAM, STS, bucket policy and isolation tests: accounts from the
 * admin API (system root only), SDK v2 S3/IAM/STS clients for any credentials (anonymous included,
 * retries off so that every cell of a test sees the server's first answer), and policy documents.
 */
final class Tenancy {
    static final String ACCOUNTS = "/_arca/admin/accounts";

    private Tenancy() {}

    /** An account as POST /_arca/admin/accounts returns it, with its root user's key. */
    record Account(String accountId, String name, String canonicalId, String accessKeyId, String secretAccessKey) {
        AwsCredentials credentials() {
            return AwsBasicCredentials.create(accessKeyId, secretAccessKey);
        }

        String rootArn() {
            return "arn:aws:iam::" + accountId + ":root";
        }

        String userArn(String user) {
            return "arn:aws:iam::" + accountId + ":user/" + user;
        }

        String roleArn(String role) {
            return "arn:aws:iam::" + accountId + ":role/" + role;
        }
    }

    /** Creates an account as the system root, asserting the documented response shape. */
    static Account createAccount(ArcaTestServer server, String name) {
        ErasureAdmin admin = new ErasureAdmin(server);
        RawS3.Response r = admin.send("POST", ACCOUNTS, "name=" + name).assertStatus(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        Map<String, Object> json = ErasureAdmin.object(ErasureAdmin.Json.parse(r.text()));
        Account a = new Account((String) json.get("accountId"), (String) json.get("name"), (String) json.get("canonicalId"),
                (String) json.get("accessKeyId"), (String) json.get("secretAccessKey"));
        assertThat(a.accountId()).as("accountId in %s", json).matches("[0-9]{12}").isNotEqualTo("000000000000");
        assertThat(a.name()).isEqualTo(name);
        assertThat(a.canonicalId()).as("canonicalId in %s", json).matches("[0-9a-f]{64}");
        assertThat(a.accessKeyId()).as("accessKeyId in %s", json).startsWith("AKIA");
        assertThat(a.secretAccessKey()).as("secretAccessKey").isNotBlank();
        return a;
    }

    // ---------------------------------------------------------------- clients

    static AwsCredentialsProvider provider(AwsCredentials credentials) {
        return credentials == null ? AnonymousCredentialsProvider.create() : StaticCredentialsProvider.create(credentials);
    }

    static AwsCredentials basic(String accessKeyId, String secret) {
        return AwsBasicCredentials.create(accessKeyId, secret);
    }

    static AwsCredentials basic(AccessKey key) {
        return AwsBasicCredentials.create(key.accessKeyId(), key.secretAccessKey());
    }

    static AwsSessionCredentials session(Credentials c) {
        return AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }

    /** A path-style S3 client for these credentials (null: anonymous, unsigned requests); no retries. */
    static S3Client s3(ArcaTestServer server, AwsCredentials credentials) {
        return Clients.builder(server.endpoint(), true)
                .credentialsProvider(provider(credentials))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    static IamClient iam(ArcaTestServer server, AwsCredentials credentials) {
        return IamClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(provider(credentials))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(60)))
                .build();
    }

    static StsClient sts(ArcaTestServer server, AwsCredentials credentials) {
        return StsClient.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(provider(credentials))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .httpClientBuilder(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(60)))
                .build();
    }

    // ---------------------------------------------------------------- policies

    /** A policy document: {"Version":"2012-10-17","Statement":[statements...]}. */
    static String policy(String... statements) {
        return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
    }

    /** A statement without a principal (identity policies). */
    static String statement(String effect, List<String> actions, List<String> resources) {
        return "{\"Effect\":\"" + effect + "\",\"Action\":" + jsonList(actions) + ",\"Resource\":" + jsonList(resources) + "}";
    }

    static String allow(String action, String resource) {
        return statement("Allow", List.of(action), List.of(resource));
    }

    static String deny(String action, String resource) {
        return statement("Deny", List.of(action), List.of(resource));
    }

    /** A bucket policy statement for AWS principals (ARNs or account ids), or "*" for everyone. */
    static String principalStatement(String effect, String principal, List<String> actions, List<String> resources) {
        String p = principal.equals("*") ? "\"*\"" : "{\"AWS\":\"" + principal + "\"}";
        return "{\"Effect\":\"" + effect + "\",\"Principal\":" + p + ",\"Action\":" + jsonList(actions) + ",\"Resource\":"
                + jsonList(resources) + "}";
    }

    /** A role trust policy letting these principals (ARNs) call sts:AssumeRole. */
    static String trust(String... principals) {
        return policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":" + jsonList(List.of(principals))
                + "},\"Action\":\"sts:AssumeRole\"}");
    }

    static String jsonList(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            s.append(i == 0 ? "" : ",").append('"').append(values.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return s.append(']').toString();
    }

    // ---------------------------------------------------------------- assertions

    /** Asserts that an SDK call (any service) fails with this status and AWS error code (null: HEAD, no body). */
    static AwsServiceException assertAwsError(ThrowingCallable call, int status, String code) {
        AwsServiceException e = catchThrowableOfType(AwsServiceException.class, call);
        assertThat(e).as("expected an AWS error %d %s", status, code).isNotNull();
        String actualCode = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        assertThat(e.statusCode() + " " + actualCode).as(e.getMessage())
                .isEqualTo(status + " " + (code == null ? actualCode : code));
        return e;
    }

    static void put(S3Client s3, String bucket, String key, String body) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    static String get(S3Client s3, String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
