package dev.arca.client.feed;

import dev.arca.client.loader.Loader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code arca feed}: MLPerf-Storage-style accelerator utilisation against an S3 endpoint.
 *
 * <p>Generates the preset's dataset in the bucket if it is missing, then runs one trial of N
 * accelerators ({@code --accelerators}) or searches for the largest N whose AU reaches the
 * preset's threshold ({@code --search}). Every trial is bounded by {@code --duration}. Output: a
 * human summary (stdout, or stderr with {@code --json}) and with {@code --json} one JSON object per
 * trial plus a final {@code "summary":true} object on stdout. Exit code: 0 when no read failed
 * (whatever the AU), 1 on read errors or setup failures, 2 on bad usage.
 */
public final class FeedMain {

    /** The run completed without read errors. */
    public static final int EXIT_OK = 0;
    /** Reads failed, or the dataset could not be set up. */
    public static final int EXIT_ERRORS = 1;
    /** The command line cannot be run. */
    public static final int EXIT_USAGE = 2;

    private FeedMain() {
    }

    /** Runs and exits with the run's code. */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.out, System.err));
    }

    /** Runs with explicit environment and streams; returns the exit code. */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                err.print(FeedConfig.USAGE);
                return EXIT_OK;
            }
        }
        FeedConfig config;
        try {
            config = FeedConfig.parse(args, env);
        } catch (FeedUsageException e) {
            err.println("arca-feed: " + e.getMessage());
            err.print(FeedConfig.USAGE);
            return EXIT_USAGE;
        }
        try {
            return run(config, out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("arca-feed: interrupted");
            return EXIT_ERRORS;
        }
    }

    static int run(FeedConfig config, PrintStream out, PrintStream err) throws InterruptedException {
        PrintStream human = config.json() ? err : out;
        String endpoint = config.endpoint().url();
        human.println("arca-feed: " + config.describe());
        human.printf(Locale.ROOT, "arca-feed: seed %d (replay with --seed %d or -D%s=%d); each accelerator needs"
                        + " %.3f GB/s at AU 100%%; AU threshold %.0f%%%n", config.seed(), config.seed(),
                FeedConfig.SEED_PROPERTY, config.seed(), config.preset().bytesPerSecondPerAccelerator() / 1e9,
                config.auThreshold() * 100);
        FeedDataset dataset = FeedDataset.plan(config);
        try (Loader loader = new Loader(config.loaderConfig())) {
            if (dataset.present(loader)) {
                human.printf(Locale.ROOT, "arca-feed: dataset s3://%s/%s present: %d samples in %d objects%n",
                        config.bucket(), dataset.prefix(), dataset.samples(), dataset.objects());
            } else {
                dataset.generate(config.loaderConfig(), human);
            }
        } catch (IOException e) {
            err.println("arca-feed: dataset setup failed: " + e.getMessage());
            return EXIT_ERRORS;
        }
        if (config.generateOnly()) {
            return EXIT_OK;
        }
        if (config.search()) {
            AcceleratorSearch.Outcome o = AcceleratorSearch.search(n -> report(config, dataset, n, out, err, human),
                    config.accelerators(), config.maxTrials());
            String result = o.best() == 0 ? "none (N=1 is below the threshold)" : Integer.toString(o.best());
            human.printf(Locale.ROOT, "arca-feed: largest N with AU >= %.0f%%: %s%s%s; trials: %s%n",
                    config.auThreshold() * 100, result,
                    o.firstFailure() > 0 ? " (N=" + o.firstFailure() + " fails)" : " (the ceiling " + config.accelerators() + ")",
                    o.exhausted() ? ", trial bound reached" : o.errored() ? ", stopped on read errors" : "",
                    trialList(o.trials()));
            long errors = o.trials().stream().mapToLong(TrialResult::errors).sum();
            if (config.json()) {
                out.printf(Locale.ROOT, "{\"tool\":\"arca-feed\",\"summary\":true,\"endpoint\":\"%s\",\"preset\":\"%s\","
                                + "\"scale\":%s,\"mode\":\"search\",\"au_threshold\":%.2f,\"max_accelerators_passing\":%d,"
                                + "\"first_failing\":%d,\"trials\":%d,\"errors\":%d,\"seed\":%d}%n",
                        endpoint, config.preset().label(), config.scale(), config.auThreshold(), o.best(),
                        o.firstFailure(), o.trials().size(), errors, config.seed());
                out.flush();
            }
            return errors > 0 ? EXIT_ERRORS : EXIT_OK;
        }
        TrialResult r = report(config, dataset, config.accelerators(), out, err, human);
        if (config.json()) {
            out.printf(Locale.ROOT, "{\"tool\":\"arca-feed\",\"summary\":true,\"endpoint\":\"%s\",\"preset\":\"%s\","
                            + "\"scale\":%s,\"mode\":\"fixed\",\"accelerators\":%d,\"au\":%.4f,\"pass\":%s,\"trials\":1,"
                            + "\"errors\":%d,\"seed\":%d}%n",
                    endpoint, config.preset().label(), config.scale(), r.accelerators(), r.au(), r.passed(), r.errors(),
                    config.seed());
            out.flush();
        }
        return r.errors() > 0 ? EXIT_ERRORS : EXIT_OK;
    }

    private static TrialResult report(FeedConfig config, FeedDataset dataset, int n, PrintStream out, PrintStream err,
            PrintStream human) throws InterruptedException {
        TrialResult r = Trial.run(config, dataset, n, err);
        human.println("arca-feed: " + r.summary());
        if (config.json()) {
            out.println(r.json(config.endpoint().url()));
            out.flush();
        }
        return r;
    }

    private static String trialList(List<TrialResult> trials) {
        StringBuilder sb = new StringBuilder();
        for (TrialResult t : trials) {
            sb.append(sb.isEmpty() ? "" : ", ")
                    .append(String.format(Locale.ROOT, "N=%d AU %.1f%%", t.accelerators(), t.au() * 100));
        }
        return sb.toString();
    }
}
