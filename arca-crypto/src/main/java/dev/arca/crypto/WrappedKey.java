package dev.arca.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key (DEK) sealed by a key-encryption key (KEK).
 *
 * @param keyId      the KEK that sealed it: {@link KeyService#SSE_S3_KEY_ID}, a named KMS key, or
 *                   {@link #CUSTOMER_KEY} for SSE-C (sealed by the customer's own key)
 * @param generation the KEK generation (material version) that sealed it; 0 for SSE-C
 * @param ciphertext the sealed DEK (nonce, ciphertext and tag; opaque to callers)
 */
public record WrappedKey(String keyId, int generation, byte[] ciphertext) {
    /** The key id recorded for DEKs sealed with an SSE-C customer key. */
    public static final String CUSTOMER_KEY = "sse-c";

    public WrappedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ciphertext, "ciphertext");
        if (generation < 0) {
            throw new IllegalArgumentException("generation " + generation);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WrappedKey(String k, int g, byte[] c) && keyId.equals(k) && generation == g
                && Arrays.equals(ciphertext, c);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyId, generation) * 31 + Arrays.hashCode(ciphertext);
    }

    @Override
    public String toString() {
        return "WrappedKey[" + keyId + "#" + generation + ", " + ciphertext.length + " bytes]";
    }
}
