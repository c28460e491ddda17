package dev.arca.meta.kv;

/**
 * An operating error of the store (I/O error, disk full, corruption, a locked directory): not a
 * programming error and not an expected S3 failure. The message carries the engine's status, for
 * example {@code "write: IOError(NoSpace): While appending to file: ... No space left on device"}.
 */
public final class KvException extends RuntimeException {
    private final String code;

    KvException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /**
     * The engine's status code, for example {@code "IOError"}, {@code "Corruption"} or
     * {@code "IOError(NoSpace)"}; {@code "Unknown"} when the engine gave none.
     */
    public String code() {
        return code;
    }
}
