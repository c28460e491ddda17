package dev.arca.object.lifecycle;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A rule's {@code <Expiration>} action: exactly one of Days, Date or ExpiredObjectDeleteMarker.
 * Days and Date expire current versions (remove them, or add a delete marker in a versioned
 * bucket); ExpiredObjectDeleteMarker removes a delete marker that is its key's only version.
 */
public sealed interface Expiration {
    /** Current versions expire {@code days} days after they were written (see {@link Lifecycle#dueMillis}). */
    record Days(int days) implements Expiration {
        public Days {
            if (days <= 0) {
                throw Errors.invalidArgument("'Days' for Expiration action must be a positive integer");
            }
        }
    }

    /** Current versions matching the rule expire from midnight UTC starting {@code date}. */
    record OnDate(LocalDate date) implements Expiration {
        public OnDate {
            Objects.requireNonNull(date, "date");
        }

        /** The instant the rule takes effect: the date's midnight UTC, in epoch milliseconds. */
        public long startMillis() {
            return date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        }
    }

    /** {@code <ExpiredObjectDeleteMarker>}: when true, lone delete markers are removed; false does nothing. */
    record ExpiredObjectDeleteMarker(boolean enabled) implements Expiration {}
}
