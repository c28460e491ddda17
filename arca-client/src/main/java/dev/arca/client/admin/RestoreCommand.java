package dev.arca.client.admin;

import java.io.IOException;
import java.io.PrintStream;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code arca restore --bucket B [--prefix P] --to TIME [--dry-run] [--resume JOB]}: starts a
 * point-in-time restore through the admin API ({@code POST /_arca/admin/restore}), polls it every
 * {@link #POLL_INTERVAL} drawing a one-line progress bar on stderr, then prints the summary on
 * stdout (for a dry run: the plan). Takes the connection flags of {@code arca admin}. Exit status:
 * 0 done, 1 the request or the job failed, the job stopped early, or keys failed to restore;
 * 2 usage.
 */
public final class RestoreCommand {
    static final Duration POLL_INTERVAL = Duration.ofMillis(500);
    /** Characters of the progress bar between its brackets. */
    static final int BAR_WIDTH = 30;
    /** Per-key problems printed in the summary (the server keeps up to 100). */
    static final int MAX_ERRORS_SHOWN = 20;
    private static final Set<String> FLAGS = Set.of("bucket", "prefix", "to", "dry-run", "resume", "endpoint",
            "access-key", "secret-key", "data", "region");
    private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?\\d+|true|false)");
    private static final Pattern STRING = Pattern.compile("\"(\\w+)\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern ERROR = Pattern.compile(
            "\\{\"key\":\"((?:[^\"\\\\]|\\\\.)*)\",\"message\":\"((?:[^\"\\\\]|\\\\.)*)\"}");
    private static final double MIB = 1024.0 * 1024.0;
    private static final long MILLIS_PER_SECOND = 1000;

    private RestoreCommand() {}

    /** Runs the command with {@code args} (after "restore"); returns the exit status. */
    public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && args.getFirst().equals("--help")) {
            usage(err);
            return 0;
        }
        Map<String, String> flags;
        try {
            flags = parse(args);
        } catch (AdminMain.UsageException e) {
            err.println("arca restore: " + e.getMessage());
            usage(err);
            return 2;
        }
        try {
            AdminMain.Admin admin = AdminMain.Admin.connect(flags, env);
            String started = admin.call("POST", "restore", query(flags)).text();
            String id = strings(started).get("job");
            if (id == null) {
                throw new IOException("no job id in " + started.trim());
            }
            err.println("restore job " + id + " started");
            String status = started;
            int drawn = 0;
            while (!Boolean.parseBoolean(numbers(status).get("done"))) {
                Thread.sleep(POLL_INTERVAL);
                status = admin.call("GET", "restore", List.of(Map.entry("job", id))).text();
                String line = progressLine(status);
                err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
                err.flush();
                drawn = line.length();
            }
            if (drawn > 0) {
                err.println();
            }
            return summary(id, status, out);
        } catch (AdminMain.UsageException e) {
            err.println("arca restore: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("arca restore: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Flags as {@code --name value}; {@code --dry-run} may stand alone. Needs --bucket and --to, or --resume. */
    static Map<String, String> parse(List<String> args) throws AdminMain.UsageException {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.startsWith("--") ? a.substring(2) : null;
            if (name == null || !FLAGS.contains(name)) {
                throw new AdminMain.UsageException("bad argument '" + a + "'");
            }
            if (name.equals("dry-run")) {
                boolean valued = i + 1 < args.size() && (args.get(i + 1).equals("true") || args.get(i + 1).equals("false"));
                flags.put(name, valued ? args.get(++i) : "true");
                continue;
            }
            if (i + 1 >= args.size()) {
                throw new AdminMain.UsageException("--" + name + " needs a value");
            }
            flags.put(name, args.get(++i));
        }
        if (!flags.containsKey("resume") && (!flags.containsKey("bucket") || !flags.containsKey("to"))) {
            throw new AdminMain.UsageException("--bucket and --to are required (or --resume JOB)");
        }
        if (flags.containsKey("to")) {
            try {
                DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(flags.get("to"), OffsetDateTime::from);
            } catch (DateTimeException e) {
                throw new AdminMain.UsageException("--to must be an ISO-8601 time with a zone, such as "
                        + "2026-05-01T12:00:00Z or 2026-05-01T14:00:00+02:00: " + flags.get("to"));
            }
        }
        return flags;
    }

    private static List<Map.Entry<String, String>> query(Map<String, String> flags) {
        List<Map.Entry<String, String>> query = new ArrayList<>();
        for (String name : List.of("bucket", "prefix", "to", "resume")) {
            if (flags.containsKey(name)) {
                query.add(Map.entry(name, flags.get(name)));
            }
        }
        if (Boolean.parseBoolean(flags.get("dry-run"))) {
            query.add(Map.entry("dry-run", "true"));
        }
        return query;
    }

    /** {@code [#####-----]  45%  450/1000 keys  restored 3  hidden 1  unchanged 446  120 keys/s}. */
    static String progressLine(String json) {
        Map<String, String> n = numbers(json);
        long total = number(n, "keysTotal");
        long done = number(n, "keysExamined");
        StringBuilder b = new StringBuilder("restore [");
        if (total > 0) {
            int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
            b.append("#".repeat(filled)).append("-".repeat(BAR_WIDTH - filled)).append("] ")
                    .append("%3d%%".formatted(Math.min(100, done * 100 / total))).append("  ")
                    .append(done).append('/').append(total).append(" keys");
        } else {
            b.append(total < 0 ? "counting keys" : "no keys").append("] ").append(done).append(" keys");
        }
        long millis = number(n, "durationMillis");
        long rate = millis <= 0 ? 0 : done * MILLIS_PER_SECOND / millis;
        boolean dry = Boolean.parseBoolean(n.get("dryRun"));
        b.append(dry ? "  to restore " : "  restored ").append(number(n, "restored"))
                .append(dry ? "  to hide " : "  hidden ").append(number(n, "hidden"))
                .append("  unchanged ").append(number(n, "unchanged"))
                .append("  ").append(rate).append(" keys/s");
        return b.toString();
    }

    /** Prints the finished job's summary; returns the exit status. */
    static int summary(String id, String json, PrintStream out) {
        Map<String, String> n = numbers(json);
        Map<String, String> s = strings(json);
        String scope = "s3://" + s.get("bucket") + "/" + s.getOrDefault("prefix", "") + " to " + s.get("to");
        String state = s.getOrDefault("state", "?");
        if (state.equals("failed")) {
            out.println("restore job " + id + " of " + scope + " failed: " + s.get("error"));
            return 1;
        }
        boolean dry = Boolean.parseBoolean(n.get("dryRun"));
        double seconds = number(n, "durationMillis") / (double) MILLIS_PER_SECOND;
        double mib = number(n, "bytesCopied") / MIB;
        if (dry) {
            out.printf(Locale.ROOT, "dry run of the restore of %s (nothing was written):%n", scope);
            row(out, "keys examined", number(n, "keysExamined"), "");
            row(out, "to restore", number(n, "restored"), " (%.1f MiB to copy)".formatted(mib));
            row(out, "to hide", number(n, "hidden"), " (delete markers)");
        } else {
            out.printf(Locale.ROOT, "restore of %s: %s in %.1f s%n", scope, state, seconds);
            row(out, "keys examined", number(n, "keysExamined"), "");
            row(out, "restored", number(n, "restored"), " (%.1f MiB copied)".formatted(mib));
            row(out, "hidden", number(n, "hidden"), " (delete markers added)");
        }
        row(out, "unchanged", number(n, "unchanged"), "");
        if (!dry) {
            row(out, "changed during restore", number(n, "changedDuringRestore"), " (left as clients wrote them)");
        }
        row(out, "skipped", number(n, "skipped"), "");
        if (!dry) {
            row(out, "failed", number(n, "failed"), "");
        }
        row(out, "locked versions kept", number(n, "lockedVersionsKept"), "");
        Matcher m = ERROR.matcher(json);
        int shown = 0;
        while (m.find() && shown++ < MAX_ERRORS_SHOWN) {
            out.println((shown == 1 ? "problems:\n" : "") + "  " + unescape(m.group(1)) + ": " + unescape(m.group(2)));
        }
        if (state.equals("stopped")) {
            out.println("stopped after key " + s.get("lastKey") + "; continue with: ./arca restore --resume " + id);
            return 1;
        }
        return number(n, "failed") > 0 ? 1 : 0;
    }

    private static void row(PrintStream out, String name, long value, String note) {
        out.printf(Locale.ROOT, "  %-24s%d%s%n", name, value, value == 0 ? "" : note);
    }

    private static long number(Map<String, String> fields, String name) {
        String v = fields.get(name);
        return v == null || v.equals("true") || v.equals("false") ? 0 : Long.parseLong(v);
    }

    /** The number and boolean members of the job JSON (later ones of the same name win). */
    static Map<String, String> numbers(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = NUMBER.matcher(json);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    /** The top-level string members of the job JSON (the first occurrence of each name). */
    static Map<String, String> strings(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = STRING.matcher(json);
        while (x.find()) {
            m.putIfAbsent(x.group(1), unescape(x.group(2)));
        }
        return m;
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char e = s.charAt(++i);
            if (e == 'u' && i + 4 < s.length()) {
                b.append((char) Integer.parseInt(s, i + 1, i + 5, 16));
                i += 4;
            } else {
                b.append(e);
            }
        }
        return b.toString();
    }

    private static void usage(PrintStream err) {
        err.println("""
                usage: ./arca restore --bucket B --to TIME [--prefix P] [--dry-run] [connection flags]
                       ./arca restore --resume JOB [--dry-run] [connection flags]
                  Makes every key under the prefix read as it did at TIME (ISO-8601 with a zone, e.g.
                  2026-05-01T12:00:00Z) by adding versions: the version current at TIME is copied back, keys
                  created later get a delete marker. Nothing is removed, so a restore can be undone by
                  restoring to a time just before it. --dry-run prints what it would do. --resume continues
                  a stopped job after the last key it did. Connection flags as for ./arca admin
                  (--endpoint, --access-key/--secret-key or --data DIR, --region).""");
    }
}
