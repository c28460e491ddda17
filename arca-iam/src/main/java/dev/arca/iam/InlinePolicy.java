package dev.arca.iam;

import java.util.Objects;

/** A policy embedded in one user, group or role: its name (unique per identity) and document. */
public record InlinePolicy(String name, String document) {
    public InlinePolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(document, "document");
    }
}
