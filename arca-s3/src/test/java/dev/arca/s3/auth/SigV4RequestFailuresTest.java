package dev.arca.s3.auth;

import static dev.arca.s3.auth.AuthTestSupport.ACCESS_KEY;
import static dev.arca.s3.auth.AuthTestSupport.HOST;
import static dev.arca.s3.auth.AuthTestSupport.SECRET_KEY;
import static dev.arca.s3.auth.AuthTestSupport.SIGNER;
import static dev.arca.s3.auth.AuthTestSupport.T0;
import static dev.arca.s3.auth.AuthTestSupport.authenticate;
import static dev.arca.s3.auth.AuthTestSupport.authenticator;
import static dev.arca.s3.auth.AuthTestSupport.copy;
import static dev.arca.s3.auth.AuthTestSupport.failsWith;
import static dev.arca.s3.auth.AuthTestSupport.headers;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.http.Headers;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Requests the authenticator must refuse before the body is read, each with its exact failure. */
class SigV4RequestFailuresTest {
    private static final String PATH = "/bucket/key";
    private static final String GOOD_SCOPE = ACCESS_KEY + "/20130524/us-east-1/s3/aws4_request";

    private static SigV4Signer.SignedRequest signedGet(Headers extra) {
        Headers given = copy(extra);
        given.set("host", HOST);
        return SIGNER.sign("GET", PATH, "list-type=2", given, SigV4Signer.EMPTY_SHA256, T0);
    }

    private static TestExchange exchange(Headers sent) {
        return TestExchange.of("GET", PATH, "list-type=2", sent);
    }

    /** The signed headers with the Authorization header replaced. */
    private static Headers withAuthorization(String authorization) {
        Headers sent = copy(signedGet(new Headers()).headers());
        sent.set("authorization", authorization);
        return sent;
    }

    // ------------------------------------------------------------ tampering

    @Test
    void aChangedSignedHeaderBreaksTheSignatureAndTheFailureExplainsIt() {
        Headers sent = copy(signedGet(headers("range", "bytes=0-9")).headers());
        sent.set("range", "bytes=0-99");
        StoreException e = failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH, () -> authenticate(exchange(sent)));
        assertThat(e.failure().message())
                .isEqualTo("The request signature we calculated does not match the signature you provided."
                        + " Check your key and signing method.");
        assertThat(e.failure().details())
                .containsEntry("AWSAccessKeyId", ACCESS_KEY)
                .containsKeys("StringToSign", "SignatureProvided", "CanonicalRequest");
        assertThat(e.failure().details().get("CanonicalRequest")).contains("range:bytes=0-99");
        assertThat(e.failure().details().get("StringToSign")).startsWith("AWS4-HMAC-SHA256\n20130524T000000Z\n");
    }

    @Test
    void aChangedPathQueryOrMethodBreaksTheSignature() {
        Headers sent = signedGet(new Headers()).headers();
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("GET", "/bucket/other", "list-type=2", sent)));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("GET", PATH, "list-type=1", sent)));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("GET", PATH, "list-type=2&prefix=", sent)));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("DELETE", PATH, "list-type=2", sent)));
    }

    @Test
    void aWrongSecretOrSignatureFails() {
        SigV4Signer impostor = new SigV4Signer(ACCESS_KEY, SECRET_KEY + "x", AuthTestSupport.REGION);
        Headers forged = impostor.sign("GET", PATH, "list-type=2", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0)
                .headers();
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH, () -> authenticate(exchange(forged)));

        SigV4Signer.SignedRequest signed = signedGet(new Headers());
        String good = signed.headers().get("authorization");
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(exchange(withAuthorization(good.substring(0, good.length() - 1)))));
        char last = good.charAt(good.length() - 1);
        String flipped = good.substring(0, good.length() - 1) + (last == '0' ? '1' : '0');
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH, () -> authenticate(exchange(withAuthorization(flipped))));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(exchange(withAuthorization(good.replace(signed.signature(), "")))));
    }

    @Test
    void anUnsignedXAmzHeaderIsRefused() {
        Headers sent = copy(signedGet(new Headers()).headers());
        sent.set("x-amz-acl", "public-read");
        StoreException e = failsWith(FailureKind.ACCESS_DENIED, () -> authenticate(exchange(sent)));
        assertThat(e.failure().details()).containsEntry("HeadersNotSigned", "x-amz-acl");
    }

    // ------------------------------------------------------------ time

    @ParameterizedTest
    @ValueSource(longs = {-16 * 60, 16 * 60, -15 * 60 - 1, 15 * 60 + 1})
    void requestTimeTooFarFromTheServerClockIsRefused(long offsetSeconds) {
        Headers sent = signedGet(new Headers()).headers();
        Instant now = T0.plusSeconds(offsetSeconds);
        StoreException e = failsWith(
                FailureKind.REQUEST_TIME_TOO_SKEWED, () -> authenticator(now).authenticate(exchange(sent)));
        assertThat(e.failure().details())
                .containsEntry("RequestTime", "20130524T000000Z")
                .containsEntry("ServerTime", now.toString())
                .containsEntry("MaxAllowedSkewMilliseconds", "900000");
    }

    @ParameterizedTest
    @ValueSource(longs = {-15 * 60, -60, 60, 15 * 60})
    void requestTimeWithinTheSkewIsAccepted(long offsetSeconds) {
        Headers sent = signedGet(new Headers()).headers();
        assertThat(authenticator(T0.plusSeconds(offsetSeconds)).authenticate(exchange(sent)).credential())
                .isPresent();
    }

    @Test
    void aMissingOrInvalidDateIsAccessDenied() {
        Headers noDate = copy(signedGet(new Headers()).headers());
        noDate.remove("x-amz-date");
        StoreException e = failsWith(FailureKind.ACCESS_DENIED, () -> authenticate(exchange(noDate)));
        assertThat(e.failure().message()).isEqualTo("AWS authentication requires a valid Date or x-amz-date header");

        Headers badDate = copy(signedGet(new Headers()).headers());
        badDate.set("x-amz-date", "2013-05-24T00:00:00Z");
        failsWith(FailureKind.ACCESS_DENIED, () -> authenticate(exchange(badDate)));

        Headers badRfc = copy(noDate);
        badRfc.set("date", "yesterday");
        failsWith(FailureKind.ACCESS_DENIED, () -> authenticate(exchange(badRfc)));
    }

    @Test
    void aCredentialDateOtherThanTheRequestDateIsMalformed() {
        String authorization = signedGet(new Headers()).headers().get("authorization").replace("/20130524/", "/20130523/");
        failsWith(FailureKind.AUTHORIZATION_HEADER_MALFORMED, () -> authenticate(exchange(withAuthorization(authorization))));
    }

    // ------------------------------------------------------------ header format

    @Test
    void aWrongRegionNamesTheExpectedOne() {
        SigV4Signer elsewhere = new SigV4Signer(ACCESS_KEY, SECRET_KEY, "eu-west-1");
        Headers sent = elsewhere.sign("GET", PATH, "list-type=2", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0)
                .headers();
        StoreException e = failsWith(FailureKind.AUTHORIZATION_HEADER_MALFORMED, () -> authenticate(exchange(sent)));
        assertThat(e.failure().message())
                .isEqualTo("The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
        assertThat(e.failure().details()).containsEntry("Region", "us-east-1");
    }

    @Test
    void anUnknownAccessKeyIsRefused() {
        SigV4Signer stranger = new SigV4Signer("AKIDUNKNOWN", SECRET_KEY, AuthTestSupport.REGION);
        Headers sent = stranger.sign("GET", PATH, "list-type=2", headers("host", HOST), SigV4Signer.EMPTY_SHA256, T0)
                .headers();
        StoreException e = failsWith(FailureKind.INVALID_ACCESS_KEY_ID, () -> authenticate(exchange(sent)));
        assertThat(e.failure().message()).isEqualTo("The AWS Access Key Id you provided does not exist in our records.");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AWS4-HMAC-SHA256 Credential=" + GOOD_SCOPE + ",SignedHeaders=host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=" + GOOD_SCOPE + ",SignedHeaders=host,Signature=ab,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=" + GOOD_SCOPE + ",SignedHeaders=host,Signature=ab,Extra=1",
        "AWS4-HMAC-SHA256 garbage",
        "AWS4-HMAC-SHA256 ",
        "AWS4-HMAC-SHA256 Credential=AKIA/20130524/us-east-1/s3,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKIA/2013-05-24/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKIA/20131324/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKIA/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=AKIA/20130524/us-east-1/s3/aws5_request,SignedHeaders=host,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=" + GOOD_SCOPE + ",SignedHeaders=x-amz-date,Signature=ab",
        "AWS4-HMAC-SHA256 Credential=" + GOOD_SCOPE + ",SignedHeaders=host;;x-amz-date,Signature=ab"
    })
    void malformedAuthorizationHeaders(String authorization) {
        failsWith(FailureKind.AUTHORIZATION_HEADER_MALFORMED, () -> authenticate(exchange(withAuthorization(authorization))));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
        "AWS4-ECDSA-P256-SHA256 Credential=AKIA/20130524/s3/aws4_request,SignedHeaders=host,Signature=ab",
        "Bearer token",
        ""
    })
    void otherAuthorizationMechanismsAreNotSupported(String authorization) {
        StoreException e =
                failsWith(FailureKind.INVALID_REQUEST, () -> authenticate(exchange(withAuthorization(authorization))));
        assertThat(e.failure().message())
                .isEqualTo("The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }

    @Test
    void sigV2QueryAuthenticationIsNotSupported() {
        failsWith(FailureKind.INVALID_REQUEST, () -> authenticate(TestExchange.of(
                "GET", PATH, "AWSAccessKeyId=AKIA&Expires=1&Signature=abc", headers("host", HOST))));
    }

    @Test
    void headerAndQueryAuthenticationTogetherAreRefused() {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 60);
        Headers sent = signedGet(new Headers()).headers();
        failsWith(FailureKind.INVALID_ARGUMENT, () -> authenticate(TestExchange.of("GET", PATH, query, sent)));
    }

    @Test
    void theContentSha256HeaderIsRequiredAndChecked() {
        Headers missing = copy(signedGet(new Headers()).headers());
        missing.remove("x-amz-content-sha256");
        StoreException e = failsWith(FailureKind.INVALID_REQUEST, () -> authenticate(exchange(missing)));
        assertThat(e.failure().message()).isEqualTo("Missing required header for this request: x-amz-content-sha256");

        Headers bogus = SIGNER.sign("GET", PATH, "list-type=2", headers("host", HOST), "not-a-hash", T0).headers();
        StoreException invalid = failsWith(FailureKind.INVALID_ARGUMENT, () -> authenticate(exchange(bogus)));
        assertThat(invalid.failure().details()).containsEntry("ArgumentName", "x-amz-content-sha256");

        Headers shortHex = SIGNER.sign("GET", PATH, "list-type=2", headers("host", HOST), "abcd", T0).headers();
        failsWith(FailureKind.INVALID_ARGUMENT, () -> authenticate(exchange(shortHex)));

        for (String sigV4a : new String[] {
            "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER"
        }) {
            Headers v4a = SIGNER.sign("PUT", PATH, "list-type=2", headers("host", HOST), sigV4a, T0).headers();
            failsWith(FailureKind.NOT_IMPLEMENTED,
                    () -> authenticate(TestExchange.of("PUT", PATH, "list-type=2", v4a)));
        }
    }

    @Test
    void streamingWithoutDecodedContentLengthIsRefused() {
        Headers sent = SIGNER.sign("PUT", PATH, "", headers("host", HOST), SigV4Signer.STREAMING_SIGNED, T0).headers();
        failsWith(FailureKind.MISSING_CONTENT_LENGTH, () -> authenticate(TestExchange.of("PUT", PATH, "", sent)));

        Headers negative = SIGNER.sign("PUT", PATH, "",
                        headers("host", HOST, "x-amz-decoded-content-length", "-1"), SigV4Signer.STREAMING_SIGNED, T0)
                .headers();
        failsWith(FailureKind.INVALID_ARGUMENT, () -> authenticate(TestExchange.of("PUT", PATH, "", negative)));
    }

    // ------------------------------------------------------------ presigned URLs

    private static TestExchange presignedGet(String query) {
        return TestExchange.of("GET", PATH, query, headers("host", HOST));
    }

    @Test
    void presignedUrlsExpire() {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 3600);
        assertThat(authenticator(T0.plusSeconds(3600)).authenticate(presignedGet(query)).credential()).isPresent();

        Instant late = T0.plusSeconds(3601);
        StoreException e = failsWith(
                FailureKind.EXPIRED_PRESIGNED_REQUEST, () -> authenticator(late).authenticate(presignedGet(query)));
        assertThat(e.failure().message()).isEqualTo("Request has expired");
        assertThat(e.failure().details())
                .containsEntry("X-Amz-Expires", "3600")
                .containsEntry("Expires", "2013-05-24T01:00:00Z")
                .containsEntry("ServerTime", "2013-05-24T01:00:01Z");
    }

    @Test
    void presignedUrlsFromTheFutureAreRefusedBeyondTheSkew() {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 3600);
        assertThat(authenticator(T0.minus(Duration.ofMinutes(14))).authenticate(presignedGet(query)).credential())
                .isPresent();
        failsWith(FailureKind.REQUEST_TIME_TOO_SKEWED,
                () -> authenticator(T0.minus(Duration.ofMinutes(16))).authenticate(presignedGet(query)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "604801", "-5", "abc", ""})
    void presignedExpiryMustBeBetweenOneSecondAndAWeek(String expires) {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 60)
                .replace("X-Amz-Expires=60", "X-Amz-Expires=" + expires);
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(presignedGet(query)));
    }

    @Test
    void aWeekIsTheLongestPresignedValidity() {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 604_800);
        assertThat(authenticator(T0.plusSeconds(604_800)).authenticate(presignedGet(query)).credential()).isPresent();
        StoreException e = failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("X-Amz-Expires=604800", "X-Amz-Expires=604801"))));
        assertThat(e.failure().message()).isEqualTo("X-Amz-Expires must be less than a week (in seconds) that is; 604800");
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders"})
    void aMissingPresignParameterIsAnError(String parameter) {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 60)
                .replaceAll("(^|&)" + parameter + "=[^&]*", "");
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(presignedGet(query)));
    }

    @Test
    void presignedParameterErrors() {
        String query = SIGNER.presign("GET", PATH, "", headers("host", HOST), T0, 60);
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"))));
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130524"))));
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z"))));
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query + "&X-Amz-Date=20130524T000000Z")));
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("%2Fs3%2F", "%2Fs4%2F"))));
        StoreException region = failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, () -> authenticate(
                presignedGet(query.replace("%2Fus-east-1%2F", "%2Feu-west-1%2F"))));
        assertThat(region.failure().details()).containsEntry("Region", "us-east-1");
        assertThat(region.failure().message()).contains("the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    }

    @Test
    void aTamperedPresignedUrlFails() {
        String query = SIGNER.presign("GET", PATH, "versionId=1", headers("host", HOST), T0, 60);
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(presignedGet(query.replace("versionId=1", "versionId=2"))));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("GET", PATH + "x", query, headers("host", HOST))));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(TestExchange.of("GET", PATH, query, headers("host", "evil.example"))));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                () -> authenticate(presignedGet(query.replace("X-Amz-Expires=60", "X-Amz-Expires=61"))));
        failsWith(FailureKind.INVALID_ACCESS_KEY_ID,
                () -> authenticate(presignedGet(query.replace("AKIAIOSFODNN7EXAMPLE", "AKIAOTHER"))));
        failsWith(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                () -> authenticate(presignedGet(query.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"))));
        Headers extra = headers("host", HOST, "x-amz-acl", "public-read");
        failsWith(FailureKind.ACCESS_DENIED, () -> authenticate(TestExchange.of("GET", PATH, query, extra)));
    }
}
