package dev.arca.client.feed;

import static dev.arca.client.feed.FeedTestSupport.field;
import static dev.arca.client.feed.FeedTestSupport.number;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.client.loader.RangeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Short feed runs against {@link RangeServer}: generation, JSON output, exit codes. Never a timing threshold. */
class FeedMainTest {

    /** Output of one run. */
    private record Run(int exit, List<String> lines, String stderr) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = FeedMain.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        List<String> lines = Arrays.stream(out.toString(StandardCharsets.UTF_8).split("\n")).filter(l -> !l.isBlank()).toList();
        return new Run(exit, lines, err.toString(StandardCharsets.UTF_8));
    }

    private static void assertTrial(String json, String preset, int accelerators) {
        assertThat(field(json, "tool")).isEqualTo("arca-feed");
        assertThat(field(json, "preset")).isEqualTo(preset);
        assertThat(number(json, "accelerators")).isEqualTo(accelerators);
        assertThat(number(json, "au")).isBetween(0.0, 1.0);
        assertThat(number(json, "samples")).isPositive();
        assertThat(number(json, "bytes")).isPositive();
        assertThat(number(json, "errors")).isZero();
    }

    @Test
    void fileWorkloadGeneratesItsDatasetAndReports() {
        try (RangeServer s = new RangeServer("feed-test")) {
            String[] args = {"--endpoint", s.url(), "--bucket", "feed-test", "--preset", "cosmoflow-h100",
                "--scale", "0.01", "--accelerators", "2", "--duration", "1s", "--samples", "12", "--seed", "3", "--json"};
            Run r = run(args);
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.lines()).hasSize(2);
            assertTrial(r.lines().get(0), "cosmoflow-h100", 2);
            assertThat(field(r.lines().get(1), "summary")).isEqualTo("true");
            assertThat(r.stderr()).contains("generating 12 samples").contains("AU").contains("seed 3");
            assertThat(s.count("HEAD")).isZero();

            Run again = run(args);
            assertThat(again.exit()).as(again.stderr()).isZero();
            assertThat(again.stderr()).contains("present").doesNotContain("generating");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shardWorkloadAndSearchRun() throws Exception {
        try (RangeServer s = new RangeServer("feed-test")) {
            Run r = run("--endpoint", s.url(), "--bucket", "feed-test", "--preset", "resnet50-h100", "--scale", "0.01",
                    "--search", "--accelerators", "2", "--max-trials", "2", "--duration", "1s", "--samples", "900",
                    "--read-threads", "2", "--json");
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(r.lines().size()).isBetween(2, 3);
            assertTrial(r.lines().getFirst(), "resnet50-h100", 1);
            String summary = r.lines().getLast();
            assertThat(field(summary, "mode")).isEqualTo("search");
            assertThat(number(summary, "max_accelerators_passing")).isBetween(0.0, 2.0);
            assertThat(r.stderr()).contains("largest N with AU >= 90%");
        }
    }

    @Test
    void humanOutputWithoutJsonAndUsageErrors() throws Exception {
        try (RangeServer s = new RangeServer("feed-test")) {
            Run r = run("--endpoint", s.url(), "--bucket", "feed-test", "--preset", "unet3d-h100", "--scale", "0.001",
                    "--duration", "500ms", "--samples", "14");
            assertThat(r.exit()).as(r.stderr()).isZero();
            assertThat(String.join("\n", r.lines())).contains("unet3d-h100 x1").contains("AU").contains("GB/s")
                    .contains("CPU-s/GiB").doesNotContain("{");
        }
        Run bad = run("--preset", "nope");
        assertThat(bad.exit()).isEqualTo(FeedMain.EXIT_USAGE);
        assertThat(bad.stderr()).contains("unknown preset").contains("usage:");
        assertThat(run("--help").stderr()).contains("--search");
    }

    @Test
    void unreachableEndpointFailsTheRun() {
        Run r = run("--endpoint", "http://127.0.0.1:1", "--preset", "cosmoflow-h100", "--scale", "0.01",
                "--duration", "500ms", "--samples", "2");
        assertThat(r.exit()).isEqualTo(FeedMain.EXIT_ERRORS);
        assertThat(r.stderr()).contains("dataset setup failed");
    }
}
