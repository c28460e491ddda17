package dev.arca.crypto;

import dev.arca.core.Entropy;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The primitives every cipher of this package is built from: AES-256-GCM and HMAC-SHA256 (SunJCE,
 * heap arrays: the fast path, DESIGN.md §8), plus the "box" layout {@code nonce | ciphertext | tag}
 * used for sealed keys.
 */
final class Aead {
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    static final int TAG_BITS = TAG_BYTES * Byte.SIZE;
    /** What a box adds to its plaintext. */
    static final int BOX_OVERHEAD = NONCE_BYTES + TAG_BYTES;
    static final String AES = "AES";
    static final String AES_GCM = "AES/GCM/NoPadding";
    static final String HMAC_SHA256 = "HmacSHA256";

    // Cipher.getInstance costs a few microseconds; small seals (DEKs, metadata values) reuse one per thread.
    private static final ThreadLocal<Cipher> ENCRYPTORS = ThreadLocal.withInitial(Aead::newGcm);
    private static final ThreadLocal<Cipher> DECRYPTORS = ThreadLocal.withInitial(Aead::newGcm);
    private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(Aead::newMac);
    // Boxes are opened under long-lived wrapping keys (KEK generations): SunJCE keeps the AES key schedule
    // of an instance's last key, so a thread unwrapping many data keys under one KEK expands it once.
    private static final ThreadLocal<Cipher> BOX_OPENERS = ThreadLocal.withInitial(Aead::newGcm);

    private Aead() {}

    static Cipher newGcm() {
        try {
            return Cipher.getInstance(AES_GCM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(AES_GCM + " unavailable", e);
        }
    }

    static Mac newMac() {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(HMAC_SHA256 + " unavailable", e);
        }
    }

    static SecretKeySpec aesKey(byte[] key) {
        requireKey(key, "key");
        return new SecretKeySpec(key, AES);
    }

    static void requireKey(byte[] key, String what) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException(what + " must be " + KEY_BYTES + " bytes");
        }
    }

    /** HMAC-SHA256 under {@code key} of the concatenation of {@code parts}. */
    static byte[] hmac(byte[] key, byte[]... parts) {
        Mac mac = MACS.get();
        try {
            mac.init(new SecretKeySpec(key, HMAC_SHA256));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC key rejected", e);
        }
        for (byte[] part : parts) {
            mac.update(part);
        }
        return mac.doFinal();
    }

    /** Fills {@code into} from {@code entropy}; seeded test entropy is not thread-safe. */
    static void random(Entropy entropy, byte[] into) {
        synchronized (entropy) {
            entropy.nextBytes(into);
        }
    }

    /** Encrypts {@code in[inOff, inOff+len)} into {@code out} at {@code outOff}; returns bytes written. */
    static int encrypt(SecretKeySpec key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out,
            int outOff) {
        Cipher cipher = ENCRYPTORS.get();
        try {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            } catch (InvalidAlgorithmParameterException e) {
                // SunJCE refuses the key and nonce of this instance's previous encryption. That only
                // happens when seeded test entropy repeats itself; a fresh instance has no history.
                cipher = newGcm();
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
                ENCRYPTORS.set(cipher);
            }
            cipher.updateAAD(aad);
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * This thread's decrypting GCM instance, for a caller that runs its decryption to the end before this
     * thread uses this class again (each init replaces the key). Saves a Cipher.getInstance per call.
     */
    static Cipher threadDecryptor() {
        return DECRYPTORS.get();
    }

    /** Decrypts and verifies {@code in[inOff, inOff+len)} (ciphertext and tag) into {@code out}. */
    static int decrypt(SecretKeySpec key, byte[] nonce, byte[] aad, byte[] in, int inOff, int len, byte[] out,
            int outOff) throws AEADBadTagException {
        return decrypt(DECRYPTORS.get(), key, nonce, aad, in, inOff, len, out, outOff);
    }

    private static int decrypt(Cipher cipher, SecretKeySpec key, byte[] nonce, byte[] aad, byte[] in, int inOff,
            int len, byte[] out, int outOff) throws AEADBadTagException {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** {@code nonce (12 random bytes) | ciphertext | tag} of {@code plaintext}. */
    static byte[] seal(SecretKeySpec key, Entropy entropy, byte[] aad, byte[] plaintext) {
        byte[] box = new byte[BOX_OVERHEAD + plaintext.length];
        byte[] nonce = new byte[NONCE_BYTES];
        random(entropy, nonce);
        System.arraycopy(nonce, 0, box, 0, NONCE_BYTES);
        encrypt(key, nonce, aad, plaintext, 0, plaintext.length, box, NONCE_BYTES);
        return box;
    }

    /** The plaintext of a box made by {@link #seal}. */
    static byte[] open(SecretKeySpec key, byte[] aad, byte[] box) throws AEADBadTagException {
        if (box.length < BOX_OVERHEAD) {
            throw new AEADBadTagException("sealed box of " + box.length + " bytes is too short");
        }
        byte[] nonce = Arrays.copyOf(box, NONCE_BYTES);
        byte[] plain = new byte[box.length - BOX_OVERHEAD];
        decrypt(BOX_OPENERS.get(), key, nonce, aad, box, NONCE_BYTES, box.length - NONCE_BYTES, plain, 0);
        return plain;
    }

    /** The concatenation of {@code parts}. */
    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }
}
