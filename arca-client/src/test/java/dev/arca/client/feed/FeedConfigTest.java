package dev.arca.client.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line parsing, presets and scaling of {@code arca feed}. */
class FeedConfigTest {

    private static FeedConfig parse(String... args) throws FeedUsageException {
        return FeedConfig.parse(args, Map.of());
    }

    @Test
    void presetsAreTheDlioNumbers() {
        assertThat(Preset.byLabel("unet3d-h100")).satisfies(p -> {
            assertThat(p.sampleBytes()).isEqualTo(146_600_628L);
            assertThat(p.batch()).isEqualTo(7);
            assertThat(p.computeSeconds()).isEqualTo(0.323);
            assertThat(p.auThreshold()).isEqualTo(0.90);
            assertThat(p.bytesPerSecondPerAccelerator() / 1e9).isBetween(3.17, 3.18);
        });
        assertThat(Preset.byLabel("UNET3D-A100").computeSeconds()).isEqualTo(0.636);
        assertThat(Preset.byLabel("resnet50-h100")).satisfies(p -> {
            assertThat(p.sampleBytes()).isEqualTo(114_660L);
            assertThat(p.batch()).isEqualTo(400);
            assertThat(p.computeSeconds()).isEqualTo(0.224);
            assertThat(p.format()).isEqualTo(Preset.Format.TAR_SHARDS);
        });
        assertThat(Preset.byLabel("cosmoflow-h100")).satisfies(p -> {
            assertThat(p.sampleBytes()).isEqualTo(2_828_486L);
            assertThat(p.batch()).isEqualTo(1);
            assertThat(p.computeSeconds()).isEqualTo(0.0035);
            assertThat(p.auThreshold()).isEqualTo(0.70);
        });
        assertThat(Preset.byLabel("bert")).isNull();
    }

    @Test
    void defaultsAndScaling() throws FeedUsageException {
        FeedConfig c = parse("--preset", "unet3d-h100", "--scale", "0.05", "--seed", "9");
        assertThat(c.endpoint().url()).isEqualTo("http://127.0.0.1:9000");
        assertThat(c.accelerators()).isEqualTo(1);
        assertThat(c.search()).isFalse();
        assertThat(c.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.sampleBytes()).isEqualTo(Math.round(146_600_628L * 0.05));
        assertThat(c.computeTime()).isEqualTo(Duration.ofNanos(Math.round(0.323 * 0.05 * 1e9)));
        assertThat(c.readThreads()).isEqualTo(4);
        assertThat(c.auThreshold()).isEqualTo(0.90);
        assertThat(c.seed()).isEqualTo(9);
        assertThat(c.loaderConfig().rangeSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.loaderConfig().buffers()).isEqualTo(32);

        FeedConfig s = parse("--preset=cosmoflow-h100", "--search", "--json", "--duration", "5s", "--range-size", "1MiB");
        assertThat(s.search()).isTrue();
        assertThat(s.json()).isTrue();
        assertThat(s.accelerators()).isEqualTo(FeedConfig.DEFAULT_SEARCH_CEILING);
        assertThat(s.auThreshold()).isEqualTo(0.70);
        assertThat(s.loaderConfig().rangeSize()).isEqualTo(1024 * 1024);
        assertThat(s.loaderConfig().buffers()).isEqualTo(256);
    }

    @Test
    void datasetPlans() throws FeedUsageException {
        FeedDataset unet = FeedDataset.plan(parse("--preset", "unet3d-h100", "--scale", "0.05"));
        assertThat(unet.objects()).isEqualTo(168);
        assertThat(unet.prefix()).isEqualTo("feed/unet3d-7330031B-168s/");
        FeedDataset full = FeedDataset.plan(parse("--preset", "unet3d-a100"));
        assertThat(full.objects()).isEqualTo(14); // 2 GiB budget, at least 2 batches
        FeedDataset resnet = FeedDataset.plan(parse("--preset", "resnet50-h100", "--scale", "0.01"));
        assertThat(resnet.recordsPerShard()).isEqualTo(Preset.RECORDS_PER_SHARD);
        assertThat(resnet.objects()).isEqualTo(FeedDataset.MAX_DEFAULT_SHARDS);
        FeedDataset few = FeedDataset.plan(parse("--preset", "resnet50-h100", "--samples", "3000"));
        assertThat(few.objects()).isEqualTo(3);
        assertThat(few.samples()).isGreaterThanOrEqualTo(3000);
    }

    @Test
    void rejectsBadInput() {
        assertThatThrownBy(() -> parse()).hasMessageContaining("--preset is required");
        assertThatThrownBy(() -> parse("--preset", "x")).hasMessageContaining("unknown preset");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--scale", "0")).hasMessageContaining("--scale");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--scale", "2")).hasMessageContaining("--scale");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--duration", "1h")).hasMessageContaining("--duration");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--accelerators", "0")).hasMessageContaining("--accelerators");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--access-key", "a")).hasMessageContaining("both");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--bogus", "1")).hasMessageContaining("unknown option");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--json=1")).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> parse("--preset", "unet3d-h100", "--memory", "1KiB")).hasMessageContaining("--memory");
    }
}
