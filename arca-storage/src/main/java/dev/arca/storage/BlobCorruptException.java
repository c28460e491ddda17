package dev.arca.storage;

import java.io.IOException;

/** Stored bytes failed checksum verification (bit rot, torn or tampered file). */
public final class BlobCorruptException extends IOException {
    public BlobCorruptException(String message) {
        super(message);
    }
}
