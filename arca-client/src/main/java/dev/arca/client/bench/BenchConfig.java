package dev.arca.client.bench;

import dev.arca.client.http.HttpEndpoint;
import dev.arca.client.http.TlsTrust;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * A validated benchmark configuration.
 *
 * @param endpoint where the S3 server listens
 * @param accessKey the access key, or {@code null} to send unsigned requests
 * @param secretKey the secret key, or {@code null} exactly when {@code accessKey} is
 * @param region the SigV4 region
 * @param bucket the bucket to write into (created if missing)
 * @param concurrency worker threads per phase, each with its own connection
 * @param duration measured time per phase
 * @param warmup unmeasured time before each phase of objects under 1 MiB (larger objects warm
 *     up with one request per worker instead)
 * @param timeout socket read timeout
 * @param scenarios the scenarios to run, in order
 * @param largeSize object size of the large scenario
 * @param smallSize object size of the small scenario
 * @param batchObjectSize object size of the batch scenario
 * @param batchCount objects per batch GET request in the batch scenario
 * @param keep whether to leave the written objects behind
 * @param seed seed of the payload bytes
 * @param verifyBodies whether GET bodies are compared byte for byte with what was written
 * @param checkEtags whether ETags are compared with the payload MD5
 * @param tls TLS sockets for an https endpoint trusting {@code --trust-cert}, or null: the JDK's default trust
 */
record BenchConfig(
        HttpEndpoint endpoint,
        String accessKey,
        String secretKey,
        String region,
        String bucket,
        int concurrency,
        Duration duration,
        Duration warmup,
        Duration timeout,
        List<Scenario> scenarios,
        long largeSize,
        long smallSize,
        long batchObjectSize,
        int batchCount,
        boolean keep,
        long seed,
        boolean verifyBodies,
        boolean checkEtags,
        SSLSocketFactory tls) {

    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:9000";
    static final int MAX_CONCURRENCY = 1024;
    static final Duration MAX_DURATION = Duration.ofSeconds(600);
    static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    /** Objects live in one byte array, so they stay well below the 2 GiB array limit. */
    static final long MAX_OBJECT_SIZE = Units.GIB;
    /** Objects per batch GET: the server's limit per request. */
    static final int MAX_BATCH_COUNT = 10_000;
    /** Largest object of the batch scenario: a batch is about many small objects. */
    static final long MAX_BATCH_OBJECT_SIZE = 16 * Units.MIB;
    private static final Set<String> BOOLEAN_FLAGS = Set.of("keep", "verify", "no-etag-check");
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    static final String USAGE = """
            usage: arca-bench [options]
              --endpoint URL       S3 endpoint, http:// or https:// (env ARCA_ENDPOINT; default %s)
              --trust-cert PEM     for https: trust exactly the certificate(s) in this PEM file, e.g.
                                   the server's self-signed <data>/tls/cert.pem (alias
                                   --insecure-trust-cert; default: the JDK's trusted CAs)
              --access-key KEY     SigV4 access key (env ARCA_ACCESS_KEY; none: unsigned requests)
              --secret-key KEY     SigV4 secret key (env ARCA_SECRET_KEY)
              --region NAME        SigV4 region (default us-east-1)
              --bucket NAME        bucket to use, created if missing (default arca-bench)
              --concurrency N      worker threads and connections per phase, 1..%d (default 8)
              --duration D         measured time per phase, at most 600s (default 10s)
              --warmup D           unmeasured time before each phase (default 2s); phases
                                   of objects >= 1MiB warm up with one request per worker
              --timeout D          socket read timeout (default 60s)
              --scenarios LIST     comma-separated: large,small,batch (default large,small)
              --large-size SIZE    large object size (default 64MiB)
              --small-size SIZE    small object size (default 4KiB)
              --batch-object-size SIZE  object size of the batch scenario (default 10KiB)
              --batch-count N      objects per batch GET, 1..%d (default 100); the batch scenario
                                   reports objects/s of single GETs and of batch GETs, and the ratio
              --keep               keep the objects written (default: delete them)
              --seed N             seed of the payload bytes (default 1)
              --verify             compare GET bodies with the payload (costs client CPU)
              --no-etag-check      do not compare ETags with the payload MD5
              --help               this text
            sizes: 4096, 4KiB, 64MiB, 1GiB (k/m/g = KiB/MiB/GiB; KB/MB/GB = powers of 1000)
            durations: 500ms, 10s, 2m
            stdout: one JSON line per phase; stderr: human summary. exit: 0 ok, 1 request errors, 2 usage
            """.formatted(DEFAULT_ENDPOINT, MAX_CONCURRENCY, MAX_BATCH_COUNT);

    /** Parses the command line; flags win over the environment. */
    static BenchConfig parse(String[] args, Map<String, String> env) throws UsageException {
        String endpoint = envOr(env, "ARCA_ENDPOINT", DEFAULT_ENDPOINT);
        String accessKey = envOr(env, "ARCA_ACCESS_KEY", null);
        String secretKey = envOr(env, "ARCA_SECRET_KEY", null);
        String region = "us-east-1";
        String bucket = "arca-bench";
        String concurrency = "8";
        String duration = "10s";
        String warmup = "2s";
        String timeout = "60s";
        String scenarios = "large,small";
        String largeSize = "64MiB";
        String smallSize = "4KiB";
        String batchObjectSize = "10KiB";
        String batchCount = "100";
        String seed = "1";
        boolean keep = false;
        boolean verify = false;
        boolean checkEtags = true;
        String trustCert = null;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument: " + arg);
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            String inline = eq < 0 ? null : arg.substring(eq + 1);
            if (BOOLEAN_FLAGS.contains(name)) {
                if (inline != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                switch (name) {
                    case "keep" -> keep = true;
                    case "verify" -> verify = true;
                    default -> checkEtags = false;
                }
                continue;
            }
            String value;
            if (inline != null) {
                value = inline;
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("--" + name + " needs a value");
            }
            switch (name) {
                case "endpoint" -> endpoint = value;
                case "access-key" -> accessKey = value;
                case "secret-key" -> secretKey = value;
                case "region" -> region = value;
                case "bucket" -> bucket = value;
                case "concurrency" -> concurrency = value;
                case "duration" -> duration = value;
                case "warmup" -> warmup = value;
                case "timeout" -> timeout = value;
                case "scenarios" -> scenarios = value;
                case "large-size" -> largeSize = value;
                case "small-size" -> smallSize = value;
                case "batch-object-size" -> batchObjectSize = value;
                case "batch-count" -> batchCount = value;
                case "seed" -> seed = value;
                case "trust-cert", "insecure-trust-cert" -> trustCert = value;
                default -> throw new UsageException("unknown option: --" + name);
            }
        }

        if ((accessKey == null) != (secretKey == null)) {
            throw new UsageException("give both --access-key and --secret-key, or neither");
        }
        if (region.isBlank()) {
            throw new UsageException("--region must not be empty");
        }
        if (!BUCKET_NAME.matcher(bucket).matches()) {
            throw new UsageException("--bucket: not a valid bucket name: " + bucket);
        }
        HttpEndpoint parsedEndpoint;
        try {
            parsedEndpoint = HttpEndpoint.parse(endpoint);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--endpoint: " + e.getMessage());
        }
        SSLSocketFactory tls = null;
        if (trustCert != null) {
            if (!parsedEndpoint.tls()) {
                throw new UsageException("--trust-cert applies to https:// endpoints only: " + endpoint);
            }
            try {
                tls = TlsTrust.trusting(Path.of(trustCert));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--trust-cert: " + e.getMessage());
            }
        }
        return new BenchConfig(parsedEndpoint, accessKey, secretKey, region, bucket,
                (int) parseBounded("--concurrency", concurrency, 1, MAX_CONCURRENCY),
                parseDuration("--duration", duration, Duration.ofMillis(1)),
                parseDuration("--warmup", warmup, Duration.ZERO),
                parseDuration("--timeout", timeout, MIN_TIMEOUT),
                parseScenarios(scenarios),
                parseSize("--large-size", largeSize),
                parseSize("--small-size", smallSize),
                parseBatchObjectSize(batchObjectSize),
                (int) parseBounded("--batch-count", batchCount, 1, MAX_BATCH_COUNT),
                keep,
                parseSeed(seed),
                verify,
                checkEtags,
                tls);
    }

    /** The object size of a scenario. */
    long sizeOf(Scenario scenario) {
        return switch (scenario) {
            case LARGE -> largeSize;
            case SMALL -> smallSize;
            case BATCH -> batchObjectSize;
        };
    }

    /** Whether requests are signed. */
    boolean signed() {
        return accessKey != null;
    }

    private static String envOr(Map<String, String> env, String name, String fallback) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? fallback : v;
    }

    private static long parseBounded(String flag, String value, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + ": not a number: " + value);
        }
        if (n < min || n > max) {
            throw new UsageException(flag + ": must be between " + min + " and " + max + ": " + value);
        }
        return n;
    }

    private static long parseSeed(String value) throws UsageException {
        return parseBounded("--seed", value, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private static Duration parseDuration(String flag, String value, Duration min) throws UsageException {
        Duration d;
        try {
            d = Units.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(MAX_DURATION) > 0) {
            throw new UsageException(flag + ": must be between " + min.toMillis() + "ms and "
                    + MAX_DURATION.toSeconds() + "s: " + value);
        }
        return d;
    }

    private static long parseSize(String flag, String value) throws UsageException {
        long n;
        try {
            n = Units.parseSize(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(flag + ": " + e.getMessage());
        }
        if (n < 1 || n > MAX_OBJECT_SIZE) {
            throw new UsageException(flag + ": must be between 1 byte and "
                    + Units.formatSize(MAX_OBJECT_SIZE) + ": " + value);
        }
        return n;
    }

    private static long parseBatchObjectSize(String value) throws UsageException {
        long n = parseSize("--batch-object-size", value);
        if (n > MAX_BATCH_OBJECT_SIZE) {
            throw new UsageException("--batch-object-size: at most " + Units.formatSize(MAX_BATCH_OBJECT_SIZE) + ": " + value);
        }
        return n;
    }

    private static List<Scenario> parseScenarios(String value) throws UsageException {
        List<Scenario> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            Scenario s = Scenario.byLabel(part.strip());
            if (s == null) {
                throw new UsageException("--scenarios: unknown scenario '" + part.strip()
                        + "' (known: large, small, batch)");
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }
}
