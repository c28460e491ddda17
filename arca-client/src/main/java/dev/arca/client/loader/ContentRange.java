package dev.arca.client.loader;

/**
 * A parsed {@code Content-Range} response header: {@code bytes first-last/total}, or for a 416
 * {@code bytes *}{@code /total} (then {@code first} and {@code last} are -1).
 *
 * @param first the first byte of the body, or -1 for an unsatisfied range
 * @param last the last byte of the body, inclusive, or -1 for an unsatisfied range
 * @param total the size of the whole object
 */
public record ContentRange(long first, long last, long total) {

    private static final String UNIT = "bytes ";

    /** Checks the numbers are consistent. */
    public ContentRange {
        if (total < 0 || (first == -1) != (last == -1) || (first != -1 && (first < 0 || last < first || last >= total))) {
            throw new IllegalArgumentException("inconsistent range " + first + "-" + last + "/" + total);
        }
    }

    /** Whether this is the {@code bytes *}{@code /total} form of an unsatisfiable range. */
    public boolean unsatisfied() {
        return first == -1;
    }

    /** The number of body bytes this range covers. */
    public long length() {
        return unsatisfied() ? 0 : last - first + 1;
    }

    /** Whether the range covers the whole object. */
    public boolean whole() {
        return !unsatisfied() && first == 0 && last == total - 1;
    }

    /**
     * Parses a header value. An unknown total ({@code bytes 0-9/*}) is refused: the loader needs
     * the size and gets it from exactly this header.
     *
     * @return the range, or null when the value is missing or malformed
     */
    public static ContentRange parse(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (!v.regionMatches(true, 0, UNIT, 0, UNIT.length())) {
            return null;
        }
        v = v.substring(UNIT.length()).strip();
        int slash = v.indexOf('/');
        if (slash < 0) {
            return null;
        }
        try {
            long total = parseNumber(v.substring(slash + 1));
            String span = v.substring(0, slash);
            if (span.equals("*")) {
                return new ContentRange(-1, -1, total);
            }
            int dash = span.indexOf('-');
            if (dash <= 0) {
                return null;
            }
            return new ContentRange(parseNumber(span.substring(0, dash)), parseNumber(span.substring(dash + 1)), total);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Digits only: {@link Long#parseLong} would also accept a sign. */
    private static long parseNumber(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a byte position: " + s);
        }
        return Long.parseLong(s);
    }
}
