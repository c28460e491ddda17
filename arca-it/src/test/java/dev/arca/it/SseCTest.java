package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * SSE-C with the AWS SDK v2: PutObject, GetObject (whole and ranged), HeadObject, CopyObject between
 * customer keys and to and from SSE-S3, and multipart uploads (UploadPart, UploadPartCopy) with a
 * customer key; a missing, wrong or needless key gets the errors AWS gives, and keys are refused over
 * plain HTTP unless the server allows it.
 */
final class SseCTest {
    private static final String AES256 = "AES256";

    @TempDir
    Path dir;

    /** A customer key: the key and its MD5, both base64, as the SDK sends them. */
    private record CustomerKey(String key, String md5) {
        static CustomerKey random(Random random) {
            byte[] k = new byte[32];
            random.nextBytes(k);
            try {
                return new CustomerKey(Base64.getEncoder().encodeToString(k),
                        Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(k)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void put(S3Client s3, String key, byte[] data, CustomerKey ck) {
        var r = s3.putObject(b -> b.bucket("ssec").key(key).sseCustomerAlgorithm(AES256).sseCustomerKey(ck.key())
                .sseCustomerKeyMD5(ck.md5()), RequestBody.fromBytes(data));
        assertThat(r.sseCustomerAlgorithm()).isEqualTo(AES256);
        assertThat(r.sseCustomerKeyMD5()).isEqualTo(ck.md5());
        assertThat(r.serverSideEncryption()).isNull();
    }

    private static byte[] get(S3Client s3, String key, CustomerKey ck) {
        ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(b -> b.bucket("ssec").key(key).sseCustomerAlgorithm(AES256)
                .sseCustomerKey(ck.key()).sseCustomerKeyMD5(ck.md5()));
        assertThat(r.response().sseCustomerAlgorithm()).isEqualTo(AES256);
        assertThat(r.response().sseCustomerKeyMD5()).isEqualTo(ck.md5());
        return r.asByteArray();
    }

    @Test
    void putGetHeadCopyAndMultipartWithCustomerKeys() {
        Random random = new Random(S3Assert.seed(SseCTest.class));
        CustomerKey k1 = CustomerKey.random(random);
        CustomerKey k2 = CustomerKey.random(random);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--sse-c-over-http", "on");
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ssec"));
            byte[] small = bytes(random, 1000);
            byte[] large = bytes(random, 700_000);
            put(s3, "small", small, k1);
            put(s3, "large", large, k1);
            assertThat(get(s3, "small", k1)).isEqualTo(small);
            S3Assert.assertSameBytes(get(s3, "large", k1), large, "large");
            byte[] range = s3.getObjectAsBytes(b -> b.bucket("ssec").key("large").range("bytes=65000-200000")
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5())).asByteArray();
            assertThat(range).isEqualTo(Arrays.copyOfRange(large, 65000, 200001));
            var head = s3.headObject(b -> b.bucket("ssec").key("large").sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5()));
            assertThat(head.contentLength()).isEqualTo(large.length);
            assertThat(head.sseCustomerKeyMD5()).isEqualTo(k1.md5());

            // Missing key, wrong key, a key for an object without SSE-C, a key whose MD5 is wrong.
            assertSdkError(() -> s3.getObjectAsBytes(b -> b.bucket("ssec").key("large")), 400, "InvalidRequest");
            assertSdkError(() -> get(s3, "large", k2), 403, "AccessDenied");
            assertThatHeadStatus(() -> s3.headObject(b -> b.bucket("ssec").key("large").sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k2.key()).sseCustomerKeyMD5(k2.md5())), 403);
            assertThatHeadStatus(() -> s3.headObject(b -> b.bucket("ssec").key("large")), 400);
            s3.putObject(b -> b.bucket("ssec").key("plain"), RequestBody.fromBytes(small));
            assertSdkError(() -> get(s3, "plain", k1), 400, "InvalidRequest");
            assertSdkError(() -> s3.putObject(b -> b.bucket("ssec").key("bad-md5").sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k1.key()).sseCustomerKeyMD5(k2.md5()), RequestBody.fromBytes(small)), 400, "InvalidArgument");
            assertSdkError(() -> s3.putObject(b -> b.bucket("ssec").key("bad-alg").sseCustomerAlgorithm("AES128")
                    .sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5()), RequestBody.fromBytes(small)), 400,
                    "InvalidEncryptionAlgorithmError");
            assertSdkError(() -> s3.putObject(b -> b.bucket("ssec").key("both").serverSideEncryption(ServerSideEncryption.AES256)
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5()),
                    RequestBody.fromBytes(small)), 400, "InvalidArgument");
            assertThat(s3.listObjectsV2(b -> b.bucket("ssec")).contents()).extracting(o -> o.key())
                    .containsExactlyInAnyOrder("large", "plain", "small");

            // Copy: k1 -> k2, k1 -> SSE-S3, SSE-S3 -> k2; the source key is required.
            s3.copyObject(b -> b.sourceBucket("ssec").sourceKey("large").destinationBucket("ssec").destinationKey("k2copy")
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(k1.key()).copySourceSSECustomerKeyMD5(k1.md5())
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k2.key()).sseCustomerKeyMD5(k2.md5()));
            S3Assert.assertSameBytes(get(s3, "k2copy", k2), large, "k2copy");
            assertSdkError(() -> get(s3, "k2copy", k1), 403, "AccessDenied");
            var toS3 = s3.copyObject(b -> b.sourceBucket("ssec").sourceKey("large").destinationBucket("ssec").destinationKey("s3copy")
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(k1.key()).copySourceSSECustomerKeyMD5(k1.md5()));
            assertThat(toS3.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
            S3Assert.assertSameBytes(s3.getObjectAsBytes(b -> b.bucket("ssec").key("s3copy")).asByteArray(), large, "s3copy");
            s3.copyObject(b -> b.sourceBucket("ssec").sourceKey("plain").destinationBucket("ssec").destinationKey("fromplain")
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k2.key()).sseCustomerKeyMD5(k2.md5()));
            assertThat(get(s3, "fromplain", k2)).isEqualTo(small);
            assertSdkError(() -> s3.copyObject(b -> b.sourceBucket("ssec").sourceKey("large").destinationBucket("ssec")
                    .destinationKey("nokey")), 400, "InvalidRequest");
            // Re-encrypting an object in place under a new customer key is allowed (encryption changes).
            s3.copyObject(b -> b.sourceBucket("ssec").sourceKey("small").destinationBucket("ssec").destinationKey("small")
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(k1.key()).copySourceSSECustomerKeyMD5(k1.md5())
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k2.key()).sseCustomerKeyMD5(k2.md5()));
            assertThat(get(s3, "small", k2)).isEqualTo(small);

            // Multipart with a customer key: every part carries it; UploadPartCopy from an SSE-C source.
            String upload = s3.createMultipartUpload(b -> b.bucket("ssec").key("mp").sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5())).uploadId();
            byte[] p1 = bytes(random, 5 * 1024 * 1024);
            String e1 = s3.uploadPart(b -> b.bucket("ssec").key("mp").uploadId(upload).partNumber(1).sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5()), RequestBody.fromBytes(p1)).eTag();
            assertSdkError(() -> s3.uploadPart(b -> b.bucket("ssec").key("mp").uploadId(upload).partNumber(3),
                    RequestBody.fromBytes(p1)), 400, "InvalidRequest");
            assertSdkError(() -> s3.uploadPart(b -> b.bucket("ssec").key("mp").uploadId(upload).partNumber(3).sseCustomerAlgorithm(AES256)
                    .sseCustomerKey(k2.key()).sseCustomerKeyMD5(k2.md5()), RequestBody.fromBytes(p1)), 403, "AccessDenied");
            String e2 = s3.uploadPartCopy(b -> b.sourceBucket("ssec").sourceKey("k2copy").destinationBucket("ssec").destinationKey("mp")
                    .uploadId(upload).partNumber(2)
                    .copySourceSSECustomerAlgorithm(AES256).copySourceSSECustomerKey(k2.key()).copySourceSSECustomerKeyMD5(k2.md5())
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5())).copyPartResult().eTag();
            s3.completeMultipartUpload(b -> b.bucket("ssec").key("mp").uploadId(upload).multipartUpload(m -> m.parts(
                    CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build()))
                    .sseCustomerAlgorithm(AES256).sseCustomerKey(k1.key()).sseCustomerKeyMD5(k1.md5()));
            byte[] whole = get(s3, "mp", k1);
            S3Assert.assertSameBytes(Arrays.copyOf(whole, p1.length), p1, "mp part 1");
            S3Assert.assertSameBytes(Arrays.copyOfRange(whole, p1.length, whole.length), large, "mp part 2");
            assertSdkError(() -> get(s3, "mp", k2), 403, "AccessDenied");
        }
    }

    @Test
    void customerKeysAreRefusedOverPlainHttpByDefault() {
        Random random = new Random(S3Assert.seed(SseCTest.class));
        CustomerKey k = CustomerKey.random(random);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"));
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ssec"));
            assertSdkError(() -> s3.putObject(b -> b.bucket("ssec").key("k").sseCustomerAlgorithm(AES256).sseCustomerKey(k.key())
                    .sseCustomerKeyMD5(k.md5()), RequestBody.fromBytes(new byte[10])), 400, "InvalidRequest");
            assertThat(s3.listObjectsV2(b -> b.bucket("ssec")).contents()).isEmpty();
        }
    }

    private static void assertThatHeadStatus(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call).isInstanceOfSatisfying(
                software.amazon.awssdk.services.s3.model.S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(status));
    }
}
