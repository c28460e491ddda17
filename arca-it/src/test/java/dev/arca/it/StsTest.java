package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.assertAwsError;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleResponse;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * STS AssumeRole with the real SDK v2 STS client: role trust policies (same account and cross
 * account), temporary credentials confined to the role's permissions, and rejection of expired
 * (on the server's object clock) and forged session tokens.
 */
class StsTest {
    @TempDir
    static Path dir;

    static Versioned.MutableClock clock;
    static ArcaTestServer server;
    static Tenancy.Account a;
    static Tenancy.Account b;
    static S3Client rootA;
    static IamClient iamA;
    static IamClient iamB;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() {
        clock = new Versioned.MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        a = Tenancy.createAccount(server, "sts-tenant-a");
        b = Tenancy.createAccount(server, "sts-tenant-b");
        rootA = track(Tenancy.s3(server, a.credentials()));
        iamA = track(Tenancy.iam(server, a.credentials()));
        iamB = track(Tenancy.iam(server, b.credentials()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    static AccessKey user(IamClient iam, String name, String... statements) {
        iam.createUser(r -> r.userName(name));
        if (statements.length > 0) {
            iam.putUserPolicy(r -> r.userName(name).policyName("identity").policyDocument(policy(statements)));
        }
        return iam.createAccessKey(r -> r.userName(name)).accessKey();
    }

    static StsClient sts(AccessKey key) {
        return track(Tenancy.sts(server, Tenancy.basic(key)));
    }

    static S3Client s3(Credentials session) {
        return track(Tenancy.s3(server, Tenancy.session(session)));
    }

    static AssumeRoleResponse assume(StsClient sts, String roleArn, String session, int seconds) {
        return sts.assumeRole(r -> r.roleArn(roleArn).roleSessionName(session).durationSeconds(seconds));
    }

    static void assertDenied(Runnable call) {
        assertAwsError(call::run, 403, "AccessDenied");
    }

    @Test
    void anAssumedRoleActsWithinTheRolesPermissionsOnly() {
        String bucket = "sts-a";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "reports/r1.txt", "report one");
        Tenancy.put(rootA, bucket, "private/p1.txt", "private");
        String roleArn = a.roleArn("reader");
        // sam may assume the role, and may himself write anywhere in the bucket.
        AccessKey sam = user(iamA, "sam", allow("sts:AssumeRole", roleArn), allow("s3:PutObject", "arn:aws:s3:::" + bucket + "/*"));
        String created = iamA.createRole(r -> r.roleName("reader").assumeRolePolicyDocument(Tenancy.trust(a.userArn("sam"))))
                .role().arn();
        assertThat(created).isEqualTo(roleArn);
        iamA.putRolePolicy(r -> r.roleName("reader").policyName("read-reports").policyDocument(policy(
                allow("s3:GetObject", "arn:aws:s3:::" + bucket + "/reports/*"), allow("s3:ListBucket", "arn:aws:s3:::" + bucket))));

        Instant before = clock.instant();
        AssumeRoleResponse assumed = assume(sts(sam), roleArn, "sam-session", 900);
        Credentials c = assumed.credentials();
        assertThat(c.accessKeyId()).startsWith("ASIA");
        assertThat(c.secretAccessKey()).isNotBlank();
        assertThat(c.sessionToken()).isNotBlank();
        assertThat(Duration.between(before, c.expiration()).toSeconds()).as("expiration %s on the object clock %s",
                c.expiration(), before).isBetween(895L, 905L);
        assertThat(assumed.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + a.accountId() + ":assumed-role/reader/sam-session");
        assertThat(assumed.assumedRoleUser().assumedRoleId()).endsWith(":sam-session");

        S3Client session = s3(c);
        assertThat(Tenancy.get(session, bucket, "reports/r1.txt")).isEqualTo("report one");
        assertThat(session.listObjectsV2(r -> r.bucket(bucket).prefix("reports/")).contents()).extracting(S3Object::key)
                .containsExactly("reports/r1.txt");
        assertDenied(() -> Tenancy.get(session, bucket, "private/p1.txt"));
        // sam's own PutObject permission does not travel into the role session.
        S3Client samS3 = track(Tenancy.s3(server, Tenancy.basic(sam)));
        Tenancy.put(samS3, bucket, "reports/by-sam.txt", "sam");
        assertDenied(() -> Tenancy.put(session, bucket, "reports/by-session.txt", "session"));
        assertAwsError(() -> rootA.headObject(r -> r.bucket(bucket).key("reports/by-session.txt")), 404, null);
        assertDenied(() -> session.deleteObject(r -> r.bucket(bucket).key("reports/r1.txt")));
        assertDenied(() -> session.listBuckets());
        // Nor may the session administer IAM.
        IamClient sessionIam = track(Tenancy.iam(server, Tenancy.session(c)));
        assertAwsError(() -> sessionIam.createUser(r -> r.userName("from-session")), 403, "AccessDenied");

        // Longer sessions on request.
        Credentials hour = assume(sts(sam), roleArn, "sam-hour", 3600).credentials();
        assertThat(Duration.between(clock.instant(), hour.expiration()).toSeconds()).isBetween(3590L, 3605L);
        assertThat(hour.accessKeyId()).isNotEqualTo(c.accessKeyId());
        assertThat(Tenancy.get(s3(hour), bucket, "reports/r1.txt")).isEqualTo("report one");
    }

    @Test
    void crossAccountAssumeRoleNeedsTheTrustPolicyAndTheCallersIdentityPolicy() {
        String shared = "sts-shared";
        String other = "sts-a-other";
        rootA.createBucket(r -> r.bucket(shared));
        rootA.createBucket(r -> r.bucket(other));
        Tenancy.put(rootA, shared, "data.txt", "shared data");
        Tenancy.put(rootA, other, "x.txt", "A only");
        String roleArn = a.roleArn("partner");
        iamA.createRole(r -> r.roleName("partner").assumeRolePolicyDocument(Tenancy.trust(b.rootArn())));
        iamA.putRolePolicy(r -> r.roleName("partner").policyName("read-shared")
                .policyDocument(policy(allow("s3:GetObject", "arn:aws:s3:::" + shared + "/*"))));

        // B's user without an identity policy: the trust policy alone is not enough across accounts.
        AccessKey bea = user(iamB, "bea");
        StsClient beaSts = sts(bea);
        assertAwsError(() -> assume(beaSts, roleArn, "bea", 900), 403, "AccessDenied");
        iamB.putUserPolicy(r -> r.userName("bea").policyName("assume-partner").policyDocument(policy(allow("sts:AssumeRole", roleArn))));
        AssumeRoleResponse assumed = assume(beaSts, roleArn, "bea", 900);
        assertThat(assumed.assumedRoleUser().arn()).isEqualTo("arn:aws:sts::" + a.accountId() + ":assumed-role/partner/bea");
        S3Client session = s3(assumed.credentials());
        assertThat(Tenancy.get(session, shared, "data.txt")).isEqualTo("shared data");
        assertDenied(() -> Tenancy.get(session, other, "x.txt"));
        assertDenied(() -> Tenancy.put(session, shared, "planted.txt", "from B"));
        assertDenied(() -> session.listBuckets());

        // Any principal of B with the identity permission may (the trust policy names B's account) ...
        AccessKey ben = user(iamB, "ben", allow("sts:AssumeRole", "*"));
        assertThat(Tenancy.get(s3(assume(sts(ben), roleArn, "ben", 900).credentials()), shared, "data.txt")).isEqualTo("shared data");
        // ... but not A's own user, whom the trust policy does not name, even with an identity Allow.
        AccessKey adam = user(iamA, "adam", allow("sts:AssumeRole", "*"));
        assertAwsError(() -> assume(sts(adam), roleArn, "adam", 900), 403, "AccessDenied");
        // A role of B that trusts only B's own user: refused to A's user.
        iamB.createRole(r -> r.roleName("b-internal").assumeRolePolicyDocument(Tenancy.trust(b.userArn("ben"))));
        assertAwsError(() -> assume(sts(adam), b.roleArn("b-internal"), "adam", 900), 403, "AccessDenied");
    }

    @Test
    void expiredAndForgedSessionTokensAreRejected() {
        String bucket = "sts-exp";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "k.txt", "value");
        String roleArn = a.roleArn("short");
        AccessKey ed = user(iamA, "ed", allow("sts:AssumeRole", roleArn));
        iamA.createRole(r -> r.roleName("short").assumeRolePolicyDocument(Tenancy.trust(a.userArn("ed"))));
        iamA.putRolePolicy(r -> r.roleName("short").policyName("rw").policyDocument(policy(
                statement("Allow", List.of("s3:GetObject", "s3:PutObject", "s3:ListBucket"),
                        List.of("arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*")))));
        StsClient edSts = sts(ed);
        Credentials c = assume(edSts, roleArn, "ed-1", 900).credentials();
        Credentials other = assume(edSts, roleArn, "ed-2", 900).credentials();
        assertThat(Tenancy.get(s3(c), bucket, "k.txt")).isEqualTo("value");

        // Forged: one character of the token changed.
        String token = c.sessionToken();
        int i = token.length() / 2;
        String forged = token.substring(0, i) + (token.charAt(i) == 'A' ? 'B' : 'A') + token.substring(i + 1);
        S3Client forgedClient = track(Tenancy.s3(server, software.amazon.awssdk.auth.credentials.AwsSessionCredentials
                .create(c.accessKeyId(), c.secretAccessKey(), forged)));
        assertAwsError(() -> Tenancy.get(forgedClient, bucket, "k.txt"), 400, "InvalidToken");
        assertAwsError(() -> Tenancy.put(forgedClient, bucket, "forged.txt", "x"), 400, "InvalidToken");
        // Another session's (valid) token with this session's key, and the key without any token.
        S3Client swapped = track(Tenancy.s3(server, software.amazon.awssdk.auth.credentials.AwsSessionCredentials
                .create(c.accessKeyId(), c.secretAccessKey(), other.sessionToken())));
        refusedAsAuthentication("another session's token", () -> Tenancy.get(swapped, bucket, "k.txt"));
        S3Client tokenless = track(Tenancy.s3(server, Tenancy.basic(c.accessKeyId(), c.secretAccessKey())));
        refusedAsAuthentication("a session key without its token", () -> Tenancy.get(tokenless, bucket, "k.txt"));
        // A long-term key with a session token attached is no session either.
        S3Client longTermWithToken = track(Tenancy.s3(server, software.amazon.awssdk.auth.credentials.AwsSessionCredentials
                .create(ed.accessKeyId(), ed.secretAccessKey(), c.sessionToken())));
        refusedAsAuthentication("a long-term key with a session token", () -> Tenancy.get(longTermWithToken, bucket, "k.txt"));
        assertAwsError(() -> rootA.headObject(r -> r.bucket(bucket).key("forged.txt")), 404, null);

        // A presigned URL carries the token in X-Amz-Security-Token: the same checks apply.
        java.net.URL presigned = presignGet(c, bucket, "k.txt");
        RawS3 raw = new RawS3(server);
        String target = presigned.getFile();
        assertThat(raw.send("GET", target, raw.headers(), new byte[0]).assertStatus(200).text()).isEqualTo("value");
        String forgedTarget = target.replace("X-Amz-Security-Token=" + queryValue(target, "X-Amz-Security-Token"),
                "X-Amz-Security-Token=" + java.net.URLEncoder.encode(forged, StandardCharsets.UTF_8).replace("+", "%20"));
        assertThat(forgedTarget).isNotEqualTo(target);
        raw.send("GET", forgedTarget, raw.headers(), new byte[0]).assertError(400, "InvalidToken");

        // Expiry on the server's object clock: valid just before, ExpiredToken just after.
        S3Client session = s3(c);
        clock.set(c.expiration().minusSeconds(1));
        assertThat(Tenancy.get(session, bucket, "k.txt")).isEqualTo("value");
        clock.set(c.expiration().plusSeconds(1));
        raw.send("GET", target, raw.headers(), new byte[0]).assertError(400, "ExpiredToken");
        assertAwsError(() -> Tenancy.get(session, bucket, "k.txt"), 400, "ExpiredToken");
        assertAwsError(() -> Tenancy.put(session, bucket, "late.txt", "late"), 400, "ExpiredToken");
        assertAwsError(() -> session.listObjectsV2(r -> r.bucket(bucket)), 400, "ExpiredToken");
        assertAwsError(() -> session.headObject(r -> r.bucket(bucket).key("k.txt")), 400, null);
        assertAwsError(() -> s3(other).listBuckets(), 400, "ExpiredToken");
        assertAwsError(() -> rootA.headObject(r -> r.bucket(bucket).key("late.txt")), 404, null);

        // The long-term key still works, and a new session's expiry follows the (advanced) object clock.
        Instant now = clock.instant();
        Credentials fresh = assume(edSts, roleArn, "ed-3", 900).credentials();
        assertThat(Duration.between(now, fresh.expiration()).toSeconds()).isBetween(895L, 905L);
        assertThat(Tenancy.get(s3(fresh), bucket, "k.txt")).isEqualTo("value");
    }

    /** A presigned GetObject URL (path style, 5 minutes on the real clock) signed with session credentials. */
    static java.net.URL presignGet(Credentials c, String bucket, String key) {
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(java.net.URI.create(server.endpoint()))
                .region(software.amazon.awssdk.regions.Region.of(ArcaTestServer.REGION))
                .credentialsProvider(Tenancy.provider(Tenancy.session(c)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            java.net.URL url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(bucket).key(key))).url();
            assertThat(url.getQuery()).contains("X-Amz-Security-Token=");
            return url;
        }
    }

    /** The raw (still encoded) value of a query parameter in a request target. */
    static String queryValue(String target, String name) {
        for (String pair : target.substring(target.indexOf('?') + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + target);
    }

    /** A request whose credentials do not authenticate: 400 or 403 with an authentication error code, never data. */
    static void refusedAsAuthentication(String what, Runnable call) {
        AwsServiceException e = org.assertj.core.api.Assertions.catchThrowableOfType(AwsServiceException.class, call::run);
        assertThat(e).as("%s must be refused", what).isNotNull();
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        System.out.println("StsTest: " + what + " -> " + e.statusCode() + " " + code);
        assertThat(e.statusCode() + " " + code).as("%s: %s", what, e.getMessage()).isIn(Set.of("400 InvalidToken",
                "403 InvalidAccessKeyId", "403 SignatureDoesNotMatch", "403 InvalidClientTokenId", "403 AccessDenied"));
    }

    @Test
    void aRoleThatDoesNotTrustTheCallerIsAccessDenied() {
        iamA.createUser(r -> r.userName("someone"));
        iamA.createRole(r -> r.roleName("closed").assumeRolePolicyDocument(Tenancy.trust(a.userArn("someone"))));
        iamA.putRolePolicy(r -> r.roleName("closed").policyName("all").policyDocument(policy(allow("s3:*", "*"))));
        AccessKey outsider = user(iamA, "outsider", allow("sts:AssumeRole", "*"));
        StsClient sts = sts(outsider);
        assertAwsError(() -> assume(sts, a.roleArn("closed"), "nope", 900), 403, "AccessDenied");
        assertAwsError(() -> assume(sts, a.roleArn("no-such-role"), "nope", 900), 403, "AccessDenied");
        // The other way round: a caller with no identity policy at all, for a role whose trust policy names
        // it. Within one account a resource policy naming the principal is enough (AWS's same-account rule).
        AccessKey noIdentity = user(iamA, "no-identity");
        iamA.createRole(r -> r.roleName("trusts-no-identity")
                .assumeRolePolicyDocument(Tenancy.trust(a.userArn("no-identity"))));
        assertThat(assume(sts(noIdentity), a.roleArn("trusts-no-identity"), "ok", 900).credentials().accessKeyId())
                .startsWith("ASIA");

        // Durations outside 900 s .. 12 h are a ValidationError, on a role the caller may assume.
        iamA.createRole(r -> r.roleName("open-to-outsider").assumeRolePolicyDocument(Tenancy.trust(a.userArn("outsider"))));
        assertAwsError(() -> assume(sts, a.roleArn("open-to-outsider"), "short", 899), 400, "ValidationError");
        assertAwsError(() -> assume(sts, a.roleArn("open-to-outsider"), "long", 43201), 400, "ValidationError");
        assertThat(assume(sts, a.roleArn("open-to-outsider"), "fine", 900).credentials().accessKeyId()).startsWith("ASIA");
    }
}
