package dev.arca.object;

import java.util.Objects;

/** The account a request acts for, as S3 shows it in Owner elements. */
public record Owner(String id, String displayName) {
    public Owner {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
    }
}
