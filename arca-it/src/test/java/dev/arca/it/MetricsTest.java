package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Telemetry end to end: S3 work through the AWS SDK, then an unauthenticated {@code GET /metrics} whose
 * whole body must be valid Prometheus text exposition format (version 0.0.4, checked by the strict
 * {@link Exposition} parser below) and show that work; the health probes; {@code --metrics off}.
 */
class MetricsTest {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int PUTS = 5;
    static final int OBJECT_BYTES = 1000;

    @TempDir
    static Path dir;
    static ArcaTestServer server;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(dir.resolve("on"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> get(String url, String method) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsEndpointServesValidExpositionFormatThatReflectsTheWorkDone() throws Exception {
        try (S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("telemetry"));
            for (int i = 0; i < PUTS; i++) {
                int n = i;
                s3.putObject(b -> b.bucket("telemetry").key("obj-" + n), RequestBody.fromBytes(new byte[OBJECT_BYTES]));
            }
            for (int i = 0; i < PUTS; i++) {
                int n = i;
                assertThat(s3.getObjectAsBytes(b -> b.bucket("telemetry").key("obj-" + n)).asByteArray()).hasSize(OBJECT_BYTES);
            }
            // denied and failed requests: a missing key (404), a bad signature (403), an anonymous listing (403)
            assertThatThrownBy(() -> s3.getObject(b -> b.bucket("telemetry").key("absent-key-7f3")))
                    .isInstanceOf(NoSuchKeyException.class);
            // a signed GET /metrics stays an S3 request: bucket "metrics" (there is none)
            assertThatThrownBy(() -> s3.listObjects(b -> b.bucket("metrics"))).isInstanceOf(NoSuchBucketException.class);
        }
        try (S3Client forger = Clients.builder(server.endpoint(), true).credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, "not-the-secret-key-0123456789abcdefghijk"))).build()) {
            assertThatThrownBy(() -> forger.headBucket(b -> b.bucket("telemetry")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThatThrownBy(() -> forger.getObject(b -> b.bucket("telemetry").key("obj-0")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                            .isEqualTo("SignatureDoesNotMatch"));
        }
        assertThat(get(server.endpoint() + "/telemetry", "GET").statusCode()).isEqualTo(403);
        for (String probe : List.of("/health/live", "/health/ready")) {
            HttpResponse<String> r = get(server.endpoint() + probe, "GET");
            assertThat(r.statusCode()).as(probe).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ok\n");
        }

        HttpResponse<String> response = get(server.endpoint() + "/metrics", "GET");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue(CONTENT_TYPE);
        Exposition m = Exposition.parse(response.body());

        // request counters, by operation and status
        assertThat(m.value("arca_requests_total", Map.of("operation", "PutObject", "status", "200"))).isGreaterThanOrEqualTo(PUTS);
        assertThat(m.value("arca_requests_total", Map.of("operation", "GetObject", "status", "200"))).isGreaterThanOrEqualTo(PUTS);
        assertThat(m.value("arca_requests_total", Map.of("operation", "GetObject", "status", "404"))).isGreaterThanOrEqualTo(1);
        assertThat(m.value("arca_requests_total", Map.of("operation", "CreateBucket", "status", "200"))).isEqualTo(1);
        assertThat(m.value("arca_requests_total", Map.of("operation", "ListObjects", "status", "404"))).isEqualTo(1);
        assertThat(m.sum("arca_requests_total", Map.of("status", "403"))).isGreaterThanOrEqualTo(3);
        assertThat(m.sum("arca_requests_total", Map.of("operation", "health"))).isGreaterThanOrEqualTo(2);
        assertThat(m.value("arca_request_errors_total", Map.of("code", "NoSuchKey"))).isGreaterThanOrEqualTo(1);
        assertThat(m.value("arca_request_errors_total", Map.of("code", "SignatureDoesNotMatch"))).isGreaterThanOrEqualTo(1);
        assertThat(m.value("arca_request_errors_total", Map.of("code", "AccessDenied"))).isGreaterThanOrEqualTo(1);
        assertThat(m.value("arca_request_errors_total", Map.of("code", "NoSuchBucket"))).isGreaterThanOrEqualTo(1);
        // bytes in and out (declared lengths: aws-chunked uploads count their framing too)
        assertThat(m.value("arca_request_bytes_in_total", Map.of("operation", "PutObject"))).isGreaterThanOrEqualTo(PUTS * OBJECT_BYTES);
        assertThat(m.value("arca_response_bytes_out_total", Map.of("operation", "GetObject")))
                .isGreaterThanOrEqualTo(PUTS * OBJECT_BYTES);
        // latency histogram
        assertThat(m.types).containsEntry("arca_request_duration_seconds", "histogram");
        assertThat(m.value("arca_request_duration_seconds_count", Map.of("operation", "PutObject"))).isGreaterThanOrEqualTo(PUTS);
        assertThat(m.value("arca_request_duration_seconds_sum", Map.of("operation", "PutObject"))).isPositive();
        assertThat(m.value("arca_request_duration_seconds_bucket", Map.of("operation", "PutObject", "le", "+Inf")))
                .isGreaterThanOrEqualTo(PUTS);
        // storage: four drives online, the heal/scrub/damage counters exported
        for (int d = 1; d <= 4; d++) {
            assertThat(m.value("arca_drive_online", Map.of("drive", Integer.toString(d)))).as("drive " + d).isEqualTo(1);
        }
        assertThat(m.value("arca_drives", Map.of("state", "online"))).isEqualTo(4);
        assertThat(m.value("arca_drives", Map.of("state", "offline"))).isZero();
        for (String counter : List.of("arca_storage_corrupt_chunks_total", "arca_heal_shards_rebuilt_total",
                "arca_heal_blobs_total", "arca_scrub_bytes_total", "arca_scrub_passes_total",
                "arca_storage_stripes_reconstructed_total")) {
            assertThat(m.types).as(counter).containsEntry(counter, "counter");
            assertThat(m.value(counter, Map.of())).as(counter).isGreaterThanOrEqualTo(0);
        }
        assertThat(m.value("arca_heal_pending", Map.of())).isGreaterThanOrEqualTo(0);
        // security signals (no detector connected yet: zero)
        assertThat(m.value("arca_quarantined_principals", Map.of())).isZero();
        assertThat(m.value("arca_protected_buckets", Map.of())).isZero();
        // the JVM and the process
        assertThat(m.types).containsKeys("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "process_cpu_usage", "system_cpu_count");
        // no bucket, key or principal ever becomes a label
        assertThat(response.body()).doesNotContain("telemetry", "obj-0", "absent-key-7f3", ArcaTestServer.ACCESS_KEY, "arn:aws");

        // The scrape itself is counted (operation "metrics"), and HEAD answers without a body.
        HttpResponse<String> head = get(server.endpoint() + "/metrics", "HEAD");
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        Exposition again = Exposition.parse(get(server.endpoint() + "/metrics", "GET").body());
        assertThat(again.sum("arca_requests_total", Map.of("operation", "metrics"))).isGreaterThanOrEqualTo(2);
        assertThat(again.value("arca_requests_total", Map.of("operation", "PutObject", "status", "200")))
                .isEqualTo(m.value("arca_requests_total", Map.of("operation", "PutObject", "status", "200")));
    }

    @Test
    void metricsOffAnswersAnS3ErrorInstead() throws Exception {
        try (ArcaTestServer off = ArcaTestServer.start(dir.resolve("off"), "--metrics", "off")) {
            HttpResponse<String> r = get(off.endpoint() + "/metrics", "GET");
            assertThat(r.statusCode()).isIn(403, 404);
            assertThat(r.headers().firstValue("content-type").orElse("")).doesNotContain("version=0.0.4");
            assertThat(r.body()).contains("<Error>", "<Code>").doesNotContain("# TYPE", "arca_requests");
            assertThat(get(off.endpoint() + "/health/live", "GET").statusCode()).isEqualTo(200);
            assertThat(get(off.endpoint() + "/health/ready", "GET").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theParserRejectsMalformedExposition() {
        String ok = "# HELP a_total A counter.\n# TYPE a_total counter\na_total{x=\"1\"} 2.0\n";
        assertThat(Exposition.parse(ok).value("a_total", Map.of("x", "1"))).isEqualTo(2.0);
        assertThat(Exposition.parse("# TYPE g gauge\ng{v=\"a\\\"b\\\\c\\nd\"} NaN\ng{v=\"x\"} -Inf 1700000000000\n")
                .value("g", Map.of("v", "a\"b\\c\nd"))).isNaN();
        for (String bad : List.of(
                "a_total 1\n",                                               // no TYPE before the sample
                "# TYPE a counter\na 1",                                     // no final newline
                "# TYPE a counter\na{x=\"1\",x=\"2\"} 1\n",                  // duplicate label
                "# TYPE a counter\na{x=\"\\t\"} 1\n",                        // bad escape
                "# TYPE a counter\na{x=1} 1\n",                              // unquoted value
                "# TYPE a counter\na{1x=\"1\"} 1\n",                         // bad label name
                "# TYPE a counter\na one\n",                                 // bad value
                "# TYPE a counter\na 1 1.5\n",                               // bad timestamp
                "# TYPE a counter\na 1\na 2\n",                              // duplicate series
                "# TYPE a counter\n# TYPE a counter\na 1\n",                 // two TYPE lines
                "# TYPE a widget\na 1\n",                                    // bad type
                "# TYPE 9a counter\n9a 1\n",                                 // bad metric name
                "# a comment\n# TYPE a counter\na 1\n",                      // neither HELP nor TYPE
                "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n",           // a family split in two
                "# TYPE a counter\na -1\n",                                  // negative counter
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n", // not cumulative
                "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n",                       // no +Inf
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n",                    // +Inf != count
                "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",
                "# TYPE h histogram\nh_bucket 1\nh_count 1\nh_sum 1\n")) {  // bucket without le
            assertThatThrownBy(() -> Exposition.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * A strict reader of the Prometheus text exposition format 0.0.4: every line is {@code # HELP name text},
     * {@code # TYPE name type}, or a sample {@code name{label="value",...} value [timestamp]}; names, label
     * names, escapes and floats are checked; each sample belongs to a family whose TYPE came before it, and a
     * family's lines are one group; no series twice; counters are non-negative; each histogram's buckets
     * have {@code le}, increase, are cumulative and end with {@code +Inf} equal to {@code _count}, with a
     * {@code _sum}. Anything else is an IllegalArgumentException.
     */
    static final class Exposition {
        private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
        private static final Pattern FLOAT = Pattern.compile(
                "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|NaN|[+-]Inf");
        private static final Pattern TIMESTAMP = Pattern.compile("-?[0-9]+");
        private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

        record Sample(String name, Map<String, String> labels, double value) {}

        final Map<String, String> types = new LinkedHashMap<>();
        final List<Sample> samples = new ArrayList<>();

        static Exposition parse(String text) {
            Exposition e = new Exposition();
            e.read(text);
            e.checkHistograms();
            return e;
        }

        private static IllegalArgumentException fail(int line, String what, String text) {
            return new IllegalArgumentException("line " + line + ": " + what + ": " + text);
        }

        private void read(String text) {
            if (text.isEmpty() || !text.endsWith("\n")) {
                throw new IllegalArgumentException("the body must end with a newline");
            }
            Set<String> helps = new HashSet<>();
            Set<String> finished = new HashSet<>();
            Set<String> series = new HashSet<>();
            String current = null;
            String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
            for (int n = 1; n <= lines.length; n++) {
                String line = lines[n - 1];
                if (line.startsWith("#")) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                        throw fail(n, "a comment that is neither HELP nor TYPE", line);
                    }
                    String name = parts[2];
                    if (!METRIC_NAME.matcher(name).matches()) {
                        throw fail(n, "bad metric name", line);
                    }
                    if (parts[1].equals("HELP")) {
                        if (!helps.add(name)) {
                            throw fail(n, "second HELP", line);
                        }
                        checkHelp(n, parts.length == 4 ? parts[3] : "", line);
                    } else {
                        if (parts.length != 4 || !TYPES.contains(parts[3])) {
                            throw fail(n, "bad TYPE", line);
                        }
                        if (types.containsKey(name)) {
                            throw fail(n, "second TYPE", line);
                        }
                        types.put(name, parts[3]);
                    }
                    if (!name.equals(current)) {
                        if (current != null) {
                            finished.add(current);
                        }
                        if (finished.contains(name)) {
                            throw fail(n, "family " + name + " split in two groups", line);
                        }
                        current = name;
                    }
                    continue;
                }
                if (line.isEmpty()) {
                    throw fail(n, "empty line", line);
                }
                Sample s = sample(n, line);
                String family = familyOf(n, s, line);
                if (!family.equals(current)) {
                    throw fail(n, "sample outside its family's group (TYPE " + family + " not just before)", line);
                }
                TreeMap<String, String> sorted = new TreeMap<>(s.labels());
                if (!series.add(s.name() + sorted)) {
                    throw fail(n, "series twice", line);
                }
                if (types.get(family).equals("counter") && !(s.value() >= 0)) {
                    throw fail(n, "counter not a non-negative number", line);
                }
                samples.add(s);
            }
        }

        private static void checkHelp(int n, String help, String line) {
            for (int i = 0; i < help.length(); i++) {
                if (help.charAt(i) == '\\') {
                    if (i + 1 >= help.length() || (help.charAt(i + 1) != '\\' && help.charAt(i + 1) != 'n')) {
                        throw fail(n, "bad escape in HELP", line);
                    }
                    i++;
                }
            }
        }

        /** The family a sample belongs to: its own name, or a histogram/summary's base name for the suffixed series. */
        private String familyOf(int n, Sample s, String line) {
            String name = s.name();
            String type = types.get(name);
            if (type != null) {
                if (type.equals("histogram") || type.equals("summary") && !s.labels().containsKey("quantile")) {
                    throw fail(n, "a " + type + " sample needs a suffix (or a quantile)", line);
                }
                return name;
            }
            for (String suffix : List.of("_bucket", "_count", "_sum", "_created")) {
                if (name.endsWith(suffix)) {
                    String base = name.substring(0, name.length() - suffix.length());
                    String baseType = types.get(base);
                    boolean fits = baseType != null && switch (suffix) {
                        case "_bucket" -> baseType.equals("histogram");
                        case "_count", "_sum" -> baseType.equals("histogram") || baseType.equals("summary");
                        default -> !baseType.equals("gauge") && !baseType.equals("untyped");
                    };
                    if (fits) {
                        if (suffix.equals("_bucket") && !s.labels().containsKey("le")) {
                            throw fail(n, "bucket without le", line);
                        }
                        return base;
                    }
                }
            }
            throw fail(n, "no TYPE line before this sample's family", line);
        }

        private static Sample sample(int n, String line) {
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            if (!METRIC_NAME.matcher(name).matches()) {
                throw fail(n, "bad metric name", line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                } else {
                    while (true) {
                        int start = i;
                        while (i < line.length() && line.charAt(i) != '=') {
                            i++;
                        }
                        String label = line.substring(start, i);
                        if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                            throw fail(n, "bad label name '" + label + "'", line);
                        }
                        if (i + 1 >= line.length() || line.charAt(i + 1) != '"') {
                            throw fail(n, "label value not quoted", line);
                        }
                        i += 2;
                        StringBuilder v = new StringBuilder();
                        while (true) {
                            if (i >= line.length()) {
                                throw fail(n, "unterminated label value", line);
                            }
                            char c = line.charAt(i++);
                            if (c == '"') {
                                break;
                            }
                            if (c == '\\') {
                                char e = i < line.length() ? line.charAt(i++) : ' ';
                                switch (e) {
                                    case '\\' -> v.append('\\');
                                    case '"' -> v.append('"');
                                    case 'n' -> v.append('\n');
                                    default -> throw fail(n, "bad escape in label value", line);
                                }
                            } else {
                                v.append(c);
                            }
                        }
                        if (labels.put(label, v.toString()) != null) {
                            throw fail(n, "duplicate label " + label, line);
                        }
                        if (i < line.length() && line.charAt(i) == ',') {
                            i++;
                            continue;
                        }
                        if (i < line.length() && line.charAt(i) == '}') {
                            i++;
                            break;
                        }
                        throw fail(n, "expected , or }", line);
                    }
                }
            }
            if (i >= line.length() || line.charAt(i) != ' ') {
                throw fail(n, "expected a space before the value", line);
            }
            String[] rest = line.substring(i + 1).split(" ", -1);
            if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) {
                throw fail(n, "bad value", line);
            }
            if (rest.length == 2 && !TIMESTAMP.matcher(rest[1]).matches()) {
                throw fail(n, "bad timestamp", line);
            }
            return new Sample(name, labels, parseFloat(rest[0]));
        }

        private static double parseFloat(String v) {
            return switch (v) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(v);
            };
        }

        private void checkHistograms() {
            for (Map.Entry<String, String> t : types.entrySet()) {
                if (!t.getValue().equals("histogram")) {
                    continue;
                }
                String name = t.getKey();
                Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
                Map<Map<String, String>, Double> counts = new HashMap<>();
                Set<Map<String, String>> sums = new HashSet<>();
                for (Sample s : samples) {
                    if (s.name().equals(name + "_bucket")) {
                        Map<String, String> rest = new HashMap<>(s.labels());
                        rest.remove("le");
                        buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
                    } else if (s.name().equals(name + "_count")) {
                        counts.put(s.labels(), s.value());
                    } else if (s.name().equals(name + "_sum")) {
                        sums.add(s.labels());
                    }
                }
                if (!buckets.keySet().equals(counts.keySet()) || !counts.keySet().equals(sums)) {
                    throw new IllegalArgumentException(name + ": _bucket, _count and _sum series do not match");
                }
                for (Map.Entry<Map<String, String>, List<Sample>> b : buckets.entrySet()) {
                    double previousLe = Double.NEGATIVE_INFINITY;
                    double previousCount = 0;
                    List<Sample> series = b.getValue();
                    for (Sample s : series) {
                        String le = s.labels().get("le");
                        if (!FLOAT.matcher(le).matches()) {
                            throw new IllegalArgumentException(name + ": bad le " + le);
                        }
                        double bound = parseFloat(le);
                        if (!(bound > previousLe)) {
                            throw new IllegalArgumentException(name + b.getKey() + ": le not increasing at " + le);
                        }
                        if (!(s.value() >= previousCount)) {
                            throw new IllegalArgumentException(name + b.getKey() + ": buckets not cumulative at le=" + le);
                        }
                        previousLe = bound;
                        previousCount = s.value();
                    }
                    if (previousLe != Double.POSITIVE_INFINITY) {
                        throw new IllegalArgumentException(name + b.getKey() + ": no le=\"+Inf\" bucket last");
                    }
                    if (previousCount != counts.get(b.getKey())) {
                        throw new IllegalArgumentException(name + b.getKey() + ": +Inf bucket differs from _count");
                    }
                }
            }
        }

        /** The value of the one series named {@code name} with exactly {@code labels}. */
        double value(String name, Map<String, String> labels) {
            List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
            assertThat(found).as(name + labels + " in the exposition").hasSize(1);
            return found.getFirst().value();
        }

        /** The sum of every series named {@code name} whose labels include {@code labels}. */
        double sum(String name, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                    .mapToDouble(Sample::value).sum();
        }
    }
}
