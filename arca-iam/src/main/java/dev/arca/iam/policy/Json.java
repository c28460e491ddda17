package dev.arca.iam.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser (RFC 8259) for policy documents, so the engine needs no JSON library.
 * Strict means: no comments, no trailing commas, no leading zeros, no unescaped control characters,
 * no lone surrogates, and no duplicate keys in one object (AWS rejects them too: which one wins
 * would be a security question). Depth and size are bounded so a hostile document costs little.
 */
final class Json {
    /** Deepest nesting of objects and arrays; a policy needs about six levels. */
    static final int MAX_DEPTH = 32;
    /** Longest raw text parsed at all (whitespace included); the policy's own limit is checked separately. */
    static final int MAX_CHARS = 1 << 20;

    /** A JSON value. */
    sealed interface Value permits Obj, Arr, Str, Num, Bool, Null {}

    /** An object; members keep document order. */
    record Obj(Map<String, Value> members) implements Value {}

    record Arr(List<Value> items) implements Value {}

    record Str(String value) implements Value {}

    /** A number, kept as written: policies compare numbers as decimals, never as doubles. */
    record Num(String text) implements Value {}

    record Bool(boolean value) implements Value {}

    record Null() implements Value {}

    private final String s;
    private int pos;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value filling the whole text (surrounding whitespace allowed). */
    static Value parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new PolicyException("Policy document is too large: " + text.length() + " characters");
        }
        Json p = new Json(text);
        p.skipWhitespace();
        Value v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.error("unexpected content after the document");
        }
        return v;
    }

    /**
     * The number of characters that count toward a policy's size limit: AWS ignores whitespace outside
     * strings. Well defined for malformed text too, so the size check can run before parsing.
     */
    static int significantLength(String text) {
        int n = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                n++;
                if (c == '\\' && i + 1 < text.length()) {
                    n++;
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (!isWhitespace(c)) {
                n++;
                inString = c == '"';
            }
        }
        return n;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private PolicyException error(String what) {
        return new PolicyException("Policies must be valid JSON: " + what + " at position " + pos);
    }

    private void skipWhitespace() {
        while (pos < s.length() && isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private Value value(int depth) {
        if (pos >= s.length()) {
            throw error("unexpected end of document");
        }
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> new Str(string());
            case 't' -> literal("true", new Bool(true));
            case 'f' -> literal("false", new Bool(false));
            case 'n' -> literal("null", new Null());
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected character '" + printable(c) + "'");
            }
        };
    }

    private static String printable(char c) {
        return c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private Value literal(String word, Value v) {
        if (!s.startsWith(word, pos)) {
            throw error("invalid literal");
        }
        pos += word.length();
        return v;
    }

    private Obj object(int depth) {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Value> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return new Obj(Collections.unmodifiableMap(members));
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key");
            }
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Value v = value(depth);
            if (members.putIfAbsent(key, v) != null) {
                pos = keyPos;
                throw error("duplicate key \"" + key + "\"");
            }
            skipWhitespace();
            char c = next("',' or '}'");
            if (c == '}') {
                return new Obj(Collections.unmodifiableMap(members));
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private Arr array(int depth) {
        checkDepth(depth);
        pos++; // '['
        List<Value> items = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return new Arr(List.copyOf(items));
        }
        while (true) {
            skipWhitespace();
            items.add(value(depth));
            skipWhitespace();
            char c = next("',' or ']'");
            if (c == ']') {
                return new Arr(List.copyOf(items));
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private void checkDepth(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
    }

    private int peek() {
        return pos < s.length() ? s.charAt(pos) : -1;
    }

    private char next(String expected) {
        if (pos >= s.length()) {
            throw error("unexpected end of document, expected " + expected);
        }
        return s.charAt(pos++);
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = null;
        int start = pos;
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(pos);
            if (c == '"') {
                String out = sb == null ? s.substring(start, pos) : sb.append(s, start, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) {
                throw error("unescaped control character in string");
            }
            if (Character.isHighSurrogate(c)) {
                if (pos + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(pos + 1))) {
                    throw error("unpaired surrogate in string");
                }
                pos += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate in string");
            }
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            sb.append(s, start, pos);
            pos++;
            char e = next("an escape");
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (!s.startsWith("\\u", pos)) {
                            throw error("unpaired surrogate escape");
                        }
                        pos += 2;
                        char low = hex4();
                        if (!Character.isLowSurrogate(low)) {
                            throw error("unpaired surrogate escape");
                        }
                        sb.append(u).append(low);
                    } else if (Character.isLowSurrogate(u)) {
                        throw error("unpaired surrogate escape");
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + printable(e) + "'");
                }
            }
            start = pos;
        }
    }

    private char hex4() {
        if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0) {
                throw error("invalid \\u escape");
            }
            v = v << 4 | d;
        }
        pos += 4;
        return (char) v;
    }

    private Num number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (digits() == 0) {
            throw error("invalid number");
        }
        if (peek() == '.') {
            pos++;
            if (digits() == 0) {
                throw error("invalid number");
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (digits() == 0) {
                throw error("invalid number");
            }
        }
        return new Num(s.substring(start, pos));
    }

    private int digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
            pos++;
        }
        return pos - start;
    }
}
