package dev.arca.storage;

import java.io.IOException;

/**
 * A blob file carries a format version this build cannot read (written by a newer Arca, or its
 * version field is damaged). Unlike {@link BlobCorruptException} this is not proof of damage:
 * callers must not heal, quarantine or delete the file because of it.
 */
public final class UnsupportedBlobFormatException extends IOException {
    public UnsupportedBlobFormatException(String message) {
        super(message);
    }
}
