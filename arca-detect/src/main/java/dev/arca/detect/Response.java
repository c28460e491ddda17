package dev.arca.detect;

import java.util.Locale;
import java.util.Optional;

/** What a detection makes the server do, configurable per {@link Rule}. */
public enum Response {
    /** Log a warning, count it for metrics and post the detection to the alert webhook, if one is set. */
    ALERT,
    /** Refuse every request of the principal (any of its keys, its role's sessions) until an admin releases it. */
    QUARANTINE,
    /** Refuse deletes and overwrites in the buckets involved (reads stay allowed) until an admin releases them. */
    PROTECT;

    /** Lower-case name as in rules files and JSON. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Response> byId(String id) {
        for (Response r : values()) {
            if (r.id().equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
