package dev.arca.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * {@code arca audit verify [--data DIR] [--public-key B64]} and
 * {@code arca audit tail [--data DIR] [-n N]}. The log is read from {@code DIR/audit}; DIR
 * defaults to {@code ./arca-data}. Exit status: 0 OK, 1 a problem was detected (or the log could
 * not be read), 2 usage error.
 */
public final class AuditMain {
    static final int EXIT_OK = 0;
    static final int EXIT_PROBLEM = 1;
    static final int EXIT_USAGE = 2;
    static final String DEFAULT_DATA_DIR = "arca-data";
    /** The audit log's directory under the data directory. */
    public static final String AUDIT_DIR = "audit";
    static final int DEFAULT_TAIL_RECORDS = 10;

    private AuditMain() {}

    /** Runs the command and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))
                || args.length == 2 && args[0].equals("audit") && (args[1].equals("--help") || args[1].equals("-h"))) {
            usage(out);
            return EXIT_OK;
        }
        if (args.length < 2 || !args[0].equals("audit")) {
            usage(err);
            return EXIT_USAGE;
        }
        String command = args[1];
        Path data = Path.of(DEFAULT_DATA_DIR);
        String publicKey = null;
        int tail = DEFAULT_TAIL_RECORDS;
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                return usageError(err, "missing value or unknown option: " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--data" -> data = Path.of(v);
                case "--public-key" -> {
                    if (!command.equals("verify")) {
                        return usageError(err, "--public-key is an option of verify");
                    }
                    publicKey = v;
                }
                case "-n" -> {
                    if (!command.equals("tail")) {
                        return usageError(err, "-n is an option of tail");
                    }
                    try {
                        tail = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        tail = -1;
                    }
                    if (tail < 0) {
                        return usageError(err, "-n needs a non-negative number: " + v);
                    }
                }
                default -> {
                    return usageError(err, "unknown option: " + a);
                }
            }
        }
        Path dir = data.resolve(AUDIT_DIR);
        try {
            return switch (command) {
                case "verify" -> verify(dir, publicKey, out, err);
                case "tail" -> tail(dir, tail, out);
                default -> usageError(err, "unknown audit command: " + command);
            };
        } catch (IOException e) {
            err.println("audit: cannot read " + dir + ": " + e.getMessage());
            return EXIT_PROBLEM;
        }
    }

    private static int verify(Path dir, String publicKey, PrintStream out, PrintStream err) throws IOException {
        AuditVerifier.VerifyReport report;
        try {
            report = AuditVerifier.verify(dir, publicKey);
        } catch (IllegalArgumentException e) {
            return usageError(err, "--public-key: " + e.getMessage());
        }
        if (report.ok()) {
            out.println("audit OK: " + report.records() + " records, " + report.checkpoints() + " checkpoints, "
                    + AuditVerifier.segmentCount(dir) + " segments, last record " + report.recordNumber() + " (" + dir + ")");
            return EXIT_OK;
        }
        out.println("audit FAILED: " + report.firstProblem() + " (" + report.records() + " records and "
                + report.checkpoints() + " checkpoints verified before it)");
        return EXIT_PROBLEM;
    }

    /** Prints the JSON of the last {@code n} records, oldest first; does not verify. */
    private static int tail(Path dir, int n, PrintStream out) throws IOException {
        List<Path> segments = LogFormat.listSegments(dir);
        Deque<String> lines = new ArrayDeque<>();
        for (int s = segments.size() - 1; s >= 0 && lines.size() < n; s--) {
            List<String> inSegment = new ArrayList<>();
            try (LineReader r = new LineReader(segments.get(s))) {
                while (r.next()) {
                    LogFormat.Entry e = r.terminated() && !r.oversize() ? LogFormat.parseEntry(r.line(), r.length()) : null;
                    if (e != null && e.type() == LogFormat.TYPE_RECORD) {
                        inSegment.add(new String(r.line(), e.payloadOff(), e.payloadLen(), StandardCharsets.UTF_8));
                    }
                }
            }
            for (int i = inSegment.size() - 1; i >= 0 && lines.size() < n; i--) {
                lines.addFirst(inSegment.get(i));
            }
        }
        for (String line : lines) {
            out.println(line);
        }
        return EXIT_OK;
    }

    private static int usageError(PrintStream err, String message) {
        err.println("audit: " + message);
        usage(err);
        return EXIT_USAGE;
    }

    private static void usage(PrintStream s) {
        s.println("usage: arca audit verify [--data DIR] [--public-key B64]   check the audit chain (exit 0 OK, 1 problem)");
        s.println("       arca audit tail [--data DIR] [-n N]                  print the last N records as JSON lines");
        s.println("The log is read from DIR/audit; DIR defaults to ./" + DEFAULT_DATA_DIR + ".");
    }
}
