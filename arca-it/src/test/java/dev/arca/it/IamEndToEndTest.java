package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.assertAwsError;
import static dev.arca.it.Tenancy.deny;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.it.AwsCliTest.CliResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.iam.model.StatusType;
import software.amazon.awssdk.services.iam.model.User;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Issue 4, "must show" 3: the real AWS SDK v2 IAM and S3 clients (and the AWS CLI v2 when
 * installed) drive account → user → key → policy, and the user can read and write only her
 * prefix. Also: explicit Deny wins, group policies, key deactivation/rotation/deletion, policy
 * variables, IAM error codes, and the accounts admin API being the system root's alone.
 */
class IamEndToEndTest {
    @TempDir
    static Path tmp;

    static ArcaTestServer server;
    static Tenancy.Account account;
    static S3Client root;
    static IamClient iam;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(tmp.resolve("data"));
        account = Tenancy.createAccount(server, "e2e-tenant");
        root = track(Tenancy.s3(server, account.credentials()));
        iam = track(Tenancy.iam(server, account.credentials()));
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

    /** Creates a user with an access key and returns an S3 client signed with that key. */
    static S3Client userClient(String user) {
        iam.createUser(r -> r.userName(user));
        AccessKey key = iam.createAccessKey(r -> r.userName(user)).accessKey();
        return track(Tenancy.s3(server, Tenancy.basic(key)));
    }

    static void assertDenied(Runnable call) {
        assertAwsError(call::run, 403, "AccessDenied");
    }

    static List<String> keys(S3Client s3, String bucket, String prefix) {
        return s3.listObjectsV2(r -> r.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    @Test
    void aUsersPolicyConfinesHerToHerPrefix() {
        String bucket = "e2e";
        root.createBucket(r -> r.bucket(bucket));
        Tenancy.put(root, bucket, "bob/secret.txt", "bob's secret");
        Tenancy.put(root, bucket, "top.txt", "top");

        User alice = iam.createUser(r -> r.userName("alice")).user();
        assertThat(alice.arn()).isEqualTo(account.userArn("alice"));
        assertThat(alice.userName()).isEqualTo("alice");
        AccessKey key = iam.createAccessKey(r -> r.userName("alice")).accessKey();
        assertThat(key.accessKeyId()).startsWith("AKIA");
        assertThat(key.secretAccessKey()).isNotBlank();
        assertThat(key.statusAsString()).isEqualTo("Active");
        String policyArn = iam.createPolicy(r -> r.policyName("alice-prefix").policyDocument(policy(
                statement("Allow", List.of("s3:GetObject", "s3:PutObject"), List.of("arn:aws:s3:::" + bucket + "/alice/*")),
                "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\","
                        + "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"alice/*\"}}}"))).policy().arn();
        assertThat(policyArn).isEqualTo("arn:aws:iam::" + account.accountId() + ":policy/alice-prefix");
        iam.attachUserPolicy(r -> r.userName("alice").policyArn(policyArn));
        assertThat(iam.listUsers().users()).extracting(User::userName).contains("alice");
        assertThat(iam.getUser(r -> r.userName("alice")).user().arn()).isEqualTo(account.userArn("alice"));

        S3Client s3 = track(Tenancy.s3(server, Tenancy.basic(key)));
        // Her prefix: write, read, list with the prefix.
        Tenancy.put(s3, bucket, "alice/notes.txt", "alice's notes");
        assertThat(Tenancy.get(s3, bucket, "alice/notes.txt")).isEqualTo("alice's notes");
        assertThat(keys(s3, bucket, "alice/")).containsExactly("alice/notes.txt");
        assertThat(Tenancy.get(root, bucket, "alice/notes.txt")).as("the owner sees what she wrote").isEqualTo("alice's notes");

        // Everything else: refused, and nothing changes.
        assertDenied(() -> Tenancy.get(s3, bucket, "bob/secret.txt"));
        assertDenied(() -> Tenancy.put(s3, bucket, "bob/planted.txt", "planted"));
        assertAwsError(() -> root.headObject(r -> r.bucket(bucket).key("bob/planted.txt")), 404, null);
        assertDenied(() -> Tenancy.get(s3, bucket, "top.txt"));
        assertDenied(() -> s3.listObjectsV2(r -> r.bucket(bucket)));
        assertDenied(() -> s3.listObjectsV2(r -> r.bucket(bucket).prefix("bob/")));
        assertDenied(() -> s3.listObjects(r -> r.bucket(bucket).prefix("bob/")));
        assertDenied(() -> s3.deleteObject(r -> r.bucket(bucket).key("alice/notes.txt")));
        assertDenied(() -> s3.deleteBucket(r -> r.bucket(bucket)));
        assertDenied(() -> s3.listBuckets());
        assertDenied(() -> s3.createBucket(r -> r.bucket("alice-own-bucket")));
        assertThat(Tenancy.get(root, bucket, "alice/notes.txt")).isEqualTo("alice's notes");
        assertThat(Tenancy.get(root, bucket, "bob/secret.txt")).isEqualTo("bob's secret");
        root.headBucket(r -> r.bucket(bucket));

        // An explicit Deny added later wins over the Allow on alice/*.
        Tenancy.put(root, bucket, "alice/secret-plan.txt", "not for alice");
        assertThat(Tenancy.get(s3, bucket, "alice/secret-plan.txt")).isEqualTo("not for alice");
        iam.putUserPolicy(r -> r.userName("alice").policyName("deny-secrets")
                .policyDocument(policy(deny("s3:GetObject", "arn:aws:s3:::" + bucket + "/alice/secret*"))));
        assertDenied(() -> Tenancy.get(s3, bucket, "alice/secret-plan.txt"));
        assertThat(Tenancy.get(s3, bucket, "alice/notes.txt")).as("the Deny covers only alice/secret*").isEqualTo("alice's notes");
        // Removing the Deny restores the Allow.
        iam.deleteUserPolicy(r -> r.userName("alice").policyName("deny-secrets"));
        assertThat(Tenancy.get(s3, bucket, "alice/secret-plan.txt")).isEqualTo("not for alice");
        // Detaching the managed policy removes her access.
        iam.detachUserPolicy(r -> r.userName("alice").policyArn(policyArn));
        assertDenied(() -> Tenancy.get(s3, bucket, "alice/notes.txt"));
    }

    @Test
    void aGroupPolicyGrantsThroughMembership() {
        String bucket = "e2e-group";
        root.createBucket(r -> r.bucket(bucket));
        Tenancy.put(root, bucket, "report.txt", "quarterly");
        S3Client carol = userClient("carol");
        assertDenied(() -> Tenancy.get(carol, bucket, "report.txt"));

        iam.createGroup(r -> r.groupName("readers"));
        iam.putGroupPolicy(r -> r.groupName("readers").policyName("read")
                .policyDocument(policy(allow("s3:GetObject", "arn:aws:s3:::" + bucket + "/*"))));
        assertDenied(() -> Tenancy.get(carol, bucket, "report.txt"));
        iam.addUserToGroup(r -> r.groupName("readers").userName("carol"));
        assertThat(Tenancy.get(carol, bucket, "report.txt")).isEqualTo("quarterly");
        assertDenied(() -> Tenancy.put(carol, bucket, "report.txt", "defaced"));
        assertThat(Tenancy.get(root, bucket, "report.txt")).isEqualTo("quarterly");

        // A Deny in a group policy beats the user's own Allow.
        iam.putUserPolicy(r -> r.userName("carol").policyName("write")
                .policyDocument(policy(allow("s3:PutObject", "arn:aws:s3:::" + bucket + "/*"))));
        Tenancy.put(carol, bucket, "carol.txt", "mine");
        iam.putGroupPolicy(r -> r.groupName("readers").policyName("no-writes")
                .policyDocument(policy(deny("s3:PutObject", "*"))));
        assertDenied(() -> Tenancy.put(carol, bucket, "carol.txt", "again"));
        assertThat(Tenancy.get(root, bucket, "carol.txt")).isEqualTo("mine");

        iam.removeUserFromGroup(r -> r.groupName("readers").userName("carol"));
        assertDenied(() -> Tenancy.get(carol, bucket, "report.txt"));
        Tenancy.put(carol, bucket, "carol.txt", "again");
    }

    @Test
    void keysCanBeDeactivatedRotatedAndDeleted() {
        String bucket = "e2e-keys";
        root.createBucket(r -> r.bucket(bucket));
        Tenancy.put(root, bucket, "k", "value");
        iam.createUser(r -> r.userName("dave"));
        iam.putUserPolicy(r -> r.userName("dave").policyName("read")
                .policyDocument(policy(allow("s3:GetObject", "arn:aws:s3:::" + bucket + "/*"))));
        AccessKey first = iam.createAccessKey(r -> r.userName("dave")).accessKey();
        S3Client s3 = track(Tenancy.s3(server, Tenancy.basic(first)));
        assertThat(Tenancy.get(s3, bucket, "k")).isEqualTo("value");

        iam.updateAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()).status(StatusType.INACTIVE));
        assertAwsError(() -> Tenancy.get(s3, bucket, "k"), 403, "InvalidAccessKeyId");
        assertThat(iam.listAccessKeys(r -> r.userName("dave")).accessKeyMetadata())
                .anySatisfy(m -> {
                    assertThat(m.accessKeyId()).isEqualTo(first.accessKeyId());
                    assertThat(m.statusAsString()).isEqualTo("Inactive");
                });
        iam.updateAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()).status(StatusType.ACTIVE));
        assertThat(Tenancy.get(s3, bucket, "k")).isEqualTo("value");

        // Rotation: a second key works alongside the first; then the first is deleted.
        AccessKey second = iam.createAccessKey(r -> r.userName("dave")).accessKey();
        assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
        S3Client s3b = track(Tenancy.s3(server, Tenancy.basic(second)));
        assertThat(Tenancy.get(s3b, bucket, "k")).isEqualTo("value");
        iam.deleteAccessKey(r -> r.userName("dave").accessKeyId(first.accessKeyId()));
        assertAwsError(() -> Tenancy.get(s3, bucket, "k"), 403, "InvalidAccessKeyId");
        assertThat(Tenancy.get(s3b, bucket, "k")).isEqualTo("value");
        assertThat(iam.listAccessKeys(r -> r.userName("dave")).accessKeyMetadata())
                .extracting(m -> m.accessKeyId()).containsExactly(second.accessKeyId());
        // The secret is shown once: listing never carries it (the SDK model has no field for it), and a
        // wrong secret for a live key is a signature mismatch.
        S3Client wrongSecret = track(Tenancy.s3(server, Tenancy.basic(second.accessKeyId(), second.secretAccessKey() + "x")));
        assertAwsError(() -> Tenancy.get(wrongSecret, bucket, "k"), 403, "SignatureDoesNotMatch");
    }

    @Test
    void policyVariablesResolveToTheCallingUser() {
        String bucket = "e2e-vars";
        root.createBucket(r -> r.bucket(bucket));
        String arn = iam.createPolicy(r -> r.policyName("home-dirs").policyDocument(policy(
                statement("Allow", List.of("s3:GetObject", "s3:PutObject"), List.of("arn:aws:s3:::" + bucket + "/${aws:username}/*")),
                "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\","
                        + "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"${aws:username}/*\"}}}"))).policy().arn();
        Map<String, S3Client> users = Map.of("erin", userClient("erin"), "frank", userClient("frank"));
        for (String user : users.keySet()) {
            iam.attachUserPolicy(r -> r.userName(user).policyArn(arn));
        }
        for (var e : users.entrySet()) {
            String me = e.getKey();
            String other = me.equals("erin") ? "frank" : "erin";
            S3Client s3 = e.getValue();
            Tenancy.put(s3, bucket, me + "/file.txt", "by " + me);
            assertThat(Tenancy.get(s3, bucket, me + "/file.txt")).isEqualTo("by " + me);
            assertThat(keys(s3, bucket, me + "/")).containsExactly(me + "/file.txt");
            assertDenied(() -> Tenancy.put(s3, bucket, other + "/planted.txt", "by " + me));
            assertDenied(() -> s3.listObjectsV2(r -> r.bucket(bucket).prefix(other + "/")));
            // The literal text of the variable is no path either.
            assertDenied(() -> Tenancy.put(s3, bucket, "${aws:username}/x", "literal"));
        }
        for (String user : users.keySet()) {
            String other = user.equals("erin") ? "frank" : "erin";
            assertDenied(() -> Tenancy.get(users.get(user), bucket, other + "/file.txt"));
        }
        assertThat(keys(root, bucket, "")).containsExactlyInAnyOrder("erin/file.txt", "frank/file.txt");
    }

    @Test
    void iamErrorsUseAwsCodes() {
        iam.createUser(r -> r.userName("gina"));
        assertAwsError(() -> iam.createUser(r -> r.userName("gina")), 409, "EntityAlreadyExists");
        assertAwsError(() -> iam.getUser(r -> r.userName("no-such-user")), 404, "NoSuchEntity");
        assertAwsError(() -> iam.createAccessKey(r -> r.userName("no-such-user")), 404, "NoSuchEntity");
        assertAwsError(() -> iam.putUserPolicy(r -> r.userName("gina").policyName("bad")
                .policyDocument("{\"Version\":\"2012-10-17\",\"Statement\":[")), 400, "MalformedPolicyDocument");
        assertAwsError(() -> iam.putUserPolicy(r -> r.userName("gina").policyName("bad")
                .policyDocument(policy(allow("s3:Fly", "*")))), 400, "MalformedPolicyDocument");
        assertAwsError(() -> iam.createPolicy(r -> r.policyName("bad").policyDocument("not json")), 400,
                "MalformedPolicyDocument");
        assertAwsError(() -> iam.attachUserPolicy(r -> r.userName("gina")
                .policyArn("arn:aws:iam::" + account.accountId() + ":policy/no-such-policy")), 404, "NoSuchEntity");
        assertThat(iam.listUserPolicies(r -> r.userName("gina")).policyNames()).as("nothing stored").isEmpty();

        // An IAM user without IAM permissions may not administer IAM.
        AccessKey key = iam.createAccessKey(r -> r.userName("gina")).accessKey();
        IamClient gina = track(Tenancy.iam(server, Tenancy.basic(key)));
        assertAwsError(() -> gina.createUser(r -> r.userName("ginas-friend")), 403, "AccessDenied");
        assertAwsError(() -> gina.putUserPolicy(r -> r.userName("gina").policyName("self-grant")
                .policyDocument(policy(allow("*", "*")))), 403, "AccessDenied");
        assertAwsError(() -> iam.getUser(r -> r.userName("ginas-friend")), 404, "NoSuchEntity");
        assertThat(iam.listUserPolicies(r -> r.userName("gina")).policyNames()).isEmpty();
        // Anonymous IAM calls are refused.
        IamClient anonymous = track(Tenancy.iam(server, null));
        assertThat(catchStatus(() -> anonymous.listUsers())).as("anonymous ListUsers").isBetween(400, 499);
    }

    static int catchStatus(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
            return e.statusCode();
        }
    }

    @Test
    void theAccountsApiIsTheSystemRootsAlone() {
        ErasureAdmin admin = new ErasureAdmin(server);
        Tenancy.Account temp = Tenancy.createAccount(server, "e2e-temp");
        RawS3.Response list = admin.send("GET", Tenancy.ACCOUNTS, "").assertStatus(200);
        assertThat(list.header("content-type")).startsWith("application/json");
        List<Object> accounts = accountList(ErasureAdmin.Json.parse(list.text()));
        assertThat(accounts).extracting(o -> ErasureAdmin.object(o).get("accountId"))
                .contains(account.accountId(), temp.accountId());
        assertThat(list.text()).as("the list never shows secrets").doesNotContain(account.secretAccessKey())
                .doesNotContain(temp.secretAccessKey());

        // Neither an account's root, nor its users, nor anonymous callers may use it.
        RawS3 accountRoot = new RawS3(server, account.accessKeyId(), account.secretAccessKey());
        accountRoot.signed("POST", Tenancy.ACCOUNTS, "name=sneaky", accountRoot.headers(), new byte[0]).assertError(403, "AccessDenied");
        accountRoot.signed("GET", Tenancy.ACCOUNTS, "", accountRoot.headers(), new byte[0]).assertError(403, "AccessDenied");
        accountRoot.signed("DELETE", Tenancy.ACCOUNTS, "id=" + temp.accountId(), accountRoot.headers(), new byte[0])
                .assertError(403, "AccessDenied");
        admin.unsigned("POST", Tenancy.ACCOUNTS, "name=anon").assertError(403, "AccessDenied");
        admin.unsigned("GET", Tenancy.ACCOUNTS, "").assertError(403, "AccessDenied");
        iam.createUser(r -> r.userName("henry"));
        iam.putUserPolicy(r -> r.userName("henry").policyName("all").policyDocument(policy(allow("*", "*"))));
        AccessKey henry = iam.createAccessKey(r -> r.userName("henry")).accessKey();
        RawS3 user = new RawS3(server, henry.accessKeyId(), henry.secretAccessKey());
        user.signed("POST", Tenancy.ACCOUNTS, "name=sneaky", user.headers(), new byte[0]).assertError(403, "AccessDenied");
        user.signed("GET", Tenancy.ACCOUNTS, "", user.headers(), new byte[0]).assertError(403, "AccessDenied");
        assertThat(accountList(ErasureAdmin.Json.parse(admin.send("GET", Tenancy.ACCOUNTS, "").assertStatus(200).text())))
                .extracting(o -> ErasureAdmin.object(o).get("name")).doesNotContain("sneaky", "anon");

        // The system root deletes the (empty) account; its key stops working.
        S3Client tempS3 = track(Tenancy.s3(server, temp.credentials()));
        tempS3.listBuckets();
        RawS3.Response deleted = admin.send("DELETE", Tenancy.ACCOUNTS, "id=" + temp.accountId());
        assertThat(deleted.status()).as("DELETE account: %s", deleted.text()).isIn(200, 204);
        assertThat(accountList(ErasureAdmin.Json.parse(admin.send("GET", Tenancy.ACCOUNTS, "").assertStatus(200).text())))
                .extracting(o -> ErasureAdmin.object(o).get("accountId")).doesNotContain(temp.accountId());
        assertAwsError(() -> tempS3.listBuckets(), 403, "InvalidAccessKeyId");
    }

    /** GET /_arca/admin/accounts: a JSON array of accounts, or an object with an "accounts" array. */
    static List<Object> accountList(Object json) {
        if (json instanceof Map<?, ?> m && m.containsKey("accounts")) {
            return ErasureAdmin.list(m.get("accounts"));
        }
        return ErasureAdmin.list(json);
    }

    // ---------------------------------------------------------------- the AWS CLI

    @Test
    void theAwsCliDrivesTheSameFlow() throws Exception {
        AwsCliTest.requireTool(Files.isExecutable(AwsCliTest.AWS), "ARCA_REQUIRE_AWSCLI",
                "the AWS CLI v2 at " + AwsCliTest.AWS + " (Debian package awscli)");
        Path home = Files.createDirectories(tmp.resolve("cli-home"));
        Path policyFile = home.resolve("policy.json");
        String bucket = "e2e-cli";
        root.createBucket(r -> r.bucket(bucket));
        Tenancy.put(root, bucket, "other/secret.txt", "not for cli-alice");
        Files.writeString(policyFile, policy(
                statement("Allow", List.of("s3:GetObject", "s3:PutObject"), List.of("arn:aws:s3:::" + bucket + "/cli-alice/*")),
                "{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::" + bucket + "\","
                        + "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"cli-alice/*\"}}}"));
        Map<String, String> asRoot = Map.of("AWS_ACCESS_KEY_ID", account.accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", account.secretAccessKey());

        CliResult created = cli(home, asRoot, "iam", "create-user", "--user-name", "cli-alice");
        assertThat(AwsCliTest.jsonString(created.stdout(), "Arn")).isEqualTo(account.userArn("cli-alice"));
        CliResult key = cli(home, asRoot, "iam", "create-access-key", "--user-name", "cli-alice");
        String keyId = AwsCliTest.jsonString(key.stdout(), "AccessKeyId");
        String secret = AwsCliTest.jsonString(key.stdout(), "SecretAccessKey");
        assertThat(keyId).startsWith("AKIA");
        cli(home, asRoot, "iam", "put-user-policy", "--user-name", "cli-alice", "--policy-name", "prefix",
                "--policy-document", "file://" + policyFile);
        assertThat(cli(home, asRoot, "iam", "list-users").stdout()).contains("\"cli-alice\"");
        assertThat(cli(home, asRoot, "iam", "get-user-policy", "--user-name", "cli-alice", "--policy-name", "prefix").stdout())
                .contains("cli-alice/*");

        Map<String, String> asAlice = Map.of("AWS_ACCESS_KEY_ID", keyId, "AWS_SECRET_ACCESS_KEY", secret);
        Path upload = home.resolve("up.txt");
        Files.writeString(upload, "written by the cli");
        cli(home, asAlice, "s3api", "put-object", "--bucket", bucket, "--key", "cli-alice/up.txt", "--body", upload.toString());
        Path down = home.resolve("down.txt");
        cli(home, asAlice, "s3api", "get-object", "--bucket", bucket, "--key", "cli-alice/up.txt", down.toString());
        assertThat(Files.readString(down)).isEqualTo("written by the cli");
        assertThat(cli(home, asAlice, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "cli-alice/").stdout())
                .contains("cli-alice/up.txt").doesNotContain("other/secret.txt");

        for (String[] refused : List.of(
                new String[] {"s3api", "get-object", "--bucket", bucket, "--key", "other/secret.txt", home.resolve("x").toString()},
                new String[] {"s3api", "put-object", "--bucket", bucket, "--key", "other/planted.txt", "--body", upload.toString()},
                new String[] {"s3api", "list-objects-v2", "--bucket", bucket},
                new String[] {"s3api", "delete-bucket", "--bucket", bucket},
                new String[] {"iam", "create-user", "--user-name", "cli-mallory"})) {
            CliResult r = cliMayFail(home, asAlice, refused);
            assertThat(r.rc()).as("%s", r).isNotZero();
            assertThat(r.stderr()).as("%s", r).contains("AccessDenied");
        }
        assertAwsError(() -> root.headObject(r -> r.bucket(bucket).key("other/planted.txt")), 404, null);
        assertThat(Tenancy.get(root, bucket, "cli-alice/up.txt")).isEqualTo("written by the cli");

        cli(home, asRoot, "iam", "update-access-key", "--user-name", "cli-alice", "--access-key-id", keyId, "--status", "Inactive");
        CliResult inactive = cliMayFail(home, asAlice, "s3api", "get-object", "--bucket", bucket, "--key", "cli-alice/up.txt",
                home.resolve("y").toString());
        assertThat(inactive.rc()).as("%s", inactive).isNotZero();
        assertThat(inactive.stderr()).as("%s", inactive).contains("InvalidAccessKeyId");
    }

    static CliResult cli(Path home, Map<String, String> env, String... args) throws IOException, InterruptedException {
        CliResult r = cliMayFail(home, env, args);
        assertThat(r.rc()).as("%s", r).isZero();
        return r;
    }

    /** /usr/bin/aws with a private HOME, these credentials and nothing from this machine's AWS or Python setup. */
    static CliResult cliMayFail(Path home, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(AwsCliTest.AWS.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", server.endpoint(), "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PYTHON") || k.startsWith("BOTO"));
        e.put("HOME", home.toString());
        e.put("AWS_CONFIG_FILE", home.resolve("aws-config").toString());
        e.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("aws-credentials").toString());
        e.put("AWS_DEFAULT_REGION", ArcaTestServer.REGION);
        e.put("AWS_EC2_METADATA_DISABLED", "true");
        e.put("AWS_PAGER", "");
        e.put("AWS_MAX_ATTEMPTS", "1");
        e.put("PYTHONNOUSERSITE", "1");
        e.put("LC_ALL", "C.UTF-8");
        e.putAll(env);
        return AwsCliTest.runProcess(pb, home);
    }
}
