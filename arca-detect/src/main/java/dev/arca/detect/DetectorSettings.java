package dev.arca.detect;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Every threshold, window, limit and response of the detectors. {@link #defaults()} are the shipped
 * values; {@link #parse(String, String)} overrides them from a rules file of {@code key = value}
 * lines ({@code #} starts a comment line; blank lines are ignored; each key at most once):
 *
 * <pre>
 * RULE.enabled          = true | false
 * RULE.threshold        = events in the window (per principal) that make a detection, 1..1e9
 * RULE.window           = 60s | 500ms | 5m | 1h   (1 s .. 24 h)
 * RULE.bucket-threshold = events in the window per bucket (all principals), 0 = off
 * RULE.ip-threshold     = events in the window per source address, 0 = off (access-denied only)
 * RULE.responses        = alert, quarantine, protect | none
 * entropy.high               = 7.8    payload bits/byte at or above which an overwrite looks encrypted
 * entropy.previous-low       = 7.0    the replaced version must measure below this
 * entropy.min-sample-bytes   = 4096   smallest payload sample judged
 * entropy.min-previous-bytes = 1024   smallest sample of the replaced version judged
 * exfiltration.bytes-floor   = 2GiB   bytes read per window that alert whatever the baseline
 * exfiltration.multiplier    = 20     reads above this many times the principal's baseline alert
 * exfiltration.baseline-weight = 0.1  EWMA weight of each finished window in the baseline
 * limits.principals | limits.buckets | limits.source-ips | limits.recent-detections
 *   | limits.pending-samples | limits.entropy-cache = bounds of the detectors' memory
 * alert.webhook = http(s)://...       where alerts are POSTed (one JSON object per line)
 * </pre>
 *
 * RULE is a {@link Rule#id()}. For exfiltration the threshold is the request floor (reads per window
 * that alert whatever the baseline).
 */
public record DetectorSettings(Map<Rule, RuleSettings> rules, EntropySettings entropy, ExfiltrationSettings exfiltration,
        LimitSettings limits, Optional<URI> webhook) {

    /** Longest and shortest windows a rule may have. */
    public static final Duration MAX_WINDOW = Duration.ofHours(24);
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    /** Largest threshold a rule may have. */
    public static final long MAX_THRESHOLD = 1_000_000_000L;
    /** Largest value of any memory limit. */
    public static final int MAX_LIMIT = 10_000_000;
    /** Largest rules file read. */
    public static final int MAX_FILE_BYTES = 64 * 1024;

    public DetectorSettings {
        EnumMap<Rule, RuleSettings> copy = new EnumMap<>(Rule.class);
        copy.putAll(rules);
        for (Rule r : Rule.values()) {
            Objects.requireNonNull(copy.get(r), () -> "settings for rule " + r.id());
        }
        rules = Collections.unmodifiableMap(copy);
        Objects.requireNonNull(entropy, "entropy");
        Objects.requireNonNull(exfiltration, "exfiltration");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(webhook, "webhook");
    }

    /**
     * One rule's settings.
     *
     * @param threshold       events per principal within {@code window} that make a detection (exfiltration: the request floor)
     * @param bucketThreshold events per bucket within {@code window}, all principals together; 0 turns the bucket scope off
     * @param ipThreshold     events per source address within {@code window}; 0 turns that scope off
     */
    public record RuleSettings(boolean enabled, long threshold, Duration window, long bucketThreshold, long ipThreshold,
            Set<Response> responses) {
        public RuleSettings {
            if (threshold < 1 || threshold > MAX_THRESHOLD) {
                throw new IllegalArgumentException("threshold must be in 1.." + MAX_THRESHOLD + ", not " + threshold);
            }
            if (bucketThreshold < 0 || bucketThreshold > MAX_THRESHOLD || ipThreshold < 0 || ipThreshold > MAX_THRESHOLD) {
                throw new IllegalArgumentException("bucket and ip thresholds must be in 0.." + MAX_THRESHOLD);
            }
            if (window.compareTo(MIN_WINDOW) < 0 || window.compareTo(MAX_WINDOW) > 0) {
                throw new IllegalArgumentException("window must be between " + MIN_WINDOW + " and " + MAX_WINDOW + ", not " + window);
            }
            responses = responses.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(responses));
        }

        public long threshold(Scope scope) {
            return switch (scope) {
                case PRINCIPAL -> threshold;
                case BUCKET -> bucketThreshold;
                case SOURCE_IP -> ipThreshold;
            };
        }

        RuleSettings with(String field, String value) {
            return switch (field) {
                case "enabled" -> new RuleSettings(bool(value), threshold, window, bucketThreshold, ipThreshold, responses);
                case "threshold" -> new RuleSettings(enabled, count(value), window, bucketThreshold, ipThreshold, responses);
                case "window" -> new RuleSettings(enabled, threshold, duration(value), bucketThreshold, ipThreshold, responses);
                case "bucket-threshold" -> new RuleSettings(enabled, threshold, window, count(value), ipThreshold, responses);
                case "ip-threshold" -> new RuleSettings(enabled, threshold, window, bucketThreshold, count(value), responses);
                case "responses" -> new RuleSettings(enabled, threshold, window, bucketThreshold, ipThreshold, responseSet(value));
                default -> throw new IllegalArgumentException("unknown rule setting '" + field
                        + "' (known: enabled, threshold, window, bucket-threshold, ip-threshold, responses)");
            };
        }
    }

    /**
     * The entropy-overwrite rule's measure: an overwrite counts when its payload sample of at least
     * {@code minSampleBytes} measures {@code >= high} bits per byte and the replaced version's sample of
     * at least {@code minPreviousBytes} measured {@code < previousLow}.
     */
    public record EntropySettings(double high, double previousLow, int minSampleBytes, int minPreviousBytes) {
        public EntropySettings {
            if (!(high > 0 && high <= 8) || !(previousLow > 0 && previousLow <= high)) {
                throw new IllegalArgumentException("entropy bounds need 0 < previous-low <= high <= 8, not " + previousLow + " / " + high);
            }
            if (minSampleBytes < 1 || minSampleBytes > dev.arca.core.ByteEntropy.SAMPLE_BYTES
                    || minPreviousBytes < 1 || minPreviousBytes > dev.arca.core.ByteEntropy.SAMPLE_BYTES) {
                throw new IllegalArgumentException("entropy sample sizes must be in 1.." + dev.arca.core.ByteEntropy.SAMPLE_BYTES);
            }
        }
    }

    /**
     * The exfiltration rule's limit: reads in the window reaching max(request floor, multiplier ×
     * baseline requests), or bytes read reaching max({@code bytesFloor}, multiplier × baseline bytes).
     * The baseline is an EWMA over the principal's finished windows, each weighted {@code baselineWeight}.
     */
    public record ExfiltrationSettings(long bytesFloor, double multiplier, double baselineWeight) {
        public ExfiltrationSettings {
            if (bytesFloor < 1 || !(multiplier >= 1 && multiplier <= 1_000_000) || !(baselineWeight > 0 && baselineWeight <= 1)) {
                throw new IllegalArgumentException("exfiltration needs bytes-floor >= 1, multiplier in 1..1e6, baseline-weight in (0, 1]");
            }
        }
    }

    /**
     * Bounds of the detectors' memory: tracked principals, buckets and source addresses (least
     * recently seen evicted first), detections kept for the admin API, entropy samples waiting for
     * the background reader, and remembered payload entropies of recent writes.
     */
    public record LimitSettings(int principals, int buckets, int sourceIps, int recentDetections, int pendingSamples,
            int entropyCache) {
        public LimitSettings {
            for (int v : new int[] {principals, buckets, sourceIps, recentDetections, pendingSamples, entropyCache}) {
                if (v < 1 || v > MAX_LIMIT) {
                    throw new IllegalArgumentException("limits must be in 1.." + MAX_LIMIT + ", not " + v);
                }
            }
        }

        LimitSettings with(String field, String value) {
            int v = (int) Math.min(Integer.MAX_VALUE, count(value));
            return switch (field) {
                case "principals" -> new LimitSettings(v, buckets, sourceIps, recentDetections, pendingSamples, entropyCache);
                case "buckets" -> new LimitSettings(principals, v, sourceIps, recentDetections, pendingSamples, entropyCache);
                case "source-ips" -> new LimitSettings(principals, buckets, v, recentDetections, pendingSamples, entropyCache);
                case "recent-detections" -> new LimitSettings(principals, buckets, sourceIps, v, pendingSamples, entropyCache);
                case "pending-samples" -> new LimitSettings(principals, buckets, sourceIps, recentDetections, v, entropyCache);
                case "entropy-cache" -> new LimitSettings(principals, buckets, sourceIps, recentDetections, pendingSamples, v);
                default -> throw new IllegalArgumentException("unknown limit '" + field
                        + "' (known: principals, buckets, source-ips, recent-detections, pending-samples, entropy-cache)");
            };
        }
    }

    private static final Set<Response> ALERT = EnumSet.of(Response.ALERT);
    private static final Set<Response> ALERT_QUARANTINE = EnumSet.of(Response.ALERT, Response.QUARANTINE);
    private static final Set<Response> CONTAIN = EnumSet.of(Response.ALERT, Response.QUARANTINE, Response.PROTECT);
    private static final Duration MINUTE = Duration.ofSeconds(60);

    /** The shipped defaults (README "Ransomware detection and containment" explains each). */
    public static DetectorSettings defaults() {
        Map<Rule, RuleSettings> rules = new EnumMap<>(Rule.class);
        // A nightly job overwriting many files is normal: mass overwrites alone only alert.
        rules.put(Rule.MASS_DELETE, new RuleSettings(true, 100, MINUTE, 500, 0, CONTAIN));
        rules.put(Rule.MASS_OVERWRITE, new RuleSettings(true, 200, MINUTE, 1_000, 0, ALERT));
        rules.put(Rule.ENTROPY_OVERWRITE, new RuleSettings(true, 10, MINUTE, 50, 0, CONTAIN));
        rules.put(Rule.SSE_C_REENCRYPTION, new RuleSettings(true, 5, MINUTE, 20, 0, CONTAIN));
        rules.put(Rule.CONFIG_TAMPER, new RuleSettings(true, 1, MINUTE, 0, 0, ALERT_QUARANTINE));
        rules.put(Rule.CONFIG_CHANGE, new RuleSettings(true, 1, MINUTE, 0, 0, ALERT));
        // Denied requests are refused already; a burst is a signal for a human, not proof of theft.
        rules.put(Rule.ACCESS_DENIED, new RuleSettings(true, 20, Duration.ofSeconds(30), 0, 20, ALERT));
        rules.put(Rule.EXFILTRATION, new RuleSettings(true, 2_000, MINUTE, 0, 0, ALERT));
        return new DetectorSettings(rules, new EntropySettings(7.8, 7.0, 4096, 1024),
                new ExfiltrationSettings(2L << 30, 20, 0.1),
                new LimitSettings(10_000, 10_000, 10_000, 1_000, 1_024, 65_536), Optional.empty());
    }

    public RuleSettings rule(Rule rule) {
        return rules.get(rule);
    }

    /** The defaults overridden by the rules file {@code file}. */
    public static DetectorSettings load(Path file) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new RulesException(file + ": larger than " + MAX_FILE_BYTES + " bytes");
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new RulesException("cannot read rules file " + file + ": " + e.getMessage());
        }
    }

    /**
     * The defaults overridden by the rules text {@code text} ({@code source} names it in errors).
     *
     * @throws RulesException naming the source, line and key of the first bad line: unknown key,
     *                        repeated key, malformed or out-of-range value, or a line without '='
     */
    public static DetectorSettings parse(String text, String source) {
        DetectorSettings s = defaults();
        Map<Rule, RuleSettings> rules = new EnumMap<>(s.rules);
        double high = s.entropy.high();
        double previousLow = s.entropy.previousLow();
        long minSample = s.entropy.minSampleBytes();
        long minPrevious = s.entropy.minPreviousBytes();
        ExfiltrationSettings exfiltration = s.exfiltration;
        LimitSettings limits = s.limits;
        Optional<URI> webhook = s.webhook;
        Set<String> seen = new HashSet<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new RulesException(where + ": expected 'key = value', got '" + line + "'");
            }
            String key = line.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(eq + 1).strip();
            if (!seen.add(key)) {
                throw new RulesException(where + ": '" + key + "' is set twice");
            }
            int dot = key.indexOf('.');
            if (dot <= 0) {
                throw new RulesException(where + ": unknown key '" + key + "'");
            }
            String group = key.substring(0, dot);
            String field = key.substring(dot + 1);
            try {
                Optional<Rule> rule = Rule.byId(group);
                boolean exfiltrationMeasure = group.equals(Rule.EXFILTRATION.id())
                        && Set.of("bytes-floor", "multiplier", "baseline-weight").contains(field);
                if (rule.isPresent() && !exfiltrationMeasure) {
                    if (field.equals("ip-threshold") && rule.get() != Rule.ACCESS_DENIED) {
                        throw new IllegalArgumentException("only access-denied counts per source address");
                    }
                    rules.put(rule.get(), rules.get(rule.get()).with(field, value));
                    continue;
                }
                switch (group) {
                    case "entropy" -> {
                        switch (field) {
                            case "high" -> high = decimal(value);
                            case "previous-low" -> previousLow = decimal(value);
                            case "min-sample-bytes" -> minSample = size(value);
                            case "min-previous-bytes" -> minPrevious = size(value);
                            default -> throw new IllegalArgumentException("unknown entropy setting (known: high, "
                                    + "previous-low, min-sample-bytes, min-previous-bytes)");
                        }
                        // Each value alone must be sane; how they relate is checked once all are read.
                        new EntropySettings(field.equals("high") ? high : 8, field.equals("previous-low") ? previousLow : 1e-9,
                                (int) Math.min(minSample, Integer.MAX_VALUE), (int) Math.min(minPrevious, Integer.MAX_VALUE));
                    }
                    case "exfiltration" -> exfiltration = switch (field) {
                        case "bytes-floor" -> new ExfiltrationSettings(size(value), exfiltration.multiplier(),
                                exfiltration.baselineWeight());
                        case "multiplier" -> new ExfiltrationSettings(exfiltration.bytesFloor(), decimal(value),
                                exfiltration.baselineWeight());
                        case "baseline-weight" -> new ExfiltrationSettings(exfiltration.bytesFloor(), exfiltration.multiplier(),
                                decimal(value));
                        default -> throw new IllegalStateException("unreachable: " + field);
                    };
                    case "limits" -> limits = limits.with(field, value);
                    case "alert" -> {
                        if (!field.equals("webhook")) {
                            throw new IllegalArgumentException("unknown alert setting (known: webhook)");
                        }
                        webhook = value.isEmpty() ? Optional.empty() : Optional.of(webhookUri(value));
                    }
                    default -> throw new IllegalArgumentException("unknown key");
                }
            } catch (IllegalArgumentException e) {
                throw new RulesException(where + ": '" + key + "': " + e.getMessage());
            }
        }
        EntropySettings entropy;
        try {
            // Checked once everything is read: the two entropy bounds may be set in either order.
            entropy = new EntropySettings(high, previousLow, (int) minSample, (int) minPrevious);
        } catch (IllegalArgumentException e) {
            throw new RulesException(source + ": " + e.getMessage());
        }
        return new DetectorSettings(rules, entropy, exfiltration, limits, webhook);
    }

    /** A rules file that cannot be used: names the file, line and key. */
    public static final class RulesException extends IllegalArgumentException {
        public RulesException(String message) {
            super(message);
        }
    }

    static boolean bool(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes" -> true;
            case "false", "off", "no" -> false;
            default -> throw new IllegalArgumentException("expected true or false, not '" + v + "'");
        };
    }

    static long count(String v) {
        try {
            long n = Long.parseLong(v.replace("_", ""));
            if (n < 0 || n > MAX_THRESHOLD) {
                throw new IllegalArgumentException("expected a whole number in 0.." + MAX_THRESHOLD + ", not '" + v + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number, not '" + v + "'");
        }
    }

    static double decimal(String v) {
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number, not '" + v + "'");
        }
    }

    /** 60s, 500ms, 5m, 1h, 1d, a plain number of seconds, or ISO-8601 (PT1M). */
    static Duration duration(String v) {
        String s = v.strip().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("p")) {
                return Duration.parse(v.strip().toUpperCase(Locale.ROOT));
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).strip()));
            }
            long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
                case 's' -> 1;
                case 'm' -> 60;
                case 'h' -> 3_600;
                case 'd' -> 86_400;
                default -> 0;
            };
            if (unit == 0) {
                return Duration.ofSeconds(Long.parseLong(s));
            }
            return Duration.ofSeconds(Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 1).strip()), unit));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("expected a duration such as 60s, 500ms, 5m or 1h, not '" + v + "'");
        }
    }

    /** A byte count: a number, optionally with KiB, MiB, GiB or TiB (or KB/MB/GB/TB, also binary). */
    static long size(String v) {
        String s = v.strip().toUpperCase(Locale.ROOT).replace("_", "");
        long unit = 1;
        for (String[] u : new String[][] {{"TIB", "40"}, {"GIB", "30"}, {"MIB", "20"}, {"KIB", "10"}, {"TB", "40"}, {"GB", "30"},
                {"MB", "20"}, {"KB", "10"}, {"B", "0"}}) {
            if (s.endsWith(u[0])) {
                unit = 1L << Integer.parseInt(u[1]);
                s = s.substring(0, s.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            long n = Math.multiplyExact(Long.parseLong(s), unit);
            if (n < 1) {
                throw new IllegalArgumentException("expected a positive size, not '" + v + "'");
            }
            return n;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("expected a size such as 4096, 64KiB or 2GiB, not '" + v + "'");
        }
    }

    private static Set<Response> responseSet(String v) {
        if (v.strip().equalsIgnoreCase("none")) {
            return Set.of();
        }
        Set<Response> out = EnumSet.noneOf(Response.class);
        for (String part : v.split(",")) {
            String id = part.strip().toLowerCase(Locale.ROOT);
            out.add(Response.byId(id).orElseThrow(() -> new IllegalArgumentException(
                    "unknown response '" + id + "' (known: alert, quarantine, protect, or none)")));
        }
        return out;
    }

    private static URI webhookUri(String v) {
        try {
            URI u = new URI(v);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("the webhook must be an http or https URL, not '" + v + "'");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed webhook URL '" + v + "': " + e.getMessage());
        }
    }
}
