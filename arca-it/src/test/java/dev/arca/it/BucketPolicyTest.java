package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.assertAwsError;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.principalStatement;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
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
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Bucket policies and public access blocks with the real SDK v2: cross-account grants (both sides
 * needed), anonymous access through Principal "*", GetBucketPolicyStatus, BlockPublicPolicy and
 * RestrictPublicBuckets, explicit Deny, refusal of bad policies with nothing stored ("must show" 4),
 * global bucket names and per-account bucket listings.
 */
class BucketPolicyTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static Tenancy.Account a;
    static Tenancy.Account b;
    static S3Client rootA;
    static S3Client rootB;
    static IamClient iamA;
    static IamClient iamB;
    static RawS3 anonymous;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(dir.resolve("data"));
        a = Tenancy.createAccount(server, "bp-tenant-a");
        b = Tenancy.createAccount(server, "bp-tenant-b");
        rootA = track(Tenancy.s3(server, a.credentials()));
        rootB = track(Tenancy.s3(server, b.credentials()));
        iamA = track(Tenancy.iam(server, a.credentials()));
        iamB = track(Tenancy.iam(server, b.credentials()));
        anonymous = new RawS3(server);
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

    static S3Client user(IamClient iam, String name, String... statements) {
        iam.createUser(r -> r.userName(name));
        if (statements.length > 0) {
            iam.putUserPolicy(r -> r.userName(name).policyName("identity").policyDocument(policy(statements)));
        }
        AccessKey key = iam.createAccessKey(r -> r.userName(name)).accessKey();
        return track(Tenancy.s3(server, Tenancy.basic(key)));
    }

    static void assertDenied(Runnable call) {
        assertAwsError(call::run, 403, "AccessDenied");
    }

    static RawS3.Response unsigned(String method, String target, byte[] body) {
        return anonymous.send(method, target, anonymous.headers(), body);
    }

    static String bucketPolicy(String bucket, String... statements) {
        return policy(statements);
    }

    static String readAll(String bucket, String principal) {
        return principalStatement("Allow", principal, List.of("s3:GetObject"), List.of("arn:aws:s3:::" + bucket + "/*"));
    }

    static boolean isPublic(S3Client s3, String bucket) {
        return s3.getBucketPolicyStatus(r -> r.bucket(bucket)).policyStatus().isPublic();
    }

    /** The bucket's policy as parsed JSON (so that whitespace does not matter). */
    static Object storedPolicy(String bucket) {
        return ErasureAdmin.Json.parse(rootA.getBucketPolicy(r -> r.bucket(bucket)).policy());
    }

    // ---------------------------------------------------------------- cross-account

    @Test
    void crossAccountAccessNeedsTheBucketPolicyAndTheCallersIdentityPolicy() {
        String bucket = "bp-cross";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "data.txt", "A's data");
        S3Client bob = user(iamB, "bob", allow("s3:*", "*"));
        S3Client ben = user(iamB, "ben");
        bob.createBucket(r -> r.bucket("bp-b-own"));

        assertDenied(() -> Tenancy.get(bob, bucket, "data.txt"));
        assertDenied(() -> Tenancy.get(rootB, bucket, "data.txt"));
        assertDenied(() -> bob.copyObject(r -> r.sourceBucket(bucket).sourceKey("data.txt")
                .destinationBucket("bp-b-own").destinationKey("stolen.txt")));
        assertThat(rootB.listObjectsV2(r -> r.bucket("bp-b-own")).contents()).as("nothing copied into B").isEmpty();

        // A grants bob (by ARN) read: bob has both sides now; his account's root and ben do not.
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(bucketPolicy(bucket, readAll(bucket, b.userArn("bob")))));
        assertThat(Tenancy.get(bob, bucket, "data.txt")).isEqualTo("A's data");
        bob.copyObject(r -> r.sourceBucket(bucket).sourceKey("data.txt").destinationBucket("bp-b-own").destinationKey("copy.txt"));
        assertThat(Tenancy.get(rootB, "bp-b-own", "copy.txt")).isEqualTo("A's data");
        assertDenied(() -> Tenancy.put(bob, bucket, "planted.txt", "from B"));
        assertDenied(() -> bob.listObjectsV2(r -> r.bucket(bucket)));
        assertDenied(() -> bob.deleteObject(r -> r.bucket(bucket).key("data.txt")));
        assertDenied(() -> Tenancy.get(ben, bucket, "data.txt"));
        assertDenied(() -> Tenancy.get(rootB, bucket, "data.txt"));
        assertAwsError(() -> rootA.headObject(r -> r.bucket(bucket).key("planted.txt")), 404, null);

        // Granting account B (its root ARN): B's root needs nothing more; its users still need identity policies.
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(bucketPolicy(bucket, readAll(bucket, b.rootArn()))));
        assertThat(Tenancy.get(rootB, bucket, "data.txt")).isEqualTo("A's data");
        assertThat(Tenancy.get(bob, bucket, "data.txt")).isEqualTo("A's data");
        assertDenied(() -> Tenancy.get(ben, bucket, "data.txt"));

        rootA.deleteBucketPolicy(r -> r.bucket(bucket));
        assertDenied(() -> Tenancy.get(bob, bucket, "data.txt"));
        assertDenied(() -> Tenancy.get(rootB, bucket, "data.txt"));
        assertAwsError(() -> rootA.getBucketPolicy(r -> r.bucket(bucket)), 404, "NoSuchBucketPolicy");
    }

    @Test
    void anExplicitDenyInTheBucketPolicyBeatsEveryAllow() {
        String bucket = "bp-deny";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "data.txt", "data");
        S3Client alice = user(iamA, "alice", allow("s3:*", "*"));
        assertThat(Tenancy.get(alice, bucket, "data.txt")).isEqualTo("data");

        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(policy(principalStatement("Deny", a.userArn("alice"),
                List.of("s3:GetObject"), List.of("arn:aws:s3:::" + bucket + "/*")))));
        assertDenied(() -> Tenancy.get(alice, bucket, "data.txt"));
        Tenancy.put(alice, bucket, "by-alice.txt", "alice may still write");
        assertThat(Tenancy.get(rootA, bucket, "data.txt")).as("the Deny names alice only").isEqualTo("data");

        // A Deny for everyone binds the account's root user too, except for managing the policy itself.
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(policy(principalStatement("Deny", "*",
                List.of("s3:DeleteObject"), List.of("arn:aws:s3:::" + bucket + "/*")))));
        assertDenied(() -> rootA.deleteObject(r -> r.bucket(bucket).key("data.txt")));
        assertDenied(() -> alice.deleteObject(r -> r.bucket(bucket).key("data.txt")));
        assertThat(Tenancy.get(rootA, bucket, "data.txt")).isEqualTo("data");
        rootA.deleteBucketPolicy(r -> r.bucket(bucket));
        rootA.deleteObject(r -> r.bucket(bucket).key("data.txt"));
    }

    // ---------------------------------------------------------------- public policies

    @Test
    void aPublicPolicyLetsAnonymousCallersReadAndPolicyStatusSaysSo() {
        String bucket = "bp-public";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "data.txt", "public data");
        S3Client outsider = user(iamB, "outsider");

        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertError(403, "AccessDenied");
        assertAwsError(() -> rootA.getBucketPolicyStatus(r -> r.bucket(bucket)), 404, "NoSuchBucketPolicy");
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(policy(readAll(bucket, a.rootArn()))));
        assertThat(isPublic(rootA, bucket)).as("a policy for A's root only").isFalse();
        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertError(403, "AccessDenied");

        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(policy(readAll(bucket, "*"))));
        assertThat(isPublic(rootA, bucket)).as("Principal \"*\"").isTrue();
        RawS3.Response got = unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertStatus(200);
        assertThat(got.text()).isEqualTo("public data");
        unsigned("HEAD", "/" + bucket + "/data.txt", new byte[0]).assertStatus(200);
        // Only what the policy grants.
        unsigned("PUT", "/" + bucket + "/planted.txt", "x".getBytes(StandardCharsets.UTF_8)).assertError(403, "AccessDenied");
        unsigned("DELETE", "/" + bucket + "/data.txt", new byte[0]).assertError(403, "AccessDenied");
        unsigned("GET", "/" + bucket + "?list-type=2", new byte[0]).assertError(403, "AccessDenied");
        unsigned("GET", "/" + bucket + "?policy", new byte[0]).assertError(403, "AccessDenied");
        unsigned("DELETE", "/" + bucket + "?policy", new byte[0]).assertError(403, "AccessDenied");
        assertThat(Tenancy.get(rootA, bucket, "data.txt")).isEqualTo("public data");
        assertAwsError(() -> rootA.headObject(r -> r.bucket(bucket).key("planted.txt")), 404, null);
        // Another account's root may read too; its IAM users still need their own identity policies.
        assertThat(Tenancy.get(rootB, bucket, "data.txt")).isEqualTo("public data");
        assertDenied(() -> Tenancy.get(outsider, bucket, "data.txt"));

        rootA.deleteBucketPolicy(r -> r.bucket(bucket));
        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertError(403, "AccessDenied");
    }

    @Test
    void blockPublicPolicyRefusesPublicPoliciesAndStoresNothing() {
        String bucket = "bp-block";
        rootA.createBucket(r -> r.bucket(bucket));
        assertAwsError(() -> rootA.getPublicAccessBlock(r -> r.bucket(bucket)), 404, "NoSuchPublicAccessBlockConfiguration");
        rootA.putPublicAccessBlock(r -> r.bucket(bucket).publicAccessBlockConfiguration(p -> p.blockPublicPolicy(true)
                .blockPublicAcls(false).ignorePublicAcls(false).restrictPublicBuckets(false)));
        PublicAccessBlockConfiguration got = rootA.getPublicAccessBlock(r -> r.bucket(bucket)).publicAccessBlockConfiguration();
        assertThat(got.blockPublicPolicy()).isTrue();
        assertThat(got.blockPublicAcls()).isFalse();
        assertThat(got.ignorePublicAcls()).isFalse();
        assertThat(got.restrictPublicBuckets()).isFalse();

        String publicPolicy = policy(readAll(bucket, "*"));
        assertDenied(() -> rootA.putBucketPolicy(r -> r.bucket(bucket).policy(publicPolicy)));
        assertAwsError(() -> rootA.getBucketPolicy(r -> r.bucket(bucket)), 404, "NoSuchBucketPolicy");
        String privatePolicy = policy(readAll(bucket, b.rootArn()));
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(privatePolicy));
        assertDenied(() -> rootA.putBucketPolicy(r -> r.bucket(bucket).policy(publicPolicy)));
        assertThat(storedPolicy(bucket)).isEqualTo(ErasureAdmin.Json.parse(privatePolicy));
        assertThat(isPublic(rootA, bucket)).isFalse();

        rootA.deletePublicAccessBlock(r -> r.bucket(bucket));
        assertAwsError(() -> rootA.getPublicAccessBlock(r -> r.bucket(bucket)), 404, "NoSuchPublicAccessBlockConfiguration");
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(publicPolicy));
        assertThat(isPublic(rootA, bucket)).isTrue();
    }

    @Test
    void restrictPublicBucketsMakesAPublicPolicyGrantNothingOutsideTheAccount() {
        String bucket = "bp-restrict";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "data.txt", "restricted data");
        S3Client insider = user(iamA, "insider");
        S3Client reader = user(iamB, "reader", allow("s3:GetObject", "*"));
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(policy(readAll(bucket, "*"))));
        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertStatus(200);
        assertThat(Tenancy.get(rootB, bucket, "data.txt")).isEqualTo("restricted data");
        assertThat(Tenancy.get(reader, bucket, "data.txt")).isEqualTo("restricted data");
        assertThat(Tenancy.get(insider, bucket, "data.txt")).as("same account, granted by the bucket policy alone")
                .isEqualTo("restricted data");

        rootA.putPublicAccessBlock(r -> r.bucket(bucket).publicAccessBlockConfiguration(p -> p.restrictPublicBuckets(true)
                .blockPublicPolicy(false).blockPublicAcls(false).ignorePublicAcls(false)));
        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertError(403, "AccessDenied");
        assertDenied(() -> Tenancy.get(rootB, bucket, "data.txt"));
        assertDenied(() -> Tenancy.get(reader, bucket, "data.txt"));
        assertThat(Tenancy.get(rootA, bucket, "data.txt")).isEqualTo("restricted data");

        rootA.deletePublicAccessBlock(r -> r.bucket(bucket));
        unsigned("GET", "/" + bucket + "/data.txt", new byte[0]).assertStatus(200);
        assertThat(Tenancy.get(reader, bucket, "data.txt")).isEqualTo("restricted data");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badPoliciesAreMalformedPolicyAndNothingIsStored() {
        String bucket = "bp-bad";
        rootA.createBucket(r -> r.bucket(bucket));
        String resource = "arn:aws:s3:::" + bucket + "/*";
        String original = policy("{\"Sid\":\"Original\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + b.rootArn()
                + "\"},\"Action\":\"s3:GetObject\",\"Resource\":\"" + resource + "\"}");
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(original));
        assertThat(storedPolicy(bucket)).isEqualTo(ErasureAdmin.Json.parse(original));

        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("malformed JSON", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",");
        bad.put("not JSON at all", "hello, policy");
        bad.put("unknown action s3:Fly", policy(principalStatement("Allow", b.rootArn(), List.of("s3:Fly"), List.of(resource))));
        bad.put("unknown condition operator", policy("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + b.rootArn()
                + "\"},\"Action\":\"s3:GetObject\",\"Resource\":\"" + resource
                + "\",\"Condition\":{\"StringSortOf\":{\"aws:username\":\"x\"}}}"));
        bad.put("principal of an account that does not exist",
                policy(principalStatement("Allow", "arn:aws:iam::999999999999:root", List.of("s3:GetObject"), List.of(resource))));
        bad.put("principal user that does not exist",
                policy(principalStatement("Allow", b.userArn("ghost"), List.of("s3:GetObject"), List.of(resource))));
        bad.put("no Principal in a bucket policy", policy(allow("s3:GetObject", resource)));
        bad.put("Effect Maybe", policy(principalStatement("Maybe", b.rootArn(), List.of("s3:GetObject"), List.of(resource))));
        bad.put("21 KB", sizedPolicy(bucket, 21 * 1024));
        assertThat(bad.get("21 KB").length()).isGreaterThan(21 * 1024);

        // Every case is checked, and every failing one reported, before the test fails.
        List<String> failures = new ArrayList<>();
        for (var e : bad.entrySet()) {
            check(failures, e.getKey() + " (over a stored policy)", () -> {
                assertAwsError(() -> rootA.putBucketPolicy(r -> r.bucket(bucket).policy(e.getValue())), 400, "MalformedPolicy");
                assertThat(storedPolicy(bucket)).as("policy after refusing it").isEqualTo(ErasureAdmin.Json.parse(original));
            });
        }
        // Just under the limit is fine.
        String big = sizedPolicy(bucket, 19 * 1024);
        rootA.putBucketPolicy(r -> r.bucket(bucket).policy(big));
        assertThat(storedPolicy(bucket)).isEqualTo(ErasureAdmin.Json.parse(big));

        // Without a policy, a refused one leaves none.
        rootA.deleteBucketPolicy(r -> r.bucket(bucket));
        for (var e : bad.entrySet()) {
            check(failures, e.getKey() + " (without a policy)", () -> {
                assertAwsError(() -> rootA.putBucketPolicy(r -> r.bucket(bucket).policy(e.getValue())), 400, "MalformedPolicy");
                assertAwsError(() -> rootA.getBucketPolicy(r -> r.bucket(bucket)), 404, "NoSuchBucketPolicy");
            });
        }
        // B's root gained nothing from any of them.
        Tenancy.put(rootA, bucket, "k", "v");
        assertDenied(() -> Tenancy.get(rootB, bucket, "k"));
        assertThat(failures).as("bad policies not refused as MalformedPolicy with nothing stored").isEmpty();
    }

    static void check(List<String> failures, String what, Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            failures.add(what + ": " + e.getMessage().replaceAll("\\s+", " ").strip());
        }
    }

    /** A valid policy granting B's root GetObject on many resources, padded to at least {@code bytes} bytes. */
    static String sizedPolicy(String bucket, int bytes) {
        List<String> resources = new ArrayList<>();
        String policy;
        int i = 0;
        do {
            resources.add(String.format("arn:aws:s3:::%s/prefix-%05d/*", bucket, i++));
            policy = policy(principalStatement("Allow", b.rootArn(), List.of("s3:GetObject"), resources));
        } while (policy.length() < bytes);
        return policy;
    }

    // ---------------------------------------------------------------- names and listings

    @Test
    void bucketNamesAreGlobalAndListingsShowOnlyTheCallersAccount() {
        String bucket = "bp-global";
        rootA.createBucket(r -> r.bucket(bucket));
        Tenancy.put(rootA, bucket, "a.txt", "A");
        S3Client mallory = user(iamB, "mallory", allow("s3:*", "*"));
        S3Client systemRoot = track(Clients.pathStyle(server));

        assertAwsError(() -> rootB.createBucket(r -> r.bucket(bucket)), 409, "BucketAlreadyExists");
        assertAwsError(() -> mallory.createBucket(r -> r.bucket(bucket)), 409, "BucketAlreadyExists");
        assertAwsError(() -> systemRoot.createBucket(r -> r.bucket(bucket)), 409, "BucketAlreadyExists");
        rootA.headBucket(r -> r.bucket(bucket));
        assertAwsError(() -> rootB.headBucket(r -> r.bucket(bucket)), 403, null);
        assertThat(Tenancy.get(rootA, bucket, "a.txt")).isEqualTo("A");

        mallory.createBucket(r -> r.bucket("bp-b-list"));
        ListBucketsResponse listA = rootA.listBuckets();
        assertThat(listA.owner().id()).isEqualTo(a.canonicalId());
        assertThat(listA.buckets()).extracting(Bucket::name).contains(bucket).doesNotContain("bp-b-list");
        ListBucketsResponse listB = rootB.listBuckets();
        assertThat(listB.owner().id()).isEqualTo(b.canonicalId());
        assertThat(listB.buckets()).extracting(Bucket::name).contains("bp-b-list").doesNotContain(bucket);
        assertThat(mallory.listBuckets().buckets()).extracting(Bucket::name).contains("bp-b-list").doesNotContain(bucket);
        ListBucketsResponse listRoot = systemRoot.listBuckets();
        assertThat(listRoot.owner().id()).isEqualTo("arca-root");
        assertThat(listRoot.buckets()).extracting(Bucket::name).doesNotContain(bucket, "bp-b-list");

        // Ownership shows in ACLs and object listings: the account's canonical id, whoever in A wrote it.
        assertThat(rootA.getBucketAcl(r -> r.bucket(bucket)).owner().id()).isEqualTo(a.canonicalId());
        S3Client writer = user(iamA, "writer", allow("s3:PutObject", "arn:aws:s3:::" + bucket + "/*"));
        Tenancy.put(writer, bucket, "by-writer.txt", "w");
        assertThat(rootA.listObjects(r -> r.bucket(bucket)).contents()).extracting(S3Object::key, o -> o.owner().id())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a.txt", a.canonicalId()),
                        org.assertj.core.groups.Tuple.tuple("by-writer.txt", a.canonicalId()));
        assertThat(rootB.getBucketAcl(r -> r.bucket("bp-b-list")).owner().id()).isEqualTo(b.canonicalId());
    }
}
