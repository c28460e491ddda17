package dev.arca.meta;

import java.util.Objects;

/** A version's Object Lock retention: its mode and the instant (epoch ms) it protects the version until. */
public record Retention(RetentionMode mode, long retainUntilMillis) {
    public Retention {
        Objects.requireNonNull(mode, "mode");
    }

    /** Whether the retention still protects the version at {@code nowMillis} (the lock clock). */
    public boolean activeAt(long nowMillis) {
        return retainUntilMillis > nowMillis;
    }
}
