package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.http.Headers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API ({@code /_arca/admin/}) as tests use it: SigV4-signed raw requests with the root
 * credentials, and a strict little JSON parser (no JSON library on the test class path; a parse
 * error is a test failure, so malformed JSON cannot slip through).
 */
final class ErasureAdmin {
    static final String STORAGE = "/_arca/admin/storage";
    static final String HEAL = "/_arca/admin/heal";

    private final RawS3 raw;

    ErasureAdmin(ArcaTestServer server) {
        this.raw = new RawS3(server);
    }

    RawS3 raw() {
        return raw;
    }

    /** A signed request with an empty body. */
    RawS3.Response send(String method, String path, String query) {
        return raw.signed(method, path, query, raw.headers(), new byte[0]);
    }

    /** GET /_arca/admin/storage, asserted 200 JSON. */
    Map<String, Object> storage() {
        RawS3.Response r = send("GET", STORAGE, "").assertStatus(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        return object(Json.parse(r.text()));
    }

    /** The storage JSON's stats.NAME. */
    long stat(String name) {
        return number(object(storage().get("stats")), name);
    }

    /** The state ("online", "offline", "empty") of drive {@code number} (1-based) in the storage JSON. */
    String driveState(int number) {
        for (Object d : list(storage().get("drives"))) {
            Map<String, Object> drive = object(d);
            if (number(drive, "number") == number) {
                return (String) drive.get("state");
            }
        }
        throw new AssertionError("drive " + number + " is not in the storage JSON");
    }

    /** POST /_arca/admin/heal?query, asserted 202; returns the job id. */
    String startHeal(String query) {
        RawS3.Response r = send("POST", HEAL, query).assertStatus(202);
        Map<String, Object> job = object(Json.parse(r.text()));
        String id = (String) job.get("job");
        assertThat(id).as("job id in %s", r.text()).isNotBlank();
        return id;
    }

    /** GET /_arca/admin/heal?job=ID until done (at most {@code timeout}); returns the final summary. */
    Map<String, Object> awaitHeal(String job, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            RawS3.Response r = send("GET", HEAL, "job=" + job).assertStatus(200);
            Map<String, Object> s = object(Json.parse(r.text()));
            assertThat(s.get("job")).isEqualTo(job);
            if (Boolean.TRUE.equals(s.get("done"))) {
                assertThat(s).as("heal job failed").doesNotContainKey("error");
                return s;
            }
            assertThat(System.nanoTime() - deadline).as("heal job %s not done within %s: %s", job, timeout, s).isNegative();
            sleep(50);
        }
    }

    /** Starts a heal and waits for its summary. */
    Map<String, Object> heal(String query) {
        return awaitHeal(startHeal(query), Duration.ofSeconds(30));
    }

    /** An unsigned request (no Authorization header at all). */
    RawS3.Response unsigned(String method, String path, String query) {
        Headers h = raw.headers();
        return raw.send(method, RawS3.target(path, query), h, new byte[0]);
    }

    static long number(Map<String, Object> json, String name) {
        Object v = json.get(name);
        assertThat(v).as("%s in %s", name, json).isInstanceOf(Long.class);
        return (Long) v;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object json) {
        assertThat(json).as("a JSON object").isInstanceOf(Map.class);
        return (Map<String, Object>) json;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object json) {
        assertThat(json).as("a JSON array").isInstanceOf(List.class);
        return (List<Object>) json;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** RFC 8259 JSON to Map (insertion-ordered), List, String, Long (integers only), Boolean and null. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Object parse(String text) {
            Json p = new Json(text);
            Object v = p.value();
            p.skipSpace();
            if (p.i != text.length()) {
                throw p.error("trailing characters");
            }
            return v;
        }

        private Object value() {
            skipSpace();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            i++;
            skipSpace();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String name = string();
                skipSpace();
                expect(':');
                if (m.containsKey(name)) {
                    throw error("duplicate member " + name);
                }
                m.put(name, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return m;
                }
                if (c != ',') {
                    throw error("expected , or }");
                }
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            i++;
            skipSpace();
            if (peek() == ']') {
                i++;
                return l;
            }
            while (true) {
                l.add(value());
                skipSpace();
                char c = next();
                if (c == ']') {
                    return l;
                }
                if (c != ',') {
                    throw error("expected , or ]");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        b.append((char) Integer.parseInt(s, i, i + 4, 16));
                        i += 4;
                    }
                    default -> throw error("bad escape \\" + e);
                }
            }
        }

        private Long number() {
            int start = i;
            if (peek() == '-') {
                i++;
            }
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start || (i < s.length() && ".eE".indexOf(s.charAt(i)) >= 0)) {
                throw error("expected an integer");
            }
            return Long.parseLong(s, start, i, 10);
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw error("expected " + word);
            }
            i += word.length();
            return value;
        }

        private void skipSpace() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }

        private char peek() {
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private char next() {
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            return s.charAt(i++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected " + c);
            }
        }

        private AssertionError error(String what) {
            return new AssertionError("bad JSON at " + i + " (" + what + "): " + s);
        }
    }
}
