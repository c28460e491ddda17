package dev.arca.s3.auth;

import dev.arca.core.Hex;
import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;

/**
 * The chained signatures of an aws-chunked body: each chunk's (and finally the trailer's) signature
 * covers the previous one, starting from the request's seed signature. Used to sign (client) and to
 * verify (server); not thread-safe, one per body.
 */
final class SignatureChain {
    private final Mac mac;
    private final String amzDate;
    private final String scope;
    private String previous;

    SignatureChain(byte[] signingKey, String amzDate, String scope, String seedSignature) {
        this.mac = SigV4.newMac(signingKey);
        this.amzDate = amzDate;
        this.scope = scope;
        this.previous = seedSignature;
    }

    /** Signs the next chunk, given the SHA-256 of its data, and advances the chain. */
    String signChunk(byte[] chunkSha256) {
        previous = compute(SigV4.chunkStringToSign(amzDate, scope, previous, chunkSha256));
        return previous;
    }

    /** Signs the trailer section, given the SHA-256 of its canonical form, and advances the chain. */
    String signTrailer(byte[] trailerSha256) {
        previous = compute(SigV4.trailerStringToSign(amzDate, scope, previous, trailerSha256));
        return previous;
    }

    /** True (and advances) when {@code provided} is the next chunk's signature. */
    boolean verifyChunk(byte[] chunkSha256, String provided) {
        return verify(compute(SigV4.chunkStringToSign(amzDate, scope, previous, chunkSha256)), provided);
    }

    /** True (and advances) when {@code provided} is the trailer's signature. */
    boolean verifyTrailer(byte[] trailerSha256, String provided) {
        return verify(compute(SigV4.trailerStringToSign(amzDate, scope, previous, trailerSha256)), provided);
    }

    private boolean verify(String expected, String provided) {
        if (!SigV4.signaturesEqual(expected, provided)) {
            return false;
        }
        previous = expected;
        return true;
    }

    private String compute(String stringToSign) {
        return Hex.encode(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    }
}
