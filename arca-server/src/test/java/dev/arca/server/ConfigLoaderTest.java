package dev.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @Test
    void defaults() {
        ServerConfig c = ConfigLoader.load(List.of(), Map.of());
        assertThat(c.dataDir()).isEqualTo(Path.of("./arca-data"));
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.domains()).containsExactly("localhost");
        assertThat(c.syncMetadata()).isTrue();
        assertThat(c.endpoint(9000)).isEqualTo("http://127.0.0.1:9000");
    }

    @Test
    void drivesDefaultToFourUnderTheDataDirectoryWithTwoPlusTwo() {
        ServerConfig c = ConfigLoader.load(List.of("--data", "/srv/arca"), Map.of());
        assertThat(c.drives()).containsExactly(Path.of("/srv/arca/drive-1"), Path.of("/srv/arca/drive-2"),
                Path.of("/srv/arca/drive-3"), Path.of("/srv/arca/drive-4"));
        assertThat(c.erasureData()).isEqualTo(2);
        assertThat(c.erasureParity()).isEqualTo(2);
        assertThat(c.erasureCoder()).isEqualTo("auto");
        assertThat(c.scrubRate()).isEqualTo(32L << 20);
        assertThat(c.scrubInterval()).isEqualTo(Duration.ofHours(24));
        assertThat(c.lifecycleInterval()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void erasureGeometryFollowsTheDriveCountUnlessGiven() {
        record Case(int drives, int k, int m) {}
        for (Case x : List.of(new Case(1, 1, 0), new Case(2, 1, 1), new Case(3, 2, 1), new Case(4, 2, 2), new Case(6, 4, 2),
                new Case(8, 6, 2), new Case(12, 9, 3), new Case(16, 12, 4))) {
            ServerConfig c = ConfigLoader.load(List.of("--drive-count", Integer.toString(x.drives())), Map.of());
            assertThat(c.drives()).as("%s", x).hasSize(x.drives());
            assertThat(List.of(c.erasureData(), c.erasureParity())).as("%s", x).containsExactly(x.k(), x.m());
        }
        ServerConfig c = ConfigLoader.load(List.of("--drives", "/d/a, /d/b,/d/c,/d/d,/d/e,/d/f", "--erasure-parity", "3"), Map.of());
        assertThat(c.drives()).hasSize(6).first().isEqualTo(Path.of("/d/a"));
        assertThat(List.of(c.erasureData(), c.erasureParity())).containsExactly(3, 3);
        c = ConfigLoader.load(List.of("--drive-count", "8", "--erasure-data", "4", "--erasure-parity", "2"), Map.of());
        assertThat(List.of(c.erasureData(), c.erasureParity())).containsExactly(4, 2);
        c = ConfigLoader.load(List.of("--drive-count", "8", "--erasure-data", "5"), Map.of());
        assertThat(List.of(c.erasureData(), c.erasureParity())).containsExactly(5, 3);
        assertThat(ConfigLoader.load(List.of(), Map.of()).erasureParityReduced()).isEqualTo(1);
        assertThat(ConfigLoader.load(List.of("--drive-count", "1"), Map.of()).erasureParityReduced()).isZero();
        assertThat(ConfigLoader.load(List.of("--drive-count", "8", "--erasure-parity-rrs", "2"), Map.of()).erasureParityReduced())
                .isEqualTo(2);
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--erasure-parity-rrs", "3"), Map.of()))
                .hasMessageContaining("erasure-parity-rrs");
        assertThat(ConfigLoader.load(List.of("--scrub-rate", "512KiB"), Map.of()).scrubRate()).isEqualTo(512L * 1024);
        assertThat(ConfigLoader.load(List.of("--scrub-rate", "0"), Map.of()).scrubRate()).isZero();
    }

    @Test
    void badErasureSettingsAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--drive-count", "0"), Map.of())).hasMessageContaining("drive-count");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--drive-count", "33"), Map.of())).hasMessageContaining("drive-count");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--drives", "/a,/b,/a"), Map.of())).hasMessageContaining("distinct");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--erasure-parity", "4"), Map.of())).hasMessageContaining("erasure-parity");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--erasure-data", "3", "--erasure-parity", "2"), Map.of()))
                .hasMessageContaining("fit on the 4 drives");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--erasure-coder", "fast"), Map.of())).hasMessageContaining("isa-l");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--scrub-rate", "lots"), Map.of())).hasMessageContaining("scrub-rate");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--scrub-rate", "-1"), Map.of())).hasMessageContaining("scrub-rate");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--scrub-interval", "0s"), Map.of())).hasMessageContaining("positive");
    }

    @Test
    void flagsOverrideEnvironmentOverridesFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("arca.conf");
        Files.writeString(file, "# comment\nregion = eu-west-1\nmax-requests = 10\nidle-timeout = 5m\n");
        ServerConfig c = ConfigLoader.load(List.of("--config", file.toString(), "--max-requests=20", "--address", "[::1]:0"),
                Map.of("ARCA_MAX_REQUESTS", "15", "ARCA_BODY_TIMEOUT", "1500ms", "ARCA_DOMAINS", "s3.example.com, Other.Example"));
        assertThat(c.region()).isEqualTo("eu-west-1");
        assertThat(c.maxRequests()).isEqualTo(20);
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.bodyTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.domains()).containsExactly("s3.example.com", "other.example");
        assertThat(c.host()).isEqualTo("::1");
        assertThat(c.port()).isZero();
        assertThat(c.endpoint(1234)).isEqualTo("http://[::1]:1234");
    }

    @Test
    void unknownKeysAndBadValuesNameTheirSource(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--colour", "red"), Map.of()))
                .hasMessageContaining("unknown configuration key 'colour'").hasMessageContaining("flag --colour");
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "typo-key = 1\n");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--config", file.toString()), Map.of()))
                .hasMessageContaining("typo-key").hasMessageContaining("config file");
        assertThatThrownBy(() -> ConfigLoader.load(List.of(), Map.of("ARCA_MAX_REQUESTS", "many")))
                .hasMessageContaining("max-requests").hasMessageContaining("ARCA_MAX_REQUESTS");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--address", "nohost"), Map.of())).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--address", "h:70000"), Map.of())).hasMessageContaining("address");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--idle-timeout", "10"), Map.of())).hasMessageContaining("duration");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--idle-timeout", "0s"), Map.of())).hasMessageContaining("positive");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--sync-metadata", "yes"), Map.of())).hasMessageContaining("true or false");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--region", "US EAST"), Map.of())).hasMessageContaining("region");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--data"), Map.of())).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("stray"), Map.of())).hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--config", dir.resolve("missing").toString()), Map.of()))
                .hasMessageContaining("cannot read config file");
    }

    @Test
    void rootCredentialsAreGeneratedOnceAndKeptPrivate(@TempDir Path dir) throws Exception {
        RootCredentials first = RootCredentials.load(dir, Map.of(), Entropy.seeded(1));
        assertThat(first.generated()).isTrue();
        assertThat(first.accessKey()).hasSize(RootCredentials.ACCESS_KEY_LENGTH);
        assertThat(first.secretKey()).hasSize(RootCredentials.SECRET_KEY_LENGTH);
        Path file = dir.resolve(RootCredentials.FILE);
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        RootCredentials again = RootCredentials.load(dir, Map.of(), Entropy.seeded(2));
        assertThat(again.generated()).isFalse();
        assertThat(again.accessKey()).isEqualTo(first.accessKey());
        assertThat(again.secretKey()).isEqualTo(first.secretKey());
        RootCredentials fromEnv = RootCredentials.load(dir, Map.of("ARCA_ROOT_ACCESS_KEY", "AKIDEXAMPLE",
                "ARCA_ROOT_SECRET_KEY", "a-long-secret"), Entropy.seeded(3));
        assertThat(fromEnv.accessKey()).isEqualTo("AKIDEXAMPLE");
        assertThat(fromEnv.toString()).doesNotContain("a-long-secret");
        assertThatThrownBy(() -> RootCredentials.load(dir, Map.of("ARCA_ROOT_ACCESS_KEY", "AKIDEXAMPLE"), Entropy.seeded(4)))
                .hasMessageContaining("both");
        assertThatThrownBy(() -> RootCredentials.load(dir, Map.of("ARCA_ROOT_ACCESS_KEY", "AK", "ARCA_ROOT_SECRET_KEY", "secretsecret"),
                Entropy.seeded(4))).hasMessageContaining("access key");
    }
}
