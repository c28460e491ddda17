package dev.arca.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;

/**
 * SSE-C: the customer's 32-byte key arrives with each request and is never stored. What is stored is a
 * salted HMAC of it, to tell a wrong key (403) from tampering, and the object's DEK sealed by it.
 *
 * <p>Fingerprint: {@code salt (16) | HMAC-SHA256(customerKey, "arca-sse-c\0" || salt)} (48 bytes).
 * Sealed DEK: {@code nonce (12) | AES-256-GCM ciphertext (32) | tag (16)} under
 * HMAC-SHA256(customerKey, "arca-sse-c-wrap"), with the caller's context as AAD.
 */
public final class CustomerKeys {
    private static final int SALT_BYTES = 16;
    private static final int MAC_BYTES = 32;
    static final int FINGERPRINT_BYTES = SALT_BYTES + MAC_BYTES;
    private static final byte[] FINGERPRINT_LABEL = "arca-sse-c\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRAP_LABEL = "arca-sse-c-wrap".getBytes(StandardCharsets.US_ASCII);

    private CustomerKeys() {}

    /** A salted fingerprint of {@code customerKey}: salt (16 random bytes) then HMAC-SHA256(key, salt). */
    public static byte[] fingerprint(byte[] customerKey, dev.arca.core.Entropy entropy) {
        Aead.requireKey(customerKey, "SSE-C customer key");
        byte[] salt = new byte[SALT_BYTES];
        Aead.random(Objects.requireNonNull(entropy, "entropy"), salt);
        return Aead.concat(salt, Aead.hmac(customerKey, FINGERPRINT_LABEL, salt));
    }

    /** Whether {@code customerKey} is the key {@code fingerprint} was made from (constant time). */
    public static boolean matches(byte[] customerKey, byte[] fingerprint) {
        Aead.requireKey(customerKey, "SSE-C customer key");
        if (fingerprint == null || fingerprint.length != FINGERPRINT_BYTES) {
            return false;
        }
        byte[] salt = Arrays.copyOf(fingerprint, SALT_BYTES);
        byte[] expected = Aead.hmac(customerKey, FINGERPRINT_LABEL, salt);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(fingerprint, SALT_BYTES, FINGERPRINT_BYTES));
    }

    /** A fresh DEK sealed by {@code customerKey} (key id {@link WrappedKey#CUSTOMER_KEY}, generation 0). */
    public static DataKey generateDataKey(byte[] customerKey, byte[] context, dev.arca.core.Entropy entropy) {
        Aead.requireKey(customerKey, "SSE-C customer key");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(entropy, "entropy");
        byte[] dek = new byte[ObjectCipher.DEK_BYTES];
        Aead.random(entropy, dek);
        byte[] box = Aead.seal(wrappingKey(customerKey), entropy, context, dek);
        return new DataKey(dek, new WrappedKey(WrappedKey.CUSTOMER_KEY, 0, box));
    }

    /** The DEK sealed by {@code customerKey}; {@link TamperedDataException} if the key or context is wrong. */
    public static byte[] unwrap(byte[] customerKey, WrappedKey wrapped, byte[] context) throws TamperedDataException {
        Aead.requireKey(customerKey, "SSE-C customer key");
        Objects.requireNonNull(context, "context");
        if (!WrappedKey.CUSTOMER_KEY.equals(wrapped.keyId())) {
            throw new IllegalArgumentException("data key is sealed by " + wrapped.keyId() + ", not an SSE-C customer key");
        }
        if (wrapped.ciphertext().length != Aead.BOX_OVERHEAD + ObjectCipher.DEK_BYTES) {
            throw new TamperedDataException("sealed SSE-C data key has " + wrapped.ciphertext().length + " bytes");
        }
        try {
            return Aead.open(wrappingKey(customerKey), context, wrapped.ciphertext());
        } catch (AEADBadTagException e) {
            throw new TamperedDataException("SSE-C data key does not open: wrong customer key, context, or tampered", e);
        }
    }

    private static SecretKeySpec wrappingKey(byte[] customerKey) {
        byte[] derived = Aead.hmac(customerKey, WRAP_LABEL);
        try {
            return Aead.aesKey(derived);
        } finally {
            Aead.wipe(derived);
        }
    }
}
