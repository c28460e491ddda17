package dev.arca.meta;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A bucket's default Object Lock retention, applied to new versions that name none: exactly one of
 * {@code days} or {@code years} is positive. Years are calendar years in UTC.
 */
public record DefaultRetention(RetentionMode mode, int days, int years) {
    /** AWS's largest default retention periods. */
    public static final int MAX_DAYS = 36_500;
    public static final int MAX_YEARS = 100;

    public DefaultRetention {
        Objects.requireNonNull(mode, "mode");
        if ((days > 0) == (years > 0) || days < 0 || years < 0 || days > MAX_DAYS || years > MAX_YEARS) {
            throw new IllegalArgumentException("exactly one of days (1.." + MAX_DAYS + ") or years (1.." + MAX_YEARS + ")");
        }
    }

    /** The retention a version written at {@code nowMillis} gets. */
    public Retention from(long nowMillis) {
        var start = Instant.ofEpochMilli(nowMillis).atZone(ZoneOffset.UTC);
        var until = days > 0 ? start.plusDays(days) : start.plusYears(years);
        return new Retention(mode, until.toInstant().toEpochMilli());
    }
}
