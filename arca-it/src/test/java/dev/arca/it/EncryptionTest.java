package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionByDefault;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;

/**
 * Encryption at rest through the real AWS SDK v2: SSE-S3 by default on every bucket, bucket default
 * encryption (Put/Get/DeleteBucketEncryption), SSE-KMS with named keys and encryption context,
 * disabling a key, rotating KMS keys, the SSE-S3 key and the master key (old material gone, every
 * object still reads, across restarts), and the errors AWS gives for malformed requests.
 */
final class EncryptionTest {
    @TempDir
    Path dir;

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] get(S3Client s3, String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    @Test
    void everyBucketEncryptsWithSseS3ByDefaultAndReportsIt() {
        Random random = new Random(S3Assert.seed(EncryptionTest.class));
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"));
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("plain"));
            var config = s3.getBucketEncryption(b -> b.bucket("plain")).serverSideEncryptionConfiguration();
            assertThat(config.rules()).hasSize(1);
            assertThat(config.rules().getFirst().applyServerSideEncryptionByDefault().sseAlgorithm())
                    .isEqualTo(ServerSideEncryption.AES256);
            for (int size : new int[] {0, 10, 200_000, 3 * 65_536 + 5}) {
                byte[] data = bytes(random, size);
                PutObjectResponse put = s3.putObject(b -> b.bucket("plain").key("o" + size), RequestBody.fromBytes(data));
                assertThat(put.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
                HeadObjectResponse head = s3.headObject(b -> b.bucket("plain").key("o" + size));
                assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
                ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket("plain").key("o" + size));
                assertThat(got.response().serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
                S3Assert.assertSameBytes(got.asByteArray(), data, "object of " + size);
                if (size > 70_000) {
                    byte[] range = s3.getObjectAsBytes(b -> b.bucket("plain").key("o" + size).range("bytes=65530-65545"))
                            .asByteArray();
                    assertThat(range).isEqualTo(java.util.Arrays.copyOfRange(data, 65530, 65546));
                }
            }
            // Multipart objects are sealed part by part under one data key.
            String upload = s3.createMultipartUpload(b -> b.bucket("plain").key("mp")).uploadId();
            byte[] p1 = bytes(random, 5 * 1024 * 1024);
            byte[] p2 = bytes(random, 777);
            String e1 = s3.uploadPart(b -> b.bucket("plain").key("mp").uploadId(upload).partNumber(1), RequestBody.fromBytes(p1)).eTag();
            String e2 = s3.uploadPart(b -> b.bucket("plain").key("mp").uploadId(upload).partNumber(2), RequestBody.fromBytes(p2)).eTag();
            var done = s3.completeMultipartUpload(b -> b.bucket("plain").key("mp").uploadId(upload).multipartUpload(m -> m.parts(
                    CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
            assertThat(done.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            byte[] whole = get(s3, "plain", "mp");
            S3Assert.assertSameBytes(java.util.Arrays.copyOf(whole, p1.length), p1, "part 1");
            S3Assert.assertSameBytes(java.util.Arrays.copyOfRange(whole, p1.length, whole.length), p2, "part 2");
            // A copy is sealed under a new data key and reads back.
            var copy = s3.copyObject(b -> b.sourceBucket("plain").sourceKey("mp").destinationBucket("plain").destinationKey("copy"));
            assertThat(copy.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            S3Assert.assertSameBytes(get(s3, "plain", "copy"), whole, "copy");
        }
    }

    @Test
    void kmsKeysBucketDefaultsContextAndDisabledKeys() {
        Random random = new Random(S3Assert.seed(EncryptionTest.class));
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"));
                S3Client s3 = Clients.pathStyle(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            admin.send("POST", "/_arca/admin/keys", "create=orders&description=order%20data").assertStatus(200);
            admin.send("POST", "/_arca/admin/keys", "create=orders").assertStatus(409);
            admin.send("POST", "/_arca/admin/keys", "create=bad%20id").assertStatus(400);
            s3.createBucket(b -> b.bucket("kms"));
            s3.createBucket(b -> b.bucket("other"));

            // Per request: aws:kms with a key id (bare or ARN), with an encryption context, or with none (aws/s3).
            byte[] a = bytes(random, 300_000);
            String context = Base64.getEncoder().encodeToString("{\"dept\":\"sales\"}".getBytes(StandardCharsets.UTF_8));
            PutObjectResponse pa = s3.putObject(b -> b.bucket("other").key("a").serverSideEncryption(ServerSideEncryption.AWS_KMS)
                    .ssekmsKeyId("orders").ssekmsEncryptionContext(context), RequestBody.fromBytes(a));
            assertThat(pa.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(pa.ssekmsKeyId()).endsWith(":key/orders");
            assertThat(pa.ssekmsEncryptionContext()).isEqualTo(context);
            byte[] n = bytes(random, 1000);
            PutObjectResponse pn = s3.putObject(b -> b.bucket("other").key("n").serverSideEncryption(ServerSideEncryption.AWS_KMS),
                    RequestBody.fromBytes(n));
            assertThat(pn.ssekmsKeyId()).endsWith(":key/aws/s3");
            String arn = "arn:aws:kms:us-east-1:000000000000:key/orders";
            s3.putObject(b -> b.bucket("other").key("arn").serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(arn),
                    RequestBody.fromBytes(n));
            HeadObjectResponse head = s3.headObject(b -> b.bucket("other").key("a"));
            assertThat(head.serverSideEncryption()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(head.ssekmsKeyId()).isEqualTo(arn);
            S3Assert.assertSameBytes(get(s3, "other", "a"), a, "kms object");

            // Bucket default: aws:kms with the orders key.
            s3.putBucketEncryption(b -> b.bucket("kms").serverSideEncryptionConfiguration(c -> c.rules(
                    ServerSideEncryptionRule.builder().applyServerSideEncryptionByDefault(ServerSideEncryptionByDefault.builder()
                            .sseAlgorithm(ServerSideEncryption.AWS_KMS).kmsMasterKeyID("orders").build())
                    .bucketKeyEnabled(true).build())));
            var rule = s3.getBucketEncryption(b -> b.bucket("kms")).serverSideEncryptionConfiguration().rules().getFirst();
            assertThat(rule.applyServerSideEncryptionByDefault().sseAlgorithm()).isEqualTo(ServerSideEncryption.AWS_KMS);
            assertThat(rule.applyServerSideEncryptionByDefault().kmsMasterKeyID()).isEqualTo(arn);
            assertThat(rule.bucketKeyEnabled()).isTrue();
            Map<String, byte[]> objects = new LinkedHashMap<>();
            for (int i = 0; i < 4; i++) {
                byte[] d = bytes(random, 1 + random.nextInt(400_000));
                objects.put("k" + i, d);
                PutObjectResponse p = s3.putObject(b -> b.bucket("kms").key("k" + objects.size()), RequestBody.fromBytes(d));
                assertThat(p.ssekmsKeyId()).isEqualTo(arn);
            }
            // An explicit AES256 header overrides the bucket default.
            byte[] s = bytes(random, 5000);
            assertThat(s3.putObject(b -> b.bucket("kms").key("sse-s3").serverSideEncryption(ServerSideEncryption.AES256),
                    RequestBody.fromBytes(s)).serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);

            // Disabling the key blocks exactly its objects, for reads and for writes.
            admin.send("POST", "/_arca/admin/keys", "disable=orders").assertStatus(200);
            assertSdkError(() -> get(s3, "kms", "k1"), 400, "KMS.DisabledException");
            assertSdkError(() -> get(s3, "other", "a"), 400, "KMS.DisabledException");
            assertSdkError(() -> s3.putObject(b -> b.bucket("kms").key("new"), RequestBody.fromBytes(s)), 400, "KMS.DisabledException");
            assertThat(get(s3, "kms", "sse-s3")).isEqualTo(s);
            assertThat(get(s3, "other", "n")).isEqualTo(n);
            admin.send("POST", "/_arca/admin/keys", "enable=orders").assertStatus(200);
            for (int i = 0; i < 4; i++) {
                int k = i + 1;
                S3Assert.assertSameBytes(get(s3, "kms", "k" + k), objects.get("k" + i), "k" + k);
            }

            // DeleteBucketEncryption returns the bucket to SSE-S3.
            s3.deleteBucketEncryption(b -> b.bucket("kms"));
            assertThat(s3.getBucketEncryption(b -> b.bucket("kms")).serverSideEncryptionConfiguration().rules().getFirst()
                    .applyServerSideEncryptionByDefault().sseAlgorithm()).isEqualTo(ServerSideEncryption.AES256);
            assertThat(s3.putObject(b -> b.bucket("kms").key("after"), RequestBody.fromBytes(s)).serverSideEncryption())
                    .isEqualTo(ServerSideEncryption.AES256);
        }
    }

    @Test
    void malformedEncryptionRequestsGetAwsErrorsAndStoreNothing() {
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"));
                S3Client s3 = Clients.pathStyle(server)) {
            RawS3 raw = new RawS3(server);
            s3.createBucket(b -> b.bucket("bad"));
            byte[] body = "x".getBytes(StandardCharsets.UTF_8);
            raw.signed("PUT", "/bad/k1", "", raw.headers().set("x-amz-server-side-encryption", "AES128"), body)
                    .assertError(400, "InvalidArgument");
            raw.signed("PUT", "/bad/k2", "", raw.headers().set("x-amz-server-side-encryption", "AES256")
                    .set("x-amz-server-side-encryption-aws-kms-key-id", "orders"), body)
                    .assertError(400, "InvalidArgument");
            raw.signed("PUT", "/bad/k3", "", raw.headers().set("x-amz-server-side-encryption-aws-kms-key-id", "orders"), body)
                    .assertError(400, "InvalidArgument");
            raw.signed("PUT", "/bad/k4", "", raw.headers().set("x-amz-server-side-encryption", "aws:kms")
                    .set("x-amz-server-side-encryption-aws-kms-key-id", "no-such-key"), body)
                    .assertError(400, "KMS.NotFoundException");
            raw.signed("PUT", "/bad/k5", "", raw.headers().set("x-amz-server-side-encryption", "aws:kms")
                    .set("x-amz-server-side-encryption-context", "not base64 json!"), body)
                    .assertError(400, "InvalidArgument");
            raw.signed("PUT", "/bad", "encryption", raw.headers(),
                    "<ServerSideEncryptionConfiguration><Rule></Rule></ServerSideEncryptionConfiguration>".getBytes(StandardCharsets.UTF_8))
                    .assertError(400, "MalformedXML");
            raw.signed("PUT", "/bad", "encryption", raw.headers(), ("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                    + "<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>orders</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
                    + "</Rule></ServerSideEncryptionConfiguration>").getBytes(StandardCharsets.UTF_8))
                    .assertError(400, "InvalidArgument");
            raw.signed("GET", "/nobucket", "encryption", raw.headers(), new byte[0]).assertError(404, "NoSuchBucket");
            assertThat(s3.listObjectsV2(b -> b.bucket("bad")).contents()).isEmpty();
        }
    }

    @Test
    void rotatingKmsSseS3AndMasterKeysKeepsEveryObjectReadableWithoutTheOldMaterial() throws Exception {
        Random random = new Random(S3Assert.seed(EncryptionTest.class));
        Path data = dir.resolve("data");
        Map<String, byte[]> objects = new LinkedHashMap<>();
        byte[] oldMaster;
        try (ArcaTestServer server = ArcaTestServer.start(data);
                S3Client s3 = Clients.pathStyle(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            admin.send("POST", "/_arca/admin/keys", "create=orders").assertStatus(200);
            s3.createBucket(b -> b.bucket("rot"));
            for (int i = 0; i < 12; i++) {
                byte[] d = bytes(random, 1 + random.nextInt(300_000));
                String key = "o" + i;
                objects.put(key, d);
                if (i % 3 == 0) {
                    s3.putObject(b -> b.bucket("rot").key(key).serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId("orders"),
                            RequestBody.fromBytes(d));
                } else {
                    s3.putObject(b -> b.bucket("rot").key(key), RequestBody.fromBytes(d));
                }
            }
            String kms = admin.send("POST", "/_arca/admin/keys", "rotate=orders").assertStatus(200).text();
            assertThat(kms).contains("\"versionsRewrapped\":4");
            String sse = admin.send("POST", "/_arca/admin/keys", "rotate=arca/s3").assertStatus(200).text();
            assertThat(sse).contains("\"versionsRewrapped\":8");
            String listing = admin.send("GET", "/_arca/admin/keys", "").assertStatus(200).text();
            assertThat(listing).contains("\"keyId\":\"orders\"").contains("\"generations\":[2]");
            assertThat(listing).doesNotContain("\"generations\":[1");
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                S3Assert.assertSameBytes(get(s3, "rot", e.getKey()), e.getValue(), e.getKey());
            }
            oldMaster = Files.readAllBytes(data.resolve("arca-master.key"));
            admin.send("POST", "/_arca/admin/keys", "rotate-master").assertStatus(200);
            assertThat(Files.readAllBytes(data.resolve("arca-master.key"))).isNotEqualTo(oldMaster);
        }
        // After a restart on the new master key, with the old one gone from disk, everything reads.
        try (ArcaTestServer server = ArcaTestServer.start(data);
                S3Client s3 = Clients.pathStyle(server)) {
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                S3Assert.assertSameBytes(get(s3, "rot", e.getKey()), e.getValue(), e.getKey());
            }
        }
        // The old master key no longer opens anything: the server refuses to start with it.
        Path current = data.resolve("arca-master.key");
        byte[] newMaster = Files.readAllBytes(current);
        Files.write(current, oldMaster);
        List<String> failures = new ArrayList<>();
        try (ArcaTestServer ignored = ArcaTestServer.start(data)) {
            failures.add("started with the old master key");
        } catch (RuntimeException e) {
            assertThat(e.getMessage()).contains("master key");
        }
        assertThat(failures).isEmpty();
        Files.write(current, newMaster);
        try (ArcaTestServer server = ArcaTestServer.start(data);
                S3Client s3 = Clients.pathStyle(server)) {
            S3Assert.assertSameBytes(get(s3, "rot", "o0"), objects.get("o0"), "o0");
        }
    }
}
