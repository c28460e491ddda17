package dev.arca.detect;

import java.util.Locale;

/** What a detector's window counts for: one principal, one bucket (all principals), or one source address. */
public enum Scope {
    PRINCIPAL, BUCKET, SOURCE_IP;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
