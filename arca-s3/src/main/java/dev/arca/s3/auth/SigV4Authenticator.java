package dev.arca.s3.auth;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Hex;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import dev.arca.s3.http.UriEncoding;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Authenticates S3 requests signed with AWS Signature Version 4, as Amazon S3 does: by the
 * {@code Authorization} header or by presigned-URL query parameters, with the payload sent whole
 * (signed SHA-256 or {@code UNSIGNED-PAYLOAD}) or aws-chunked (signed chunks, optionally signed or
 * unsigned trailers). The service is {@code s3}, or {@code iam}/{@code sts} for the query APIs
 * (whose payload hash, when not sent, is computed from the bounded body); the region is fixed at
 * construction.
 *
 * <p>{@link #authenticate} checks everything that does not need the body and throws a
 * {@link StoreException} of the kind S3 reports; it never reads the body, so a request rejected here
 * never triggers {@code 100 Continue}. The body checks run while the returned request's body is read.
 * A request without any authentication comes back anonymous; denying it is the caller's job.
 * Thread-safe.
 */
public final class SigV4Authenticator {
    static final String SIGNATURE_MISMATCH_MESSAGE = "The request signature we calculated does not match the"
            + " signature you provided. Check your key and signing method.";
    private static final String UNSUPPORTED_MECHANISM =
            "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.";
    private static final String HEADER_MALFORMED = "The authorization header is malformed; ";
    private static final String CREDENTIAL_PARAM_MALFORMED = "Error parsing the X-Amz-Credential parameter; ";
    private static final String CREDENTIAL_FORMAT =
            "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".";
    private static final String MISSING_QUERY_PARAMS = "Query-string authentication version 4 requires the"
            + " X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders,"
            + " and X-Amz-Expires parameters.";
    private static final String WRONG_CREDENTIAL_DATE = "Invalid credential date. Date is not the same as X-Amz-Date.";
    private static final String HEADER_DATE_RFC1123 = "date";
    private static final String V2_QUERY_ACCESS_KEY = "AWSAccessKeyId";
    private static final String V2_QUERY_SIGNATURE = "Signature";
    private static final int CREDENTIAL_PARTS = 5;
    private static final long MILLIS_PER_SECOND = 1000;
    /** x-amz-* headers that need not be signed because the signature covers them anyway. */
    private static final Set<String> IMPLICITLY_SIGNED = Set.of(SigV4.HEADER_DATE, SigV4.HEADER_CONTENT_SHA256);

    private final CredentialProvider credentials;
    private final InstantSource clock;
    private final String region;
    private final SigningKeyCache signingKeys = new SigningKeyCache();

    public SigV4Authenticator(CredentialProvider credentials, InstantSource clock, String region) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.region = Objects.requireNonNull(region, "region");
    }

    /**
     * Authenticates {@code exchange}; throws {@link StoreException} when it is not validly signed.
     * The returned body is the decoded payload; see {@link AuthenticatedRequest}.
     */
    public AuthenticatedRequest authenticate(HttpExchange exchange) {
        Headers headers = exchange.headers();
        String authorization = headers.get(SigV4.HEADER_AUTHORIZATION);
        List<Map.Entry<String, String>> query = UriEncoding.parseQuery(exchange.rawQuery());
        boolean queryV4 = hasParam(query, SigV4.PARAM_ALGORITHM) || hasParam(query, SigV4.PARAM_SIGNATURE);
        boolean queryV2 = hasParam(query, V2_QUERY_ACCESS_KEY) && hasParam(query, V2_QUERY_SIGNATURE);
        if (authorization != null && (queryV4 || queryV2)) {
            throw new StoreException(Failure.of(
                            FailureKind.INVALID_ARGUMENT,
                            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature"
                                    + " query string parameter or the Authorization header should be specified")
                    .withDetail("ArgumentName", "Authorization"));
        }
        if (authorization != null) {
            return authenticateHeader(exchange, authorization, query);
        }
        if (queryV4) {
            return authenticateQuery(exchange, query);
        }
        if (queryV2) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, UNSUPPORTED_MECHANISM);
        }
        return new AuthenticatedRequest(
                null, exchange.body(), exchange.contentLength(), PayloadMode.ANONYMOUS, List.of(), Map::of, false, SigV4.SERVICE);
    }

    // ---------------------------------------------------------------- Authorization header

    private AuthenticatedRequest authenticateHeader(
            HttpExchange exchange, String authorization, List<Map.Entry<String, String>> query) {
        Headers headers = exchange.headers();
        int space = authorization.indexOf(' ');
        String algorithm = space < 0 ? authorization : authorization.substring(0, space);
        if (!algorithm.equals(SigV4.ALGORITHM)) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, UNSUPPORTED_MECHANISM);
        }
        Map<String, String> fields = parseAuthorizationFields(authorization.substring(space + 1));
        CredentialScope scope = parseScope(
                fields.get("Credential"), FailureKind.AUTHORIZATION_HEADER_MALFORMED, HEADER_MALFORMED);
        List<String> signedHeaders = parseSignedHeaders(
                fields.get("SignedHeaders"), FailureKind.AUTHORIZATION_HEADER_MALFORMED, HEADER_MALFORMED);
        String providedSignature = fields.get("Signature");

        String contentSha256 = headers.get(SigV4.HEADER_CONTENT_SHA256);
        byte[] queryApiBody = null;
        if (contentSha256 == null && !scope.service().equals(SigV4.SERVICE)) {
            // IAM and STS clients do not send the payload hash: hash the (small, bounded) form body.
            queryApiBody = readQueryApiBody(exchange);
            contentSha256 = SigV4.sha256Hex(queryApiBody);
        }
        if (contentSha256 == null) {
            throw StoreException.of(
                    FailureKind.INVALID_REQUEST,
                    "Missing required header for this request: " + SigV4.HEADER_CONTENT_SHA256);
        }
        Credential credential = lookUp(scope.accessKeyId(), headers.get(HEADER_SECURITY_TOKEN));
        RequestTime time = headerTime(headers);
        Instant now = clock.instant();
        checkSkew(time.instant(), time.raw(), now);
        if (!time.amzDate().startsWith(scope.date())) {
            throw StoreException.of(FailureKind.AUTHORIZATION_HEADER_MALFORMED, HEADER_MALFORMED + WRONG_CREDENTIAL_DATE);
        }
        PayloadMode mode = payloadMode(contentSha256);
        checkAmzHeadersSigned(headers, signedHeaders);

        String canonicalRequest = SigV4.canonicalRequest(
                exchange.method(),
                SigV4.canonicalUri(exchange.rawPath()),
                SigV4.canonicalQuery(query, null),
                headers,
                signedHeaders,
                contentSha256);
        String signature = verifySignature(credential, scope, time.amzDate(), canonicalRequest, providedSignature);
        if (queryApiBody != null) {
            return new AuthenticatedRequest(credential, new java.io.ByteArrayInputStream(queryApiBody), queryApiBody.length,
                    PayloadMode.SIGNED_HEX, List.of(), Map::of, false, scope.service());
        }
        return withBody(exchange, credential, mode, contentSha256, scope, time.amzDate(), signature, false);
    }

    /** Splits {@code Credential=..., SignedHeaders=..., Signature=...} (spaces after commas optional). */
    private static Map<String, String> parseAuthorizationFields(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String part : text.split(",", -1)) {
            String field = part.strip();
            int eq = field.indexOf('=');
            if (eq <= 0) {
                throw headerMalformed("the authorization header requires three components: Credential,"
                        + " SignedHeaders, and Signature.");
            }
            String name = field.substring(0, eq);
            boolean known = name.equals("Credential") || name.equals("SignedHeaders") || name.equals("Signature");
            if (!known || fields.put(name, field.substring(eq + 1)) != null) {
                throw headerMalformed("the authorization header requires three components: Credential,"
                        + " SignedHeaders, and Signature.");
            }
        }
        if (fields.size() != 3) {
            throw headerMalformed(
                    "the authorization header requires three components: Credential, SignedHeaders, and Signature.");
        }
        return fields;
    }

    private static StoreException headerMalformed(String reason) {
        return StoreException.of(FailureKind.AUTHORIZATION_HEADER_MALFORMED, HEADER_MALFORMED + reason);
    }

    private static RequestTime headerTime(Headers headers) {
        String amzDate = headers.get(SigV4.HEADER_DATE);
        if (amzDate != null) {
            Instant instant = SigV4.parseAmzDate(amzDate);
            if (instant == null) {
                throw missingDate();
            }
            return new RequestTime(amzDate, instant, amzDate);
        }
        String date = headers.get(HEADER_DATE_RFC1123);
        if (date == null) {
            throw missingDate();
        }
        try {
            Instant instant = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return new RequestTime(SigV4.formatAmzDate(instant), instant, date);
        } catch (DateTimeParseException e) {
            throw missingDate();
        }
    }

    private static StoreException missingDate() {
        return StoreException.of(
                FailureKind.ACCESS_DENIED, "AWS authentication requires a valid Date or x-amz-date header");
    }

    // ---------------------------------------------------------------- presigned URL

    private AuthenticatedRequest authenticateQuery(HttpExchange exchange, List<Map.Entry<String, String>> query) {
        Map<String, String> params = new HashMap<>();
        for (Map.Entry<String, String> p : query) {
            if (p.getKey().startsWith("X-Amz-") && params.put(p.getKey(), p.getValue()) != null) {
                throw queryError("The parameter " + p.getKey() + " appears more than once.");
            }
        }
        String algorithm = params.get(SigV4.PARAM_ALGORITHM);
        if (algorithm != null && !algorithm.equals(SigV4.ALGORITHM)) {
            throw queryError("X-Amz-Algorithm only supports \"" + SigV4.ALGORITHM + "\"");
        }
        for (String required : List.of(
                SigV4.PARAM_ALGORITHM,
                SigV4.PARAM_CREDENTIAL,
                SigV4.PARAM_DATE,
                SigV4.PARAM_EXPIRES,
                SigV4.PARAM_SIGNED_HEADERS,
                SigV4.PARAM_SIGNATURE)) {
            if (!params.containsKey(required)) {
                throw queryError(MISSING_QUERY_PARAMS);
            }
        }
        CredentialScope scope = parseScope(
                params.get(SigV4.PARAM_CREDENTIAL),
                FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                CREDENTIAL_PARAM_MALFORMED);
        String amzDate = params.get(SigV4.PARAM_DATE);
        Instant signedAt = SigV4.parseAmzDate(amzDate);
        if (signedAt == null) {
            throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
        }
        if (!amzDate.startsWith(scope.date())) {
            throw queryError(WRONG_CREDENTIAL_DATE);
        }
        String expiresText = params.get(SigV4.PARAM_EXPIRES);
        long expires = parseExpires(expiresText);
        List<String> signedHeaders = parseSignedHeaders(
                params.get(SigV4.PARAM_SIGNED_HEADERS), FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, "");
        String token = params.get(PARAM_SECURITY_TOKEN) != null ? params.get(PARAM_SECURITY_TOKEN)
                : exchange.headers().get(HEADER_SECURITY_TOKEN);
        Credential credential = lookUp(scope.accessKeyId(), token);

        Instant now = clock.instant();
        if (Duration.between(now, signedAt).toMillis() > Limits.MAX_CLOCK_SKEW_SECONDS * MILLIS_PER_SECOND) {
            throw skewed(amzDate, now);
        }
        Instant expiry = signedAt.plusSeconds(expires);
        if (now.isAfter(expiry)) {
            throw new StoreException(Failure.of(FailureKind.EXPIRED_PRESIGNED_REQUEST, "Request has expired")
                    .withDetail(SigV4.PARAM_EXPIRES, expiresText)
                    .withDetail("Expires", expiry.toString())
                    .withDetail("ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString()));
        }

        Headers headers = exchange.headers();
        String contentSha256 = headers.get(SigV4.HEADER_CONTENT_SHA256);
        String payloadHash = contentSha256 == null ? SigV4.UNSIGNED_PAYLOAD : contentSha256;
        PayloadMode mode = payloadMode(payloadHash);
        checkAmzHeadersSigned(headers, signedHeaders);

        String canonicalRequest = SigV4.canonicalRequest(
                exchange.method(),
                SigV4.canonicalUri(exchange.rawPath()),
                SigV4.canonicalQuery(query, SigV4.PARAM_SIGNATURE),
                headers,
                signedHeaders,
                payloadHash);
        String signature =
                verifySignature(credential, scope, amzDate, canonicalRequest, params.get(SigV4.PARAM_SIGNATURE));
        return withBody(exchange, credential, mode, payloadHash, scope, amzDate, signature, true);
    }

    private static long parseExpires(String text) {
        long expires;
        try {
            expires = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw queryError("X-Amz-Expires should be a number");
        }
        if (expires < 1 || expires > Limits.MAX_PRESIGN_SECONDS) {
            throw queryError("X-Amz-Expires must be less than a week (in seconds) that is; " + Limits.MAX_PRESIGN_SECONDS);
        }
        return expires;
    }

    private static StoreException queryError(String message) {
        return StoreException.of(FailureKind.AUTHORIZATION_QUERY_PARAMETERS_ERROR, message);
    }

    // ---------------------------------------------------------------- shared steps

    private record CredentialScope(String accessKeyId, String date, String service) {}

    private record RequestTime(String amzDate, Instant instant, String raw) {}

    static final String HEADER_SECURITY_TOKEN = "x-amz-security-token";
    static final String PARAM_SECURITY_TOKEN = "X-Amz-Security-Token";
    /** Largest IAM/STS form body read (to hash it, and by the query API); the same bound as IamApi's. */
    public static final int MAX_QUERY_API_BODY_BYTES = 256 * 1024;

    private static byte[] readQueryApiBody(HttpExchange exchange) {
        if (exchange.contentLength() > MAX_QUERY_API_BODY_BYTES) {
            throw StoreException.of(FailureKind.MAX_MESSAGE_LENGTH_EXCEEDED, "Your request was too big.");
        }
        try (java.io.InputStream in = exchange.body()) {
            byte[] body = in.readNBytes(MAX_QUERY_API_BODY_BYTES + 1);
            if (body.length > MAX_QUERY_API_BODY_BYTES) {
                throw StoreException.of(FailureKind.MAX_MESSAGE_LENGTH_EXCEEDED, "Your request was too big.");
            }
            return body;
        } catch (java.io.IOException e) {
            throw StoreException.of(FailureKind.INCOMPLETE_BODY, "The request body could not be read: " + e.getMessage());
        }
    }

    /** Parses {@code AKID/yyyymmdd/region/s3/aws4_request} and checks date format, region, service, terminator. */
    private CredentialScope parseScope(String text, FailureKind kind, String prefix) {
        String[] parts = text.split("/", -1);
        if (parts.length != CREDENTIAL_PARTS || parts[0].isEmpty()) {
            throw StoreException.of(kind, prefix + CREDENTIAL_FORMAT);
        }
        String date = parts[1];
        if (date.length() != SigV4.SCOPE_DATE_CHARS || SigV4.parseAmzDate(date + "T000000Z") == null) {
            throw StoreException.of(kind, prefix + "incorrect date format \"" + date + "\". This date in the"
                    + " credential must be in the format \"yyyyMMdd\".");
        }
        if (!parts[2].equals(region)) {
            throw new StoreException(Failure.of(
                            kind, prefix + "the region '" + parts[2] + "' is wrong; expecting '" + region + "'")
                    .withDetail("Region", region));
        }
        if (!SigV4.SERVICES.contains(parts[3])) {
            throw StoreException.of(kind, prefix + "incorrect service \"" + parts[3] + "\". This endpoint belongs to \""
                    + SigV4.SERVICE + "\".");
        }
        if (!parts[4].equals(SigV4.TERMINATOR)) {
            throw StoreException.of(kind, prefix + "incorrect terminal \"" + parts[4] + "\". This endpoint uses \""
                    + SigV4.TERMINATOR + "\".");
        }
        return new CredentialScope(parts[0], date, parts[3]);
    }

    private static List<String> parseSignedHeaders(String text, FailureKind kind, String prefix) {
        List<String> names = new ArrayList<>();
        for (String name : text.split(";", -1)) {
            if (name.isEmpty()) {
                throw StoreException.of(kind, prefix + "SignedHeaders contains an empty header name.");
            }
            names.add(name.toLowerCase(Locale.ROOT));
        }
        if (!names.contains(SigV4.HEADER_HOST)) {
            throw StoreException.of(kind, prefix + "the host header must be signed.");
        }
        return names;
    }

    private Credential lookUp(String accessKeyId, String sessionToken) {
        return credentials.find(accessKeyId, sessionToken).orElseThrow(() -> new StoreException(Failure.of(
                        FailureKind.INVALID_ACCESS_KEY_ID,
                        "The AWS Access Key Id you provided does not exist in our records.")
                .withDetail("AWSAccessKeyId", accessKeyId)));
    }

    private static void checkSkew(Instant requestTime, String raw, Instant now) {
        long skewMillis = Math.abs(Duration.between(requestTime, now).toMillis());
        if (skewMillis > Limits.MAX_CLOCK_SKEW_SECONDS * MILLIS_PER_SECOND) {
            throw skewed(raw, now);
        }
    }

    private static StoreException skewed(String raw, Instant now) {
        return new StoreException(Failure.of(
                        FailureKind.REQUEST_TIME_TOO_SKEWED,
                        "The difference between the request time and the current time is too large.")
                .withDetail("RequestTime", raw)
                .withDetail("ServerTime", now.truncatedTo(ChronoUnit.SECONDS).toString())
                .withDetail(
                        "MaxAllowedSkewMilliseconds",
                        Long.toString(Limits.MAX_CLOCK_SKEW_SECONDS * MILLIS_PER_SECOND)));
    }

    private static PayloadMode payloadMode(String contentSha256) {
        return switch (contentSha256) {
            case SigV4.UNSIGNED_PAYLOAD -> PayloadMode.UNSIGNED;
            case SigV4.STREAMING_SIGNED -> PayloadMode.STREAMING_SIGNED;
            case SigV4.STREAMING_SIGNED_TRAILER -> PayloadMode.STREAMING_SIGNED_TRAILER;
            case SigV4.STREAMING_UNSIGNED_TRAILER -> PayloadMode.STREAMING_UNSIGNED_TRAILER;
            case SigV4.STREAMING_ECDSA, SigV4.STREAMING_ECDSA_TRAILER ->
                throw StoreException.of(
                        FailureKind.NOT_IMPLEMENTED, "Signature Version 4A (" + contentSha256 + ") is not supported.");
            default -> {
                if (!Hex.isHex(contentSha256, SigV4.SIGNATURE_HEX_CHARS)) {
                    throw new StoreException(Failure.of(
                                    FailureKind.INVALID_ARGUMENT,
                                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER,"
                                            + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD,"
                                            + " STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.")
                            .withDetail("ArgumentName", SigV4.HEADER_CONTENT_SHA256)
                            .withDetail("ArgumentValue", contentSha256));
                }
                yield PayloadMode.SIGNED_HEX;
            }
        };
    }

    /** S3 refuses x-amz-* headers the signature does not cover: they could be added by anyone in transit. */
    private static void checkAmzHeadersSigned(Headers headers, List<String> signedHeaders) {
        List<String> unsigned = new ArrayList<>();
        for (String name : headers.asMap().keySet()) {
            if (name.startsWith("x-amz-") && !IMPLICITLY_SIGNED.contains(name) && !signedHeaders.contains(name)) {
                unsigned.add(name);
            }
        }
        if (!unsigned.isEmpty()) {
            throw new StoreException(Failure.of(
                            FailureKind.ACCESS_DENIED, "There were headers present in the request which were not signed")
                    .withDetail("HeadersNotSigned", String.join(", ", unsigned)));
        }
    }

    /** Verifies the request signature in constant time and returns it (the seed for chunk signatures). */
    private String verifySignature(
            Credential credential, CredentialScope scope, String amzDate, String canonicalRequest, String provided) {
        String scopeText = SigV4.scope(scope.date(), region, scope.service());
        String stringToSign = SigV4.stringToSign(amzDate, scopeText, canonicalRequest);
        byte[] key = signingKeys.get(credential.secretKey(), scope.date(), region, scope.service());
        String expected = SigV4.signature(key, stringToSign);
        if (!SigV4.signaturesEqual(expected, provided)) {
            throw new StoreException(signatureMismatch()
                    .failure()
                    .withDetail("AWSAccessKeyId", credential.accessKeyId())
                    .withDetail("StringToSign", stringToSign)
                    .withDetail("SignatureProvided", provided)
                    .withDetail("CanonicalRequest", canonicalRequest));
        }
        return expected;
    }

    static StoreException signatureMismatch() {
        return StoreException.of(FailureKind.SIGNATURE_DOES_NOT_MATCH, SIGNATURE_MISMATCH_MESSAGE);
    }

    private AuthenticatedRequest withBody(
            HttpExchange exchange,
            Credential credential,
            PayloadMode mode,
            String contentSha256,
            CredentialScope scope,
            String amzDate,
            String seedSignature,
            boolean presigned) {
        return switch (mode) {
            case UNSIGNED, ANONYMOUS ->
                new AuthenticatedRequest(
                        credential, exchange.body(), exchange.contentLength(), mode, List.of(), Map::of, presigned,
                        scope.service());
            case SIGNED_HEX ->
                new AuthenticatedRequest(
                        credential,
                        new Sha256VerifyingInputStream(exchange.body(), contentSha256),
                        exchange.contentLength(),
                        mode,
                        List.of(),
                        Map::of,
                        presigned,
                        scope.service());
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER -> {
                long decodedLength = decodedContentLength(exchange.headers());
                List<String> declared = mode.hasTrailers() ? declaredTrailers(exchange.headers()) : List.of();
                SignatureChain chain = mode == PayloadMode.STREAMING_UNSIGNED_TRAILER
                        ? null
                        : new SignatureChain(
                                signingKeys.get(credential.secretKey(), scope.date(), region, scope.service()),
                                amzDate,
                                SigV4.scope(scope.date(), region, scope.service()),
                                seedSignature);
                AwsChunkedInputStream body =
                        new AwsChunkedInputStream(exchange.body(), chain, mode.hasTrailers(), declared, decodedLength);
                yield new AuthenticatedRequest(
                        credential, body, decodedLength, mode, declared, body::trailers, presigned, scope.service());
            }
        };
    }

    private static long decodedContentLength(Headers headers) {
        String text = headers.get(SigV4.HEADER_DECODED_LENGTH);
        if (text == null) {
            throw StoreException.of(FailureKind.MISSING_CONTENT_LENGTH, "You must provide the Content-Length HTTP header.");
        }
        try {
            long length = Long.parseLong(text.strip());
            if (length >= 0) {
                return length;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new StoreException(Failure.of(
                        FailureKind.INVALID_ARGUMENT, "x-amz-decoded-content-length must be a non-negative integer.")
                .withDetail("ArgumentName", SigV4.HEADER_DECODED_LENGTH)
                .withDetail("ArgumentValue", text));
    }

    private static List<String> declaredTrailers(Headers headers) {
        List<String> names = new ArrayList<>();
        for (String value : headers.all(SigV4.HEADER_TRAILER)) {
            for (String name : value.split(",", -1)) {
                String trimmed = name.strip().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty() && !names.contains(trimmed)) {
                    names.add(trimmed);
                }
            }
        }
        return names;
    }

    private static boolean hasParam(List<Map.Entry<String, String>> query, String name) {
        for (Map.Entry<String, String> p : query) {
            if (p.getKey().equals(name)) {
                return true;
            }
        }
        return false;
    }
}
