package dev.arca.crypto;

import dev.arca.core.Entropy;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals small values (metadata records) with AES-256-GCM under one key, each value with a fresh
 * random salt from which a one-time subkey is derived, so nonces never repeat however many values are
 * sealed. The {@code aad} (for metadata: the value's key) is authenticated: a value moved under
 * another key fails to open. Thread-safe.
 *
 * <p>A sealed value is {@code version (1) | salt (16) | ciphertext | tag (16)}; the subkey is
 * HMAC-SHA256(key, "arca-value\0" || salt) and the nonce is all zeros (each subkey seals once).
 */
public final class ValueCipher {
    /** Bytes a sealed value adds to the plaintext. */
    public static final int OVERHEAD = 1 + 16 + 16;

    private static final byte VERSION = 1;
    private static final int SALT_BYTES = 16;
    private static final int SALT_OFFSET = 1;
    private static final int CIPHERTEXT_OFFSET = SALT_OFFSET + SALT_BYTES;
    private static final byte[] SUBKEY_LABEL = "arca-value\0".getBytes(StandardCharsets.US_ASCII);
    /** Safe to share: a subkey never seals twice, so one fixed nonce never repeats under a key. */
    private static final byte[] ZERO_NONCE = new byte[Aead.NONCE_BYTES];

    static {
        if (OVERHEAD != 1 + SALT_BYTES + Aead.TAG_BYTES) {
            throw new AssertionError("OVERHEAD does not match the sealed layout");
        }
    }

    private final Entropy entropy;
    // Keyed once per thread: Mac.getInstance and init cost more than the HMAC of a salt.
    private final ThreadLocal<Mac> macs;

    private ValueCipher(byte[] key, Entropy entropy) {
        this.entropy = entropy;
        SecretKeySpec macKey = new SecretKeySpec(key, Aead.HMAC_SHA256);
        this.macs = ThreadLocal.withInitial(() -> {
            Mac mac = Aead.newMac();
            try {
                mac.init(macKey);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HMAC key rejected", e);
            }
            return mac;
        });
    }

    /** A cipher keyed by {@code key} (32 bytes). */
    public static ValueCipher of(byte[] key, dev.arca.core.Entropy entropy) {
        Aead.requireKey(key, "value key");
        return new ValueCipher(key, Objects.requireNonNull(entropy, "entropy"));
    }

    public byte[] seal(byte[] aad, byte[] plaintext) {
        Objects.requireNonNull(aad, "aad");
        if (plaintext.length > Integer.MAX_VALUE - OVERHEAD) {
            throw new IllegalArgumentException("value too large: " + plaintext.length + " bytes");
        }
        byte[] out = new byte[OVERHEAD + plaintext.length];
        out[0] = VERSION;
        byte[] salt = new byte[SALT_BYTES];
        Aead.random(entropy, salt);
        System.arraycopy(salt, 0, out, SALT_OFFSET, SALT_BYTES);
        Aead.encrypt(subkey(out), ZERO_NONCE, aad, plaintext, 0, plaintext.length, out, CIPHERTEXT_OFFSET);
        return out;
    }

    /** The plaintext; {@link TamperedDataException} if the value or its aad was changed. */
    public byte[] open(byte[] aad, byte[] sealed) throws TamperedDataException {
        Objects.requireNonNull(aad, "aad");
        if (sealed.length < OVERHEAD) {
            throw new TamperedDataException("sealed value of " + sealed.length + " bytes is too short");
        }
        if (sealed[0] != VERSION) {
            throw new TamperedDataException("sealed value has unknown version " + (sealed[0] & 0xFF));
        }
        byte[] plain = new byte[sealed.length - OVERHEAD];
        try {
            Aead.decrypt(subkey(sealed), ZERO_NONCE, aad, sealed, CIPHERTEXT_OFFSET, sealed.length - CIPHERTEXT_OFFSET,
                    plain, 0);
        } catch (AEADBadTagException e) {
            throw new TamperedDataException("sealed value failed authentication (changed, or under another key)", e);
        }
        return plain;
    }

    /** The one-time key of the value whose salt is at {@link #SALT_OFFSET} of {@code sealed}. */
    private SecretKeySpec subkey(byte[] sealed) {
        Mac mac = macs.get();
        mac.update(SUBKEY_LABEL);
        mac.update(sealed, SALT_OFFSET, SALT_BYTES);
        byte[] subkey = mac.doFinal();
        try {
            return new SecretKeySpec(subkey, Aead.AES);
        } finally {
            Aead.wipe(subkey);
        }
    }

    @Override
    public String toString() {
        return "ValueCipher[<redacted>]";
    }
}
