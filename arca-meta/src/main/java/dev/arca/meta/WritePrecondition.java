package dev.arca.meta;

/** A condition on the current object that a write or delete requires, checked atomically at commit. */
public sealed interface WritePrecondition {
    /** No condition. */
    record None() implements WritePrecondition {}

    /** {@code If-None-Match: *}: the key must not exist (create-only write). */
    record MustNotExist() implements WritePrecondition {}

    /** {@code If-Match: etag}: the key must exist with this ETag (unquoted); {@code *}: the key must exist. */
    record EtagMatches(String etag) implements WritePrecondition {}

    WritePrecondition NONE = new None();
}
