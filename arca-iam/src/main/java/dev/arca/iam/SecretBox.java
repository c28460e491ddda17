package dev.arca.iam;

import dev.arca.core.Entropy;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption with AES-256-GCM under one 32-byte key. A sealed box is
 * {@code nonce (12 bytes) | ciphertext | tag (16 bytes)}; the nonce is random (from the injected
 * {@link Entropy}), so a key must seal fewer than about 2^32 messages, far beyond what IAM does.
 * The associated data binds a box to its context (an access key id), so a box moved elsewhere
 * does not open. Thread-safe; {@link #toString()} never shows the key.
 */
public final class SecretBox {
    public static final int KEY_BYTES = 32;
    public static final int NONCE_BYTES = 12;
    public static final int TAG_BITS = 128;
    /** What sealing adds to a plaintext's length. */
    public static final int OVERHEAD = NONCE_BYTES + TAG_BITS / 8;
    private static final String CIPHER = "AES/GCM/NoPadding";
    private static final String KDF_MAC = "HmacSHA256";

    private final SecretKeySpec key;
    private final Entropy entropy;

    /** Raised when a box does not open: a wrong key, wrong associated data, or altered bytes. */
    public static final class BrokenSealException extends RuntimeException {
        BrokenSealException(String message) {
            super(message, null, false, false);
        }
    }

    /** A box under {@code key} (32 bytes, copied). */
    public SecretBox(byte[] key, Entropy entropy) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("key must be " + KEY_BYTES + " bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "AES");
        this.entropy = Objects.requireNonNull(entropy, "entropy");
    }

    /**
     * A box under a key derived from this one for {@code purpose} (HMAC-SHA256 of the purpose
     * under this key), so that boxes for different purposes never share a key.
     */
    public SecretBox derive(String purpose) {
        try {
            Mac mac = Mac.getInstance(KDF_MAC);
            mac.init(new SecretKeySpec(key.getEncoded(), KDF_MAC));
            byte[] derived = mac.doFinal(("arca-iam-kdf:" + purpose).getBytes(StandardCharsets.UTF_8));
            try {
                return new SecretBox(derived, entropy);
            } finally {
                Arrays.fill(derived, (byte) 0);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Encrypts and authenticates {@code plaintext}, binding {@code aad} to it. */
    public byte[] seal(byte[] plaintext, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        synchronized (entropy) { // seeded entropy is not thread-safe
            entropy.nextBytes(nonce);
        }
        try {
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            byte[] out = new byte[NONCE_BYTES + cipher.getOutputSize(plaintext.length)];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            int n = cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            return n + NONCE_BYTES == out.length ? out : Arrays.copyOf(out, n + NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /**
     * Verifies and decrypts a box made by {@link #seal} with the same key and {@code aad}.
     *
     * @throws BrokenSealException if it does not open
     */
    public byte[] open(byte[] sealed, byte[] aad) {
        if (sealed.length < OVERHEAD) {
            throw new BrokenSealException("sealed box too short");
        }
        try {
            Cipher cipher = Cipher.getInstance(CIPHER);
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new BrokenSealException("sealed box does not open");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "SecretBox[AES-256-GCM, key=<redacted>]";
    }
}
