package dev.arca.client.sign;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs requests with AWS Signature Version 4 in the {@code Authorization} header. Paths are
 * taken as sent and not normalised, as S3 expects. The payload hash is any string the caller
 * chooses: {@link #UNSIGNED_PAYLOAD} for bulk transfers (hashing 64 MiB would cost the client
 * more than the server), or a hex SHA-256.
 *
 * <p>Not thread-safe: it reuses one {@link Mac} and one digest. Use one signer per thread.
 */
public final class SigV4Signer {

    /** The algorithm name that opens the string to sign and the Authorization header. */
    public static final String ALGORITHM = "AWS4-HMAC-SHA256";
    /** Payload-hash value telling the server that the body is not covered by the signature. */
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    /** Hex SHA-256 of the empty string. */
    public static final String EMPTY_PAYLOAD_SHA256 =
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    /** The service name for S3. */
    public static final String S3_SERVICE = "s3";
    /** The header that carries the request time, and must be signed. */
    public static final String DATE_HEADER = "x-amz-date";
    /** The header that carries the payload hash; S3 requires it. */
    public static final String CONTENT_SHA256_HEADER = "x-amz-content-sha256";

    private static final String TERMINATOR = "aws4_request";
    private static final String HMAC = "HmacSHA256";
    /** {@code yyyyMMdd'T'HHmmss'Z'} is 16 characters; the scope uses its first 8. */
    private static final int AMZ_DATE_LENGTH = 16;
    private static final int SCOPE_DATE_LENGTH = 8;
    private static final DateTimeFormatter AMZ_DATE_FORMAT =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

    private final String accessKey;
    private final byte[] secretKey;
    private final String region;
    private final String service;
    private final Mac mac;
    private final MessageDigest sha256;
    private String cachedScopeDate;
    private byte[] cachedSigningKey;

    /** A signer for one set of credentials, one region and one service. */
    public SigV4Signer(String accessKey, String secretKey, String region, String service) {
        this.accessKey = accessKey;
        this.secretKey = ("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8);
        this.region = region;
        this.service = service;
        try {
            this.mac = Mac.getInstance(HMAC);
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks HmacSHA256/SHA-256", e);
        }
    }

    /** Formats an instant as an {@code x-amz-date} value, e.g. {@code 20130524T000000Z}. */
    public static String amzDate(Instant instant) {
        return AMZ_DATE_FORMAT.format(instant);
    }

    /**
     * Signs a request.
     *
     * @param method the HTTP method
     * @param encodedPath the path exactly as sent, percent-encoded (see {@link #encodePath})
     * @param query the decoded query parameters, in any order; empty for none
     * @param headers the headers to sign, by name in any case; must include {@code host} and
     *     {@value #DATE_HEADER}, and for S3 {@value #CONTENT_SHA256_HEADER}
     * @param payloadHash the hex SHA-256 of the body or {@link #UNSIGNED_PAYLOAD}
     */
    public SigV4Signature sign(String method, String encodedPath, List<Map.Entry<String, String>> query,
            Map<String, String> headers, String payloadHash) {
        TreeMap<String, String> canonical = canonicalHeaders(headers);
        String amzDate = canonical.get(DATE_HEADER);
        if (amzDate == null || amzDate.length() != AMZ_DATE_LENGTH) {
            throw new IllegalArgumentException("headers need an " + DATE_HEADER + " like 20130524T000000Z");
        }
        String signedHeaders = String.join(";", canonical.keySet());
        StringBuilder request = new StringBuilder()
                .append(method).append('\n')
                .append(encodedPath).append('\n')
                .append(canonicalQuery(query)).append('\n');
        canonical.forEach((name, value) -> request.append(name).append(':').append(value).append('\n'));
        request.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        String canonicalRequest = request.toString();

        String scopeDate = amzDate.substring(0, SCOPE_DATE_LENGTH);
        String scope = scopeDate + "/" + region + "/" + service + "/" + TERMINATOR;
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n"
                + HEX.formatHex(sha256.digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
        String signature = HEX.formatHex(hmac(signingKey(scopeDate), stringToSign));
        String authorization = ALGORITHM + " Credential=" + accessKey + "/" + scope
                + ",SignedHeaders=" + signedHeaders + ",Signature=" + signature;
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization);
    }

    /** The derived key for a scope date; it changes once a day, so it is cached. */
    byte[] signingKey(String scopeDate) {
        if (!scopeDate.equals(cachedScopeDate)) {
            byte[] key = hmac(secretKey, scopeDate);
            key = hmac(key, region);
            key = hmac(key, service);
            cachedSigningKey = hmac(key, TERMINATOR);
            cachedScopeDate = scopeDate;
        }
        return cachedSigningKey;
    }

    private byte[] hmac(byte[] key, String data) {
        try {
            mac.init(new SecretKeySpec(key, HMAC));
        } catch (InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-cased names, sorted; values trimmed with inner runs of spaces collapsed. */
    private static TreeMap<String, String> canonicalHeaders(Map<String, String> headers) {
        TreeMap<String, String> out = new TreeMap<>();
        headers.forEach((name, value) -> out.merge(name.toLowerCase(Locale.ROOT), collapseSpaces(value),
                (a, b) -> a + "," + b));
        return out;
    }

    private static String collapseSpaces(String value) {
        String v = value.strip();
        if (v.indexOf("  ") < 0) {
            return v;
        }
        return v.replaceAll(" {2,}", " ");
    }

    /** Encodes names and values and sorts them by name, then value, as the canonical query needs. */
    public static String canonicalQuery(List<Map.Entry<String, String>> query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>(query.size());
        for (Map.Entry<String, String> e : query) {
            pairs.add(new String[] {uriEncode(e.getKey(), true), uriEncode(e.getValue(), true)});
        }
        // Encoded strings are ASCII, so String order is the required byte order.
        pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(p[0]).append('=').append(p[1]);
        }
        return sb.toString();
    }

    /** Percent-encodes an S3 path: every byte but unreserved characters and {@code /}. */
    public static String encodePath(String path) {
        return uriEncode(path, false);
    }

    /**
     * Percent-encodes UTF-8 bytes of {@code s}, leaving only {@code A-Z a-z 0-9 - . _ ~} (and
     * {@code /} unless {@code encodeSlash}), with upper-case hex as SigV4 requires.
     */
    public static String uriEncode(String s, boolean encodeSlash) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && !encodeSlash)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(UPPER_HEX[c >>> 4]).append(UPPER_HEX[c & 0xF]);
            }
        }
        return sb.toString();
    }
}
