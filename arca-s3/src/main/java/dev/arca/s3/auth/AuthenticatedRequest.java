package dev.arca.s3.auth;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The outcome of {@link SigV4Authenticator#authenticate}: who signed the request (empty when it is
 * anonymous) and its payload, decoded and verified as it is read.
 *
 * <p>{@link #body()} yields the decoded payload. Verification that needs the whole payload (the
 * SHA-256 of a signed body, chunk and trailer signatures, lengths) happens while reading: a bad body
 * makes {@code read} throw a {@link dev.arca.core.StoreException}, at the latest instead of returning
 * -1, so a caller that reads to end of stream before committing never commits an unverified body.
 * Not thread-safe: one reader per request.
 */
public final class AuthenticatedRequest {
    private final Optional<Credential> credential;
    private final InputStream body;
    private final long decodedContentLength;
    private final PayloadMode mode;
    private final List<String> declaredTrailers;
    private final Supplier<Map<String, String>> trailers;
    private final boolean presigned;
    private final String service;

    AuthenticatedRequest(
            Credential credential,
            InputStream body,
            long decodedContentLength,
            PayloadMode mode,
            List<String> declaredTrailers,
            Supplier<Map<String, String>> trailers,
            boolean presigned) {
        this(credential, body, decodedContentLength, mode, declaredTrailers, trailers, presigned, SigV4.SERVICE);
    }

    AuthenticatedRequest(
            Credential credential,
            InputStream body,
            long decodedContentLength,
            PayloadMode mode,
            List<String> declaredTrailers,
            Supplier<Map<String, String>> trailers,
            boolean presigned,
            String service) {
        this.service = service;
        this.credential = Optional.ofNullable(credential);
        this.body = body;
        this.decodedContentLength = decodedContentLength;
        this.mode = mode;
        this.declaredTrailers = List.copyOf(declaredTrailers);
        this.trailers = trailers;
        this.presigned = presigned;
    }

    /** The service the request was signed for: "s3", or "iam"/"sts" for the query APIs ("s3" when anonymous). */
    public String service() {
        return service;
    }

    /** The signer's credential; empty for an anonymous request. */
    public Optional<Credential> credential() {
        return credential;
    }

    public boolean isAnonymous() {
        return credential.isEmpty();
    }

    /** True when authenticated by query parameters (a presigned URL) rather than the Authorization header. */
    public boolean presigned() {
        return presigned;
    }

    /** The decoded payload; see the class comment. */
    public InputStream body() {
        return body;
    }

    /** Length of the decoded payload, or -1 when unknown (e.g. HTTP chunked transfer without aws-chunked). */
    public long decodedContentLength() {
        return decodedContentLength;
    }

    public PayloadMode mode() {
        return mode;
    }

    /** Lower-case trailer names announced in {@code x-amz-trailer}; empty unless the mode has trailers. */
    public List<String> declaredTrailers() {
        return declaredTrailers;
    }

    /**
     * Trailers received after the final chunk (lower-case names, trimmed values); empty until the
     * body has been read to its end, and always empty for modes without trailers. Every declared
     * trailer is present once the body ended normally.
     */
    public Map<String, String> trailers() {
        return trailers.get();
    }
}
