package dev.arca.s3.auth;

import static dev.arca.s3.auth.AuthTestSupport.HOST;
import static dev.arca.s3.auth.AuthTestSupport.SIGNER;
import static dev.arca.s3.auth.AuthTestSupport.T0;
import static dev.arca.s3.auth.AuthTestSupport.ascii;
import static dev.arca.s3.auth.AuthTestSupport.authenticate;
import static dev.arca.s3.auth.AuthTestSupport.failsWith;
import static dev.arca.s3.auth.AuthTestSupport.headers;
import static dev.arca.s3.auth.AuthTestSupport.readAll;
import static dev.arca.s3.auth.AuthTestSupport.replaceFirst;
import static dev.arca.s3.auth.AuthTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bodies that do not match what was signed: each surfaces from read() with its exact failure. */
class SigV4PayloadFailuresTest {
    private static final String PATH = "/bucket/key";
    private static final int CHUNK = 1000;
    /** 2,500 bytes: chunks of 1000, 1000 and 500, each of a distinct letter so edits are easy to aim. */
    private static final byte[] PAYLOAD = payload();

    private static byte[] payload() {
        byte[] p = new byte[2500];
        Arrays.fill(p, 0, 1000, (byte) 'a');
        Arrays.fill(p, 1000, 2000, (byte) 'b');
        Arrays.fill(p, 2000, 2500, (byte) 'c');
        return p;
    }

    private record Streamed(Headers headers, byte[] body) {
        TestExchange exchange() {
            return TestExchange.of("PUT", PATH, "", headers, body);
        }

        Streamed withBody(byte[] newBody) {
            return new Streamed(headers, newBody);
        }
    }

    private static Streamed signed(String mode, long declaredLength, Map<String, String> trailers, String declared) {
        Headers given = headers(
                "host", HOST,
                "content-encoding", "aws-chunked",
                "x-amz-decoded-content-length", Long.toString(declaredLength));
        if (declared != null) {
            given.set("x-amz-trailer", declared);
        }
        SigV4Signer.SignedRequest request = SIGNER.sign("PUT", PATH, "", given, mode, T0);
        byte[] body = mode.equals(SigV4Signer.STREAMING_UNSIGNED_TRAILER)
                ? SigV4Signer.unsignedChunkedBody(PAYLOAD, CHUNK, trailers)
                : SIGNER.chunkedBody(request, PAYLOAD, CHUNK, trailers);
        return new Streamed(request.headers(), body);
    }

    private static Streamed streaming() {
        return signed(SigV4Signer.STREAMING_SIGNED, PAYLOAD.length, Map.of(), null);
    }

    private static Streamed withTrailer() {
        return signed(
                SigV4Signer.STREAMING_SIGNED_TRAILER,
                PAYLOAD.length,
                Map.of("x-amz-checksum-crc32", "q3ZrxQ=="),
                "x-amz-checksum-crc32");
    }

    private static Streamed unsignedWithTrailer() {
        return signed(
                SigV4Signer.STREAMING_UNSIGNED_TRAILER,
                PAYLOAD.length,
                Map.of("x-amz-checksum-crc32", "q3ZrxQ=="),
                "x-amz-checksum-crc32");
    }

    /** Authenticates (which must succeed) and reads the body to its end, expecting {@code kind}. */
    private static StoreException readFails(FailureKind kind, TestExchange exchange) {
        AuthenticatedRequest request = authenticate(exchange);
        return failsWith(kind, () -> readAll(request.body()));
    }

    @Test
    void theUntamperedBodiesDecode() {
        for (Streamed s : new Streamed[] {streaming(), withTrailer(), unsignedWithTrailer()}) {
            assertThat(readAll(authenticate(s.exchange()).body())).isEqualTo(PAYLOAD);
        }
    }

    // ------------------------------------------------------------ whole-body SHA-256

    @Test
    void aSignedBodyThatDiffersFailsAtItsEnd() throws IOException {
        byte[] payload = ascii("the signed payload");
        Headers sent =
                SIGNER.sign("PUT", PATH, "", headers("host", HOST), SigV4Signer.sha256Hex(payload), T0).headers();
        byte[] tampered = ascii("the signed paYload");
        InputStream body = authenticate(TestExchange.of("PUT", PATH, "", sent, tampered)).body();
        byte[] buffer = new byte[tampered.length];
        assertThat(body.readNBytes(buffer, 0, buffer.length)).as("data flows until the end").isEqualTo(tampered.length);
        StoreException e = failsWith(FailureKind.X_AMZ_CONTENT_SHA256_MISMATCH, body::read);
        assertThat(e.failure().message())
                .isEqualTo("The provided 'x-amz-content-sha256' header does not match what was computed.");
        assertThat(e.failure().details())
                .containsEntry("ClientComputedContentSHA256", SigV4Signer.sha256Hex(payload))
                .containsEntry("S3ComputedContentSHA256", SigV4Signer.sha256Hex(tampered));
        failsWith(FailureKind.X_AMZ_CONTENT_SHA256_MISMATCH, body::read);

        byte[] truncated = Arrays.copyOf(payload, payload.length - 1);
        readFails(FailureKind.X_AMZ_CONTENT_SHA256_MISMATCH, TestExchange.of("PUT", PATH, "", sent, truncated));
    }

    @Test
    void aPresignedUploadWithAWrongPayloadHashFails() {
        byte[] payload = ascii("presigned");
        Headers given = headers("host", HOST, "x-amz-content-sha256", SigV4Signer.sha256Hex(payload));
        String query = SIGNER.presign("PUT", PATH, "", given, T0, 60);
        readFails(FailureKind.X_AMZ_CONTENT_SHA256_MISMATCH,
                TestExchange.of("PUT", PATH, query, given, ascii("Presigned")));
    }

    // ------------------------------------------------------------ chunk signatures

    @Test
    void aChangedChunkByteBreaksThatChunksSignature() {
        Streamed s = streaming();
        byte[] body = s.body().clone();
        int at = text(body).indexOf("bbbb") + 10;
        body[at] = 'x';
        StoreException e = readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH, s.withBody(body).exchange());
        assertThat(e.failure().message()).startsWith("The request signature we calculated does not match");
    }

    @Test
    void dataBeforeTheBadChunkIsDeliveredThenReadFails() throws IOException {
        Streamed s = streaming();
        byte[] body = s.body().clone();
        body[text(body).indexOf("cccc")] = 'x';
        InputStream in = authenticate(s.withBody(body).exchange()).body();
        assertThat(in.readNBytes(2000)).isEqualTo(Arrays.copyOf(PAYLOAD, 2000));
        failsWith(FailureKind.SIGNATURE_DOES_NOT_MATCH, () -> in.readNBytes(1000));
    }

    @Test
    void aChangedOrMissingChunkSignatureFails() {
        Streamed s = streaming();
        String firstSignature = text(s.body()).substring(text(s.body()).indexOf("chunk-signature=") + 16).substring(0, 64);
        String other = firstSignature.replace(firstSignature.charAt(0), firstSignature.charAt(0) == 'a' ? 'b' : 'a');
        readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH, s.withBody(replaceFirst(s.body(), firstSignature, other)).exchange());
        readFails(FailureKind.INVALID_REQUEST,
                s.withBody(replaceFirst(s.body(), ";chunk-signature=" + firstSignature, "")).exchange());
    }

    @Test
    void reorderedChunksFail() {
        // Chunks 1 and 2 have the same size, so swapping them keeps the framing intact.
        Streamed s = streaming();
        String body = text(s.body());
        int first = 0;
        int second = body.indexOf("3e8;", 1);
        int third = body.indexOf("1f4;");
        String swapped = body.substring(second, third) + body.substring(first, second) + body.substring(third);
        readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH, s.withBody(ascii(swapped)).exchange());
    }

    @Test
    void theFinalChunkSignatureIsVerified() {
        Streamed s = streaming();
        String body = text(s.body());
        int last = body.lastIndexOf("0;chunk-signature=") + 18;
        String tampered = body.substring(0, last) + (body.charAt(last) == 'f' ? 'e' : 'f') + body.substring(last + 1);
        readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH, s.withBody(ascii(tampered)).exchange());
    }

    // ------------------------------------------------------------ trailers

    @Test
    void aChangedTrailerValueBreaksTheTrailerSignature() {
        Streamed s = withTrailer();
        readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH,
                s.withBody(replaceFirst(s.body(), "q3ZrxQ==", "AAAAAA==")).exchange());
    }

    @Test
    void aWrongOrMissingTrailerSignatureFails() {
        Streamed s = withTrailer();
        String body = text(s.body());
        int at = body.indexOf("x-amz-trailer-signature:") + 24;
        String wrong = body.substring(0, at) + (body.charAt(at) == '0' ? '1' : '0') + body.substring(at + 1);
        readFails(FailureKind.SIGNATURE_DOES_NOT_MATCH, s.withBody(ascii(wrong)).exchange());

        String missing = body.substring(0, body.indexOf("x-amz-trailer-signature:")) + "\r\n";
        readFails(FailureKind.INVALID_REQUEST, s.withBody(ascii(missing)).exchange());
    }

    @Test
    void declaredTrailersMustArriveAndOthersMustNot() {
        Streamed notSent = signed(SigV4Signer.STREAMING_SIGNED_TRAILER, PAYLOAD.length, Map.of(), "x-amz-checksum-crc32");
        readFails(FailureKind.INVALID_REQUEST, notSent.exchange());

        Streamed undeclared = signed(
                SigV4Signer.STREAMING_SIGNED_TRAILER, PAYLOAD.length, Map.of("x-amz-checksum-crc32", "q3ZrxQ=="), null);
        readFails(FailureKind.INVALID_REQUEST, undeclared.exchange());

        Streamed unsignedNotSent =
                signed(SigV4Signer.STREAMING_UNSIGNED_TRAILER, PAYLOAD.length, Map.of(), "x-amz-checksum-crc32");
        readFails(FailureKind.INVALID_REQUEST, unsignedNotSent.exchange());

        Map<String, String> twice = new LinkedHashMap<>();
        twice.put("x-amz-checksum-crc32", "q3ZrxQ==");
        twice.put("X-Amz-Checksum-CRC32", "q3ZrxQ==");
        Streamed duplicated = signed(SigV4Signer.STREAMING_UNSIGNED_TRAILER, PAYLOAD.length, twice, "x-amz-checksum-crc32");
        readFails(FailureKind.INVALID_REQUEST, duplicated.exchange());
    }

    @Test
    void trailersArePublishedOnlyAfterTheEnd() throws IOException {
        AuthenticatedRequest request = authenticate(unsignedWithTrailer().exchange());
        assertThat(request.body().readNBytes(PAYLOAD.length)).isEqualTo(PAYLOAD);
        assertThat(request.trailers()).isEmpty();
        assertThat(request.body().read()).isEqualTo(-1);
        assertThat(request.trailers()).containsExactly(Map.entry("x-amz-checksum-crc32", "q3ZrxQ=="));
    }

    // ------------------------------------------------------------ lengths and framing

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 500, 1500, 2500})
    void aTruncatedBodyIsIncomplete(int cut) {
        for (Streamed s : new Streamed[] {streaming(), withTrailer(), unsignedWithTrailer()}) {
            byte[] truncated = Arrays.copyOf(s.body(), s.body().length - cut);
            StoreException e = readFails(FailureKind.INCOMPLETE_BODY, s.withBody(truncated).exchange());
            assertThat(e.failure().message())
                    .isEqualTo("You did not provide the number of bytes specified by the Content-Length HTTP header.");
        }
    }

    @Test
    void bytesAfterTheFinalChunkAreRefused() {
        for (Streamed s : new Streamed[] {streaming(), withTrailer(), unsignedWithTrailer()}) {
            byte[] body = Arrays.copyOf(s.body(), s.body().length + 1);
            body[body.length - 1] = 'x';
            readFails(FailureKind.INVALID_REQUEST, s.withBody(body).exchange());
        }
    }

    @Test
    void chunkDataLongerThanItsSizeIsRefused() {
        Streamed s = unsignedWithTrailer();
        readFails(FailureKind.INVALID_REQUEST, s.withBody(replaceFirst(s.body(), "\r\n3e8\r\n", "x\r\n3e8\r\n")).exchange());
    }

    @Test
    void theDecodedLengthMustMatchExactly() {
        // More declared than sent: the final chunk arrives early.
        Streamed tooLong = signed(SigV4Signer.STREAMING_SIGNED, PAYLOAD.length + 1, Map.of(), null);
        readFails(FailureKind.INCOMPLETE_BODY, tooLong.exchange());
        // Less declared than sent: refused as soon as a chunk overshoots.
        Streamed tooShort = signed(SigV4Signer.STREAMING_SIGNED, PAYLOAD.length - 1, Map.of(), null);
        readFails(FailureKind.INVALID_REQUEST, tooShort.exchange());
        Streamed unsignedShort = signed(SigV4Signer.STREAMING_UNSIGNED_TRAILER, 0, Map.of(), null);
        readFails(FailureKind.INVALID_REQUEST, unsignedShort.exchange());
    }
}
