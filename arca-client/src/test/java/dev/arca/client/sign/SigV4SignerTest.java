package dev.arca.client.sign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Checks against published vectors: the S3 documentation's "GET Object" header-signing example
 * and cases of the AWS SigV4 test suite (service "service", 20150830T123600Z).
 */
class SigV4SignerTest {

    private static final String S3_ACCESS = "AKIAIOSFODNN7EXAMPLE";
    private static final String S3_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String SUITE_ACCESS = "AKIDEXAMPLE";
    private static final String SUITE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String SUITE_DATE = "20150830T123600Z";

    @Test
    void s3GetObjectExampleMatchesEveryIntermediate() {
        SigV4Signer signer = new SigV4Signer(S3_ACCESS, S3_SECRET, "us-east-1", SigV4Signer.S3_SERVICE);
        Map<String, String> headers = new LinkedHashMap<>();
        // Mixed case and arbitrary order on purpose: the signer must lower-case and sort.
        headers.put("X-Amz-Date", "20130524T000000Z");
        headers.put("Range", "bytes=0-9");
        headers.put("Host", "examplebucket.s3.amazonaws.com");
        headers.put("x-amz-content-sha256", SigV4Signer.EMPTY_PAYLOAD_SHA256);

        SigV4Signature s = signer.sign("GET", "/test.txt", List.of(), headers, SigV4Signer.EMPTY_PAYLOAD_SHA256);

        assertThat(s.canonicalRequest()).isEqualTo(String.join("\n",
                "GET",
                "/test.txt",
                "",
                "host:examplebucket.s3.amazonaws.com",
                "range:bytes=0-9",
                "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "x-amz-date:20130524T000000Z",
                "",
                "host;range;x-amz-content-sha256;x-amz-date",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assertThat(s.stringToSign()).isEqualTo(String.join("\n",
                "AWS4-HMAC-SHA256",
                "20130524T000000Z",
                "20130524/us-east-1/s3/aws4_request",
                "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972"));
        assertThat(s.signature()).isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(s.authorization()).isEqualTo("AWS4-HMAC-SHA256 "
                + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void suiteGetVanilla() {
        assertThat(suiteSign("/", List.of()).signature())
                .isEqualTo("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    }

    @Test
    void suiteQueryIsSortedByName() {
        SigV4Signature s = suiteSign("/", List.of(Map.entry("Param2", "value2"), Map.entry("Param1", "value1")));
        assertThat(s.canonicalRequest().split("\n")[2]).isEqualTo("Param1=value1&Param2=value2");
        assertThat(sha256Hex(s.canonicalRequest()))
                .isEqualTo("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
        assertThat(s.signature()).isEqualTo("b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    }

    @Test
    void suiteUnreservedCharactersStayLiteral() {
        String path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        assertThat(SigV4Signer.encodePath(path)).isEqualTo(path);
        assertThat(suiteSign(path, List.of()).signature())
                .isEqualTo("07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
    }

    @Test
    void encodesUtf8AndReservedBytesWithUpperCaseHex() {
        assertThat(SigV4Signer.encodePath("/\u1234")).isEqualTo("/%E1%88%B4");
        assertThat(SigV4Signer.encodePath("/a b/c+d")).isEqualTo("/a%20b/c%2Bd");
        assertThat(SigV4Signer.uriEncode("a/b=c", true)).isEqualTo("a%2Fb%3Dc");
    }

    @Test
    void unsignedPayloadEndsTheCanonicalRequestAndValuesAreTrimmed() {
        SigV4Signer signer = new SigV4Signer(S3_ACCESS, S3_SECRET, "us-east-1", SigV4Signer.S3_SERVICE);
        Map<String, String> headers = Map.of(
                "host", "127.0.0.1:9000",
                "x-amz-date", "20130524T000000Z",
                "x-amz-meta-note", "  two   spaces  ",
                "x-amz-content-sha256", SigV4Signer.UNSIGNED_PAYLOAD);

        SigV4Signature s = signer.sign("PUT", "/bucket/key", List.of(), headers, SigV4Signer.UNSIGNED_PAYLOAD);

        assertThat(s.canonicalRequest()).endsWith("\nUNSIGNED-PAYLOAD")
                .contains("\nx-amz-meta-note:two spaces\n")
                .contains("\nhost;x-amz-content-sha256;x-amz-date;x-amz-meta-note\n");
        // The payload hash is part of what is signed.
        SigV4Signature hashed = signer.sign("PUT", "/bucket/key", List.of(), headers, SigV4Signer.EMPTY_PAYLOAD_SHA256);
        assertThat(hashed.signature()).isNotEqualTo(s.signature());
    }

    @Test
    void requiresTheDateHeader() {
        SigV4Signer signer = new SigV4Signer(S3_ACCESS, S3_SECRET, "us-east-1", SigV4Signer.S3_SERVICE);
        assertThatThrownBy(() -> signer.sign("GET", "/", List.of(), Map.of("host", "h"), SigV4Signer.UNSIGNED_PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsAmzDateInUtc() {
        assertThat(SigV4Signer.amzDate(Instant.parse("2013-05-24T00:00:00Z"))).isEqualTo("20130524T000000Z");
        assertThat(SigV4Signer.amzDate(Instant.parse("2015-08-30T12:36:00.999Z"))).isEqualTo(SUITE_DATE);
    }

    private static SigV4Signature suiteSign(String path, List<Map.Entry<String, String>> query) {
        SigV4Signer signer = new SigV4Signer(SUITE_ACCESS, SUITE_SECRET, "us-east-1", "service");
        return signer.sign("GET", path, query,
                Map.of("Host", "example.amazonaws.com", "X-Amz-Date", SUITE_DATE), SigV4Signer.EMPTY_PAYLOAD_SHA256);
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
