package dev.arca.meta;

/** A stored metadata record failed its checksum or could not be decoded: a broken invariant, never a user error. */
public final class MetadataCorruptException extends RuntimeException {
    public MetadataCorruptException(String message) {
        super(message);
    }
}
