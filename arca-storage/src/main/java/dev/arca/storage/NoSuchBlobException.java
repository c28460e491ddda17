package dev.arca.storage;

/** The blob asked for does not exist (never written, or deleted). */
public final class NoSuchBlobException extends RuntimeException {
    public NoSuchBlobException(String blobId) {
        super("no such blob " + blobId, null, false, false);
    }
}
