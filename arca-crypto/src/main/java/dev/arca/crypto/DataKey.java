package dev.arca.crypto;

import java.util.Arrays;

/**
 * A fresh data key: its plaintext (32 bytes, for {@link ObjectCipher}) and the same key sealed by a
 * KEK (what is stored). The caller should {@link #wipe()} the plaintext when done.
 */
public record DataKey(byte[] plaintext, WrappedKey wrapped) {
    /** Overwrites the plaintext with zeros. */
    public void wipe() {
        Arrays.fill(plaintext, (byte) 0);
    }

    @Override
    public String toString() {
        return "DataKey[" + wrapped + "]";
    }
}
