package dev.arca.core;

import java.util.Optional;

/**
 * A single HTTP byte range as the client asked for it ({@code bytes=a-b}, {@code bytes=a-},
 * {@code bytes=-n}). Parsing follows S3: a header that is not one well-formed byte range is
 * ignored (the whole object is served); a well-formed range that selects nothing is a 416.
 */
public sealed interface RangeSpec {
    record FromTo(long first, long last) implements RangeSpec {}

    record From(long first) implements RangeSpec {}

    record Suffix(long length) implements RangeSpec {}

    /** Parses a Range header value; empty if absent, malformed or multi-range (served whole). */
    static Optional<RangeSpec> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        String h = header.trim();
        if (!h.startsWith("bytes=")) {
            return Optional.empty();
        }
        String spec = h.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return Optional.empty();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return Optional.empty();
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                return b.isEmpty() ? Optional.empty() : Optional.of(new Suffix(parseDigits(b)));
            }
            long first = parseDigits(a);
            if (b.isEmpty()) {
                return Optional.of(new From(first));
            }
            long last = parseDigits(b);
            return last < first ? Optional.empty() : Optional.of(new FromTo(first, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long parseDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw new NumberFormatException(s);
            }
        }
        if (s.length() > 18) {
            return Long.MAX_VALUE / 2; // absurdly large: treat as "past the end"
        }
        return Long.parseLong(s);
    }

    /** Resolves against an object of {@code length} bytes, or fails with InvalidRange (416). */
    default ByteRange resolve(long length) {
        ByteRange r = switch (this) {
            case FromTo(long first, long last) -> first < length ? new ByteRange(first, Math.min(last, length - 1)) : null;
            case From(long first) -> first < length ? new ByteRange(first, length - 1) : null;
            case Suffix(long n) -> n > 0 && length > 0 ? new ByteRange(Math.max(0, length - n), length - 1) : null;
        };
        if (r == null) {
            throw new StoreException(new Failure(FailureKind.INVALID_RANGE,
                    "The requested range is not satisfiable", "",
                    java.util.Map.of("ActualObjectSize", Long.toString(length))));
        }
        return r;
    }
}
