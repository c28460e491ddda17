package dev.arca.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Builds a {@link ServerConfig}. Sources, later overriding earlier: built-in defaults; the file
 * named by {@code --config} or {@code ARCA_CONFIG} ({@code key = value} lines, '#' comments);
 * environment variables {@code ARCA_<KEY>} (upper case, '-' as '_'); command-line flags
 * {@code --key value} or {@code --key=value}. Unknown keys and bad values are errors naming the
 * key and its source.
 */
public final class ConfigLoader {
    /** Drives the embedded default creates under the data directory: 4 gives 2+2 erasure coding. */
    static final int DEFAULT_DRIVE_COUNT = 4;
    /** Most drives one node takes (the coder's shard limit). */
    static final int MAX_DRIVES = 32;
    /** Every configuration key with its default. */
    static final Map<String, String> DEFAULTS = defaults();

    private ConfigLoader() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("data", "./arca-data");
        d.put("address", "127.0.0.1:9000");
        d.put("region", "us-east-1");
        d.put("domains", "localhost");
        d.put("io-threads", Integer.toString(Math.max(1, Runtime.getRuntime().availableProcessors())));
        d.put("max-requests", "1024");
        d.put("idle-timeout", "120s");
        d.put("body-timeout", "60s");
        d.put("shutdown-grace", "10s");
        d.put("sync-metadata", "true");
        d.put("drives", "");
        d.put("drive-count", Integer.toString(DEFAULT_DRIVE_COUNT));
        d.put("erasure-data", "auto");
        d.put("erasure-parity", "auto");
        d.put("erasure-parity-rrs", "auto");
        d.put("erasure-coder", "auto");
        d.put("scrub-rate", "32MiB");
        d.put("scrub-interval", "24h");
        d.put("drive-check-interval", "10s");
        d.put("lifecycle-interval", "1h");
        d.put("http", "on");
        d.put("tls-port", "9443");
        d.put("tls-cert", "");
        d.put("tls-key", "");
        d.put("tls-provider", "auto");
        d.put("encryption", "on");
        d.put("sse-c-over-http", "off");
        d.put("audit", "on");
        d.put("audit-export-file", "");
        d.put("audit-webhook", "");
        d.put("metrics", "on");
        d.put("log-format", "text");
        d.put("detect", "on");
        d.put("detect-rules", "");
        d.put("zero-copy", "verified");
        return d;
    }

    /** A configuration error: what is wrong, where it came from. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }

    public static ServerConfig load(List<String> args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> sources = new LinkedHashMap<>();
        DEFAULTS.keySet().forEach(k -> sources.put(k, "default"));
        Map<String, String> flags = parseFlags(args);
        String configFile = flags.containsKey("config") ? flags.remove("config") : env.get("ARCA_CONFIG");
        if (configFile != null) {
            for (Map.Entry<String, String> e : readFile(Path.of(configFile)).entrySet()) {
                put(values, sources, e.getKey(), e.getValue(), "config file " + configFile);
            }
        }
        for (String key : DEFAULTS.keySet()) {
            String envName = "ARCA_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
            if (env.containsKey(envName)) {
                put(values, sources, key, env.get(envName), "environment variable " + envName);
            }
        }
        for (Map.Entry<String, String> e : flags.entrySet()) {
            put(values, sources, e.getKey(), e.getValue(), "flag --" + e.getKey());
        }
        return build(values, sources);
    }

    private static void put(Map<String, String> values, Map<String, String> sources, String key, String value, String source) {
        if (!DEFAULTS.containsKey(key)) {
            throw new ConfigException("unknown configuration key '" + key + "' (from " + source + "); known keys: "
                    + String.join(", ", DEFAULTS.keySet()));
        }
        values.put(key, value.trim());
        sources.put(key, source);
    }

    private static Map<String, String> parseFlags(List<String> args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new ConfigException("unexpected argument '" + a + "' (flags are --key value)");
            }
            String body = a.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                flags.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.size()) {
                flags.put(body, args.get(++i));
            } else {
                throw new ConfigException("flag --" + body + " needs a value");
            }
        }
        return flags;
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private static ServerConfig build(Map<String, String> v, Map<String, String> src) {
        String address = v.get("address");
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw bad("address", address, src, "expected HOST:PORT");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = intValue("address", address.substring(colon + 1), src, 0, 65535);
        String region = v.get("region");
        if (!region.matches("[a-z0-9-]{1,32}")) {
            throw bad("region", region, src, "lower-case letters, digits and '-'");
        }
        List<String> domains = new ArrayList<>();
        for (String d : v.get("domains").split(",")) {
            String t = d.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (!t.matches("[a-z0-9.-]+")) {
                throw bad("domains", v.get("domains"), src, "comma-separated host names");
            }
            domains.add(t);
        }
        Path data = Path.of(v.get("data"));
        List<Path> drives = new ArrayList<>();
        if (v.get("drives").isBlank()) {
            int count = intValue("drive-count", v.get("drive-count"), src, 1, MAX_DRIVES);
            for (int i = 1; i <= count; i++) {
                drives.add(data.resolve("drive-" + i));
            }
        } else {
            for (String d : v.get("drives").split(",")) {
                if (!d.isBlank()) {
                    drives.add(Path.of(d.trim()));
                }
            }
            if (drives.isEmpty() || drives.size() > MAX_DRIVES) {
                throw bad("drives", v.get("drives"), src, "1 to " + MAX_DRIVES + " comma-separated directories");
            }
            if (drives.stream().map(p -> p.toAbsolutePath().normalize()).distinct().count() != drives.size()) {
                throw bad("drives", v.get("drives"), src, "distinct directories");
            }
        }
        int n = drives.size();
        int defaultParity = n <= 1 ? 0 : n <= 3 ? 1 : Math.max(2, n / 4);
        int parity = v.get("erasure-parity").equals("auto")
                ? (v.get("erasure-data").equals("auto") ? defaultParity
                        : n - intValue("erasure-data", v.get("erasure-data"), src, 1, n))
                : intValue("erasure-parity", v.get("erasure-parity"), src, 0, n - 1);
        int dataShards = v.get("erasure-data").equals("auto") ? n - parity
                : intValue("erasure-data", v.get("erasure-data"), src, 1, n);
        if (dataShards < 1 || dataShards + parity > n) {
            throw bad("erasure-parity", v.get("erasure-parity"), src, "data + parity shards (" + dataShards + "+" + parity
                    + ") to fit on the " + n + " drives");
        }
        int reducedParity = v.get("erasure-parity-rrs").equals("auto") ? Math.min(1, parity)
                : intValue("erasure-parity-rrs", v.get("erasure-parity-rrs"), src, 0, parity);
        String coder = v.get("erasure-coder").toLowerCase(Locale.ROOT);
        if (!List.of("auto", "isa-l", "java-vector", "java-scalar").contains(coder)) {
            throw bad("erasure-coder", v.get("erasure-coder"), src, "auto, isa-l, java-vector or java-scalar");
        }
        boolean http = onOff("http", v.get("http"), src);
        int tlsPort = v.get("tls-port").equalsIgnoreCase("off") ? ServerConfig.TLS_OFF
                : intValue("tls-port", v.get("tls-port"), src, 0, 65535);
        if (!http && tlsPort == ServerConfig.TLS_OFF) {
            throw new ConfigException("http is off (from " + src.get("http") + ") and tls-port is off (from " + src.get("tls-port")
                    + "): nothing would listen");
        }
        if (http && tlsPort != ServerConfig.TLS_OFF && tlsPort != 0 && tlsPort == port) {
            throw bad("tls-port", v.get("tls-port"), src, "a port other than the plain-HTTP one in address (" + port + ")");
        }
        Optional<Path> tlsCert = v.get("tls-cert").isBlank() ? Optional.empty() : Optional.of(Path.of(v.get("tls-cert")));
        Optional<Path> tlsKey = v.get("tls-key").isBlank() ? Optional.empty() : Optional.of(Path.of(v.get("tls-key")));
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            String given = tlsCert.isPresent() ? "tls-cert" : "tls-key";
            throw new ConfigException(given + " is set (from " + src.get(given) + ") but " + (tlsCert.isPresent() ? "tls-key" : "tls-cert")
                    + " is not: give the PEM certificate chain and its private key together, or neither for a self-signed certificate");
        }
        String tlsProvider = v.get("tls-provider").toLowerCase(Locale.ROOT);
        if (!List.of("auto", "openssl", "jdk").contains(tlsProvider)) {
            throw bad("tls-provider", v.get("tls-provider"), src, "auto, openssl or jdk");
        }
        return new ServerConfig(
                data,
                host,
                port,
                region,
                domains,
                intValue("io-threads", v.get("io-threads"), src, 1, 256),
                intValue("max-requests", v.get("max-requests"), src, 1, 1_000_000),
                duration("idle-timeout", v.get("idle-timeout"), src),
                duration("body-timeout", v.get("body-timeout"), src),
                duration("shutdown-grace", v.get("shutdown-grace"), src),
                bool("sync-metadata", v.get("sync-metadata"), src),
                drives,
                dataShards,
                parity,
                reducedParity,
                coder,
                bytes("scrub-rate", v.get("scrub-rate"), src),
                duration("scrub-interval", v.get("scrub-interval"), src),
                duration("drive-check-interval", v.get("drive-check-interval"), src),
                duration("lifecycle-interval", v.get("lifecycle-interval"), src),
                http,
                tlsPort,
                tlsCert,
                tlsKey,
                tlsProvider,
                onOff("encryption", v.get("encryption"), src),
                onOff("sse-c-over-http", v.get("sse-c-over-http"), src),
                onOff("audit", v.get("audit"), src),
                optionalPath(v.get("audit-export-file")),
                webhook(v.get("audit-webhook"), src),
                onOff("metrics", v.get("metrics"), src),
                oneOf("log-format", v.get("log-format"), src, List.of("text", "json")),
                onOff("detect", v.get("detect"), src),
                optionalPath(v.get("detect-rules")),
                oneOf("zero-copy", v.get("zero-copy"), src, List.of("off", "verified", "unverified")));
    }

    private static Optional<Path> optionalPath(String value) {
        return value.isBlank() ? Optional.empty() : Optional.of(Path.of(value.trim()));
    }

    private static Optional<java.net.URI> webhook(String value, Map<String, String> src) {
        if (value.isBlank()) {
            return Optional.empty();
        }
        try {
            java.net.URI uri = new java.net.URI(value.trim());
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw bad("audit-webhook", value, src, "an http:// or https:// URL");
            }
            return Optional.of(uri);
        } catch (java.net.URISyntaxException e) {
            throw bad("audit-webhook", value, src, "an http:// or https:// URL");
        }
    }

    private static String oneOf(String key, String value, Map<String, String> src, List<String> allowed) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw bad(key, value, src, String.join(" or ", allowed));
        }
        return v;
    }

    /** Byte counts like 0, 1048576, 512KiB, 32MiB, 1GiB. */
    static long bytes(String key, String value, Map<String, String> src) {
        String s = value.trim();
        long unit = 1;
        for (String[] u : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}}) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                s = s.substring(0, s.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            long n = Long.parseLong(s);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw bad(key, value, src, "a non-negative size such as 0, 512KiB, 32MiB or 1GiB");
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw bad(key, value, src, "a non-negative size such as 0, 512KiB, 32MiB or 1GiB");
        }
    }

    private static int intValue(String key, String value, Map<String, String> src, int min, int max) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw bad(key, value, src, "an integer from " + min + " to " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(key, value, src, "an integer from " + min + " to " + max);
        }
    }

    /** Durations like 500ms, 30s, 5m, 1h. */
    static Duration duration(String key, String value, Map<String, String> src) {
        String s = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (s.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            } else {
                throw bad(key, value, src, "a duration such as 500ms, 30s, 5m or 1h");
            }
            if (d.isNegative() || d.isZero()) {
                throw bad(key, value, src, "a positive duration");
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(key, value, src, "a duration such as 500ms, 30s, 5m or 1h");
        }
    }

    private static boolean bool(String key, String value, Map<String, String> src) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, value, src, "true or false");
        };
    }

    private static boolean onOff(String key, String value, Map<String, String> src) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw bad(key, value, src, "on or off");
        };
    }

    private static ConfigException bad(String key, String value, Map<String, String> src, String expected) {
        return new ConfigException("bad value '" + value + "' for " + key + " (from " + src.getOrDefault(key, "?")
                + "): expected " + expected);
    }

    static List<String> keys() {
        return Arrays.asList(DEFAULTS.keySet().toArray(new String[0]));
    }
}
