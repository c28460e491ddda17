package dev.arca.s3;

/**
 * Sees every request once it is answered: the audit log, metrics and detectors. Called on the request's
 * own thread; implementations must be thread-safe, fast, and must not throw (a throwing observer is
 * logged and skipped, and never changes the response).
 */
@FunctionalInterface
public interface RequestObserver {
    RequestObserver NONE = event -> { };

    void observe(RequestEvent event);
}
