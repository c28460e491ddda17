package dev.arca.s3.auth;

import static dev.arca.s3.auth.AuthTestSupport.ACCESS_KEY;
import static dev.arca.s3.auth.AuthTestSupport.HOST;
import static dev.arca.s3.auth.AuthTestSupport.SIGNER;
import static dev.arca.s3.auth.AuthTestSupport.T0;
import static dev.arca.s3.auth.AuthTestSupport.ascii;
import static dev.arca.s3.auth.AuthTestSupport.authenticate;
import static dev.arca.s3.auth.AuthTestSupport.headers;
import static dev.arca.s3.auth.AuthTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.http.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worked examples of the AWS S3 SigV4 documentation ("Signature Calculations for the
 * Authorization Header", "Authenticating Requests: Using Query Parameters", the chunked upload and
 * the trailing headers pages), with their published signatures. Each is verified by the
 * authenticator from the published request, and reproduced by the signer.
 */
class SigV4AwsExamplesTest {
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String CREDENTIAL_SCOPE = ACCESS_KEY + "/20130524/us-east-1/s3/aws4_request";

    private static String authorization(String signedHeaders, String signature) {
        return "AWS4-HMAC-SHA256 Credential=" + CREDENTIAL_SCOPE + ",SignedHeaders=" + signedHeaders + ",Signature="
                + signature;
    }

    @Test
    void getObjectWithRange() {
        String signature = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
        Headers sent = headers(
                "Host", HOST,
                "Range", "bytes=0-9",
                "x-amz-content-sha256", EMPTY_SHA256,
                "x-amz-date", "20130524T000000Z",
                "Authorization", authorization("host;range;x-amz-content-sha256;x-amz-date", signature));

        AuthenticatedRequest request = authenticate(TestExchange.of("GET", "/test.txt", "", sent));
        assertThat(request.credential()).contains(AuthTestSupport.CREDENTIAL);
        assertThat(request.mode()).isEqualTo(PayloadMode.SIGNED_HEX);
        assertThat(readAll(request.body())).isEmpty();

        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "GET", "/test.txt", "", headers("host", HOST, "range", "bytes=0-9"), EMPTY_SHA256, T0);
        assertThat(signed.canonicalRequest()).isEqualTo("""
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""");
        assertThat(signed.stringToSign()).isEqualTo("""
                AWS4-HMAC-SHA256
                20130524T000000Z
                20130524/us-east-1/s3/aws4_request
                7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972""");
        assertThat(signed.signature()).isEqualTo(signature);
        assertThat(signed.headers().get("authorization"))
                .isEqualTo(authorization("host;range;x-amz-content-sha256;x-amz-date", signature));
    }

    @Test
    void putObject() {
        String signature = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
        String payloadHash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
        byte[] payload = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        assertThat(SigV4Signer.sha256Hex(payload)).isEqualTo(payloadHash);
        Headers sent = headers(
                "Host", HOST,
                "Date", "Fri, 24 May 2013 00:00:00 GMT",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", payloadHash,
                "Authorization",
                        authorization("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", signature));

        // S3 decodes the path before re-encoding it, so '$' may arrive encoded or not.
        for (String rawPath : new String[] {"/test%24file.text", "/test$file.text"}) {
            AuthenticatedRequest request = authenticate(TestExchange.of("PUT", rawPath, "", sent, payload));
            assertThat(readAll(request.body())).isEqualTo(payload);
            assertThat(request.decodedContentLength()).isEqualTo(payload.length);
        }

        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "PUT",
                "/test%24file.text",
                "",
                headers("host", HOST, "date", "Fri, 24 May 2013 00:00:00 GMT", "x-amz-storage-class",
                        "REDUCED_REDUNDANCY"),
                payloadHash,
                T0);
        assertThat(signed.canonicalRequest()).startsWith("PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n");
        assertThat(signed.stringToSign())
                .endsWith("\n9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
        assertThat(signed.signature()).isEqualTo(signature);
    }

    @Test
    void getBucketLifecycle() {
        String signature = "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543";
        Headers sent = headers(
                "Host", HOST,
                "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", EMPTY_SHA256,
                "Authorization", authorization("host;x-amz-content-sha256;x-amz-date", signature));
        assertThat(authenticate(TestExchange.of("GET", "/", "lifecycle", sent)).credential()).isPresent();

        SigV4Signer.SignedRequest signed = SIGNER.sign("GET", "/", "lifecycle", headers("host", HOST), EMPTY_SHA256, T0);
        assertThat(signed.canonicalRequest()).startsWith("GET\n/\nlifecycle=\n");
        assertThat(signed.signature()).isEqualTo(signature);
    }

    @Test
    void listObjects() {
        String signature = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
        Headers sent = headers(
                "Host", HOST,
                "x-amz-date", "20130524T000000Z",
                "x-amz-content-sha256", EMPTY_SHA256,
                "Authorization", authorization("host;x-amz-content-sha256;x-amz-date", signature));
        // The canonical query is sorted and re-encoded, so wire order and escaping do not matter.
        for (String query : new String[] {"max-keys=2&prefix=J", "prefix=J&max-keys=2", "prefix=%4A&max-keys=2"}) {
            assertThat(authenticate(TestExchange.of("GET", "/", query, sent)).credential()).isPresent();
        }

        SigV4Signer.SignedRequest signed =
                SIGNER.sign("GET", "/", "max-keys=2&prefix=J", headers("host", HOST), EMPTY_SHA256, T0);
        assertThat(signed.canonicalRequest()).startsWith("GET\n/\nmax-keys=2&prefix=J\n");
        assertThat(signed.signature()).isEqualTo(signature);
    }

    @Test
    void presignedGetObject() {
        String query = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
                + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

        AuthenticatedRequest request = authenticate(TestExchange.of("GET", "/test.txt", query, headers("Host", HOST)));
        assertThat(request.credential()).contains(AuthTestSupport.CREDENTIAL);
        assertThat(request.presigned()).isTrue();
        assertThat(request.mode()).isEqualTo(PayloadMode.UNSIGNED);

        assertThat(SIGNER.presign("GET", "/test.txt", "", headers("host", HOST), T0, 86400)).isEqualTo(query);
    }

    /** "Example: PUT Object" of the chunked upload page: 64 KiB + 1 KiB of 'a'. */
    @Test
    void chunkedUpload() {
        String seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
        String[] chunkSignatures = {
            "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
            "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
            "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
        };
        byte[] payload = new byte[66_560];
        Arrays.fill(payload, (byte) 'a');
        ByteArrayOutputStream published = new ByteArrayOutputStream();
        published.writeBytes(ascii("10000;chunk-signature=" + chunkSignatures[0] + "\r\n"));
        published.write(payload, 0, 65_536);
        published.writeBytes(ascii("\r\n400;chunk-signature=" + chunkSignatures[1] + "\r\n"));
        published.write(payload, 0, 1024);
        published.writeBytes(ascii("\r\n0;chunk-signature=" + chunkSignatures[2] + "\r\n\r\n"));
        byte[] body = published.toByteArray();
        assertThat(body).hasSize(66_824);

        String signedHeaders = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
                + "x-amz-decoded-content-length;x-amz-storage-class";
        Headers sent = headers(
                "Host", "s3.amazonaws.com",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "66560",
                "Content-Length", "66824",
                "Authorization", authorization(signedHeaders, seed));
        TestExchange exchange = TestExchange.of("PUT", "/examplebucket/chunkObject.txt", "", sent, body);

        AuthenticatedRequest request = authenticate(exchange);
        assertThat(request.mode()).isEqualTo(PayloadMode.STREAMING_SIGNED);
        assertThat(request.decodedContentLength()).isEqualTo(66_560);
        assertThat(readAll(request.body())).isEqualTo(payload);
        TestExchange again = TestExchange.of("PUT", "/examplebucket/chunkObject.txt", "", sent, body);
        assertThat(readAll(authenticate(again.trickling(7)).body())).isEqualTo(payload);

        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "PUT",
                "/examplebucket/chunkObject.txt",
                "",
                headers(
                        "host", "s3.amazonaws.com",
                        "x-amz-storage-class", "REDUCED_REDUNDANCY",
                        "content-encoding", "aws-chunked",
                        "x-amz-decoded-content-length", "66560",
                        "content-length",
                                Long.toString(SigV4Signer.chunkedLength(
                                        PayloadMode.STREAMING_SIGNED, 66_560, 65_536, Map.of()))),
                SigV4Signer.STREAMING_SIGNED,
                T0);
        assertThat(signed.signature()).isEqualTo(seed);
        assertThat(SIGNER.chunkedBody(signed, payload, 65_536, Map.of())).isEqualTo(body);
    }

    /** "Example: PUT Object" of the trailing headers page: the same payload with a CRC32C trailer. */
    @Test
    void chunkedUploadWithSignedTrailer() {
        String seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
        byte[] payload = new byte[66_560];
        Arrays.fill(payload, (byte) 'a');
        ByteArrayOutputStream published = new ByteArrayOutputStream();
        published.writeBytes(ascii(
                "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n"));
        published.write(payload, 0, 65_536);
        published.writeBytes(ascii(
                "\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n"));
        published.write(payload, 0, 1024);
        published.writeBytes(ascii(
                "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
                        + "x-amz-checksum-crc32c:sOO8/Q==\r\n"
                        + "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
                        + "\r\n"));
        byte[] body = published.toByteArray();

        String signedHeaders = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;"
                + "x-amz-storage-class;x-amz-trailer";
        Headers sent = headers(
                "Host", "s3.amazonaws.com",
                "x-amz-date", "20130524T000000Z",
                "x-amz-storage-class", "REDUCED_REDUNDANCY",
                "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
                "Content-Encoding", "aws-chunked",
                "x-amz-decoded-content-length", "66560",
                "x-amz-trailer", "x-amz-checksum-crc32c",
                "Content-Length", Integer.toString(body.length),
                "Authorization", authorization(signedHeaders, seed));

        AuthenticatedRequest request =
                authenticate(TestExchange.of("PUT", "/examplebucket/chunkObject.txt", "", sent, body));
        assertThat(request.mode()).isEqualTo(PayloadMode.STREAMING_SIGNED_TRAILER);
        assertThat(request.declaredTrailers()).containsExactly("x-amz-checksum-crc32c");
        assertThat(request.trailers()).as("before the end of the body").isEmpty();
        assertThat(readAll(request.body())).isEqualTo(payload);
        assertThat(request.trailers()).containsExactly(Map.entry("x-amz-checksum-crc32c", "sOO8/Q=="));

        SigV4Signer.SignedRequest signed = SIGNER.sign(
                "PUT",
                "/examplebucket/chunkObject.txt",
                "",
                headers(
                        "host", "s3.amazonaws.com",
                        "x-amz-storage-class", "REDUCED_REDUNDANCY",
                        "content-encoding", "aws-chunked",
                        "x-amz-decoded-content-length", "66560",
                        "x-amz-trailer", "x-amz-checksum-crc32c"),
                SigV4Signer.STREAMING_SIGNED_TRAILER,
                T0);
        assertThat(signed.signature()).isEqualTo(seed);
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("x-amz-checksum-crc32c", "sOO8/Q==");
        assertThat(SIGNER.chunkedBody(signed, payload, 65_536, trailers)).isEqualTo(body);
        assertThat(SigV4Signer.chunkedLength(PayloadMode.STREAMING_SIGNED_TRAILER, 66_560, 65_536, trailers))
                .isEqualTo(body.length);
    }
}
