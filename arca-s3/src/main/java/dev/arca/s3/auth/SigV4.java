package dev.arca.s3.auth;

import dev.arca.core.Hex;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.UriEncoding;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SigV4 definitions shared by the verifier ({@link SigV4Authenticator}, {@link AwsChunkedInputStream})
 * and the client-side {@link SigV4Signer}, so that both always canonicalise the same way.
 */
final class SigV4 {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    static final String CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD";
    static final String TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER";
    static final String SERVICE = "s3";
    /** Services this endpoint answers for: S3, and the IAM and STS query APIs. */
    static final java.util.Set<String> SERVICES = java.util.Set.of("s3", "iam", "sts");
    static final String TERMINATOR = "aws4_request";

    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    static final String STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    static final String STREAMING_ECDSA = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD";
    static final String STREAMING_ECDSA_TRAILER = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER";

    /** SHA-256 of the empty string; part of every chunk string to sign. */
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static final int SIGNATURE_HEX_CHARS = 64;
    static final String CHUNK_SIGNATURE_EXTENSION = "chunk-signature=";
    static final String TRAILER_SIGNATURE_NAME = "x-amz-trailer-signature";

    static final String HEADER_AUTHORIZATION = "authorization";
    static final String HEADER_DATE = "x-amz-date";
    static final String HEADER_CONTENT_SHA256 = "x-amz-content-sha256";
    static final String HEADER_DECODED_LENGTH = "x-amz-decoded-content-length";
    static final String HEADER_TRAILER = "x-amz-trailer";
    static final String HEADER_HOST = "host";

    static final String PARAM_ALGORITHM = "X-Amz-Algorithm";
    static final String PARAM_CREDENTIAL = "X-Amz-Credential";
    static final String PARAM_DATE = "X-Amz-Date";
    static final String PARAM_EXPIRES = "X-Amz-Expires";
    static final String PARAM_SIGNED_HEADERS = "X-Amz-SignedHeaders";
    static final String PARAM_SIGNATURE = "X-Amz-Signature";

    /** Typical canonical request size, to avoid regrowing the builder. */
    private static final int CANONICAL_REQUEST_INITIAL_CHARS = 512;
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final String SHA_256 = "SHA-256";
    /** Length of {@code yyyyMMdd'T'HHmmss'Z'}. */
    static final int AMZ_DATE_CHARS = 16;
    /** Length of the {@code yyyyMMdd} scope date. */
    static final int SCOPE_DATE_CHARS = 8;
    private static final DateTimeFormatter AMZ_DATE_FORMAT =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withResolverStyle(ResolverStyle.STRICT);

    private SigV4() {}

    /** The credential scope {@code date/region/s3/aws4_request}. */
    static String scope(String date, String region) {
        return scope(date, region, SERVICE);
    }

    /** The credential scope {@code date/region/service/aws4_request}. */
    static String scope(String date, String region, String service) {
        return date + "/" + region + "/" + service + "/" + TERMINATOR;
    }

    /** S3's canonical URI: the path decoded once and re-encoded, slashes kept (no normalisation). */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return UriEncoding.encode(UriEncoding.decodePath(rawPath), false);
    }

    /**
     * The canonical query string from decoded pairs: each name and value encoded, sorted by encoded
     * name then value, joined as {@code name=value} with '&'. A pair named {@code excludedName} (the
     * presigned signature) is left out; pass null to keep all.
     */
    static String canonicalQuery(List<Map.Entry<String, String>> params, String excludedName) {
        List<String[]> encoded = new ArrayList<>(params.size());
        for (Map.Entry<String, String> p : params) {
            if (!p.getKey().equals(excludedName)) {
                encoded.add(new String[] {UriEncoding.encode(p.getKey(), true), UriEncoding.encode(p.getValue(), true)});
            }
        }
        encoded.sort(Comparator.<String[], String>comparing(e -> e[0]).thenComparing(e -> e[1]));
        StringBuilder out = new StringBuilder();
        for (String[] e : encoded) {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(e[0]).append('=').append(e[1]);
        }
        return out.toString();
    }

    /** A header's canonical value: each value trimmed with inner whitespace runs collapsed, joined by ','. */
    static String canonicalHeaderValue(List<String> values) {
        StringBuilder out = new StringBuilder();
        for (int v = 0; v < values.size(); v++) {
            if (v > 0) {
                out.append(',');
            }
            String value = values.get(v).strip();
            boolean inSpace = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t') {
                    if (!inSpace) {
                        out.append(' ');
                    }
                    inSpace = true;
                } else {
                    out.append(c);
                    inSpace = false;
                }
            }
        }
        return out.toString();
    }

    /** The canonical request; {@code signedHeaders} are lower-case names in the order signed. */
    static String canonicalRequest(
            String method,
            String canonicalUri,
            String canonicalQuery,
            Headers headers,
            List<String> signedHeaders,
            String payloadHash) {
        StringBuilder out = new StringBuilder(CANONICAL_REQUEST_INITIAL_CHARS);
        out.append(method).append('\n').append(canonicalUri).append('\n').append(canonicalQuery).append('\n');
        for (String name : signedHeaders) {
            out.append(name).append(':').append(canonicalHeaderValue(headers.all(name))).append('\n');
        }
        out.append('\n').append(String.join(";", signedHeaders)).append('\n').append(payloadHash);
        return out.toString();
    }

    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonicalRequest.getBytes(StandardCharsets.UTF_8));
    }

    static String chunkStringToSign(String amzDate, String scope, String previousSignature, byte[] chunkSha256) {
        return CHUNK_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n" + EMPTY_SHA256 + "\n"
                + Hex.encode(chunkSha256);
    }

    static String trailerStringToSign(String amzDate, String scope, String previousSignature, byte[] trailerSha256) {
        return TRAILER_ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + previousSignature + "\n"
                + Hex.encode(trailerSha256);
    }

    /** What the trailer signature covers: each trailer as {@code name:value\n} (LF, not CRLF). */
    static byte[] canonicalTrailers(List<Map.Entry<String, String>> trailers) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> t : trailers) {
            out.append(t.getKey()).append(':').append(t.getValue()).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request"). */
    static byte[] deriveSigningKey(String secretKey, String date, String region) {
        return deriveSigningKey(secretKey, date, region, SERVICE);
    }

    static byte[] deriveSigningKey(String secretKey, String date, String region, String service) {
        byte[] kDate = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        byte[] kRegion = hmac(kDate, region);
        byte[] kService = hmac(kRegion, service);
        return hmac(kService, TERMINATOR);
    }

    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    static byte[] hmac(byte[] key, String data) {
        return newMac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    static String signature(byte[] signingKey, String stringToSign) {
        return Hex.encode(hmac(signingKey, stringToSign));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance(SHA_256);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String sha256Hex(byte[] data) {
        return Hex.encode(newSha256().digest(data));
    }

    /** Constant-time comparison of two signatures given as text. */
    static boolean signaturesEqual(String expected, String provided) {
        return MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), provided.getBytes(StandardCharsets.US_ASCII));
    }

    static String formatAmzDate(Instant time) {
        return AMZ_DATE_FORMAT.format(LocalDateTime.ofInstant(time, ZoneOffset.UTC));
    }

    /** Parses {@code yyyyMMdd'T'HHmmss'Z'}; null when the text is not exactly that. */
    static Instant parseAmzDate(String text) {
        if (text == null || text.length() != AMZ_DATE_CHARS) {
            return null;
        }
        try {
            return LocalDateTime.parse(text, AMZ_DATE_FORMAT).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
