package dev.arca.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
    private final JsonLogFormatter formatter = new JsonLogFormatter();

    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setInstant(Instant.parse("2025-11-28T12:34:56.789Z"));
        r.setLoggerName("arca.storage");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void oneJsonObjectPerLineWithTheFields() {
        String line = formatter.format(record(Level.INFO, "scrub pass done", null));
        assertThat(line).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
        assertThat(line).isEqualTo("{\"time\":\"2025-11-28T12:34:56.789Z\",\"level\":\"INFO\",\"logger\":\"arca.storage\","
                + "\"message\":\"scrub pass done\",\"thread\":\"" + Thread.currentThread().getName() + "\"}\n");
        Map<String, Object> json = Json.object(line);
        assertThat(json).containsOnlyKeys("time", "level", "logger", "message", "thread");
    }

    @Test
    void levelsAreSystemLoggerNames() {
        assertThat(JsonLogFormatter.level(Level.SEVERE)).isEqualTo("ERROR");
        assertThat(JsonLogFormatter.level(Level.WARNING)).isEqualTo("WARN");
        assertThat(JsonLogFormatter.level(Level.INFO)).isEqualTo("INFO");
        assertThat(JsonLogFormatter.level(Level.FINE)).isEqualTo("DEBUG");
        assertThat(JsonLogFormatter.level(Level.FINER)).isEqualTo("TRACE");
    }

    @Test
    void systemLoggersWriteJsonLinesOnceInstalled() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        List<String> lines = new ArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(getFormatter().format(r));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Handler[] before = root.getHandlers();
        java.util.logging.Formatter[] formatters = new java.util.logging.Formatter[before.length];
        for (int i = 0; i < before.length; i++) {
            formatters[i] = before[i].getFormatter();
            root.removeHandler(before[i]);
        }
        root.addHandler(capture);
        try {
            JsonLogFormatter.install();
            assertThat(capture.getFormatter()).isInstanceOf(JsonLogFormatter.class);
            System.Logger log = System.getLogger("arca.test.json");
            log.log(System.Logger.Level.ERROR, "write failed", new IllegalStateException("quorum"));
            log.log(System.Logger.Level.WARNING, "drive 2 offline");
            log.log(System.Logger.Level.INFO, "ready");
            log.log(System.Logger.Level.DEBUG, "below the default level: not published");
        } finally {
            root.removeHandler(capture);
            for (int i = 0; i < before.length; i++) {
                before[i].setFormatter(formatters[i]);
                root.addHandler(before[i]);
            }
        }
        assertThat(lines).hasSize(3);
        List<Map<String, Object>> json = lines.stream().map(Json::object).toList();
        assertThat(json).extracting(m -> m.get("level")).containsExactly("ERROR", "WARN", "INFO");
        assertThat(json).extracting(m -> m.get("logger")).containsOnly("arca.test.json");
        assertThat(json).extracting(m -> m.get("message")).containsExactly("write failed", "drive 2 offline", "ready");
        assertThat(json.getFirst()).containsKey("exception");
        assertThat(json.get(1)).doesNotContainKey("exception");
        assertThat((String) json.getFirst().get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(json.getFirst().get("thread")).isEqualTo(Thread.currentThread().getName());
    }

    @Test
    void escapesEverythingJsonRequires() {
        String nasty = "quote \" backslash \\ newline \n return \r tab \t bell \u0007 nul \u0000 del \u007f "
                + "line-sep \u2028 snowman \u2603 emoji \uD83D\uDE00 lone \uD800 end";
        String line = formatter.format(record(Level.WARNING, nasty, null));
        assertThat(line).hasLineCount(1);
        assertThat(line.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
        assertThat(line).contains("\\\"", "\\\\", "\\n", "\\r", "\\t", "\\u0007", "\\u0000", "\\u007f", "\\u2028",
                "\u2603", "\uD83D\uDE00", "\\ud800");
        Map<String, Object> json = Json.object(line);
        assertThat(json.get("message")).isEqualTo(nasty);
        assertThat(json.get("level")).isEqualTo("WARN");
    }

    @Test
    void exceptionsCarryClassMessageAndStack() {
        Exception e = new UncheckedIOException("drive 2 gone", new IOException("No such file: \"/d2/x\""));
        String line = formatter.format(record(Level.SEVERE, "heal failed", e));
        assertThat(line).hasLineCount(1);
        Map<String, Object> json = Json.object(line);
        assertThat(json.get("level")).isEqualTo("ERROR");
        @SuppressWarnings("unchecked")
        Map<String, Object> ex = (Map<String, Object>) json.get("exception");
        assertThat(ex.get("class")).isEqualTo("java.io.UncheckedIOException");
        assertThat(ex.get("message")).isEqualTo("drive 2 gone");
        assertThat((String) ex.get("stack")).startsWith("java.io.UncheckedIOException: drive 2 gone\n")
                .contains("\tat dev.arca.server.metrics.JsonLogFormatterTest.exceptionsCarryClassMessageAndStack(")
                .contains("Caused by: java.io.IOException: No such file: \"/d2/x\"");

        Map<String, Object> noMessage = Json.object(formatter.format(record(Level.SEVERE, "x", new IllegalStateException())));
        @SuppressWarnings("unchecked")
        Map<String, Object> ex2 = (Map<String, Object>) noMessage.get("exception");
        assertThat(ex2).containsEntry("message", null);
    }

    @Test
    void parametersAreFormattedAndNullsAreSafe() {
        LogRecord r = record(Level.INFO, "drive {0} is {1}", null);
        r.setParameters(new Object[] {3, "offline"});
        assertThat(Json.object(formatter.format(r))).containsEntry("message", "drive 3 is offline");
        LogRecord n = record(Level.INFO, null, null);
        n.setLoggerName(null);
        assertThat(Json.object(formatter.format(n))).containsEntry("message", "").containsEntry("logger", "");
    }

    @Test
    void theCheckingParserIsStrict() {
        for (String bad : List.of("{\"a\":\"x\ny\"}\n", "{\"a\":1,}\n", "{'a':1}\n", "{\"a\":\"\\x\"}\n", "{\"a\":1}",
                "{\"a\":1} {}\n", "{\"a\":\"\t\"}\n")) {
            assertThatThrownBy(() -> Json.object(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** A strict JSON reader (RFC 8259) for one object followed by exactly one newline: what a log line must be. */
    static final class Json {
        private final String s;
        private int i;

        private Json(String s) {
            this.s = s;
        }

        static Map<String, Object> object(String line) {
            if (!line.endsWith("\n")) {
                throw new IllegalArgumentException("no newline at the end");
            }
            Json p = new Json(line.substring(0, line.length() - 1));
            Object v = p.value();
            if (p.i != p.s.length()) {
                throw new IllegalArgumentException("trailing text at " + p.i);
            }
            if (!(v instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        private IllegalArgumentException fail(String what) {
            return new IllegalArgumentException(what + " at " + i + " in " + s);
        }

        private char peek() {
            if (i >= s.length()) {
                throw fail("unexpected end");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail("expected " + c);
            }
            i++;
        }

        private Object value() {
            char c = peek();
            switch (c) {
                case '{' -> {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    if (peek() == '}') {
                        i++;
                        return m;
                    }
                    while (true) {
                        String k = string();
                        expect(':');
                        if (m.put(k, value()) != null) {
                            throw fail("duplicate key " + k);
                        }
                        if (peek() == ',') {
                            i++;
                            continue;
                        }
                        expect('}');
                        return m;
                    }
                }
                case '[' -> {
                    i++;
                    List<Object> l = new ArrayList<>();
                    if (peek() == ']') {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value());
                        if (peek() == ',') {
                            i++;
                            continue;
                        }
                        expect(']');
                        return l;
                    }
                }
                case '"' -> {
                    return string();
                }
                default -> {
                    for (String word : List.of("null", "true", "false")) {
                        if (s.startsWith(word, i)) {
                            i += word.length();
                            return word.equals("null") ? null : Boolean.valueOf(word);
                        }
                    }
                    int start = i;
                    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                        i++;
                    }
                    String n = s.substring(start, i);
                    if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
                        throw fail("bad value");
                    }
                    return Double.parseDouble(n);
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = peek();
                i++;
                if (c == '"') {
                    return b.toString();
                } else if (c < 0x20) {
                    throw fail("raw control character");
                } else if (c == '\\') {
                    char e = peek();
                    i++;
                    switch (e) {
                        case '"', '\\', '/' -> b.append(e);
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length() || !s.substring(i, i + 4).matches("[0-9a-fA-F]{4}")) {
                                throw fail("bad \\u escape");
                            }
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> throw fail("bad escape");
                    }
                } else {
                    b.append(c);
                }
            }
        }
    }
}
