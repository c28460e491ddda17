package dev.arca.s3;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP dates (RFC 7231 IMF-fixdate) and the ISO 8601 timestamps S3 uses in XML. */
final class HttpDates {
    private static final DateTimeFormatter IMF = DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO = DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDates() {}

    static String http(long epochMillis) {
        return IMF.format(Instant.ofEpochMilli(epochMillis));
    }

    static String iso(long epochMillis) {
        return ISO.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * Parses an ISO 8601 timestamp with a zone ("2030-01-01T00:00:00Z", fractions and offsets
     * allowed), as S3 takes in Object Lock headers and documents; null if absent or invalid.
     */
    static Instant parseIso(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Parses an HTTP date (IMF-fixdate or RFC 1123 with a one-digit day); null if absent or invalid (HTTP says: ignore). */
    static Instant parse(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
