package dev.arca.client.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** Parses one flat JSON object of strings and numbers; anything else fails the test. */
final class FlatJson {

    private final String s;
    private int i;

    private FlatJson(String s) {
        this.s = s;
    }

    static Map<String, Object> parse(String line) {
        FlatJson p = new FlatJson(line.strip());
        Map<String, Object> out = p.object();
        if (p.i != p.s.length()) {
            throw new IllegalArgumentException("trailing text at " + p.i + ": " + line);
        }
        return out;
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        if (peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            String key = string();
            expect(':');
            Object value = peek() == '"' ? string() : number();
            if (out.put(key, value) != null) {
                throw new IllegalArgumentException("duplicate key " + key);
            }
            char c = next();
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                throw new IllegalArgumentException("expected , or } at " + (i - 1) + " in " + s);
            }
        }
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new IllegalArgumentException("bad escape in " + s);
                }
            } else if (c < ' ') {
                throw new IllegalArgumentException("control character in string: " + s);
            } else {
                sb.append(c);
            }
        }
    }

    private Double number() {
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        if (start == i) {
            throw new IllegalArgumentException("expected a value at " + start + " in " + s);
        }
        return Double.parseDouble(s.substring(start, i));
    }

    private void expect(char c) {
        if (next() != c) {
            throw new IllegalArgumentException("expected " + c + " at " + (i - 1) + " in " + s);
        }
    }

    private char peek() {
        return s.charAt(i);
    }

    private char next() {
        if (i >= s.length()) {
            throw new IllegalArgumentException("unexpected end of " + s);
        }
        return s.charAt(i++);
    }
}
