package dev.arca.client.feed;

import dev.arca.client.bench.Units;
import dev.arca.client.http.HttpEndpoint;
import dev.arca.client.http.TlsTrust;
import dev.arca.client.loader.LoaderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * A validated {@code arca feed} command line.
 *
 * @param endpoint the S3 endpoint
 * @param accessKey SigV4 access key or null (unsigned)
 * @param secretKey SigV4 secret key, null exactly when {@code accessKey} is
 * @param region SigV4 region
 * @param bucket where the dataset lives (created and filled if missing)
 * @param tls TLS sockets trusting {@code --trust-cert}, or null
 * @param preset the workload
 * @param scale multiplies sample sizes and compute times together (0 < scale <= 1)
 * @param accelerators accelerators of a fixed run, or the upper bound of a search
 * @param search whether to search for the largest N with AU at or above the threshold
 * @param maxTrials trials a search may run
 * @param duration measured time per trial
 * @param samples dataset size in samples, or 0 for the preset's default
 * @param readThreads loader threads per accelerator
 * @param prefetchBatches batches each accelerator's loader may read ahead of it
 * @param rangeSize bytes per ranged GET
 * @param memory off-heap bytes for range buffers
 * @param auThreshold the AU a trial must reach to pass
 * @param seed shuffle seed
 * @param generateOnly write the dataset if missing, then exit
 * @param verify whether the loader verifies checksums
 * @param json JSON lines on stdout (human summary on stderr) instead of the human summary on stdout
 */
record FeedConfig(
        HttpEndpoint endpoint,
        String accessKey,
        String secretKey,
        String region,
        String bucket,
        SSLSocketFactory tls,
        Preset preset,
        double scale,
        int accelerators,
        boolean search,
        int maxTrials,
        Duration duration,
        int samples,
        int readThreads,
        int prefetchBatches,
        int rangeSize,
        long memory,
        double auThreshold,
        long seed,
        boolean generateOnly,
        boolean verify,
        boolean json) {

    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:9000";
    static final String DEFAULT_BUCKET = "arca-feed";
    /** Upper bound of --accelerators, and the default ceiling of a search. */
    static final int MAX_ACCELERATORS = 1024;
    /** A search stops after this many trials unless --max-trials says otherwise. */
    static final int DEFAULT_MAX_TRIALS = 12;
    static final int MAX_TRIALS_LIMIT = 40;
    static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);
    /** No trial runs longer: the benchmark is always bounded in time. */
    static final Duration MAX_DURATION = Duration.ofSeconds(600);
    static final Duration MIN_DURATION = Duration.ofMillis(100);
    static final int MAX_READ_THREADS = 64;
    static final int DEFAULT_PREFETCH_BATCHES = 2;
    static final int MAX_PREFETCH_BATCHES = 64;
    static final long DEFAULT_MEMORY = 256L * Units.MIB;
    /** --samples is bounded so a typo cannot write a petabyte. */
    static final int MAX_SAMPLES = 10_000_000;
    static final String SEED_PROPERTY = "arca.seed";
    /** The search ceiling when --accelerators is not given. */
    static final int DEFAULT_SEARCH_CEILING = 64;
    private static final Set<String> BOOLEAN_FLAGS = Set.of("search", "generate", "no-verify", "json");
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    static final String USAGE = """
            usage: arca feed --preset NAME [--accelerators N | --search] [--scale F] [--json] [options]
              --endpoint URL        S3 endpoint (env ARCA_ENDPOINT; default %s)
              --access-key KEY      SigV4 access key (env ARCA_ACCESS_KEY; none: unsigned requests)
              --secret-key KEY      SigV4 secret key (env ARCA_SECRET_KEY)
              --region NAME         SigV4 region (default us-east-1)
              --trust-cert PEM      for https: trust exactly the certificates in this PEM file
              --bucket NAME         dataset bucket, created and filled if missing (default %s)
              --preset NAME         %s
              --scale F             multiply sample sizes and compute times by F, 0 < F <= 1 (default 1)
              --accelerators N      simulated accelerators, 1..%d (default 1)
              --search              find the largest N with AU >= the threshold (doubling, then bisection);
                                    --accelerators then caps N (default %d)
              --max-trials N        trials a search may run (default %d)
              --duration D          measured time per trial, at most 600s (default 30s)
              --samples N           dataset size in samples (default: the preset's, at most ~2 GiB)
              --read-threads N      loader threads per accelerator (default: the preset's)
              --prefetch-batches N  batches read ahead per accelerator (default %d)
              --range-size SIZE     bytes per ranged GET (default 8MiB)
              --memory SIZE         off-heap memory for range buffers (default 256MiB)
              --au-threshold F      AU a trial must reach (default: 0.90, cosmoflow 0.70)
              --seed N              shuffle seed (default -Darca.seed, else random; printed)
              --generate            write the dataset if missing and exit
              --no-verify           skip checksum verification
              --json                JSON lines on stdout (one per trial, then a summary); human summary on stderr
              --help                this text
            exit: 0 ran without errors (whatever the AU), 1 read errors, 2 usage
            """.formatted(DEFAULT_ENDPOINT, DEFAULT_BUCKET, Preset.labels(), MAX_ACCELERATORS, DEFAULT_SEARCH_CEILING,
            DEFAULT_MAX_TRIALS, DEFAULT_PREFETCH_BATCHES);

    /** Parses the command line; flags win over the environment. */
    static FeedConfig parse(String[] args, Map<String, String> env) throws FeedUsageException {
        String endpoint = envOr(env, "ARCA_ENDPOINT", DEFAULT_ENDPOINT);
        String accessKey = envOr(env, "ARCA_ACCESS_KEY", null);
        String secretKey = envOr(env, "ARCA_SECRET_KEY", null);
        String region = LoaderConfig.DEFAULT_REGION;
        String bucket = DEFAULT_BUCKET;
        String trustCert = null;
        String preset = null;
        String scale = "1";
        String accelerators = null;
        String maxTrials = Integer.toString(DEFAULT_MAX_TRIALS);
        String duration = "30s";
        String samples = "0";
        String readThreads = null;
        String prefetch = Integer.toString(DEFAULT_PREFETCH_BATCHES);
        String rangeSize = "8MiB";
        String memory = "256MiB";
        String threshold = null;
        String seed = System.getProperty(SEED_PROPERTY);
        boolean search = false;
        boolean generate = false;
        boolean verify = true;
        boolean json = false;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new FeedUsageException("unexpected argument: " + arg);
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            String inline = eq < 0 ? null : arg.substring(eq + 1);
            if (BOOLEAN_FLAGS.contains(name)) {
                if (inline != null) {
                    throw new FeedUsageException("--" + name + " takes no value");
                }
                switch (name) {
                    case "search" -> search = true;
                    case "generate" -> generate = true;
                    case "no-verify" -> verify = false;
                    default -> json = true;
                }
                continue;
            }
            String value;
            if (inline != null) {
                value = inline;
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new FeedUsageException("--" + name + " needs a value");
            }
            switch (name) {
                case "endpoint" -> endpoint = value;
                case "access-key" -> accessKey = value;
                case "secret-key" -> secretKey = value;
                case "region" -> region = value;
                case "bucket" -> bucket = value;
                case "trust-cert", "insecure-trust-cert" -> trustCert = value;
                case "preset" -> preset = value;
                case "scale" -> scale = value;
                case "accelerators" -> accelerators = value;
                case "max-trials" -> maxTrials = value;
                case "duration" -> duration = value;
                case "samples" -> samples = value;
                case "read-threads" -> readThreads = value;
                case "prefetch-batches" -> prefetch = value;
                case "range-size" -> rangeSize = value;
                case "memory" -> memory = value;
                case "au-threshold" -> threshold = value;
                case "seed" -> seed = value;
                default -> throw new FeedUsageException("unknown option: --" + name);
            }
        }

        if (preset == null) {
            throw new FeedUsageException("--preset is required (" + Preset.labels() + ")");
        }
        Preset p = Preset.byLabel(preset);
        if (p == null) {
            throw new FeedUsageException("--preset: unknown preset '" + preset + "' (known: " + Preset.labels() + ")");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new FeedUsageException("give both --access-key and --secret-key, or neither");
        }
        if (region.isBlank()) {
            throw new FeedUsageException("--region must not be empty");
        }
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new FeedUsageException("--bucket: not a valid bucket name: " + bucket);
        }
        HttpEndpoint parsedEndpoint;
        try {
            parsedEndpoint = HttpEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new FeedUsageException("--endpoint: " + e.getMessage());
        }
        SSLSocketFactory tls = null;
        if (trustCert != null) {
            if (!parsedEndpoint.tls()) {
                throw new FeedUsageException("--trust-cert applies to https:// endpoints only: " + endpoint);
            }
            try {
                tls = TlsTrust.trusting(Path.of(trustCert));
            } catch (IllegalArgumentException e) {
                throw new FeedUsageException("--trust-cert: " + e.getMessage());
            }
        }
        double parsedScale = parseFraction("--scale", scale, false);
        int parsedRange = (int) parseSize("--range-size", rangeSize, LoaderConfig.MIN_RANGE_SIZE, LoaderConfig.MAX_RANGE_SIZE);
        long parsedMemory = parseSize("--memory", memory, parsedRange, (long) parsedRange * 4096);
        int n = accelerators == null
                ? (search ? DEFAULT_SEARCH_CEILING : 1)
                : (int) parseBounded("--accelerators", accelerators, 1, MAX_ACCELERATORS);
        Duration d;
        try {
            d = Units.parseDuration(duration);
        } catch (IllegalArgumentException e) {
            throw new FeedUsageException("--duration: " + e.getMessage());
        }
        if (d.compareTo(MIN_DURATION) < 0 || d.compareTo(MAX_DURATION) > 0) {
            throw new FeedUsageException("--duration: must be between " + MIN_DURATION.toMillis() + "ms and "
                    + MAX_DURATION.toSeconds() + "s: " + duration);
        }
        long parsedSeed;
        if (seed == null) {
            parsedSeed = System.nanoTime();
        } else {
            parsedSeed = parseBounded("--seed", seed, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        return new FeedConfig(parsedEndpoint, accessKey, secretKey, region, bucket, tls, p, parsedScale, n, search,
                (int) parseBounded("--max-trials", maxTrials, 1, MAX_TRIALS_LIMIT),
                d,
                (int) parseBounded("--samples", samples, 0, MAX_SAMPLES),
                readThreads == null ? p.readThreads() : (int) parseBounded("--read-threads", readThreads, 1, MAX_READ_THREADS),
                (int) parseBounded("--prefetch-batches", prefetch, 1, MAX_PREFETCH_BATCHES),
                parsedRange,
                parsedMemory,
                threshold == null ? p.auThreshold() : parseFraction("--au-threshold", threshold, true),
                parsedSeed,
                generate,
                verify,
                json);
    }

    /** Bytes per sample after scaling (at least 1). */
    long sampleBytes() {
        return Math.max(1, Math.round(preset.sampleBytes() * scale));
    }

    /** Emulated compute per batch after scaling. */
    Duration computeTime() {
        return Duration.ofNanos(Math.round(preset.computeSeconds() * scale * 1e9));
    }

    /** The loader configuration this run reads with. */
    LoaderConfig loaderConfig() {
        LoaderConfig d = LoaderConfig.of(endpoint, accessKey, secretKey, bucket);
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memory, d.parallelism(),
                d.initialWindow(), d.maxWindow(), d.retry(), verify, d.timeouts(), tls);
    }

    private static String envOr(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    private static long parseBounded(String flag, String value, long min, long max) throws FeedUsageException {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new FeedUsageException(flag + ": not a number: " + value);
        }
        if (n < min || n > max) {
            throw new FeedUsageException(flag + ": must be between " + min + " and " + max + ": " + value);
        }
        return n;
    }

    /** A number in (0, 1], or [0, 1] when {@code zeroAllowed}. */
    private static double parseFraction(String flag, String value, boolean zeroAllowed) throws FeedUsageException {
        double f;
        try {
            f = Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new FeedUsageException(flag + ": not a number: " + value);
        }
        if (!(f <= 1) || f < 0 || (f == 0 && !zeroAllowed)) {
            throw new FeedUsageException(flag + ": must be " + (zeroAllowed ? "in [0, 1]" : "in (0, 1]") + ": " + value);
        }
        return f;
    }

    private static long parseSize(String flag, String value, long min, long max) throws FeedUsageException {
        long n;
        try {
            n = Units.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new FeedUsageException(flag + ": " + e.getMessage());
        }
        if (n < min || n > max) {
            throw new FeedUsageException(flag + ": must be between " + Units.formatSize(min) + " and "
                    + Units.formatSize(max) + ": " + value);
        }
        return n;
    }

    /** A one-line description for the report header. */
    String describe() {
        return String.format(Locale.ROOT, "%s bucket %s, preset %s, scale %s: %s samples, batch %d, %.4f s compute per step",
                endpoint.url(), bucket, preset.label(), scale, Units.formatSize(sampleBytes()), preset.batch(),
                computeTime().toNanos() / 1e9);
    }
}
