package dev.arca.meta;

import dev.arca.crypto.WrappedKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * How an object version's bytes are sealed (docs/FORMATS.md, "Sealed object data"): the mode the
 * client asked for or the bucket default chose, and the version's data key sealed by a KEK (or, for
 * SSE-C, by the customer's key). The data key itself is never stored in clear.
 *
 * @param mode                   SSE-S3, SSE-KMS or SSE-C
 * @param dataKey                the sealed data key (for SSE-KMS its key id is the KMS key)
 * @param kmsContext             the SSE-KMS encryption context as the client sent it (base64 JSON), or null
 * @param customerKeyFingerprint for SSE-C, salt and HMAC of the customer key (to tell a wrong key); else null
 */
public record Encryption(Mode mode, WrappedKey dataKey, String kmsContext, byte[] customerKeyFingerprint) {
    /** x-amz-server-side-encryption as stored. */
    public enum Mode { SSE_S3, SSE_KMS, SSE_C }

    public Encryption {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(dataKey, "dataKey");
        if ((mode == Mode.SSE_C) != (customerKeyFingerprint != null)) {
            throw new IllegalArgumentException("a customer key fingerprint goes with SSE-C and only with it");
        }
        if (kmsContext != null && mode != Mode.SSE_KMS) {
            throw new IllegalArgumentException("an encryption context goes with SSE-KMS only");
        }
    }

    /** The same encryption with its data key sealed again (rotation). */
    public Encryption withDataKey(WrappedKey rewrapped) {
        return new Encryption(mode, rewrapped, kmsContext, customerKeyFingerprint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Encryption(Mode m, WrappedKey k, String c, byte[] f) && mode == m && dataKey.equals(k)
                && Objects.equals(kmsContext, c) && Arrays.equals(customerKeyFingerprint, f);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, dataKey, kmsContext) * 31 + Arrays.hashCode(customerKeyFingerprint);
    }
}
