package dev.arca.client.loader;

import java.io.IOException;

/**
 * A read that failed for a reason the loader understood: the object is missing, changed under the
 * reader, failed verification, or the server kept refusing. Network failures that outlast the
 * retry policy surface as {@link RequestFailed} with the last {@link IOException} as cause.
 */
public abstract sealed class LoaderException extends IOException {

    private static final long serialVersionUID = 1L;

    private LoaderException(String message, Throwable cause) {
        super(message, cause);
    }

    /** 404: the object (or bucket) does not exist. */
    public static final class NotFound extends LoaderException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message, null);
        }
    }

    /**
     * The object was replaced or deleted between two ranged GETs of one read: a later range failed
     * its {@code If-Match} (412), came back with another ETag, or reported another size. The bytes
     * already delivered all belong to the first version; nothing of the new one is mixed in.
     */
    public static final class ObjectChanged extends LoaderException {
        private static final long serialVersionUID = 1L;

        ObjectChanged(String message) {
            super(message, null);
        }
    }

    /** The bytes received do not match a checksum the server or the object's metadata declared. */
    public static final class ChecksumMismatch extends LoaderException {
        private static final long serialVersionUID = 1L;

        ChecksumMismatch(String message) {
            super(message, null);
        }
    }

    /**
     * A request failed for good: a status that is not retried (403, 400, ...), a malformed
     * response, or retryable failures (503 SlowDown, 500, timeouts) beyond the retry policy.
     */
    public static final class RequestFailed extends LoaderException {
        private static final long serialVersionUID = 1L;
        private final int status;

        RequestFailed(String message, int status, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        /** The last HTTP status, or 0 when the last attempt failed without one (network, timeout). */
        public int status() {
            return status;
        }
    }
}
