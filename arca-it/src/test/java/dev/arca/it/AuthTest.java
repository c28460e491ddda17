package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.it.ExpectedChecksums.Alg;
import dev.arca.s3.auth.SigV4Signer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.model.PresignedPutObjectRequest;

/**
 * SigV4 authentication end to end: presigned URLs (SDK and hand-made), every payload mode, and the
 * S3 error for each way a request can fail to authenticate, with the S3 error document shape.
 */
class AuthTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;
    static HttpClient http;
    static long seed;

    static final String BUCKET = "auth";
    static final String KEY = "dir/hello world.bin";
    static byte[] content;

    @BeforeAll
    static void start() {
        seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("AuthTest seed: " + seed + " (rerun with -Darca.test.seed=" + seed + ")");
        server = ArcaTestServer.start(dir);
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        content = randomBytes(0, 10_000);
        s3.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromBytes(content));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
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

    private static String path(String key) {
        return "/" + BUCKET + "/" + RawS3.encodeKey(key);
    }

    private static void assertAbsent(String key) {
        assertSdkError(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, "NoSuchKey");
    }

    private static void assertContent(String key, byte[] data) {
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray()).isEqualTo(data);
    }

    private static S3Client clientWith(AwsCredentialsProvider credentials) {
        return Clients.builder(server.endpoint(), true).credentialsProvider(credentials).build();
    }

    /** An SDK error's request id is the one in the x-amz-request-id header and the XML body alike. */
    private static void assertSdkErrorWithRequestId(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status,
            String code) {
        assertSdkError(call, status, code);
        try {
            call.call();
        } catch (S3Exception e) {
            assertThat(e.requestId()).isNotBlank();
            assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-request-id")).contains(e.requestId());
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    // ------------------------------------------------------------------ presigned URLs

    @Test
    void presignedGetAndPutUrlsFromTheSdkWork() throws Exception {
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.of(ArcaTestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            PresignedGetObjectRequest get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(BUCKET).key(KEY)));
            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(get.url().toURI()).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(content);

            byte[] upload = randomBytes(1, 5000);
            PresignedPutObjectRequest put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(r -> r.bucket(BUCKET).key("presigned/sdk-put")));
            HttpRequest.Builder req = HttpRequest.newBuilder(put.url().toURI()).PUT(HttpRequest.BodyPublishers.ofByteArray(upload));
            put.signedHeaders().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("host")) {
                    values.forEach(v -> req.header(name, v));
                }
            });
            HttpResponse<String> putResponse = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(putResponse.statusCode()).as(putResponse.body()).isEqualTo(200);
            assertThat(putResponse.headers().firstValue("etag")).contains("\"" + ExpectedChecksums.md5Hex(upload) + "\"");
            assertContent("presigned/sdk-put", upload);
        }
    }

    @Test
    void presignedUrlsFromTheSignerWorkAndTheirTimeIsBounded() {
        Instant now = Instant.now();
        String query = raw.signer().presign("GET", path(KEY), "", raw.headers(), now, 300);
        RawS3.Response ok = raw.send("GET", path(KEY) + "?" + query, raw.headers(), new byte[0]).assertStatus(200);
        assertThat(ok.body()).isEqualTo(content);

        byte[] upload = randomBytes(2, 3000);
        String putQuery = raw.signer().presign("PUT", path("presigned/raw-put"), "", raw.headers(), now, 300);
        raw.send("PUT", path("presigned/raw-put") + "?" + putQuery, raw.headers(), upload).assertStatus(200);
        assertContent("presigned/raw-put", upload);

        // Signed an hour ago, valid for a minute: expired.
        String expired = raw.signer().presign("GET", path(KEY), "", raw.headers(), now.minusSeconds(3600), 60);
        RawS3.Response e = raw.send("GET", path(KEY) + "?" + expired, raw.headers(), new byte[0]).assertError(403, "AccessDenied");
        assertThat(e.xml("Message")).isEqualTo("Request has expired");
        String expiredPut = raw.signer().presign("PUT", path("presigned/expired-put"), "", raw.headers(), now.minusSeconds(3600), 60);
        raw.send("PUT", path("presigned/expired-put") + "?" + expiredPut, raw.headers(), upload).assertError(403, "AccessDenied");
        assertAbsent("presigned/expired-put");
    }

    @Test
    void tamperedPresignedUrlsAreSignatureDoesNotMatch() {
        String query = raw.signer().presign("GET", path(KEY), "", raw.headers(), Instant.now(), 300);
        char last = query.charAt(query.length() - 1);
        String flipped = query.substring(0, query.length() - 1) + (last == '0' ? '1' : '0');
        raw.send("GET", path(KEY) + "?" + flipped, raw.headers(), new byte[0]).assertError(403, "SignatureDoesNotMatch");

        // A valid signature used for another key, or with an extra parameter, does not match either.
        s3.putObject(b -> b.bucket(BUCKET).key("other"), RequestBody.fromString("other"));
        raw.send("GET", path("other") + "?" + query, raw.headers(), new byte[0]).assertError(403, "SignatureDoesNotMatch");
        raw.send("GET", path(KEY) + "?" + query + "&response-content-type=text%2Fhtml", raw.headers(), new byte[0])
                .assertError(403, "SignatureDoesNotMatch");
        // A GET URL cannot be used to PUT.
        raw.send("PUT", path(KEY) + "?" + query, raw.headers(), "evil".getBytes(StandardCharsets.UTF_8))
                .assertError(403, "SignatureDoesNotMatch");
        assertContent(KEY, content);
    }

    @Test
    void presignedExpiryBeyondSevenDaysIsRejected() {
        String query = raw.signer().presign("GET", path(KEY), "", raw.headers(), Instant.now(), 7 * 24 * 3600 + 1);
        raw.send("GET", path(KEY) + "?" + query, raw.headers(), new byte[0]).assertError(400, "AuthorizationQueryParametersError");
        String week = raw.signer().presign("GET", path(KEY), "", raw.headers(), Instant.now(), 7 * 24 * 3600);
        raw.send("GET", path(KEY) + "?" + week, raw.headers(), new byte[0]).assertStatus(200);
    }

    @Test
    void headersAddedOrChangedAfterSigningAreRefused() {
        byte[] body = "signed".getBytes(StandardCharsets.UTF_8);
        SigV4Signer.SignedRequest signed = raw.signer().sign("PUT", path("tamper"), "",
                raw.headers("content-type", "text/plain"), SigV4Signer.sha256Hex(body), Instant.now());
        // An x-amz-* header outside SignedHeaders could have been injected in transit.
        var injected = copy(signed.headers()).set("x-amz-meta-injected", "yes");
        raw.send("PUT", path("tamper"), injected, body).assertError(403, "AccessDenied");
        var changed = copy(signed.headers()).set("content-type", "text/html");
        raw.send("PUT", path("tamper"), changed, body).assertError(403, "SignatureDoesNotMatch");
        assertAbsent("tamper");
        raw.send("PUT", path("tamper"), signed.headers(), body).assertStatus(200);
        assertContent("tamper", body);
    }

    private static dev.arca.s3.http.Headers copy(dev.arca.s3.http.Headers h) {
        var out = new dev.arca.s3.http.Headers();
        h.asMap().forEach((name, values) -> values.forEach(v -> out.add(name, v)));
        return out;
    }

    @Test
    void virtualHostedRequestsAreSignedOverTheirOwnHost() {
        String host = BUCKET + "." + ArcaTestServer.DOMAIN + ":" + server.port();
        String keyPath = "/" + RawS3.encodeKey(KEY);
        var headers = new dev.arca.s3.http.Headers().set("host", host);
        raw.signed("GET", keyPath, "", headers, new byte[0]).assertStatus(200);
        // Signed for one bucket's host, sent to another's: the host is part of the signature.
        SigV4Signer.SignedRequest signed = raw.signer().sign("GET", keyPath, "", headers, SigV4Signer.EMPTY_SHA256,
                Instant.now());
        var other = copy(signed.headers()).set("host", "other-bucket." + ArcaTestServer.DOMAIN + ":" + server.port());
        raw.send("GET", keyPath, other, new byte[0]).assertError(403, "SignatureDoesNotMatch");
    }

    @Test
    void awsChunkedBodyShorterThanItsDecodedLengthStoresNothing() {
        byte[] data = randomBytes(11, 20_000);
        // Claims 10 more bytes than the chunks carry.
        var h = raw.headers("content-encoding", "aws-chunked", "x-amz-decoded-content-length", Integer.toString(data.length + 10));
        SigV4Signer.SignedRequest signed = raw.signer().sign("PUT", path("short-chunked"), "", h, SigV4Signer.STREAMING_SIGNED,
                Instant.now());
        byte[] body = raw.signer().chunkedBody(signed, data, 8192, Map.of());
        raw.send("PUT", path("short-chunked"), signed.headers(), body).assertError(400, "IncompleteBody");
        assertAbsent("short-chunked");
    }

    @Test
    void signaturesScopedToAnotherRegionAreRejected() {
        SigV4Signer euSigner = new SigV4Signer(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY, "eu-west-1");
        SigV4Signer.SignedRequest signed = euSigner.sign("GET", path(KEY), "", raw.headers(), SigV4Signer.EMPTY_SHA256,
                Instant.now());
        RawS3.Response r = raw.send("GET", path(KEY), signed.headers(), new byte[0]).assertError(400, "AuthorizationHeaderMalformed");
        assertThat(r.xml("Region")).isEqualTo(ArcaTestServer.REGION);
        String query = euSigner.presign("GET", path(KEY), "", raw.headers(), Instant.now(), 300);
        raw.send("GET", path(KEY) + "?" + query, raw.headers(), new byte[0]).assertError(400, "AuthorizationQueryParametersError");
    }

    @Test
    void keysWithCharactersThatNeedEncodingSignAndPresignCorrectly() throws Exception {
        String key = "spécial/a+b=c&d ~!*'()$,;:@[]%é漢.txt";
        byte[] data = randomBytes(12, 777);
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
        raw.signed("GET", path(key), "", raw.headers(), new byte[0]).assertStatus(200);
        String query = raw.signer().presign("GET", path(key), "", raw.headers(), Instant.now(), 300);
        assertThat(raw.send("GET", path(key) + "?" + query, raw.headers(), new byte[0]).assertStatus(200).body()).isEqualTo(data);
        try (S3Presigner presigner = S3Presigner.builder()
                .endpointOverride(URI.create(server.endpoint()))
                .region(Region.of(ArcaTestServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build()) {
            PresignedGetObjectRequest get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(BUCKET).key(key).responseContentType("text/plain; charset=utf-8")));
            HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(get.url().toURI()).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(got.body()).isEqualTo(data);
            assertThat(got.headers().firstValue("content-type")).contains("text/plain; charset=utf-8");
        }
    }

    // ------------------------------------------------------------------ credentials and time

    @Test
    void wrongSecretKeyIsSignatureDoesNotMatchAndStoresNothing() {
        try (S3Client bad = clientWith(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, "not-the-secret-key/0123456789abcdefghijk")))) {
            assertSdkErrorWithRequestId(() -> bad.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)), 403, "SignatureDoesNotMatch");
            assertSdkError(() -> bad.putObject(b -> b.bucket(BUCKET).key("bad-secret"), RequestBody.fromString("x")), 403,
                    "SignatureDoesNotMatch");
            assertSdkError(() -> bad.putObject(b -> b.bucket(BUCKET).key(KEY), RequestBody.fromString("x")), 403,
                    "SignatureDoesNotMatch");
            assertSdkError(() -> bad.deleteObject(b -> b.bucket(BUCKET).key(KEY)), 403, "SignatureDoesNotMatch");
        }
        assertAbsent("bad-secret");
        assertContent(KEY, content);
        RawS3 wrong = new RawS3(server, ArcaTestServer.ACCESS_KEY, "wrong");
        wrong.signed("GET", path(KEY), "", wrong.headers(), new byte[0]).assertError(403, "SignatureDoesNotMatch");
    }

    @Test
    void unknownAccessKeyIsInvalidAccessKeyId() {
        try (S3Client unknown = clientWith(StaticCredentialsProvider.create(
                AwsBasicCredentials.create("AKIAUNKNOWNKEY000000", ArcaTestServer.SECRET_KEY)))) {
            assertSdkErrorWithRequestId(() -> unknown.listBuckets(), 403, "InvalidAccessKeyId");
            assertSdkError(() -> unknown.putObject(b -> b.bucket(BUCKET).key("unknown-key"), RequestBody.fromString("x")), 403,
                    "InvalidAccessKeyId");
        }
        assertAbsent("unknown-key");
        RawS3 unknownRaw = new RawS3(server, "AKIAUNKNOWNKEY000000", ArcaTestServer.SECRET_KEY);
        unknownRaw.signed("GET", path(KEY), "", unknownRaw.headers(), new byte[0]).assertError(403, "InvalidAccessKeyId");
    }

    @Test
    void anonymousRequestsAreAccessDenied() {
        raw.send("GET", path(KEY), raw.headers(), new byte[0]).assertError(403, "AccessDenied");
        raw.send("GET", "/", raw.headers(), new byte[0]).assertError(403, "AccessDenied");
        raw.send("GET", "/" + BUCKET + "?list-type=2", raw.headers(), new byte[0]).assertError(403, "AccessDenied");
        raw.send("PUT", path("anonymous"), raw.headers(), "x".getBytes(StandardCharsets.UTF_8)).assertError(403, "AccessDenied");
        raw.send("DELETE", path(KEY), raw.headers(), new byte[0]).assertError(403, "AccessDenied");
        raw.send("HEAD", path(KEY), raw.headers(), new byte[0]).assertStatus(403);
        try (S3Client anonymous = clientWith(AnonymousCredentialsProvider.create())) {
            assertSdkError(() -> anonymous.getObjectAsBytes(b -> b.bucket(BUCKET).key(KEY)), 403, "AccessDenied");
        }
        assertAbsent("anonymous");
        assertContent(KEY, content);
    }

    @ParameterizedTest
    @ValueSource(longs = {-20 * 60, 20 * 60})
    void requestTimeTwentyMinutesOffIsRequestTimeTooSkewed(long offsetSeconds) {
        Instant when = Instant.now().plusSeconds(offsetSeconds);
        raw.signed("GET", path(KEY), "", raw.headers(), new byte[0], SigV4Signer.EMPTY_SHA256, when)
                .assertError(403, "RequestTimeTooSkewed");
        byte[] body = "skewed".getBytes(StandardCharsets.UTF_8);
        raw.signed("PUT", path("skewed"), "", raw.headers(), body, SigV4Signer.sha256Hex(body), when)
                .assertError(403, "RequestTimeTooSkewed");
        assertAbsent("skewed");
        // Within the 15-minute window it is fine.
        raw.signed("GET", path(KEY), "", raw.headers(), new byte[0], SigV4Signer.EMPTY_SHA256,
                Instant.now().plusSeconds(offsetSeconds / 4)).assertStatus(200);
    }

    // ------------------------------------------------------------------ payload modes

    @Test
    void contentSha256ThatDoesNotMatchTheBodyIsRejectedAndStoresNothing() {
        byte[] body = randomBytes(3, 4096);
        byte[] other = randomBytes(4, 4096);
        raw.signed("PUT", path("sha-mismatch"), "", raw.headers(), body, SigV4Signer.sha256Hex(other), Instant.now())
                .assertError(400, "XAmzContentSHA256Mismatch");
        assertAbsent("sha-mismatch");
        raw.signed("PUT", path(KEY), "", raw.headers(), body, SigV4Signer.sha256Hex(other), Instant.now())
                .assertError(400, "XAmzContentSHA256Mismatch");
        assertContent(KEY, content);
        // The matching hash stores the body.
        raw.signed("PUT", path("sha-match"), "", raw.headers(), body).assertStatus(200);
        assertContent("sha-match", body);
    }

    @Test
    void unsignedPayloadPutWorks() {
        byte[] body = randomBytes(5, 70_000);
        RawS3.Response r = raw.signed("PUT", path("unsigned"), "", raw.headers("content-type", "application/x-test"), body,
                SigV4Signer.UNSIGNED_PAYLOAD, Instant.now()).assertStatus(200);
        assertThat(r.header("etag")).isEqualTo("\"" + ExpectedChecksums.md5Hex(body) + "\"");
        assertContent("unsigned", body);
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("unsigned")).contentType()).isEqualTo("application/x-test");
    }

    @Test
    void signedChunksWorkAndACorruptedChunkIsSignatureDoesNotMatch() {
        byte[] data = randomBytes(6, 3 * 8192 + 100);
        raw.putChunked(path("chunked/signed"), data, SigV4Signer.STREAMING_SIGNED, Map.of(), 8192, b -> b).assertStatus(200);
        assertContent("chunked/signed", data);
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("chunked/signed")).contentEncoding()).isNull();

        // One payload byte of the last chunk flipped: its chunk signature no longer matches.
        raw.putChunked(path("chunked/corrupt"), data, SigV4Signer.STREAMING_SIGNED, Map.of(), 8192,
                b -> flipByteInLastChunk(b, 100)).assertError(403, "SignatureDoesNotMatch");
        assertAbsent("chunked/corrupt");
        byte[] replacement = randomBytes(7, data.length);
        raw.putChunked(path("chunked/signed"), replacement, SigV4Signer.STREAMING_SIGNED, Map.of(), 8192,
                b -> flipByteInLastChunk(b, 100)).assertError(403, "SignatureDoesNotMatch");
        assertContent("chunked/signed", data);
        // A chunk signature replaced by the previous chunk's (chunks reordered in transit) fails as well.
        raw.putChunked(path("chunked/corrupt"), data, SigV4Signer.STREAMING_SIGNED, Map.of(), 8192,
                AuthTest::swapFirstTwoChunkSignatures).assertError(403, "SignatureDoesNotMatch");
        assertAbsent("chunked/corrupt");
    }

    /** Flips one byte of data in the last non-empty chunk, which holds {@code lastChunkLength} bytes. */
    private static byte[] flipByteInLastChunk(byte[] body, int lastChunkLength) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int header = text.lastIndexOf(Integer.toHexString(lastChunkLength) + ";chunk-signature=");
        int dataStart = text.indexOf("\r\n", header) + 2;
        byte[] copy = Arrays.copyOf(body, body.length);
        copy[dataStart + lastChunkLength / 2] ^= 0x40;
        return copy;
    }

    private static byte[] swapFirstTwoChunkSignatures(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String marker = ";chunk-signature=";
        int first = text.indexOf(marker) + marker.length();
        int second = text.indexOf(marker, first) + marker.length();
        byte[] copy = Arrays.copyOf(body, body.length);
        System.arraycopy(body, second, copy, first, 64);
        System.arraycopy(body, first, copy, second, 64);
        return copy;
    }

    @ParameterizedTest
    @ValueSource(strings = {SigV4Signer.STREAMING_UNSIGNED_TRAILER, SigV4Signer.STREAMING_SIGNED_TRAILER})
    void trailerModesWorkAndStoreTheTrailerChecksum(String mode) {
        byte[] data = randomBytes(8 + mode.length(), 100_000);
        String key = "trailer/" + mode;
        String sha256 = ExpectedChecksums.base64(Alg.SHA256, data);
        RawS3.Response r = raw.putChunked(path(key), data, mode, Map.of("x-amz-checksum-sha256", sha256), 16 * 1024, b -> b)
                .assertStatus(200);
        assertThat(r.header("x-amz-checksum-sha256")).isEqualTo(sha256);
        assertContent(key, data);
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)).checksumSHA256())
                .isEqualTo(sha256);
    }

    @Test
    void signedTrailerThatWasChangedInTransitIsSignatureDoesNotMatch() {
        byte[] data = randomBytes(9, 50_000);
        String crc = ExpectedChecksums.base64(Alg.CRC32, data);
        // Replace the trailer value after signing with another well-formed CRC32 (the one of other data).
        String forged = ExpectedChecksums.base64(Alg.CRC32, randomBytes(10, 10));
        raw.putChunked(path("trailer/forged"), data, SigV4Signer.STREAMING_SIGNED_TRAILER,
                Map.of("x-amz-checksum-crc32", crc), 16 * 1024, b -> replace(b, "x-amz-checksum-crc32:" + crc,
                        "x-amz-checksum-crc32:" + forged)).assertError(403, "SignatureDoesNotMatch");
        assertAbsent("trailer/forged");
    }

    private static byte[] replace(byte[] body, String from, String to) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        assertThat(text).contains(from);
        assertThat(to).hasSameSizeAs(from);
        return text.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ error document shape

    @Test
    void everyErrorCarriesTheS3ErrorDocumentWithTheHeaderRequestId() {
        // A spread of failures (auth and otherwise), each checked by assertError for Code, Message, RequestId.
        List<RawS3.Response> errors = List.of(
                raw.send("GET", path(KEY), raw.headers(), new byte[0]).assertError(403, "AccessDenied"),
                raw.signed("GET", path("missing"), "", raw.headers(), new byte[0]).assertError(404, "NoSuchKey"),
                raw.signed("GET", "/no-such-bucket-here/x", "", raw.headers(), new byte[0]).assertError(404, "NoSuchBucket"),
                raw.send("GET", path(KEY), raw.headers("authorization", "AWS4-HMAC-SHA256 Credential=" + ArcaTestServer.ACCESS_KEY
                        + "/20250101/us-east-1/s3/aws4_request", "x-amz-content-sha256", SigV4Signer.EMPTY_SHA256),
                        new byte[0]).assertError(400, "AuthorizationHeaderMalformed"),
                raw.signed("PUT", path("k"), "uploadId=nope&partNumber=1", raw.headers(), new byte[1])
                        .assertError(404, "NoSuchUpload"));
        assertThat(errors).extracting(r -> r.header("x-amz-request-id")).doesNotHaveDuplicates();
        // The request id is also on successful responses.
        assertThat(raw.signed("GET", path(KEY), "", raw.headers(), new byte[0]).assertStatus(200).header("x-amz-request-id"))
                .isNotBlank();
    }
}
