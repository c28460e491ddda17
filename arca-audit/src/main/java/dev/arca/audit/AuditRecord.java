package dev.arca.audit;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One audit entry: a request (allowed or denied), an admin action, a detector finding or an
 * automatic response.
 *
 * <p>{@code requestId}, {@code kind} and {@code operation} are required; {@code principal},
 * {@code account}, {@code sourceIp}, {@code bucket}, {@code key}, {@code versionId} and
 * {@code errorCode} may be null. {@code details} may be null or empty; it is copied into an
 * unmodifiable map sorted by key so that {@link #toJson()} is deterministic. Detail keys and
 * values must not be null.
 *
 * <p>{@link #toJson()} writes one line of JSON with a fixed field order (the component order);
 * {@link #fromJson(String)} reads exactly that shape back, so {@code fromJson(r.toJson())} equals
 * {@code r}.
 */
public record AuditRecord(
        long timeMillis,
        String requestId,
        String kind,
        String principal,
        String account,
        String sourceIp,
        String operation,
        String bucket,
        String key,
        String versionId,
        int status,
        String errorCode,
        long bytesIn,
        long bytesOut,
        boolean tls,
        Map<String, String> details) {

    /** An S3/IAM/STS request, allowed or denied. */
    public static final String KIND_REQUEST = "request";
    /** An administrative action (admin API or CLI). */
    public static final String KIND_ADMIN = "admin";
    /** A finding of a cyber-resilience detector. */
    public static final String KIND_DETECTION = "detection";
    /** An automatic response to a detection (quarantine, protected mode, alert). */
    public static final String KIND_RESPONSE = "response";

    private static final Set<String> KINDS = Set.of(KIND_REQUEST, KIND_ADMIN, KIND_DETECTION, KIND_RESPONSE);
    /** Typical encoded size, to size the builder once. */
    private static final int TYPICAL_JSON_CHARS = 384;

    /**
     * @throws NullPointerException if a required field, a detail key or a detail value is null
     * @throws IllegalArgumentException if {@code kind} is not one of the four kinds
     */
    public AuditRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(operation, "operation");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("audit record kind must be one of " + KINDS + ", not " + kind);
        }
        if (details == null || details.isEmpty()) {
            details = Map.of();
        } else {
            TreeMap<String, String> copy = new TreeMap<>();
            for (Map.Entry<String, String> e : details.entrySet()) {
                copy.put(Objects.requireNonNull(e.getKey(), "detail key"),
                        Objects.requireNonNull(e.getValue(), "detail value"));
            }
            details = Collections.unmodifiableMap(copy);
        }
    }

    /**
     * This record as one line of JSON: every field present (null where absent), in component
     * order, details sorted by key; strings escaped so that the line contains no raw control
     * character, no line separator and no unpaired surrogate.
     */
    public String toJson() {
        StringBuilder b = new StringBuilder(TYPICAL_JSON_CHARS);
        b.append("{\"timeMillis\":").append(timeMillis);
        b.append(",\"requestId\":");
        string(b, requestId);
        b.append(",\"kind\":");
        string(b, kind);
        b.append(",\"principal\":");
        string(b, principal);
        b.append(",\"account\":");
        string(b, account);
        b.append(",\"sourceIp\":");
        string(b, sourceIp);
        b.append(",\"operation\":");
        string(b, operation);
        b.append(",\"bucket\":");
        string(b, bucket);
        b.append(",\"key\":");
        string(b, key);
        b.append(",\"versionId\":");
        string(b, versionId);
        b.append(",\"status\":").append(status);
        b.append(",\"errorCode\":");
        string(b, errorCode);
        b.append(",\"bytesIn\":").append(bytesIn);
        b.append(",\"bytesOut\":").append(bytesOut);
        b.append(",\"tls\":").append(tls);
        b.append(",\"details\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : details.entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            string(b, e.getKey());
            b.append(':');
            string(b, e.getValue());
        }
        return b.append("}}").toString();
    }

    /**
     * Parses what {@link #toJson()} writes: a JSON object with exactly the sixteen fields in
     * component order (whitespace between tokens is allowed), nothing after it.
     *
     * @throws IllegalArgumentException if {@code json} is not of that shape, naming the position
     */
    public static AuditRecord fromJson(String json) {
        return new Parser(json).record();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(b, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        // An unpaired surrogate has no UTF-8 form; escaping keeps the round trip exact.
                        unicodeEscape(b, c);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static void unicodeEscape(StringBuilder b, char c) {
        b.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
    }

    /** A strict reader for exactly the shape {@link #toJson()} writes. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = Objects.requireNonNull(s, "json");
        }

        AuditRecord record() {
            expect('{');
            long time = longField("timeMillis", true);
            String requestId = requiredString("requestId");
            String kind = requiredString("kind");
            String principal = stringField("principal");
            String account = stringField("account");
            String sourceIp = stringField("sourceIp");
            String operation = requiredString("operation");
            String bucket = stringField("bucket");
            String key = stringField("key");
            String versionId = stringField("versionId");
            long status = longField("status", false);
            if (status < Integer.MIN_VALUE || status > Integer.MAX_VALUE) {
                throw error("status out of range");
            }
            String errorCode = stringField("errorCode");
            long bytesIn = longField("bytesIn", false);
            long bytesOut = longField("bytesOut", false);
            name("tls", false);
            boolean tls;
            if (s.startsWith("true", i)) {
                tls = true;
                i += 4;
            } else if (s.startsWith("false", i)) {
                tls = false;
                i += 5;
            } else {
                throw error("expected true or false");
            }
            name("details", false);
            expect('{');
            TreeMap<String, String> details = new TreeMap<>();
            skipSpace();
            if (peek() != '}') {
                while (true) {
                    skipSpace();
                    String k = quoted();
                    expect(':');
                    skipSpace();
                    String v = quoted();
                    if (details.put(k, v) != null) {
                        throw error("duplicate detail key " + k);
                    }
                    skipSpace();
                    if (peek() == ',') {
                        i++;
                    } else {
                        break;
                    }
                }
            }
            expect('}');
            expect('}');
            skipSpace();
            if (i != s.length()) {
                throw error("trailing characters");
            }
            try {
                return new AuditRecord(time, requestId, kind, principal, account, sourceIp, operation, bucket, key,
                        versionId, (int) status, errorCode, bytesIn, bytesOut, tls, details);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("bad audit record JSON: " + e.getMessage(), e);
            }
        }

        private void name(String expected, boolean first) {
            if (!first) {
                expect(',');
            }
            skipSpace();
            int at = i;
            if (!quoted().equals(expected)) {
                i = at;
                throw error("expected field \"" + expected + "\"");
            }
            expect(':');
            skipSpace();
        }

        private long longField(String name, boolean first) {
            name(name, first);
            int start = i;
            if (peek() == '-') {
                i++;
            }
            int digits = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            if (i == digits || (s.charAt(digits) == '0' && i - digits > 1)) {
                throw error("expected an integer for " + name);
            }
            try {
                return Long.parseLong(s, start, i, 10);
            } catch (NumberFormatException e) {
                throw error("integer out of range for " + name);
            }
        }

        private String requiredString(String name) {
            String v = stringField(name);
            if (v == null) {
                throw error(name + " must not be null");
            }
            return v;
        }

        private String stringField(String name) {
            name(name, false);
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            return quoted();
        }

        private String quoted() {
            if (peek() != '"') {
                throw error("expected a string");
            }
            i++;
            StringBuilder b = null;
            int start = i;
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i);
                if (c == '"') {
                    String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
                    i++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("raw control character in string");
                }
                if (c != '\\') {
                    i++;
                    continue;
                }
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, start, i);
                if (i + 1 >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(i + 1);
                i += 2;
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        int v = 0;
                        for (int k = 0; k < 4; k++) {
                            int d = Character.digit(s.charAt(i + k), 16);
                            if (d < 0) {
                                throw error("bad \\u escape");
                            }
                            v = (v << 4) | d;
                        }
                        b.append((char) v);
                        i += 4;
                    }
                    default -> {
                        i -= 2;
                        throw error("bad escape");
                    }
                }
                start = i;
            }
        }

        private void expect(char c) {
            skipSpace();
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void skipSpace() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                i++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad audit record JSON at index " + i + ": " + what);
        }
    }
}
