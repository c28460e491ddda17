package dev.arca.client.admin;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Ransomware containment from the command line, through the admin API (system root credentials):
 *
 * <pre>
 * arca quarantine list | add PRINCIPAL_ARN [--reason TEXT] | release PRINCIPAL_ARN
 * arca protect    list | add BUCKET [--reason TEXT]        | release BUCKET
 * arca detect     status [--limit N] | exempt PRINCIPAL_ARN [--until ISO-8601] | unexempt PRINCIPAL_ARN
 * </pre>
 *
 * Each prints the server's JSON answer. Takes the connection flags of {@code arca admin}. Exit
 * status: 0 done, 1 the request failed (e.g. releasing a principal that is not quarantined), 2 usage.
 */
public final class ContainmentCommand {
    /** The commands this class serves (the launcher's and AdminMain's names for them). */
    public static final Set<String> COMMANDS = Set.of("quarantine", "protect", "detect");
    private static final Set<String> CONNECTION_FLAGS = Set.of("endpoint", "access-key", "secret-key", "data", "region");

    /** One admin API call: method, resource and query. */
    record Call(String method, String resource, List<Map.Entry<String, String>> query) {}

    private ContainmentCommand() {}

    /** Runs {@code command} with {@code args} (the words after it); returns the exit status. */
    public static int run(String command, List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && args.getFirst().equals("--help")) {
            usage(err);
            return 0;
        }
        Call call;
        Map<String, String> flags = new LinkedHashMap<>();
        try {
            call = parse(command, args, flags);
        } catch (AdminMain.UsageException e) {
            err.println("arca " + command + ": " + e.getMessage());
            usage(err);
            return 2;
        }
        try {
            AdminMain.Admin admin = AdminMain.Admin.connect(flags, env);
            out.println(admin.call(call.method(), call.resource(), call.query()).text().trim());
            return 0;
        } catch (AdminMain.UsageException e) {
            err.println("arca " + command + ": " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("arca " + command + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * The admin call for {@code command args}; the connection flags (and the command's own) go into
     * {@code flags}.
     */
    static Call parse(String command, List<String> args, Map<String, String> flags) throws AdminMain.UsageException {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.startsWith("--")) {
                if (i + 1 >= args.size()) {
                    throw new AdminMain.UsageException("flag " + a + " needs a value");
                }
                flags.put(a.substring(2), args.get(++i));
            } else {
                words.add(a);
            }
        }
        if (words.isEmpty()) {
            throw new AdminMain.UsageException("an action is required");
        }
        String action = words.getFirst();
        Set<String> own;
        Call call = switch (command + " " + action) {
            case "quarantine list", "protect list" -> {
                own = Set.of();
                yield new Call("GET", command, List.of());
            }
            case "detect status" -> {
                own = Set.of("limit");
                yield new Call("GET", "detect", optional(flags, "limit", List.of()));
            }
            case "quarantine add" -> {
                own = Set.of("reason");
                yield new Call("POST", "quarantine", optional(flags, "reason", List.of(Map.entry("principal", target(words)))));
            }
            case "protect add" -> {
                own = Set.of("reason");
                yield new Call("POST", "protect", optional(flags, "reason", List.of(Map.entry("bucket", target(words)))));
            }
            case "quarantine release", "protect release" -> {
                own = Set.of();
                yield new Call("POST", command, List.of(Map.entry("release", target(words))));
            }
            case "detect exempt" -> {
                own = Set.of("until");
                yield new Call("POST", "detect", optional(flags, "until", List.of(Map.entry("exempt", target(words)))));
            }
            case "detect unexempt" -> {
                own = Set.of();
                yield new Call("POST", "detect", List.of(Map.entry("unexempt", target(words))));
            }
            default -> throw new AdminMain.UsageException("unknown action '" + action + "'");
        };
        int expectedWords = call.method().equals("GET") ? 1 : 2;
        if (words.size() != expectedWords) {
            throw new AdminMain.UsageException(action + " takes " + (expectedWords == 1 ? "no argument" : "one argument")
                    + ", got " + (words.size() - 1));
        }
        for (String f : flags.keySet()) {
            if (!own.contains(f) && !CONNECTION_FLAGS.contains(f)) {
                throw new AdminMain.UsageException("unknown flag --" + f + " for " + command + " " + action);
            }
        }
        return call;
    }

    private static String target(List<String> words) throws AdminMain.UsageException {
        if (words.size() < 2) {
            throw new AdminMain.UsageException(words.getFirst() + " needs an argument");
        }
        return words.get(1);
    }

    private static List<Map.Entry<String, String>> optional(Map<String, String> flags, String name,
            List<Map.Entry<String, String>> query) {
        if (!flags.containsKey(name)) {
            return query;
        }
        List<Map.Entry<String, String>> q = new ArrayList<>(query);
        q.add(Map.entry(name, flags.get(name)));
        return q;
    }

    static void usage(PrintStream err) {
        err.println("""
                usage: ./arca quarantine list | add PRINCIPAL_ARN [--reason TEXT] | release PRINCIPAL_ARN
                       ./arca protect list | add BUCKET [--reason TEXT] | release BUCKET
                       ./arca detect status [--limit N] | exempt PRINCIPAL_ARN [--until ISO-8601] | unexempt PRINCIPAL_ARN
                  quarantined principals' requests are all refused; protected buckets refuse deletes and overwrites;
                  exempt principals (bulk jobs) are not counted by the mass-delete and mass-overwrite detectors.
                  connection flags as for ./arca admin (--endpoint, --access-key/--secret-key or --data DIR, --region)""");
    }
}
