package dev.arca.server.metrics;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Structured logs ({@code log-format = json}): one JSON object per line, for java.util.logging, where the
 * server's {@link System.Logger}s (and Netty's) write. Fields: {@code time} (ISO-8601, UTC), {@code level}
 * (ERROR, WARN, INFO, DEBUG, TRACE), {@code logger}, {@code message}, {@code thread}, and, when the record
 * carries one, {@code exception}: {@code {"class", "message", "stack"}} (the stack trace as one string,
 * causes included).
 */
public final class JsonLogFormatter extends Formatter {
    /** Makes every handler of the root logger write JSON lines (adding a console handler on stderr if there is none). */
    public static void install() {
        Logger root = Logger.getLogger("");
        Handler[] handlers = root.getHandlers();
        if (handlers.length == 0) {
            ConsoleHandler console = new ConsoleHandler();
            root.addHandler(console);
            handlers = new Handler[] {console};
        }
        for (Handler h : handlers) {
            h.setFormatter(new JsonLogFormatter());
        }
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":");
        string(b, DateTimeFormatter.ISO_INSTANT.format(record.getInstant()));
        b.append(",\"level\":");
        string(b, level(record.getLevel()));
        b.append(",\"logger\":");
        string(b, record.getLoggerName() == null ? "" : record.getLoggerName());
        b.append(",\"message\":");
        string(b, message(record));
        b.append(",\"thread\":");
        string(b, thread(record));
        Throwable t = record.getThrown();
        if (t != null) {
            StringWriter stack = new StringWriter();
            try (PrintWriter w = new PrintWriter(stack)) {
                t.printStackTrace(w);
            }
            b.append(",\"exception\":{\"class\":");
            string(b, t.getClass().getName());
            b.append(",\"message\":");
            if (t.getMessage() == null) {
                b.append("null");
            } else {
                string(b, t.getMessage());
            }
            b.append(",\"stack\":");
            string(b, stack.toString());
            b.append('}');
        }
        return b.append("}\n").toString();
    }

    private String message(LogRecord record) {
        try {
            String m = formatMessage(record);
            return m == null ? "" : m;
        } catch (RuntimeException e) {
            return String.valueOf(record.getMessage());
        }
    }

    /** The logging thread's name when it is the current one (handlers run on it), else its id. */
    private static String thread(LogRecord record) {
        Thread current = Thread.currentThread();
        return current.threadId() == record.getLongThreadID() ? current.getName() : "thread-" + record.getLongThreadID();
    }

    /** System.Logger's level names: JUL's SEVERE is ERROR, FINE is DEBUG, FINER and below TRACE. */
    static String level(Level level) {
        int v = level == null ? Level.INFO.intValue() : level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        } else if (v >= Level.WARNING.intValue()) {
            return "WARN";
        } else if (v >= Level.INFO.intValue()) {
            return "INFO";
        } else if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    /** Appends {@code s} as a JSON string: quotes, backslash and control characters escaped; lone surrogates as \\u escapes. */
    static void string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
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
                    boolean loneSurrogate = Character.isHighSurrogate(c)
                            ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                            : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate) {
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
