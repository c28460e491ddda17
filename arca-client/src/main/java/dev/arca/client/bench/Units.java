package dev.arca.client.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing and printing of byte sizes ({@code 64MiB}) and durations ({@code 10s}). */
public final class Units {

    public static final long KIB = 1024;
    public static final long MIB = KIB * KIB;
    public static final long GIB = KIB * MIB;
    private static final long KB = 1000;
    private static final long MB = KB * KB;
    private static final long GB = KB * MB;
    /** Eighteen digits cannot overflow a long before the unit multiplies them. */
    private static final Pattern SIZE = Pattern.compile("(\\d{1,18})\\s*([a-zA-Z]*)");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*([a-zA-Z]*)");

    private Units() {
    }

    /**
     * Parses a byte count: a number with an optional unit. {@code k m g} and {@code KiB MiB GiB}
     * are powers of 1024, {@code KB MB GB} powers of 1000, {@code B} or nothing means bytes.
     *
     * @throws IllegalArgumentException if the text is not such a size or overflows
     */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (try 4KiB, 64MiB, 1GiB)");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "k", "ki", "kib" -> KIB;
            case "m", "mi", "mib" -> MIB;
            case "g", "gi", "gib" -> GIB;
            case "kb" -> KB;
            case "mb" -> MB;
            case "gb" -> GB;
            default -> throw new IllegalArgumentException("unknown size unit in '" + text + "'");
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'", e);
        }
    }

    /**
     * Parses a duration: a whole number with {@code ms}, {@code s}, {@code m} or {@code h};
     * a bare number means seconds.
     *
     * @throws IllegalArgumentException if the text is not such a duration
     */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (try 500ms, 10s, 2m)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "ms" -> Duration.ofMillis(n);
            case "", "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("unknown duration unit in '" + text + "'");
        };
    }

    /** The shortest exact form: {@code 64MiB}, {@code 4KiB}, or plain bytes like {@code 1000B}. */
    public static String formatSize(long bytes) {
        if (bytes > 0 && bytes % GIB == 0) {
            return bytes / GIB + "GiB";
        }
        if (bytes > 0 && bytes % MIB == 0) {
            return bytes / MIB + "MiB";
        }
        if (bytes > 0 && bytes % KIB == 0) {
            return bytes / KIB + "KiB";
        }
        return bytes + "B";
    }
}
