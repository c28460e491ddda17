package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.client.feed.FeedMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short {@code arca feed} runs against the real server on loopback, in-process through
 * {@link FeedMain#run}: scaled presets, dataset generated on the fly, a few seconds per trial.
 * They check that a run completes and reports sane figures, never a timing threshold: AU on a
 * shared 2-core machine says nothing stable.
 */
class FeedTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(dir);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Output of one run. */
    record Run(int exit, List<String> lines, String stderr) {
    }

    static Run feed(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--endpoint", server.endpoint(),
                "--access-key", ArcaTestServer.ACCESS_KEY, "--secret-key", ArcaTestServer.SECRET_KEY,
                "--bucket", "feed-it", "--json", "--seed", Long.toString(Long.getLong("arca.seed", 1))));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = FeedMain.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        System.out.print(stderr);
        return new Run(exit, Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.isBlank()).toList(),
                stderr);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(\"([^\"]*)\"|[^,}]+)").matcher(json);
        assertThat(m.find()).as(name + " in " + json).isTrue();
        return m.group(2) != null ? m.group(2) : m.group(1);
    }

    static double number(String json, String name) {
        return Double.parseDouble(field(json, name));
    }

    /** A trial line: AU in [0, 1], samples and bytes delivered, no errors. */
    static void assertTrial(String json, String preset, int accelerators) {
        assertThat(field(json, "preset")).isEqualTo(preset);
        assertThat(number(json, "accelerators")).isEqualTo(accelerators);
        assertThat(number(json, "au")).isBetween(0.0, 1.0);
        assertThat(number(json, "au_min")).isBetween(0.0, 1.0);
        assertThat(number(json, "samples")).isPositive();
        assertThat(number(json, "bytes")).isPositive();
        assertThat(number(json, "GBps")).isPositive();
        assertThat(number(json, "errors")).isZero();
        assertThat(number(json, "batch_wait_p99_ms")).isGreaterThanOrEqualTo(number(json, "batch_wait_p50_ms"));
    }

    @Test
    void unet3dScaledRunReportsAu() {
        Run r = feed("--preset", "unet3d-h100", "--scale", "0.01", "--accelerators", "2", "--duration", "5s",
                "--samples", "28");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.lines()).hasSize(2);
        assertTrial(r.lines().get(0), "unet3d-h100", 2);
        assertThat(number(r.lines().get(0), "sample_bytes")).isEqualTo(Math.round(146_600_628 * 0.01));
        assertThat(field(r.lines().get(1), "summary")).isEqualTo("true");
        assertThat(r.stderr()).contains("AU").contains("GB/s");
    }

    @Test
    void resnet50ShardsScaledRunReportsAu() {
        Run r = feed("--preset", "resnet50-h100", "--scale", "0.01", "--accelerators", "2", "--duration", "5s",
                "--samples", "2000");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertTrial(r.lines().getFirst(), "resnet50-h100", 2);
    }

    @Test
    void cosmoflowSearchIsBounded() {
        Run r = feed("--preset", "cosmoflow-h100", "--scale", "0.1", "--search", "--accelerators", "4",
                "--max-trials", "3", "--duration", "2s", "--samples", "32");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.lines().size()).isBetween(2, 4); // at most 3 trials and the summary
        for (String trial : r.lines().subList(0, r.lines().size() - 1)) {
            assertThat(number(trial, "au")).isBetween(0.0, 1.0);
            assertThat(number(trial, "errors")).isZero();
        }
        String summary = r.lines().getLast();
        assertThat(field(summary, "mode")).isEqualTo("search");
        assertThat(number(summary, "max_accelerators_passing")).isBetween(0.0, 4.0);
    }
}
