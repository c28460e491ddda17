package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.assertAwsError;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.principalStatement;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.auth.SigV4Signer;
import dev.arca.s3.http.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.PolicyScopeType;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * IAM state survives SIGKILL: a child server gets a tenant account and, as that account's root, a
 * bucket, a user with a key, an inline user policy, a group with a group policy, an attached
 * managed policy, a role with a trust and a role policy, a bucket policy and a public access block;
 * the user assumes the role. The server is then killed (SIGKILL) and restarted on the same data
 * directory, twice. After each restart every IAM listing and document, the bucket policy and the
 * public access block are exactly as before, every key (and the STS session issued before the
 * first kill) authenticates and is confined exactly as before, a key deleted just before the kill
 * stays deleted and a user created just before it exists. Finally no secret access key appears in
 * plain text in any file of the data directory (RocksDB WAL and SST files of iam/ and meta/
 * included) nor in the server's log.
 */
class IamCrashTest {
    static final String BUCKET = "iamcrash";
    static final String USER = "ursula";
    static final String GROUP = "crash-readers";
    static final String ROLE = "crash-role";
    static final String MANAGED = "crash-home-list";
    static final int ROUNDS = 2;

    static final String INLINE_DOC = policy(statement("Allow", List.of("s3:GetObject", "s3:PutObject"),
            List.of("arn:aws:s3:::" + BUCKET + "/u/*")));
    static final String GROUP_DOC = policy(statement("Deny", List.of("s3:GetObject", "s3:PutObject"),
            List.of("arn:aws:s3:::" + BUCKET + "/u/locked/*")));
    static final String MANAGED_DOC = policy("{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::"
            + BUCKET + "\",\"Condition\":{\"StringLike\":{\"s3:prefix\":\"u/*\"}}}");
    static final String ROLE_DOC = policy(allow("s3:GetObject", "arn:aws:s3:::" + BUCKET + "/r/*"));

    @TempDir
    Path dir;

    /** Everything the test created, with the secrets it was shown once. */
    static final class Fixture {
        Tenancy.Account account;
        AccessKey userKey;
        Credentials session;
        String managedArn;
        String trustDoc;
        String bucketPolicy;
        PublicAccessBlockConfiguration pab;
        /** Keys deleted right before a kill: they must stay deleted. */
        final List<AccessKey> deletedKeys = new ArrayList<>();
        /** Users created right before a kill, as CreateUser described them. */
        final Map<String, String> lateUsers = new LinkedHashMap<>();
        /** Every secret access key the test saw (name -> secret). */
        final Map<String, String> secrets = new LinkedHashMap<>();
    }

    /** SDK clients for one server incarnation (its port changes with every start). */
    static final class Conn implements AutoCloseable {
        final String endpoint;
        final List<AutoCloseable> closeables = new ArrayList<>();
        final S3Client root;
        final IamClient iam;
        final S3Client user;
        final S3Client session;

        Conn(String endpoint, Fixture f) {
            this.endpoint = endpoint;
            this.root = s3(f.account.credentials());
            this.iam = iam(f.account.credentials());
            this.user = f.userKey == null ? null : s3(Tenancy.basic(f.userKey));
            this.session = f.session == null ? null : s3(Tenancy.session(f.session));
        }

        <T extends AutoCloseable> T track(T c) {
            closeables.add(c);
            return c;
        }

        S3Client s3(AwsCredentials credentials) {
            return track(Clients.builder(endpoint, true)
                    .credentialsProvider(Tenancy.provider(credentials))
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                    .build());
        }

        IamClient iam(AwsCredentials credentials) {
            return track(IamClient.builder()
                    .endpointOverride(URI.create(endpoint))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(Tenancy.provider(credentials))
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                    .httpClientBuilder(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(60)))
                    .build());
        }

        StsClient sts(AwsCredentials credentials) {
            return track(StsClient.builder()
                    .endpointOverride(URI.create(endpoint))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(Tenancy.provider(credentials))
                    .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                    .httpClientBuilder(Apache5HttpClient.builder().socketTimeout(Duration.ofSeconds(60)))
                    .build());
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : closeables) {
                c.close();
            }
        }
    }

    @Test
    void iamStateSurvivesSigkill() throws Exception {
        long started = System.nanoTime();
        Path data = dir.resolve("data");
        Path logs = Path.of("target", "crash-test");
        Files.createDirectories(logs);
        String stamp = Long.toString(System.currentTimeMillis());
        List<Path> logFiles = new ArrayList<>();
        Fixture f = new Fixture();
        f.secrets.put("system root", ArcaTestServer.SECRET_KEY);

        Path firstLog = logs.resolve("iam-crash-" + stamp + "-setup.log");
        logFiles.add(firstLog);
        ChildServer child = ChildServer.start(data, firstLog);
        try {
            Map<String, Object> before;
            try (Conn c = setUp(child.endpoint, f)) {
                checkBehaviour(c, f, "before any kill", "setup");
                before = snapshot(c, f);
                checkSnapshot(before, f);
            }
            for (int round = 1; round <= ROUNDS; round++) {
                String tag = "round " + round;
                AccessKey deleted;
                String late = "late-user-" + round;
                try (Conn c = new Conn(child.endpoint, f)) {
                    // Right before the kill: a key that works, deleted; then a new user. Nothing is read after them.
                    deleted = c.iam.createAccessKey(r -> r.userName(USER)).accessKey();
                    f.secrets.put("deleted key " + deleted.accessKeyId(), deleted.secretAccessKey());
                    S3Client withDeleted = c.s3(Tenancy.basic(deleted));
                    assertThat(Tenancy.get(withDeleted, BUCKET, "u/seed.txt")).as("%s: the new key works", tag).isEqualTo("seed");
                    c.iam.deleteAccessKey(r -> r.userName(USER).accessKeyId(deleted.accessKeyId()));
                    f.deletedKeys.add(deleted);
                    User created = c.iam.createUser(r -> r.userName(late)).user();
                    f.lateUsers.put(late, describe(created));
                }
                child.kill();
                System.out.println("IamCrashTest " + tag + ": SIGKILL right after DeleteAccessKey " + deleted.accessKeyId()
                        + " and CreateUser " + late);
                assertNoSecretInFiles(data, f, tag + ", after SIGKILL");

                Path log = logs.resolve("iam-crash-" + stamp + "-round" + round + ".log");
                logFiles.add(log);
                child = ChildServer.start(data, log);
                System.out.println("IamCrashTest " + tag + ": restart: " + child.recoveryLine);
                try (Conn c = new Conn(child.endpoint, f)) {
                    Map<String, Object> after = snapshot(c, f);
                    // ListUsers: exactly the users from before, in the same order, plus the one created before the kill.
                    @SuppressWarnings("unchecked")
                    List<String> usersBefore = (List<String>) before.get("ListUsers");
                    @SuppressWarnings("unchecked")
                    List<String> usersAfter = (List<String>) after.get("ListUsers");
                    List<String> expectedUsers = new ArrayList<>(usersBefore);
                    expectedUsers.add(f.lateUsers.get(late));
                    assertThat(usersAfter).as("%s: ListUsers after restart", tag).containsExactlyInAnyOrderElementsOf(expectedUsers);
                    assertThat(usersAfter.stream().filter(u -> !u.equals(f.lateUsers.get(late))).toList())
                            .as("%s: ListUsers after restart, without the late user", tag).isEqualTo(usersBefore);
                    for (String k : before.keySet()) {
                        if (!k.equals("ListUsers")) {
                            assertThat(after.get(k)).as("%s, after SIGKILL and restart: %s", tag, k).isEqualTo(before.get(k));
                        }
                    }
                    assertThat(after.keySet()).isEqualTo(before.keySet());
                    checkSnapshot(after, f);
                    checkBehaviour(c, f, tag + ", after SIGKILL and restart", "r" + round);
                    before = snapshot(c, f); // the behaviour checks wrote objects
                }
            }
            child.stopGracefully("after round " + ROUNDS);
        } finally {
            child.close();
        }
        // Flushed and compacted by the clean shutdown: still no secret anywhere.
        assertNoSecretInFiles(data, f, "after the final clean stop");
        Map<String, String> tenantSecrets = new LinkedHashMap<>(f.secrets);
        tenantSecrets.remove("system root"); // given to the server in its environment, not shown by IAM
        for (Path log : logFiles) {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            for (Map.Entry<String, String> s : tenantSecrets.entrySet()) {
                assertThat(text.contains(s.getValue())).as("the secret of %s appears in the server log %s", s.getKey(), log)
                        .isFalse();
            }
        }
        System.out.printf("IamCrashTest: %d SIGKILL rounds, %d secrets checked, %.1f s%n", ROUNDS, f.secrets.size(),
                (System.nanoTime() - started) / 1e9);
    }

    // ---------------------------------------------------------------- set-up

    private static Conn setUp(String endpoint, Fixture f) {
        Map<String, Object> json = ErasureAdmin.object(ErasureAdmin.Json.parse(admin(endpoint, "POST", Tenancy.ACCOUNTS,
                "name=iam-crash-tenant", 200)));
        f.account = new Tenancy.Account((String) json.get("accountId"), (String) json.get("name"), (String) json.get("canonicalId"),
                (String) json.get("accessKeyId"), (String) json.get("secretAccessKey"));
        assertThat(f.account.accountId()).as("accountId in %s", json).matches("[0-9]{12}").isNotEqualTo("000000000000");
        assertThat(f.account.accessKeyId()).as("accessKeyId in %s", json).startsWith("AKIA");
        assertThat(f.account.secretAccessKey()).as("secretAccessKey").isNotBlank();
        f.secrets.put("account root", f.account.secretAccessKey());

        Conn c = new Conn(endpoint, f);
        c.root.createBucket(r -> r.bucket(BUCKET));
        Tenancy.put(c.root, BUCKET, "top.txt", "top");
        Tenancy.put(c.root, BUCKET, "u/seed.txt", "seed");
        Tenancy.put(c.root, BUCKET, "u/locked/l.txt", "locked");
        Tenancy.put(c.root, BUCKET, "u/readonly/r.txt", "read only");
        Tenancy.put(c.root, BUCKET, "r/role.txt", "for the role");

        // The user, her key and her inline policy.
        c.iam.createUser(r -> r.userName(USER));
        f.userKey = c.iam.createAccessKey(r -> r.userName(USER)).accessKey();
        assertThat(f.userKey.secretAccessKey()).isNotBlank();
        f.secrets.put("user " + USER, f.userKey.secretAccessKey());
        c.iam.putUserPolicy(r -> r.userName(USER).policyName("home").policyDocument(INLINE_DOC));
        // A group whose policy denies u/locked/*.
        c.iam.createGroup(r -> r.groupName(GROUP));
        c.iam.putGroupPolicy(r -> r.groupName(GROUP).policyName("deny-locked").policyDocument(GROUP_DOC));
        c.iam.addUserToGroup(r -> r.groupName(GROUP).userName(USER));
        // A managed policy (ListBucket under u/ only), attached to the user.
        f.managedArn = c.iam.createPolicy(r -> r.policyName(MANAGED).policyDocument(MANAGED_DOC)).policy().arn();
        assertThat(f.managedArn).isEqualTo("arn:aws:iam::" + f.account.accountId() + ":policy/" + MANAGED);
        c.iam.attachUserPolicy(r -> r.userName(USER).policyArn(f.managedArn));
        // A role the user may assume, reading r/*.
        f.trustDoc = Tenancy.trust(f.account.userArn(USER));
        String roleArn = c.iam.createRole(r -> r.roleName(ROLE).assumeRolePolicyDocument(f.trustDoc)).role().arn();
        assertThat(roleArn).isEqualTo(f.account.roleArn(ROLE));
        c.iam.putRolePolicy(r -> r.roleName(ROLE).policyName("read-r").policyDocument(ROLE_DOC));
        // The bucket policy: the role may write r/*, the user may not write u/readonly/*.
        f.bucketPolicy = policy(
                principalStatement("Allow", roleArn, List.of("s3:PutObject"), List.of("arn:aws:s3:::" + BUCKET + "/r/*")),
                principalStatement("Deny", f.account.userArn(USER), List.of("s3:PutObject"),
                        List.of("arn:aws:s3:::" + BUCKET + "/u/readonly/*")));
        c.root.putBucketPolicy(r -> r.bucket(BUCKET).policy(f.bucketPolicy));
        // Mixed flags, so that a swapped or lost flag shows.
        f.pab = PublicAccessBlockConfiguration.builder().blockPublicAcls(true).ignorePublicAcls(false).blockPublicPolicy(true)
                .restrictPublicBuckets(false).build();
        c.root.putPublicAccessBlock(r -> r.bucket(BUCKET).publicAccessBlockConfiguration(f.pab));

        // The user assumes the role; the session credentials are kept across the kills.
        StsClient userSts = c.sts(Tenancy.basic(f.userKey));
        f.session = userSts.assumeRole(r -> r.roleArn(roleArn).roleSessionName("before-crash").durationSeconds(3600)).credentials();
        assertThat(f.session.accessKeyId()).startsWith("ASIA");
        assertThat(f.session.sessionToken()).isNotBlank();
        f.secrets.put("STS session " + f.session.accessKeyId(), f.session.secretAccessKey());
        try {
            c.close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return new Conn(endpoint, f);
    }

    // ---------------------------------------------------------------- behaviour

    /** What each key may and may not do; {@code t} makes this call's object names unique. */
    private static void checkBehaviour(Conn c, Fixture f, String tag, String t) {
        // The account root.
        assertThat(c.root.listBuckets().buckets()).as("%s: the root's buckets", tag).extracting(b -> b.name()).contains(BUCKET);
        assertThat(Tenancy.get(c.root, BUCKET, "top.txt")).isEqualTo("top");
        Tenancy.put(c.root, BUCKET, "root-" + t + ".txt", "root " + t);
        assertThat(Tenancy.get(c.root, BUCKET, "root-" + t + ".txt")).isEqualTo("root " + t);
        assertThat(c.iam.getUser(r -> r.userName(USER)).user().arn()).isEqualTo(f.account.userArn(USER));
        GetCallerIdentityResponse rootId = c.sts(f.account.credentials()).getCallerIdentity();
        assertThat(rootId.arn()).as("%s: root identity", tag).isEqualTo(f.account.rootArn());
        // BlockPublicPolicy still refuses a public policy, and the stored one is untouched.
        String publicPolicy = policy(principalStatement("Allow", "*", List.of("s3:GetObject"), List.of("arn:aws:s3:::" + BUCKET + "/*")));
        assertAwsError(() -> c.root.putBucketPolicy(r -> r.bucket(BUCKET).policy(publicPolicy)), 403, "AccessDenied");
        assertThat(c.root.getBucketPolicy(r -> r.bucket(BUCKET)).policy()).isEqualTo(f.bucketPolicy);
        assertAwsError(() -> Tenancy.get(c.s3(null), BUCKET, "top.txt"), 403, "AccessDenied");

        // The user: read and write under u/ only.
        String mine = "u/" + t + ".txt";
        Tenancy.put(c.user, BUCKET, mine, "user " + t);
        assertThat(Tenancy.get(c.user, BUCKET, mine)).as("%s: the user reads back u/", tag).isEqualTo("user " + t);
        assertThat(Tenancy.get(c.root, BUCKET, mine)).isEqualTo("user " + t);
        assertThat(Tenancy.get(c.user, BUCKET, "u/seed.txt")).isEqualTo("seed");
        assertThat(c.user.listObjectsV2(r -> r.bucket(BUCKET).prefix("u/")).contents()).extracting(S3Object::key)
                .as("%s: the managed policy lets the user list u/", tag).contains("u/seed.txt", mine);
        denied(tag, "user lists the whole bucket", () -> c.user.listObjectsV2(r -> r.bucket(BUCKET)));
        denied(tag, "user lists r/", () -> c.user.listObjectsV2(r -> r.bucket(BUCKET).prefix("r/")));
        denied(tag, "user reads top.txt", () -> Tenancy.get(c.user, BUCKET, "top.txt"));
        denied(tag, "user writes outside u/", () -> Tenancy.put(c.user, BUCKET, "top-" + t + ".txt", "planted"));
        assertAwsError(() -> c.root.headObject(r -> r.bucket(BUCKET).key("top-" + t + ".txt")), 404, null);
        denied(tag, "user reads r/", () -> Tenancy.get(c.user, BUCKET, "r/role.txt"));
        denied(tag, "user deletes in u/", () -> c.user.deleteObject(r -> r.bucket(BUCKET).key("u/seed.txt")));
        denied(tag, "user lists buckets", () -> c.user.listBuckets());
        // The group's Deny.
        denied(tag, "user reads u/locked/ (group Deny)", () -> Tenancy.get(c.user, BUCKET, "u/locked/l.txt"));
        denied(tag, "user writes u/locked/ (group Deny)", () -> Tenancy.put(c.user, BUCKET, "u/locked/" + t, "x"));
        // The bucket policy's Deny.
        assertThat(Tenancy.get(c.user, BUCKET, "u/readonly/r.txt")).isEqualTo("read only");
        denied(tag, "user writes u/readonly/ (bucket policy Deny)", () -> Tenancy.put(c.user, BUCKET, "u/readonly/" + t, "x"));
        assertAwsError(() -> c.root.headObject(r -> r.bucket(BUCKET).key("u/readonly/" + t)), 404, null);
        // Her IAM powers: none.
        assertAwsError(() -> c.iam(Tenancy.basic(f.userKey)).createUser(r -> r.userName("by-" + t)), 403, "AccessDenied");
        assertThat(c.sts(Tenancy.basic(f.userKey)).getCallerIdentity().arn()).isEqualTo(f.account.userArn(USER));

        // The STS session issued before the crash: the role's permissions and the bucket policy's grant.
        assertThat(f.session.expiration()).as("%s: the session is still valid", tag).isAfter(Instant.now());
        assertThat(Tenancy.get(c.session, BUCKET, "r/role.txt")).as("%s: the session reads r/", tag).isEqualTo("for the role");
        Tenancy.put(c.session, BUCKET, "r/session-" + t + ".txt", "session " + t);
        assertThat(Tenancy.get(c.root, BUCKET, "r/session-" + t + ".txt")).isEqualTo("session " + t);
        denied(tag, "session reads u/", () -> Tenancy.get(c.session, BUCKET, "u/seed.txt"));
        denied(tag, "session writes u/", () -> Tenancy.put(c.session, BUCKET, "u/session-" + t, "x"));
        denied(tag, "session reads top.txt", () -> Tenancy.get(c.session, BUCKET, "top.txt"));
        GetCallerIdentityResponse sessionId = c.sts(Tenancy.session(f.session)).getCallerIdentity();
        assertThat(sessionId.arn()).isEqualTo("arn:aws:sts::" + f.account.accountId() + ":assumed-role/" + ROLE + "/before-crash");
        assertThat(sessionId.account()).isEqualTo(f.account.accountId());

        // Deleted keys stay deleted; late users exist.
        for (AccessKey k : f.deletedKeys) {
            assertAwsError(() -> Tenancy.get(c.s3(Tenancy.basic(k)), BUCKET, "u/seed.txt"), 403, "InvalidAccessKeyId");
        }
        for (Map.Entry<String, String> u : f.lateUsers.entrySet()) {
            assertThat(describe(c.iam.getUser(r -> r.userName(u.getKey())).user())).as("%s: GetUser %s", tag, u.getKey())
                    .isEqualTo(u.getValue());
        }
    }

    private static void denied(String tag, String what, Runnable call) {
        try {
            assertAwsError(call::run, 403, "AccessDenied");
        } catch (AssertionError e) {
            throw new AssertionError(tag + ": " + what + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- snapshots

    /** Everything the account's root (and the system root) can observe about the IAM and bucket state. */
    private static Map<String, Object> snapshot(Conn c, Fixture f) {
        Map<String, Object> s = new LinkedHashMap<>();
        IamClient iam = c.iam;
        s.put("ListUsers", iam.listUsers().users().stream().map(IamCrashTest::describe).toList());
        s.put("GetUser", describe(iam.getUser(r -> r.userName(USER)).user()));
        s.put("ListAccessKeys user", iam.listAccessKeys(r -> r.userName(USER)).accessKeyMetadata().toString());
        s.put("ListAccessKeys root", iam.listAccessKeys().accessKeyMetadata().toString());
        s.put("ListUserPolicies", iam.listUserPolicies(r -> r.userName(USER)).policyNames());
        s.put("GetUserPolicy", iam.getUserPolicy(r -> r.userName(USER).policyName("home")).toString());
        s.put("ListAttachedUserPolicies", iam.listAttachedUserPolicies(r -> r.userName(USER)).attachedPolicies().toString());
        s.put("ListGroupsForUser", iam.listGroupsForUser(r -> r.userName(USER)).groups().toString());
        s.put("ListGroups", iam.listGroups().groups().toString());
        s.put("GetGroup", iam.getGroup(r -> r.groupName(GROUP)).toString());
        s.put("ListGroupPolicies", iam.listGroupPolicies(r -> r.groupName(GROUP)).policyNames());
        s.put("GetGroupPolicy", iam.getGroupPolicy(r -> r.groupName(GROUP).policyName("deny-locked")).toString());
        s.put("ListPolicies", iam.listPolicies(r -> r.scope(PolicyScopeType.LOCAL)).policies().toString());
        s.put("GetPolicy", iam.getPolicy(r -> r.policyArn(f.managedArn)).policy().toString());
        String version = iam.getPolicy(r -> r.policyArn(f.managedArn)).policy().defaultVersionId();
        s.put("GetPolicyVersion", iam.getPolicyVersion(r -> r.policyArn(f.managedArn).versionId(version)).policyVersion().toString());
        s.put("GetRole", iam.getRole(r -> r.roleName(ROLE)).role().toString());
        s.put("ListRoles", iam.listRoles().roles().toString());
        s.put("ListRolePolicies", iam.listRolePolicies(r -> r.roleName(ROLE)).policyNames());
        s.put("GetRolePolicy", iam.getRolePolicy(r -> r.roleName(ROLE).policyName("read-r")).toString());
        s.put("GetBucketPolicy", c.root.getBucketPolicy(r -> r.bucket(BUCKET)).policy());
        s.put("GetBucketPolicyStatus", c.root.getBucketPolicyStatus(r -> r.bucket(BUCKET)).policyStatus().toString());
        s.put("GetPublicAccessBlock", c.root.getPublicAccessBlock(r -> r.bucket(BUCKET)).publicAccessBlockConfiguration());
        s.put("ListBuckets", c.root.listBuckets().buckets().toString());
        s.put("ListObjectsV2", c.root.listObjectsV2(r -> r.bucket(BUCKET)).contents().stream()
                .map(o -> o.key() + " " + o.size() + " " + o.eTag() + " " + o.lastModified()).toList());
        s.put("GetCallerIdentity user", c.sts(Tenancy.basic(f.userKey)).getCallerIdentity().toString());
        s.put("GetCallerIdentity session", c.sts(Tenancy.session(f.session)).getCallerIdentity().toString());
        s.put("admin accounts", admin(c.endpoint, "GET", Tenancy.ACCOUNTS, "", 200));
        return s;
    }

    /** The snapshot holds what was written, so that comparing two of them is not vacuous. */
    private static void checkSnapshot(Map<String, Object> s, Fixture f) {
        @SuppressWarnings("unchecked")
        List<String> users = (List<String>) s.get("ListUsers");
        assertThat(users).anySatisfy(u -> assertThat(u).contains("UserName=" + USER + ","));
        assertThat((String) s.get("ListAccessKeys user")).contains(f.userKey.accessKeyId()).contains("Status=Active");
        for (AccessKey k : f.deletedKeys) {
            assertThat((String) s.get("ListAccessKeys user")).doesNotContain(k.accessKeyId());
        }
        assertThat((String) s.get("ListAccessKeys root")).contains(f.account.accessKeyId());
        assertThat(s.get("ListUserPolicies")).isEqualTo(List.of("home"));
        assertSameJson(documentOf((String) s.get("GetUserPolicy"), "PolicyDocument"), INLINE_DOC, "GetUserPolicy");
        assertThat((String) s.get("ListAttachedUserPolicies")).contains("PolicyArn=" + f.managedArn);
        assertThat((String) s.get("ListGroupsForUser")).contains("GroupName=" + GROUP + ",");
        assertThat((String) s.get("GetGroup")).contains("UserName=" + USER + ",");
        assertThat(s.get("ListGroupPolicies")).isEqualTo(List.of("deny-locked"));
        assertSameJson(documentOf((String) s.get("GetGroupPolicy"), "PolicyDocument"), GROUP_DOC, "GetGroupPolicy");
        assertThat((String) s.get("GetPolicy")).contains("AttachmentCount=1");
        assertSameJson(documentOf((String) s.get("GetPolicyVersion"), "Document"), MANAGED_DOC, "GetPolicyVersion");
        assertSameJson(documentOf((String) s.get("GetRole"), "AssumeRolePolicyDocument"), f.trustDoc, "GetRole trust policy");
        assertThat(s.get("ListRolePolicies")).isEqualTo(List.of("read-r"));
        assertSameJson(documentOf((String) s.get("GetRolePolicy"), "PolicyDocument"), ROLE_DOC, "GetRolePolicy");
        assertSameJson((String) s.get("GetBucketPolicy"), f.bucketPolicy, "GetBucketPolicy");
        assertThat((String) s.get("GetBucketPolicyStatus")).contains("IsPublic=false");
        assertThat(s.get("GetPublicAccessBlock")).isEqualTo(f.pab);
        assertThat((String) s.get("GetCallerIdentity session")).contains("assumed-role/" + ROLE + "/before-crash");
        assertThat((String) s.get("admin accounts")).contains(f.account.accountId()).contains("iam-crash-tenant");
    }

    /** A document field of an SDK toString(), URL-decoded as IAM returns documents. */
    private static String documentOf(String described, String field) {
        int start = described.indexOf(field + "=");
        assertThat(start).as("%s in %s", field, described).isNotNegative();
        start += field.length() + 1;
        int end = described.indexOf(", ", start);
        int close = described.lastIndexOf(')');
        String value = described.substring(start, end < 0 ? close : Math.min(end, close));
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }

    private static void assertSameJson(String actual, String expected, String what) {
        assertThat(ErasureAdmin.Json.parse(actual)).as("%s: %s", what, actual).isEqualTo(ErasureAdmin.Json.parse(expected));
    }

    private static String describe(User u) {
        return "UserName=" + u.userName() + ", Path=" + u.path() + ", UserId=" + u.userId() + ", Arn=" + u.arn() + ", CreateDate="
                + u.createDate();
    }

    // ---------------------------------------------------------------- admin API and files

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A request to the admin API signed with the system root's key; asserts the status, returns the body. */
    private static String admin(String endpoint, String method, String path, String query, int expectedStatus) {
        URI uri = URI.create(endpoint + path + (query.isEmpty() ? "" : "?" + query));
        SigV4Signer signer = new SigV4Signer(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY, ArcaTestServer.REGION);
        Headers headers = new Headers().set("host", uri.getHost() + ":" + uri.getPort());
        SigV4Signer.SignedRequest signed = signer.sign(method, path, query, headers, SigV4Signer.sha256Hex(new byte[0]), Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (Map.Entry<String, List<String>> e : signed.headers().asMap().entrySet()) {
            if (!e.getKey().equalsIgnoreCase("host")) { // the client sends the same Host itself
                for (String v : e.getValue()) {
                    b.header(e.getKey(), v);
                }
            }
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as("%s %s: %s", method, uri, r.body()).isEqualTo(expectedStatus);
            assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("application/json");
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Reads every file under {@code data} (RocksDB WAL, SST and MANIFEST files of iam/ and meta/, the
     * drives, the master key) and asserts that no secret occurs in it as plain text. A control: the
     * user's access key id (not secret) is found in plain text under iam/, so the scan does see what
     * the identity store writes.
     */
    private static void assertNoSecretInFiles(Path data, Fixture f, String tag) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).as("%s: files under iam/", tag).anySatisfy(p -> assertThat(p.startsWith(data.resolve("iam"))).isTrue());
        assertThat(files).as("%s: files under meta/", tag).anySatisfy(p -> assertThat(p.startsWith(data.resolve("meta"))).isTrue());
        assertThat(files).as("%s: the master key", tag).contains(data.resolve("iam-master.key"));
        byte[] control = f.userKey.accessKeyId().getBytes(StandardCharsets.UTF_8);
        List<String> found = new ArrayList<>();
        List<String> controlSeen = new ArrayList<>();
        long bytesRead = 0;
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            bytesRead += content.length;
            for (Map.Entry<String, String> s : f.secrets.entrySet()) {
                if (indexOf(content, s.getValue().getBytes(StandardCharsets.UTF_8)) >= 0) {
                    found.add(s.getKey() + " in " + data.relativize(file));
                }
            }
            if (file.startsWith(data.resolve("iam")) && indexOf(content, control) >= 0) {
                controlSeen.add(data.relativize(file).toString());
            }
        }
        assertThat(found).as("%s: secrets in plain text under %s (%d files, %d bytes)", tag, data, files.size(), bytesRead).isEmpty();
        assertThat(controlSeen).as("%s: control: the user's access key id in plain text in some file under iam/", tag).isNotEmpty();
        System.out.println("IamCrashTest " + tag + ": " + f.secrets.size() + " secrets absent from " + files.size() + " files ("
                + bytesRead + " bytes); key id found in " + controlSeen);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
