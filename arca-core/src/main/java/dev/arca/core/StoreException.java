package dev.arca.core;

/**
 * The one exception that carries an expected {@link Failure} across layers. Anything else thrown
 * is a bug or an environment fault and becomes an InternalError at the edge.
 */
public final class StoreException extends RuntimeException {
    private final transient Failure failure;

    public StoreException(Failure failure) {
        super(failure.kind() + ": " + failure.message(), null, false, false);
        this.failure = failure;
    }

    public static StoreException of(FailureKind kind, String message) {
        return new StoreException(Failure.of(kind, message));
    }

    public Failure failure() {
        return failure;
    }

    public FailureKind kind() {
        return failure.kind();
    }
}
