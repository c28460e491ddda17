package dev.arca.s3.auth;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.UriEncoding;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Client-side SigV4 signing for S3, built on the same canonicalisation as {@link SigV4Authenticator}:
 * signs requests in the Authorization header, creates presigned-URL query strings, and encodes
 * aws-chunked bodies with chunk and trailer signatures. Meant for tests and tools that craft requests
 * by hand; thread-safe (immutable).
 *
 * <p>Paths and queries are passed raw, exactly as they will be sent; encode object keys with
 * {@code UriEncoding.encode(key, false)}.
 */
public final class SigV4Signer {
    /** {@code x-amz-content-sha256} values selecting each payload mode. */
    public static final String UNSIGNED_PAYLOAD = SigV4.UNSIGNED_PAYLOAD;

    public static final String STREAMING_SIGNED = SigV4.STREAMING_SIGNED;
    public static final String STREAMING_SIGNED_TRAILER = SigV4.STREAMING_SIGNED_TRAILER;
    public static final String STREAMING_UNSIGNED_TRAILER = SigV4.STREAMING_UNSIGNED_TRAILER;
    /** SHA-256 of an empty payload, in hex. */
    public static final String EMPTY_SHA256 = SigV4.EMPTY_SHA256;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final String PLACEHOLDER_SIGNATURE = "0".repeat(SigV4.SIGNATURE_HEX_CHARS);

    private final String accessKeyId;
    private final String secretKey;
    private final String region;

    public SigV4Signer(String accessKeyId, String secretKey, String region) {
        this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
        this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
        this.region = Objects.requireNonNull(region, "region");
    }

    /**
     * A signed request: the headers to send (the given ones plus {@code x-amz-date},
     * {@code x-amz-content-sha256} and {@code authorization}) and the intermediate values.
     */
    public record SignedRequest(
            Headers headers,
            String signature,
            String amzDate,
            String scope,
            String canonicalRequest,
            String stringToSign) {}

    /**
     * Signs a request in the Authorization header, signing every header given (which must include
     * {@code host}) plus {@code x-amz-date} and {@code x-amz-content-sha256}; {@code payloadHash} is
     * the hex SHA-256 of the body or one of the constants of this class.
     */
    public SignedRequest sign(
            String method, String rawPath, String rawQuery, Headers headers, String payloadHash, Instant time) {
        Headers out = copy(headers);
        out.remove(SigV4.HEADER_AUTHORIZATION);
        String amzDate = SigV4.formatAmzDate(time);
        out.set(SigV4.HEADER_DATE, amzDate);
        out.set(SigV4.HEADER_CONTENT_SHA256, payloadHash);
        List<String> signedHeaders = signedHeaders(out);
        String scope = SigV4.scope(amzDate.substring(0, SigV4.SCOPE_DATE_CHARS), region);
        String canonicalRequest = SigV4.canonicalRequest(
                method,
                SigV4.canonicalUri(rawPath),
                SigV4.canonicalQuery(UriEncoding.parseQuery(rawQuery), null),
                out,
                signedHeaders,
                payloadHash);
        String stringToSign = SigV4.stringToSign(amzDate, scope, canonicalRequest);
        String signature = SigV4.signature(signingKey(amzDate), stringToSign);
        out.set(
                SigV4.HEADER_AUTHORIZATION,
                SigV4.ALGORITHM + " Credential=" + accessKeyId + "/" + scope + ",SignedHeaders="
                        + String.join(";", signedHeaders) + ",Signature=" + signature);
        return new SignedRequest(out, signature, amzDate, scope, canonicalRequest, stringToSign);
    }

    /**
     * Presigns a request: returns the raw query to send ({@code rawQuery} followed by the
     * {@code X-Amz-*} parameters, the signature last). Every header given is signed (it must include
     * {@code host}); the payload is {@code UNSIGNED-PAYLOAD} unless {@code x-amz-content-sha256} is
     * among them.
     */
    public String presign(
            String method, String rawPath, String rawQuery, Headers headers, Instant time, long expiresSeconds) {
        String amzDate = SigV4.formatAmzDate(time);
        String scope = SigV4.scope(amzDate.substring(0, SigV4.SCOPE_DATE_CHARS), region);
        List<String> signedHeaders = signedHeaders(headers);
        StringBuilder query = new StringBuilder(rawQuery == null ? "" : rawQuery);
        if (!query.isEmpty()) {
            query.append('&');
        }
        query.append(SigV4.PARAM_ALGORITHM).append('=').append(SigV4.ALGORITHM);
        query.append('&').append(SigV4.PARAM_CREDENTIAL).append('=')
                .append(UriEncoding.encode(accessKeyId + "/" + scope, true));
        query.append('&').append(SigV4.PARAM_DATE).append('=').append(amzDate);
        query.append('&').append(SigV4.PARAM_EXPIRES).append('=').append(expiresSeconds);
        query.append('&').append(SigV4.PARAM_SIGNED_HEADERS).append('=')
                .append(UriEncoding.encode(String.join(";", signedHeaders), true));
        String contentSha256 = headers.get(SigV4.HEADER_CONTENT_SHA256);
        String canonicalRequest = SigV4.canonicalRequest(
                method,
                SigV4.canonicalUri(rawPath),
                SigV4.canonicalQuery(UriEncoding.parseQuery(query.toString()), SigV4.PARAM_SIGNATURE),
                headers,
                signedHeaders,
                contentSha256 == null ? SigV4.UNSIGNED_PAYLOAD : contentSha256);
        String signature =
                SigV4.signature(signingKey(amzDate), SigV4.stringToSign(amzDate, scope, canonicalRequest));
        query.append('&').append(SigV4.PARAM_SIGNATURE).append('=').append(signature);
        return query.toString();
    }

    /**
     * Encodes {@code payload} as a signed aws-chunked body for a request signed by {@link #sign} with
     * {@link #STREAMING_SIGNED} or {@link #STREAMING_SIGNED_TRAILER} (taken from {@code seed}'s
     * headers); chunks of {@code chunkSize} bytes, the last one shorter, then the 0-size chunk. With
     * trailers they follow, in the map's iteration order, with their signature; otherwise
     * {@code trailers} must be empty.
     */
    public byte[] chunkedBody(SignedRequest seed, byte[] payload, int chunkSize, Map<String, String> trailers) {
        String mode = seed.headers().get(SigV4.HEADER_CONTENT_SHA256);
        boolean withTrailers = SigV4.STREAMING_SIGNED_TRAILER.equals(mode);
        if (!withTrailers && !SigV4.STREAMING_SIGNED.equals(mode)) {
            throw new IllegalArgumentException("the seed request is not signed for a streaming payload: " + mode);
        }
        if (!withTrailers && !trailers.isEmpty()) {
            throw new IllegalArgumentException("trailers need " + SigV4.STREAMING_SIGNED_TRAILER);
        }
        SignatureChain chain =
                new SignatureChain(signingKey(seed.amzDate()), seed.amzDate(), seed.scope(), seed.signature());
        return encode(payload, chunkSize, trailers, withTrailers, chain);
    }

    /** Encodes {@code payload} as an unsigned aws-chunked body with trailers ({@link #STREAMING_UNSIGNED_TRAILER}). */
    public static byte[] unsignedChunkedBody(byte[] payload, int chunkSize, Map<String, String> trailers) {
        return encode(payload, chunkSize, trailers, true, null);
    }

    /**
     * The encoded length of an aws-chunked body (what Content-Length must say), for {@code mode} one of
     * the streaming modes; trailers as they will be sent.
     */
    public static long chunkedLength(PayloadMode mode, long payloadLength, int chunkSize, Map<String, String> trailers) {
        if (!mode.isStreaming()) {
            throw new IllegalArgumentException("not a streaming mode: " + mode);
        }
        boolean signed = mode != PayloadMode.STREAMING_UNSIGNED_TRAILER;
        long total = 0;
        for (long remaining = payloadLength; remaining > 0; remaining -= chunkSize) {
            int n = (int) Math.min(chunkSize, remaining);
            total += chunkHeader(n, signed ? PLACEHOLDER_SIGNATURE : null).length() + n + CRLF.length;
        }
        total += chunkHeader(0, signed ? PLACEHOLDER_SIGNATURE : null).length();
        if (mode.hasTrailers()) {
            for (Map.Entry<String, String> t : trailers.entrySet()) {
                total += trailerLine(t.getKey(), t.getValue()).getBytes(StandardCharsets.UTF_8).length;
            }
            if (signed) {
                total += trailerLine(SigV4.TRAILER_SIGNATURE_NAME, PLACEHOLDER_SIGNATURE).length();
            }
        }
        return total + CRLF.length;
    }

    /** Hex SHA-256 of {@code payload}, the value of {@code x-amz-content-sha256} for a signed body. */
    public static String sha256Hex(byte[] payload) {
        return SigV4.sha256Hex(payload);
    }

    private static byte[] encode(
            byte[] payload, int chunkSize, Map<String, String> trailers, boolean withTrailers, SignatureChain chain) {
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
        }
        MessageDigest digest = SigV4.newSha256();
        PayloadMode mode = chain == null
                ? PayloadMode.STREAMING_UNSIGNED_TRAILER
                : withTrailers ? PayloadMode.STREAMING_SIGNED_TRAILER : PayloadMode.STREAMING_SIGNED;
        ByteArrayOutputStream out =
                new ByteArrayOutputStream(Math.toIntExact(chunkedLength(mode, payload.length, chunkSize, trailers)));
        int offset = 0;
        while (true) {
            int n = Math.min(chunkSize, payload.length - offset);
            String signature = null;
            if (chain != null) {
                digest.update(payload, offset, n);
                signature = chain.signChunk(digest.digest());
            }
            out.writeBytes(chunkHeader(n, signature).getBytes(StandardCharsets.US_ASCII));
            if (n == 0) {
                break;
            }
            out.write(payload, offset, n);
            out.writeBytes(CRLF);
            offset += n;
        }
        if (withTrailers) {
            List<Map.Entry<String, String>> lines = new ArrayList<>(trailers.entrySet());
            for (Map.Entry<String, String> t : lines) {
                out.writeBytes(trailerLine(t.getKey(), t.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            if (chain != null) {
                byte[] hash = SigV4.newSha256().digest(SigV4.canonicalTrailers(lines));
                out.writeBytes(trailerLine(SigV4.TRAILER_SIGNATURE_NAME, chain.signTrailer(hash))
                        .getBytes(StandardCharsets.US_ASCII));
            }
        }
        out.writeBytes(CRLF);
        return out.toByteArray();
    }

    private static String chunkHeader(int size, String signature) {
        return Integer.toHexString(size) + (signature == null ? "" : ";" + SigV4.CHUNK_SIGNATURE_EXTENSION + signature)
                + "\r\n";
    }

    private static String trailerLine(String name, String value) {
        return name + ":" + value + "\r\n";
    }

    private byte[] signingKey(String amzDate) {
        return SigV4.deriveSigningKey(secretKey, amzDate.substring(0, SigV4.SCOPE_DATE_CHARS), region);
    }

    private static List<String> signedHeaders(Headers headers) {
        if (!headers.contains(SigV4.HEADER_HOST)) {
            throw new IllegalArgumentException("the host header must be present to be signed");
        }
        // Headers keeps names lower-case and sorted, as SignedHeaders must be.
        List<String> names = new ArrayList<>(headers.asMap().keySet());
        names.remove(SigV4.HEADER_AUTHORIZATION);
        return names;
    }

    private static Headers copy(Headers headers) {
        Headers out = new Headers();
        headers.asMap().forEach((name, values) -> values.forEach(v -> out.add(name, v)));
        return out;
    }

    @Override
    public String toString() {
        return "SigV4Signer[accessKeyId=" + accessKeyId + ", region=" + region + "]";
    }
}
