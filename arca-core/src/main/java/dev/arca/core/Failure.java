package dev.arca.core;

import java.util.Map;
import java.util.Objects;

/**
 * An expected failure as a value: what went wrong ({@link FailureKind}), a human message, the
 * resource it concerns (may be empty) and extra named fields that S3 puts in the error body
 * (for example {@code ArgumentName}, {@code MinSizeAllowed}).
 */
public record Failure(FailureKind kind, String message, String resource, Map<String, String> details) {
    public Failure {
        Objects.requireNonNull(kind, "kind");
        message = message == null ? "" : message;
        resource = resource == null ? "" : resource;
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    public static Failure of(FailureKind kind, String message) {
        return new Failure(kind, message, "", Map.of());
    }

    public Failure withResource(String newResource) {
        return new Failure(kind, message, newResource, details);
    }

    public Failure withDetail(String name, String value) {
        var copy = new java.util.LinkedHashMap<>(details);
        copy.put(name, value);
        return new Failure(kind, message, resource, copy);
    }

    public StoreException exception() {
        return new StoreException(this);
    }
}
