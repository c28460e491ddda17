package dev.arca.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheDocumentedOnes() {
        DetectorSettings d = DetectorSettings.defaults();
        assertThat(d.rule(Rule.MASS_DELETE)).isEqualTo(new DetectorSettings.RuleSettings(true, 100, Duration.ofMinutes(1), 500, 0,
                EnumSet.allOf(Response.class)));
        assertThat(d.rule(Rule.MASS_OVERWRITE).threshold()).isEqualTo(200);
        assertThat(d.rule(Rule.MASS_OVERWRITE).responses()).containsExactly(Response.ALERT);
        assertThat(d.rule(Rule.ENTROPY_OVERWRITE).threshold()).isEqualTo(10);
        assertThat(d.rule(Rule.SSE_C_REENCRYPTION).threshold()).isEqualTo(5);
        assertThat(d.rule(Rule.CONFIG_TAMPER).threshold()).isEqualTo(1);
        assertThat(d.rule(Rule.CONFIG_TAMPER).responses()).containsExactlyInAnyOrder(Response.ALERT, Response.QUARANTINE);
        assertThat(d.rule(Rule.CONFIG_CHANGE).responses()).containsExactly(Response.ALERT);
        assertThat(d.rule(Rule.ACCESS_DENIED).window()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.rule(Rule.ACCESS_DENIED).ipThreshold()).isEqualTo(20);
        assertThat(d.rule(Rule.EXFILTRATION).threshold()).isEqualTo(2_000);
        assertThat(d.exfiltration().bytesFloor()).isEqualTo(2L << 30);
        assertThat(d.exfiltration().multiplier()).isEqualTo(20);
        assertThat(d.entropy()).isEqualTo(new DetectorSettings.EntropySettings(7.8, 7.0, 4096, 1024));
        assertThat(d.webhook()).isEmpty();
        assertThat(d.rules()).hasSize(Rule.values().length);
    }

    @Test
    void aRulesFileOverridesWhatItNames() throws Exception {
        Path file = dir.resolve("rules.conf");
        Files.writeString(file, """
                # stricter deletes, looser overwrites
                mass-delete.threshold = 50
                mass-delete.window    = 2m
                Mass-Overwrite.Responses = alert, protect

                mass-overwrite.bucket-threshold = 0
                access-denied.ip-threshold = 100
                access-denied.responses = alert,quarantine
                exfiltration.threshold = 500
                exfiltration.bytes-floor = 512MiB
                exfiltration.window = PT5M
                entropy.high = 7.9
                entropy.min-sample-bytes = 8KiB
                limits.principals = 1000
                config-change.enabled = off
                sse-c-reencryption.responses = none
                alert.webhook = https://hooks.example.com/arca
                """);
        DetectorSettings s = DetectorSettings.load(file);
        assertThat(s.rule(Rule.MASS_DELETE).threshold()).isEqualTo(50);
        assertThat(s.rule(Rule.MASS_DELETE).window()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.rule(Rule.MASS_DELETE).bucketThreshold()).as("untouched").isEqualTo(500);
        assertThat(s.rule(Rule.MASS_OVERWRITE).responses()).isEqualTo(Set.of(Response.ALERT, Response.PROTECT));
        assertThat(s.rule(Rule.MASS_OVERWRITE).bucketThreshold()).isZero();
        assertThat(s.rule(Rule.ACCESS_DENIED).ipThreshold()).isEqualTo(100);
        assertThat(s.rule(Rule.ACCESS_DENIED).responses()).contains(Response.QUARANTINE);
        assertThat(s.rule(Rule.EXFILTRATION).threshold()).isEqualTo(500);
        assertThat(s.rule(Rule.EXFILTRATION).window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.exfiltration().bytesFloor()).isEqualTo(512L << 20);
        assertThat(s.entropy().high()).isEqualTo(7.9);
        assertThat(s.entropy().minSampleBytes()).isEqualTo(8192);
        assertThat(s.limits().principals()).isEqualTo(1000);
        assertThat(s.rule(Rule.CONFIG_CHANGE).enabled()).isFalse();
        assertThat(s.rule(Rule.SSE_C_REENCRYPTION).responses()).isEmpty();
        assertThat(s.webhook()).hasValueSatisfying(u -> assertThat(u.getHost()).isEqualTo("hooks.example.com"));
    }

    @Test
    void durationsAndSizes() {
        assertThat(DetectorSettings.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DetectorSettings.duration("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DetectorSettings.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DetectorSettings.duration("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DetectorSettings.size("2GiB")).isEqualTo(2L << 30);
        assertThat(DetectorSettings.size("64 KB")).isEqualTo(64L << 10);
        assertThat(DetectorSettings.size("1_000")).isEqualTo(1000);
        assertThatThrownBy(() -> DetectorSettings.size("0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DetectorSettings.size("99999999999TiB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DetectorSettings.duration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badInputNamesTheLineAndKey() {
        assertError("mass-delete.threshold = 0", "line 1", "mass-delete.threshold", "threshold must be in");
        assertError("\n\nmass-delete.threshold = ten", "line 3", "whole number");
        assertError("mass-delete.window = 0s", "window must be between");
        assertError("mass-delete.window = 2d", "window must be between");
        assertError("mass-delete.frequency = 3", "unknown rule setting 'frequency'");
        assertError("mass-delete.responses = alert, page", "unknown response 'page'");
        assertError("mass-delete.ip-threshold = 5", "only access-denied");
        assertError("mass-delete.enabled = maybe", "true or false");
        assertError("mass-deletes.threshold = 5", "unknown key");
        assertError("threshold = 5", "unknown key 'threshold'");
        assertError("just some words", "expected 'key = value'");
        assertError("= 5", "expected 'key = value'");
        assertError("mass-delete.threshold = 5\nmass-delete.threshold = 6", "line 2", "set twice");
        assertError("entropy.high = 9", "entropy bounds");
        assertError("entropy.previous-low = 7.9", "entropy bounds");
        assertError("entropy.high = NaN", "expected a number");
        assertError("entropy.min-sample-bytes = 1MiB", "sample sizes");
        assertError("exfiltration.multiplier = 0.5", "multiplier");
        assertError("limits.principals = 0", "limits must be");
        assertError("limits.everything = 5", "unknown limit");
        assertError("alert.webhook = ftp://x/y", "http or https");
        assertError("alert.webhook = http://exa mple", "malformed webhook");
        assertError("alert.email = a@b", "known: webhook");
    }

    @Test
    void boundsOrderDoesNotMatter() {
        DetectorSettings s = DetectorSettings.parse("entropy.previous-low = 7.85\nentropy.high = 7.95", "t");
        assertThat(s.entropy().previousLow()).isEqualTo(7.85);
        assertThat(s.entropy().high()).isEqualTo(7.95);
    }

    @Test
    void aMissingOrHugeFileIsAnError() throws Exception {
        assertThatThrownBy(() -> DetectorSettings.load(dir.resolve("absent.conf")))
                .isInstanceOf(DetectorSettings.RulesException.class).hasMessageContaining("cannot read rules file");
        Path huge = dir.resolve("huge.conf");
        Files.writeString(huge, "#".repeat(DetectorSettings.MAX_FILE_BYTES + 1));
        assertThatThrownBy(() -> DetectorSettings.load(huge)).hasMessageContaining("larger than");
    }

    private static void assertError(String text, String... parts) {
        assertThatThrownBy(() -> DetectorSettings.parse(text, "rules.conf"))
                .isInstanceOf(DetectorSettings.RulesException.class)
                .hasMessageStartingWith("rules.conf")
                .satisfies(e -> {
                    for (String p : parts) {
                        assertThat(e.getMessage()).contains(p);
                    }
                });
    }
}
