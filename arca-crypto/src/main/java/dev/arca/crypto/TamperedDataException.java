package dev.arca.crypto;

import java.io.IOException;

/** Ciphertext failed authentication: changed, truncated, reordered, or sealed for another object. */
public final class TamperedDataException extends IOException {
    private static final long serialVersionUID = 1L;

    public TamperedDataException(String message) {
        super(message);
    }

    public TamperedDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
