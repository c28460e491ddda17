package dev.arca.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Short end-to-end runs of the benchmark against {@link FakeS3}. */
class BenchMainTest {

    private static final String ACCESS = "AKIDTEST";
    private static final String SECRET = "test-secret";
    private static final long LARGE = 1024 * 1024;
    private static final long SMALL = 4096;
    private static final int CONCURRENCY = 2;

    /** Output of one run. */
    private record Run(int exit, List<Map<String, Object>> lines, String stdout, String stderr) {
    }

    @Test
    void fullRunReportsConsistentPhasesAndCleansUp() throws Exception {
        try (FakeS3 s3 = new FakeS3(ACCESS, SECRET)) {
            Run run = run(Map.of("ARCA_ACCESS_KEY", ACCESS, "ARCA_SECRET_KEY", SECRET),
                    "--endpoint", s3.url(), "--duration", "1s", "--warmup", "0s",
                    "--concurrency", String.valueOf(CONCURRENCY), "--large-size", "1MiB", "--small-size=4KiB",
                    "--bucket", "bench-test", "--verify");

            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.lines()).hasSize(4);
            assertPhase(run.lines().get(0), s3.url(), "large", "PUT", LARGE);
            assertPhase(run.lines().get(1), s3.url(), "large", "GET", LARGE);
            assertPhase(run.lines().get(2), s3.url(), "small", "PUT", SMALL);
            assertPhase(run.lines().get(3), s3.url(), "small", "GET", SMALL);
            for (Map<String, Object> line : run.lines()) {
                assertThat(num(line, "errors")).isZero();
            }

            // What the server saw matches the report: large phases add one warm-up request per worker,
            // small phases with --warmup 0s add none.
            String large = "bench/" + LARGE + "/";
            String small = "bench/" + SMALL + "/";
            assertThat(s3.count("PUT", large)).isEqualTo(num(run.lines().get(0), "requests") + CONCURRENCY);
            assertThat(s3.count("GET", large)).isEqualTo(num(run.lines().get(1), "requests") + CONCURRENCY);
            assertThat(s3.count("PUT", small)).isEqualTo(num(run.lines().get(2), "requests"));
            assertThat(s3.count("GET", small)).isEqualTo(num(run.lines().get(3), "requests"));
            // Without --keep every object written is deleted again.
            assertThat(s3.count("DELETE", large)).isEqualTo(s3.count("PUT", large));
            assertThat(s3.count("DELETE", small)).isEqualTo(s3.count("PUT", small));
            assertThat(s3.stored("bench/")).isZero();
            assertThat(s3.hasBucket("bench-test")).isTrue();
            assertThat(run.stderr()).contains("large PUT").contains("small GET").doesNotContain("error:");
        }
    }

    @Test
    void failedRequestsAreCountedAndSetTheExitCode() throws Exception {
        try (FakeS3 s3 = new FakeS3(null, null)) {
            s3.failEveryNthGet(5);
            Run run = run(Map.of(), "--endpoint", s3.url(), "--duration", "1s", "--warmup", "0s",
                    "--concurrency", "2", "--scenarios", "small", "--keep");

            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.lines()).hasSize(2);
            Map<String, Object> put = run.lines().get(0);
            Map<String, Object> get = run.lines().get(1);
            assertThat(num(put, "errors")).isZero();
            long requests = num(get, "requests");
            long errors = num(get, "errors");
            assertThat(errors).isPositive().isCloseTo(requests / 5, within(2L));
            assertThat(num(get, "bytes")).isEqualTo((requests - errors) * SMALL);
            assertThat(run.stderr()).contains("error: small GET").contains("HTTP 500 InternalError");
            // --keep leaves every written object in place.
            assertThat(s3.stored("bench/" + SMALL + "/")).isEqualTo(num(put, "requests"));
        }
    }

    @Test
    void aWrongSecretFailsAtBucketCreation() throws Exception {
        try (FakeS3 s3 = new FakeS3(ACCESS, SECRET)) {
            Run run = run(Map.of(), "--endpoint", s3.url(), "--access-key", ACCESS, "--secret-key", "wrong",
                    "--duration", "1s");
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.stdout()).isEmpty();
            assertThat(run.stderr()).contains("create bucket").contains("SignatureDoesNotMatch");
        }
    }

    @Test
    void badUsageExitsWithTwoAndPrintsUsage() throws Exception {
        Run bad = run(Map.of(), "--duration", "11m");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stdout()).isEmpty();
        assertThat(bad.stderr()).contains("--duration").contains("usage: arca-bench");

        Run unknown = run(Map.of(), "--colour", "blue");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown option: --colour");

        Run help = run(Map.of(), "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.stderr()).contains("usage: arca-bench");
    }

    private static void assertPhase(Map<String, Object> line, String endpoint, String scenario, String op, long size) {
        assertThat(line).containsEntry("tool", "arca-bench").containsEntry("endpoint", endpoint)
                .containsEntry("scenario", scenario).containsEntry("op", op);
        assertThat(line.keySet()).contains("GBps", "ops_per_s", "p50_ms", "p99_ms", "client_cpu_s", "seconds");
        assertThat(num(line, "size")).isEqualTo(size);
        assertThat(num(line, "concurrency")).isEqualTo(CONCURRENCY);
        long requests = num(line, "requests");
        long errors = num(line, "errors");
        double seconds = dbl(line, "seconds");
        assertThat(requests).isPositive();
        assertThat(num(line, "bytes")).isEqualTo((requests - errors) * size);
        assertThat(seconds).isBetween(1.0, 30.0);
        // Both sides come from the printed (rounded) values: allow the printing precision.
        double gbps = num(line, "bytes") / seconds / 1e9;
        assertThat(dbl(line, "GBps")).isCloseTo(gbps, within(0.00005 + gbps * 1e-5));
        double ops = (requests - errors) / seconds;
        assertThat(dbl(line, "ops_per_s")).isCloseTo(ops, within(0.05 + ops * 1e-5));
        assertThat(dbl(line, "p50_ms")).isPositive().isLessThanOrEqualTo(dbl(line, "p99_ms"));
        assertThat(dbl(line, "p99_ms")).isLessThanOrEqualTo(dbl(line, "max_ms"));
        assertThat(dbl(line, "client_cpu_s")).isPositive();
    }

    private static long num(Map<String, Object> line, String key) {
        double v = dbl(line, key);
        assertThat(v).as(key + " is a whole number").isEqualTo(Math.rint(v));
        return (long) v;
    }

    private static double dbl(Map<String, Object> line, String key) {
        assertThat(line).containsKey(key);
        return (Double) line.get(key);
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = BenchMain.run(args, env, o, e);
        }
        String stdout = out.toString(StandardCharsets.UTF_8);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            if (!line.isBlank()) {
                lines.add(FlatJson.parse(line));
            }
        }
        return new Run(exit, lines, stdout, err.toString(StandardCharsets.UTF_8));
    }
}
