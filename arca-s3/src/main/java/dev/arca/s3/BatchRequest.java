package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The body of a batch GET: {@code {"objects":[{"key":"a","versionId":"v","range":"bytes=0-99"},...]}}
 * in strict JSON (RFC 8259, UTF-8). {@code key} is required; {@code versionId} and {@code range}
 * are optional strings (or null). Unknown or repeated members, other types, an empty list or more
 * than {@link #MAX_OBJECTS} entries are MalformedJSON; the values themselves (key syntax, version
 * id, range) are checked per entry later, so a bad one fails that entry alone.
 */
record BatchRequest(List<Entry> objects) {
    /** Most entries one batch may name. */
    static final int MAX_OBJECTS = 10_000;
    /** Largest request body read. */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    /** One requested object. {@code versionId} and {@code range} are null when absent. */
    record Entry(String key, String versionId, String range) {}

    static BatchRequest parse(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw malformed("the body is not UTF-8");
        }
        Parser p = new Parser(text);
        p.skipWhitespace();
        List<Entry> objects = null;
        p.expect('{');
        Set<String> seen = new HashSet<>();
        if (!p.consume('}')) {
            do {
                String name = p.member(seen);
                if (!name.equals("objects")) {
                    throw malformed("unknown member \"" + name + "\" (expected \"objects\")");
                }
                objects = p.entries();
            } while (p.consume(','));
            p.expect('}');
        }
        p.skipWhitespace();
        if (!p.atEnd()) {
            throw malformed("unexpected content after the document");
        }
        if (objects == null || objects.isEmpty()) {
            throw malformed("\"objects\" must list at least one object");
        }
        return new BatchRequest(List.copyOf(objects));
    }

    static StoreException malformed(String why) {
        return StoreException.of(FailureKind.MALFORMED_JSON, "The batch request is not valid: " + why + ".");
    }

    /** Recursive descent over the fixed shape; no general value tree is built. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos == s.length();
        }

        /** A member name and its colon; names must not repeat within one object. */
        String member(Set<String> seen) {
            skipWhitespace();
            String name = string();
            if (!seen.add(name)) {
                throw malformed("repeated member \"" + name + "\"");
            }
            expect(':');
            return name;
        }

        List<Entry> entries() {
            expect('[');
            List<Entry> out = new ArrayList<>();
            if (consume(']')) {
                return out;
            }
            do {
                if (out.size() == MAX_OBJECTS) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST,
                            "A batch may name at most " + MAX_OBJECTS + " objects.");
                }
                out.add(entry());
            } while (consume(','));
            expect(']');
            return out;
        }

        private Entry entry() {
            expect('{');
            String key = null;
            String versionId = null;
            String range = null;
            Set<String> seen = new HashSet<>();
            if (!consume('}')) {
                do {
                    String name = member(seen);
                    switch (name) {
                        case "key" -> key = stringValue(false);
                        case "versionId" -> versionId = stringValue(true);
                        case "range" -> range = stringValue(true);
                        default -> throw malformed("unknown member \"" + name + "\" in an object entry");
                    }
                } while (consume(','));
                expect('}');
            }
            if (key == null) {
                throw malformed("an object entry has no \"key\"");
            }
            return new Entry(key, versionId, range);
        }

        private String stringValue(boolean nullable) {
            skipWhitespace();
            if (nullable && s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            return string();
        }

        private String string() {
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw malformed("expected a string at character " + pos);
            }
            pos++;
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw malformed("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c < 0x20) {
                    throw malformed("unescaped control character in a string");
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw malformed("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> out.append(hex4());
                    default -> throw malformed("bad escape \\" + e);
                }
            }
        }

        private char hex4() {
            if (pos + 4 > s.length()) {
                throw malformed("short \\u escape");
            }
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(s.charAt(pos++), 16);
                if (d < 0) {
                    throw malformed("bad \\u escape");
                }
                v = v << 4 | d;
            }
            return (char) v;
        }

        void expect(char c) {
            skipWhitespace();
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw malformed("expected '" + c + "' at character " + pos);
            }
            pos++;
        }

        boolean consume(char c) {
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }
    }
}
