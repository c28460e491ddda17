package dev.arca.s3.auth;

import static dev.arca.s3.auth.AuthTestSupport.CREDENTIAL;
import static dev.arca.s3.auth.AuthTestSupport.HOST;
import static dev.arca.s3.auth.AuthTestSupport.SIGNER;
import static dev.arca.s3.auth.AuthTestSupport.T0;
import static dev.arca.s3.auth.AuthTestSupport.authenticate;
import static dev.arca.s3.auth.AuthTestSupport.authenticator;
import static dev.arca.s3.auth.AuthTestSupport.headers;
import static dev.arca.s3.auth.AuthTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.UriEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the signer produces, the authenticator accepts, for every payload mode and awkward names. */
class SigV4RoundTripTest {
    private static final String BUCKET_PATH = "/bucket/";

    private static byte[] randomPayload(int length) {
        byte[] payload = new byte[length];
        new Random(length).nextBytes(payload);
        return payload;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "plain.txt",
        "photos/2024/my file.jpg",
        "ünïcödé/日本語/😀.bin",
        "a+b=c&d",
        "dir//double/slash/",
        "tilde~and-dash_and.dot",
        "percent%41literal",
        "semi;colon,comma'quote\"(paren)*star!bang$",
        "  leading and trailing  "
    })
    void headerSignedRequestsWithAwkwardKeysAndQueries(String key) {
        String rawPath = BUCKET_PATH + UriEncoding.encode(key, false);
        String rawQuery = "prefix=" + UriEncoding.encode(key, true) + "&uploads&marker=&max-keys=10"
                + "&continuation-token=" + UriEncoding.encode("a+b/c==", true);
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("GET", rawPath, rawQuery, headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0);

        AuthenticatedRequest request = authenticate(TestExchange.of("GET", rawPath, rawQuery, signed.headers()));
        assertThat(request.credential()).contains(CREDENTIAL);
        assertThat(request.presigned()).isFalse();

        String presignedQuery = SIGNER.presign("GET", rawPath, rawQuery, headers("host", HOST), T0, 3600);
        AuthenticatedRequest presigned =
                authenticate(TestExchange.of("GET", rawPath, presignedQuery, headers("host", HOST)));
        assertThat(presigned.credential()).contains(CREDENTIAL);
        assertThat(presigned.presigned()).isTrue();
    }

    @Test
    void equivalentEncodingsOfThePathAndQueryVerify() {
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("GET", "/bucket/a~b c", "p=x%20y", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0);
        // Clients differ in what they escape; S3 decodes first, so these are the same request.
        assertThat(authenticate(TestExchange.of("GET", "/bucket/a%7Eb%20c", "p=x+y", signed.headers())).credential())
                .isPresent();
        assertThat(authenticate(TestExchange.of("GET", "/bucket/a~b%20c", "p=x%20y", signed.headers())).credential())
                .isPresent();
    }

    @Test
    void authorizationHeaderWithSpacesAfterCommasVerifies() {
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("GET", "/bucket/k", "", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0);
        Headers sent = AuthTestSupport.copy(signed.headers());
        sent.set("authorization", signed.headers().get("authorization").replace(",", ", "));
        assertThat(authenticate(TestExchange.of("GET", "/bucket/k", "", sent)).credential()).isPresent();
    }

    @Test
    void headerValuesAreCanonicalisedByTrimmingAndCollapsingSpaces() {
        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "GET", "/bucket/k", "", headers("host", HOST, "x-amz-meta-note", "a b c"), SigV4Signer.EMPTY_SHA256, T0);
        Headers sent = AuthTestSupport.copy(signed.headers());
        sent.set("x-amz-meta-note", "  a   b \t c ");
        assertThat(authenticate(TestExchange.of("GET", "/bucket/k", "", sent)).credential()).isPresent();
    }

    @Test
    void multipleValuesOfAHeaderAreJoinedWithCommas() {
        Headers given = headers("host", HOST, "x-amz-meta-list", "one", "x-amz-meta-list", "two");
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("GET", "/bucket/k", "", given, SigV4Signer.EMPTY_SHA256, T0);
        assertThat(signed.canonicalRequest()).contains("\nx-amz-meta-list:one,two\n");
        assertThat(authenticate(TestExchange.of("GET", "/bucket/k", "", signed.headers())).credential()).isPresent();
    }

    @Test
    void theDateHeaderServesWhenXAmzDateIsAbsent() {
        Headers sent = headers(
                "host", HOST, "date", "Fri, 24 May 2013 00:00:00 GMT", "x-amz-content-sha256", SigV4Signer.EMPTY_SHA256);
        List<String> signedHeaders = List.of("date", "host", "x-amz-content-sha256");
        String canonical = SigV4.canonicalRequest(
                "GET", "/bucket/k", "", sent, signedHeaders, SigV4Signer.EMPTY_SHA256);
        String scope = SigV4.scope("20130524", AuthTestSupport.REGION);
        String signature = SigV4.signature(
                SigV4.deriveSigningKey(AuthTestSupport.SECRET_KEY, "20130524", AuthTestSupport.REGION),
                SigV4.stringToSign("20130524T000000Z", scope, canonical));
        sent.set("authorization", "AWS4-HMAC-SHA256 Credential=" + AuthTestSupport.ACCESS_KEY + "/" + scope
                + ", SignedHeaders=date;host;x-amz-content-sha256, Signature=" + signature);
        assertThat(authenticate(TestExchange.of("GET", "/bucket/k", "", sent)).credential()).isPresent();
    }

    @Test
    void signedPayloadIsPassedThroughAndVerified() {
        byte[] payload = randomPayload(100_000);
        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "PUT", "/bucket/k", "", headers("host", HOST), SigV4Signer.sha256Hex(payload), T0);
        AuthenticatedRequest request =
                authenticate(TestExchange.of("PUT", "/bucket/k", "", signed.headers(), payload).trickling(1000));
        assertThat(request.mode()).isEqualTo(PayloadMode.SIGNED_HEX);
        assertThat(request.decodedContentLength()).isEqualTo(payload.length);
        assertThat(readAll(request.body())).isEqualTo(payload);
    }

    @Test
    void unsignedPayloadIsPassedThroughUntouched() {
        byte[] payload = randomPayload(5000);
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("PUT", "/bucket/k", "", headers("host", HOST), SigV4Signer.UNSIGNED_PAYLOAD, T0);
        AuthenticatedRequest request = authenticate(TestExchange.of("PUT", "/bucket/k", "", signed.headers(), payload));
        assertThat(request.mode()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(readAll(request.body())).isEqualTo(payload);
        assertThat(request.trailers()).isEmpty();
    }

    static Stream<Arguments> chunkings() {
        return Stream.of(
                Arguments.of(0, 8192),
                Arguments.of(1, 8192),
                Arguments.of(100_000, 1),
                Arguments.of(100_000, 7),
                Arguments.of(100_000, 8192),
                Arguments.of(65_536, 65_536),
                Arguments.of(100_000, 1 << 20));
    }

    @ParameterizedTest
    @MethodSource("chunkings")
    void signedChunkedPayloadDecodes(int size, int chunkSize) throws IOException {
        byte[] payload = randomPayload(size);
        Headers given = headers(
                "host", HOST,
                "content-encoding", "aws-chunked",
                "x-amz-decoded-content-length", Integer.toString(size));
        SigV4Signer.SignedRequest signed = SIGNER.sign("PUT", "/bucket/k", "", given, SigV4Signer.STREAMING_SIGNED, T0);
        byte[] body = SIGNER.chunkedBody(signed, payload, chunkSize, Map.of());
        assertThat((long) body.length)
                .isEqualTo(SigV4Signer.chunkedLength(PayloadMode.STREAMING_SIGNED, size, chunkSize, Map.of()));

        for (int trickle : new int[] {0, 1, 5, 9000}) {
            TestExchange exchange = TestExchange.of("PUT", "/bucket/k", "", signed.headers(), body);
            AuthenticatedRequest request = authenticate(trickle == 0 ? exchange : exchange.trickling(trickle));
            assertThat(request.mode()).isEqualTo(PayloadMode.STREAMING_SIGNED);
            assertThat(request.decodedContentLength()).isEqualTo(size);
            assertThat(readAll(request.body())).isEqualTo(payload);
            assertThat(request.body().read()).as("stays at end").isEqualTo(-1);
            assertThat(request.trailers()).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 8192, 100_000})
    void signedChunkedPayloadWithSignedTrailersDecodes(int size) {
        byte[] payload = randomPayload(size);
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("x-amz-checksum-crc32", "AAAAAA==");
        trailers.put("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        Headers given = headers(
                "host", HOST,
                "content-encoding", "aws-chunked",
                "x-amz-decoded-content-length", Integer.toString(size),
                "x-amz-trailer", "x-amz-checksum-crc32, X-Amz-Checksum-Sha256");
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("PUT", "/bucket/k", "", given, SigV4Signer.STREAMING_SIGNED_TRAILER, T0);
        byte[] body = SIGNER.chunkedBody(signed, payload, 8192, trailers);
        assertThat((long) body.length).isEqualTo(
                SigV4Signer.chunkedLength(PayloadMode.STREAMING_SIGNED_TRAILER, size, 8192, trailers));

        AuthenticatedRequest request =
                authenticate(TestExchange.of("PUT", "/bucket/k", "", signed.headers(), body).trickling(3));
        assertThat(request.declaredTrailers()).containsExactly("x-amz-checksum-crc32", "x-amz-checksum-sha256");
        assertThat(readAll(request.body())).isEqualTo(payload);
        assertThat(request.trailers()).isEqualTo(trailers);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100_000})
    void unsignedChunkedPayloadWithTrailersDecodes(int size) {
        byte[] payload = randomPayload(size);
        Map<String, String> trailers = Map.of("x-amz-checksum-crc32c", "sOO8/Q==");
        Headers given = headers(
                "host", HOST,
                "content-encoding", "aws-chunked",
                "x-amz-decoded-content-length", Integer.toString(size),
                "x-amz-trailer", "x-amz-checksum-crc32c");
        SigV4Signer.SignedRequest signed =
                SIGNER.sign("PUT", "/bucket/k", "", given, SigV4Signer.STREAMING_UNSIGNED_TRAILER, T0);
        byte[] body = SigV4Signer.unsignedChunkedBody(payload, 8192, trailers);
        assertThat((long) body.length).isEqualTo(
                SigV4Signer.chunkedLength(PayloadMode.STREAMING_UNSIGNED_TRAILER, size, 8192, trailers));

        AuthenticatedRequest request =
                authenticate(TestExchange.of("PUT", "/bucket/k", "", signed.headers(), body).trickling(2));
        assertThat(request.mode()).isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
        assertThat(readAll(request.body())).isEqualTo(payload);
        assertThat(request.trailers()).isEqualTo(trailers);
    }

    @Test
    void presignedPutWithSignedPayloadHashVerifiesTheBody() {
        byte[] payload = "presigned body".getBytes(StandardCharsets.UTF_8);
        Headers given = headers("host", HOST, "x-amz-content-sha256", SigV4Signer.sha256Hex(payload));
        String query = SIGNER.presign("PUT", "/bucket/k", "", given, T0, 60);
        assertThat(query).contains("X-Amz-SignedHeaders=host%3Bx-amz-content-sha256");
        AuthenticatedRequest request = authenticate(TestExchange.of("PUT", "/bucket/k", query, given, payload));
        assertThat(request.mode()).isEqualTo(PayloadMode.SIGNED_HEX);
        assertThat(readAll(request.body())).isEqualTo(payload);
    }

    @Test
    void presignedUrlKeepsOtherQueryParameters() {
        String rawQuery = "response-content-type=text%2Fplain%3B%20charset%3Dutf-8&versionId=";
        String query = SIGNER.presign("GET", "/bucket/k", rawQuery, headers("host", HOST), T0, 60);
        assertThat(query).startsWith(rawQuery + "&X-Amz-Algorithm=");
        assertThat(authenticate(TestExchange.of("GET", "/bucket/k", query, headers("host", HOST))).credential())
                .isPresent();
    }

    @Test
    void requestsWithoutAuthenticationAreAnonymous() {
        byte[] payload = "raw".getBytes(StandardCharsets.UTF_8);
        AuthenticatedRequest request =
                authenticate(TestExchange.of("PUT", "/bucket/k", "acl", headers("host", HOST), payload));
        assertThat(request.isAnonymous()).isTrue();
        assertThat(request.credential()).isEmpty();
        assertThat(request.mode()).isEqualTo(PayloadMode.ANONYMOUS);
        assertThat(request.decodedContentLength()).isEqualTo(payload.length);
        assertThat(readAll(request.body())).isEqualTo(payload);
    }

    @Test
    void signingKeysAreCachedWithABound() {
        SigningKeyCache cache = new SigningKeyCache();
        byte[] first = cache.get(AuthTestSupport.SECRET_KEY, "20130524", "us-east-1");
        assertThat(cache.get(AuthTestSupport.SECRET_KEY, "20130524", "us-east-1")).isSameAs(first);
        assertThat(cache.get(AuthTestSupport.SECRET_KEY, "20130525", "us-east-1")).isNotEqualTo(first);
        for (int i = 0; i < SigningKeyCache.MAX_ENTRIES + 10; i++) {
            cache.get("secret-" + i, "20130524", "us-east-1");
        }
        assertThat(cache.size()).isEqualTo(SigningKeyCache.MAX_ENTRIES);
        // The same authenticator keeps verifying across many requests (keys come from the cache).
        SigV4Authenticator authenticator = authenticator(T0);
        for (int i = 0; i < 3; i++) {
            SigV4Signer.SignedRequest signed =
                    SIGNER.sign("GET", "/bucket/" + i, "", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0);
            assertThat(authenticator.authenticate(TestExchange.of("GET", "/bucket/" + i, "", signed.headers()))
                            .credential())
                    .isPresent();
        }
    }

    @Test
    void credentialToStringHidesTheSecret() {
        assertThat(CREDENTIAL.toString()).contains(AuthTestSupport.ACCESS_KEY).doesNotContain(AuthTestSupport.SECRET_KEY);
    }
}
