package dev.arca.client.bench;

import java.io.PrintStream;
import java.util.Map;

/**
 * {@code arca-bench}: measures an S3 endpoint. Per scenario it runs a PUT phase and a GET phase
 * and prints, per phase, a human summary to stderr and exactly one JSON line to stdout:
 *
 * <pre>{"tool":"arca-bench","endpoint":"http://127.0.0.1:9000","scenario":"large","op":"PUT",
 * "size":67108864,"concurrency":8,"seconds":10.02,"requests":123,"errors":0,"bytes":8254390272,
 * "GBps":0.8238,"ops_per_s":12.3,"objects_per_s":12.3,"p50_ms":612.1,"p99_ms":801.2,"max_ms":820.0,
 * "client_cpu_s":3.2}</pre>
 *
 * <p>{@code GBps} is bytes / seconds / 1e9; {@code ops_per_s} counts successful requests and
 * {@code objects_per_s} the objects they moved (a batch GET's whole batch; op {@code BATCH_GET}).
 * The {@code batch} scenario ends with one more line, op {@code COMPARE}, giving
 * {@code single_objects_per_s}, {@code batch_objects_per_s} and their {@code ratio};
 * percentiles cover successful requests; {@code client_cpu_s} is the CPU time of the whole client
 * process (all its threads, from {@code com.sun.management.OperatingSystemMXBean}) during the
 * measured window. Exit code: 0 when no request failed, 1 when any did, 2 on bad usage.
 * Run {@code --help} for the options.
 */
public final class BenchMain {

    /** Exit code when every request succeeded. */
    static final int EXIT_OK = 0;
    /** Exit code for a command line that cannot be run. */
    static final int EXIT_USAGE = 2;
    /** Exit code when any request failed. */
    static final int EXIT_ERRORS = 1;

    private BenchMain() {
    }

    /** Runs the benchmark and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs the benchmark with explicit streams and environment; returns the exit code. */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                err.print(BenchConfig.USAGE);
                return EXIT_OK;
            }
        }
        BenchConfig config;
        try {
            config = BenchConfig.parse(args, env);
        } catch (UsageException e) {
            err.println("arca-bench: " + e.getMessage());
            err.print(BenchConfig.USAGE);
            return EXIT_USAGE;
        }
        try {
            return new Bench(config, out, err).run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("arca-bench: interrupted");
            return EXIT_ERRORS;
        }
    }
}
