package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.it.ExpectedChecksums.Alg;
import dev.arca.s3.auth.SigV4Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Additional checksums on single PUTs (x-amz-checksum-* as a header or an aws-chunked trailer) and
 * Content-MD5: stored values come back with ChecksumMode.ENABLED; a mismatch is BadDigest and stores
 * nothing, leaving an earlier object intact.
 */
class ChecksumTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;
    static long seed;
    /** The last request the SDK sent (after signing), to check which way a checksum travelled. */
    static final AtomicReference<SdkHttpRequest> lastSent = new AtomicReference<>();

    static final String BUCKET = "checksums";

    @BeforeAll
    static void start() {
        seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("ChecksumTest seed: " + seed + " (rerun with -Darca.test.seed=" + seed + ")");
        server = ArcaTestServer.start(dir);
        s3 = Clients.builder(server.endpoint(), true)
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        lastSent.set(context.httpRequest());
                    }
                }))
                .build();
        raw = new RawS3(server);
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static byte[] randomBytes(long salt, int n) {
        byte[] b = new byte[n];
        new Random(seed + salt).nextBytes(b);
        return b;
    }

    private static ChecksumAlgorithm sdk(Alg alg) {
        return switch (alg) {
            case CRC32 -> ChecksumAlgorithm.CRC32;
            case CRC32C -> ChecksumAlgorithm.CRC32_C;
            case CRC64NVME -> ChecksumAlgorithm.CRC64_NVME;
            case SHA1 -> ChecksumAlgorithm.SHA1;
            case SHA256 -> ChecksumAlgorithm.SHA256;
        };
    }

    private static String headerName(Alg alg) {
        return "x-amz-checksum-" + alg.name().toLowerCase(Locale.ROOT);
    }

    private static PutObjectRequest.Builder withValue(PutObjectRequest.Builder b, Alg alg, String value) {
        return switch (alg) {
            case CRC32 -> b.checksumCRC32(value);
            case CRC32C -> b.checksumCRC32C(value);
            case CRC64NVME -> b.checksumCRC64NVME(value);
            case SHA1 -> b.checksumSHA1(value);
            case SHA256 -> b.checksumSHA256(value);
        };
    }

    private static String sentHeader(String name) {
        return lastSent.get().firstMatchingHeader(name).orElse(null);
    }

    /** HEAD and GET with ChecksumMode.ENABLED report {@code value} as the FULL_OBJECT checksum of {@code data}. */
    private static void assertStoredChecksum(String key, Alg alg, String value, byte[] data) {
        HeadObjectResponse head = s3.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED));
        assertThat(ExpectedChecksums.checksumOf(head, alg)).isEqualTo(value);
        assertThat(head.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
        assertThat(head.contentLength()).isEqualTo(data.length);
        // The transfer encoding is not part of the object.
        assertThat(head.contentEncoding()).isNull();
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(ExpectedChecksums.checksumOf(got.response(), alg)).isEqualTo(value);
        assertThat(got.asByteArrayUnsafe()).isEqualTo(data);
        for (Alg other : Alg.values()) {
            if (other != alg) {
                assertThat(ExpectedChecksums.checksumOf(head, other)).as("%s on a %s object", other, alg).isNull();
            }
        }
    }

    /** The object is exactly {@code data} (an earlier version survived a rejected write). */
    private static void assertContent(String key, byte[] data) {
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
        assertThat(got.response().eTag()).isEqualTo("\"" + ExpectedChecksums.md5Hex(data) + "\"");
        assertThat(got.asByteArrayUnsafe()).isEqualTo(data);
    }

    private static void assertAbsent(String key) {
        assertSdkError(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, "NoSuchKey");
    }

    @Test
    void independentCrc64NvmeMatchesTheCatalogueCheckValue() {
        // CRC-64/NVME check value (CRC catalogue): crc("123456789").
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(ExpectedChecksums.crc64Nvme(check, 0, check.length)).isEqualTo(0xAE8B14860A799888L);
    }

    @ParameterizedTest
    @EnumSource(Alg.class)
    void checksumComputedByTheSdkTravelsAsATrailerAndIsStored(Alg alg) {
        String key = "trailer/" + alg;
        byte[] data = randomBytes(alg.ordinal(), 300_001 + alg.ordinal() * 1000);
        String expected = ExpectedChecksums.base64(alg, data);
        if (alg == Alg.CRC64NVME) {
            // The SDK computes CRC64NVME only with aws-crt (not a dependency here): send what the SDK
            // would, a signed aws-chunked body with the checksum in a signed trailer.
            RawS3.Response r = putChunked(key, data, SigV4Signer.STREAMING_SIGNED_TRAILER, Map.of(headerName(alg), expected));
            r.assertStatus(200);
            assertThat(r.header(headerName(alg))).isEqualTo(expected);
        } else {
            PutObjectResponse r = s3.putObject(b -> b.bucket(BUCKET).key(key).checksumAlgorithm(sdk(alg)),
                    RequestBody.fromBytes(data));
            assertThat(sentHeader("x-amz-trailer")).isEqualTo(headerName(alg));
            assertThat(sentHeader("x-amz-content-sha256")).startsWith("STREAMING-");
            assertThat(sentHeader(headerName(alg))).isNull();
            assertThat(ExpectedChecksums.checksumOf(r, alg)).isEqualTo(expected);
            assertThat(r.eTag()).isEqualTo("\"" + ExpectedChecksums.md5Hex(data) + "\"");
        }
        assertStoredChecksum(key, alg, expected, data);
    }

    @ParameterizedTest
    @EnumSource(Alg.class)
    void checksumSentInAHeaderIsVerifiedAndAWrongOneIsBadDigest(Alg alg) {
        String key = "header/" + alg;
        byte[] data = randomBytes(100 + alg.ordinal(), 70_000 + alg.ordinal());
        String expected = ExpectedChecksums.base64(alg, data);
        PutObjectResponse r = s3.putObject(withValue(PutObjectRequest.builder().bucket(BUCKET).key(key), alg, expected).build(),
                RequestBody.fromBytes(data));
        assertThat(sentHeader(headerName(alg))).isEqualTo(expected);
        assertThat(sentHeader("x-amz-trailer")).isNull();
        assertThat(ExpectedChecksums.checksumOf(r, alg)).isEqualTo(expected);
        assertStoredChecksum(key, alg, expected, data);

        // A well-formed value of the wrong data: BadDigest, and the stored object is untouched.
        byte[] other = randomBytes(200 + alg.ordinal(), 5000);
        String wrong = ExpectedChecksums.base64(alg, data); // the old object's value, not other's
        assertSdkError(() -> s3.putObject(withValue(PutObjectRequest.builder().bucket(BUCKET).key(key), alg, wrong).build(),
                RequestBody.fromBytes(other)), 400, "BadDigest");
        assertContent(key, data);
        assertStoredChecksum(key, alg, expected, data);

        // Nothing is created under a new key either.
        String fresh = "header/fresh-" + alg;
        assertSdkError(() -> s3.putObject(withValue(PutObjectRequest.builder().bucket(BUCKET).key(fresh), alg, wrong).build(),
                RequestBody.fromBytes(other)), 400, "BadDigest");
        assertAbsent(fresh);
    }

    @Test
    void malformedOrMultipleChecksumHeadersAreInvalidRequests() {
        byte[] data = randomBytes(700, 1000);
        String path = "/" + BUCKET + "/invalid-checksum";
        for (String bad : List.of("!!!", "AAAAAAAA", "AAAA", ExpectedChecksums.base64(Alg.SHA256, data))) {
            raw.signed("PUT", path, "", raw.headers("x-amz-checksum-crc32", bad), data).assertError(400, "InvalidRequest");
        }
        raw.signed("PUT", path, "", raw.headers("x-amz-checksum-crc32", ExpectedChecksums.base64(Alg.CRC32, data),
                "x-amz-checksum-sha256", ExpectedChecksums.base64(Alg.SHA256, data)), data).assertError(400, "InvalidRequest");
        assertAbsent("invalid-checksum");
    }

    @Test
    void rangedGetReturnsNoWholeObjectChecksum() {
        String key = "ranged/object";
        byte[] data = randomBytes(800, 100_000);
        s3.putObject(b -> b.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(data));
        // The stored checksum covers the whole object, not a range of it, so a range gets none.
        ResponseBytes<GetObjectResponse> part = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key).range("bytes=10-1009")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(part.asByteArray()).isEqualTo(Arrays.copyOfRange(data, 10, 1010));
        assertThat(part.response().checksumSHA256()).isNull();
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)).checksumSHA256())
                .isEqualTo(ExpectedChecksums.base64(Alg.SHA256, data));
        // Without ChecksumMode the value is not returned.
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key)).checksumSHA256()).isNull();
    }

    @Test
    void contentMd5IsVerifiedWrongIsBadDigestMalformedIsInvalidDigest() {
        String key = "md5/object";
        byte[] data = randomBytes(300, 123_456);
        s3.putObject(b -> b.bucket(BUCKET).key(key).contentMD5(ExpectedChecksums.md5Base64(data)), RequestBody.fromBytes(data));
        assertContent(key, data);

        byte[] other = randomBytes(301, 1000);
        assertSdkError(() -> s3.putObject(b -> b.bucket(BUCKET).key(key).contentMD5(ExpectedChecksums.md5Base64(data)),
                RequestBody.fromBytes(other)), 400, "BadDigest");
        assertContent(key, data);

        for (String malformed : List.of("not base64!", "AAAA", ExpectedChecksums.b64(new byte[15]))) {
            assertSdkError(() -> s3.putObject(b -> b.bucket(BUCKET).key(key).contentMD5(malformed),
                    RequestBody.fromBytes(other)), 400, "InvalidDigest");
            assertContent(key, data);
            assertSdkError(() -> s3.putObject(b -> b.bucket(BUCKET).key("md5/fresh").contentMD5(malformed),
                    RequestBody.fromBytes(other)), 400, "InvalidDigest");
        }
        assertSdkError(() -> s3.putObject(b -> b.bucket(BUCKET).key("md5/fresh").contentMD5(ExpectedChecksums.md5Base64(data)),
                RequestBody.fromBytes(other)), 400, "BadDigest");
        assertAbsent("md5/fresh");
    }

    @Test
    void sdkDefaultSendsAndStoresCrc32() {
        String key = "default/object";
        byte[] data = randomBytes(400, 200_000);
        PutObjectResponse r = s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
        assertThat(sentHeader("x-amz-trailer")).isEqualTo("x-amz-checksum-crc32");
        String expected = ExpectedChecksums.base64(Alg.CRC32, data);
        assertThat(r.checksumCRC32()).isEqualTo(expected);
        assertStoredChecksum(key, Alg.CRC32, expected, data);
    }

    @Test
    void clientThatSendsChecksumsOnlyWhenRequiredWorks() {
        try (S3Client plain = Clients.builder(server.endpoint(), true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.addExecutionInterceptor(new ExecutionInterceptor() {
                    @Override
                    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                        lastSent.set(context.httpRequest());
                    }
                }))
                .build()) {
            String key = "when-required/object";
            byte[] data = randomBytes(500, 150_000);
            PutObjectResponse r = plain.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
            assertThat(sentHeader("x-amz-trailer")).isNull();
            assertThat(lastSent.get().headers().keySet()).noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("x-amz-checksum-"));
            assertThat(r.eTag()).isEqualTo("\"" + ExpectedChecksums.md5Hex(data) + "\"");
            assertThat(plain.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray()).isEqualTo(data);
            // Multipart works the same way.
            String uploadId = plain.createMultipartUpload(b -> b.bucket(BUCKET).key(key + ".mp")).uploadId();
            String etag = plain.uploadPart(b -> b.bucket(BUCKET).key(key + ".mp").uploadId(uploadId).partNumber(1),
                    RequestBody.fromBytes(data)).eTag();
            plain.completeMultipartUpload(b -> b.bucket(BUCKET).key(key + ".mp").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(List.of(software.amazon.awssdk.services.s3.model.CompletedPart.builder()
                            .partNumber(1).eTag(etag).build()))));
            assertThat(plain.getObjectAsBytes(b -> b.bucket(BUCKET).key(key + ".mp")).asByteArray()).isEqualTo(data);
        }
    }

    private static RawS3.Response putChunked(String key, byte[] data, String mode, Map<String, String> trailers) {
        return raw.putChunked("/" + BUCKET + "/" + RawS3.encodeKey(key), data, mode, trailers, 64 * 1024, b -> b);
    }

    @ParameterizedTest
    @ValueSource(strings = {SigV4Signer.STREAMING_UNSIGNED_TRAILER, SigV4Signer.STREAMING_SIGNED_TRAILER})
    void awsChunkedUploadWithAWrongTrailerChecksumIsBadDigestAndStoresNothing(String mode) {
        String key = "chunked/" + mode.toLowerCase(Locale.ROOT);
        byte[] data = randomBytes(600 + mode.length(), 200_000);
        String crc32c = ExpectedChecksums.base64(Alg.CRC32C, data);
        putChunked(key, data, mode, Map.of("x-amz-checksum-crc32c", crc32c)).assertStatus(200);
        assertStoredChecksum(key, Alg.CRC32C, crc32c, data);

        // Same length, one byte changed: the trailer (the old data's CRC32C) no longer matches.
        byte[] changed = Arrays.copyOf(data, data.length);
        changed[changed.length / 2] ^= 0x01;
        putChunked(key, changed, mode, Map.of("x-amz-checksum-crc32c", crc32c)).assertError(400, "BadDigest");
        assertContent(key, data);
        assertStoredChecksum(key, Alg.CRC32C, crc32c, data);

        String fresh = key + "-fresh";
        putChunked(fresh, changed, mode, Map.of("x-amz-checksum-crc32c", crc32c)).assertError(400, "BadDigest");
        assertAbsent(fresh);
        // Every algorithm is checked the same way in a trailer.
        for (Alg alg : Alg.values()) {
            putChunked(fresh, changed, mode, Map.of(headerName(alg), ExpectedChecksums.base64(alg, data)))
                    .assertError(400, "BadDigest");
        }
        assertAbsent(fresh);
    }
}
