package dev.arca.detect;

import java.util.List;

/**
 * A minimal JSON writer for the admin API answers: objects, arrays, strings, numbers, booleans and
 * null, with commas placed automatically. Not thread-safe.
 */
final class Json {
    private final StringBuilder b = new StringBuilder();
    /** The closing characters of the open containers, innermost last. */
    private final StringBuilder open = new StringBuilder();
    /** Whether the next value in the current container needs a comma first. */
    private boolean comma;

    /** Opens an object: the document, or an element of the current array. */
    Json object() {
        value();
        return start('{', '}');
    }

    /** Opens an object as a field of the current object. */
    Json object(String name) {
        key(name);
        return start('{', '}');
    }

    Json array(String name) {
        key(name);
        return start('[', ']');
    }

    /** Closes the innermost open object or array. */
    Json end() {
        if (open.isEmpty()) {
            throw new IllegalStateException("end() without an open object or array");
        }
        b.append(open.charAt(open.length() - 1));
        open.setLength(open.length() - 1);
        comma = true;
        return this;
    }

    private Json start(char c, char closer) {
        b.append(c);
        open.append(closer);
        comma = false;
        return this;
    }

    Json field(String name, String value) {
        key(name);
        string(value);
        comma = true;
        return this;
    }

    Json field(String name, long value) {
        key(name);
        b.append(value);
        comma = true;
        return this;
    }

    Json field(String name, double value) {
        key(name);
        b.append(Double.isFinite(value) ? Double.toString(value) : "null");
        comma = true;
        return this;
    }

    Json field(String name, boolean value) {
        key(name);
        b.append(value);
        comma = true;
        return this;
    }

    Json strings(String name, List<String> values) {
        key(name);
        b.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(values.get(i));
        }
        b.append(']');
        comma = true;
        return this;
    }

    /** Appends an already-encoded JSON value (an element of the current array). */
    Json raw(String json) {
        value();
        b.append(json);
        comma = true;
        return this;
    }

    /** Appends an already-encoded JSON value as a field. */
    Json raw(String name, String json) {
        key(name);
        b.append(json);
        comma = true;
        return this;
    }

    @Override
    public String toString() {
        return b.toString();
    }

    private void value() {
        if (comma) {
            b.append(',');
        }
    }

    private void key(String name) {
        value();
        string(name);
        b.append(':');
    }

    private void string(String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || Character.isSurrogate(c)
                            && !(Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))
                            && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1)))) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
