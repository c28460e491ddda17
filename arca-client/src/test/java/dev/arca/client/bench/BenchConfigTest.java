package dev.arca.client.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.client.http.HttpEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BenchConfigTest {

    @Test
    void defaults() throws UsageException {
        BenchConfig c = BenchConfig.parse(new String[0], Map.of());
        assertThat(c.endpoint()).isEqualTo(new HttpEndpoint("127.0.0.1", 9000));
        assertThat(c.signed()).isFalse();
        assertThat(c.region()).isEqualTo("us-east-1");
        assertThat(c.bucket()).isEqualTo("arca-bench");
        assertThat(c.concurrency()).isEqualTo(8);
        assertThat(c.duration()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.scenarios()).containsExactly(Scenario.LARGE, Scenario.SMALL);
        assertThat(c.largeSize()).isEqualTo(64L << 20);
        assertThat(c.smallSize()).isEqualTo(4096);
        assertThat(c.keep()).isFalse();
        assertThat(c.checkEtags()).isTrue();
        assertThat(c.verifyBodies()).isFalse();
    }

    @Test
    void flagsOverrideTheEnvironment() throws UsageException {
        Map<String, String> env = Map.of("ARCA_ENDPOINT", "http://10.0.0.1:8000",
                "ARCA_ACCESS_KEY", "envkey", "ARCA_SECRET_KEY", "envsecret");
        BenchConfig fromEnv = BenchConfig.parse(new String[0], env);
        assertThat(fromEnv.endpoint()).isEqualTo(new HttpEndpoint("10.0.0.1", 8000));
        assertThat(fromEnv.accessKey()).isEqualTo("envkey");

        BenchConfig c = BenchConfig.parse(new String[] {"--endpoint=http://localhost:9100", "--access-key", "k",
            "--concurrency", "3", "--duration", "2m", "--scenarios", "small", "--small-size", "1GiB",
            "--large-size=4KiB", "--keep", "--seed", "-7", "--no-etag-check", "--verify", "--warmup", "500ms"}, env);
        assertThat(c.endpoint()).isEqualTo(new HttpEndpoint("localhost", 9100));
        assertThat(c.accessKey()).isEqualTo("k");
        assertThat(c.secretKey()).isEqualTo("envsecret");
        assertThat(c.concurrency()).isEqualTo(3);
        assertThat(c.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.warmup()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.scenarios()).containsExactly(Scenario.SMALL);
        assertThat(c.smallSize()).isEqualTo(1L << 30);
        assertThat(c.largeSize()).isEqualTo(4096);
        assertThat(c.keep()).isTrue();
        assertThat(c.seed()).isEqualTo(-7);
        assertThat(c.checkEtags()).isFalse();
        assertThat(c.verifyBodies()).isTrue();
        assertThat(c.sizeOf(Scenario.SMALL)).isEqualTo(1L << 30);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "--concurrency 0", "--concurrency 1025", "--concurrency many",
        "--duration 0s", "--duration 601s", "--duration 11m", "--duration 10x", "--duration -1s",
        "--warmup 1.5s", "--timeout 0s",
        "--large-size 2GiB", "--small-size 0", "--small-size 12XB", "--small-size -4KiB",
        "--scenarios large,medium", "--scenarios ", "--bucket Upper_Case", "--bucket ab",
        "--endpoint ftp://s3.example.com", "--endpoint http://host/prefix", "--endpoint nonsense",
        "--trust-cert /no/such/file.pem", "--endpoint https://h --trust-cert /no/such/file.pem",
        "--access-key only", "--keep=yes", "--colour blue", "positional", "--duration", "--seed x",
        "--region ",
    })
    void badValuesAreUsageErrors(String line) {
        String[] args = line.split(" ", -1);
        assertThatThrownBy(() -> BenchConfig.parse(args, Map.of()))
                .isInstanceOf(UsageException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void httpsEndpointsTrustTheJdkCasOrTheGivenCertificate(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        BenchConfig jdk = BenchConfig.parse(new String[] {"--endpoint", "https://127.0.0.1:9443"}, Map.of());
        assertThat(jdk.endpoint()).isEqualTo(new HttpEndpoint("127.0.0.1", 9443, true));
        assertThat(jdk.tls()).isNull();
        assertThat(BenchConfig.parse(new String[0], Map.of()).tls()).isNull();
        // A certificate the JDK itself ships (keytool writes PEM with -rfc): any X.509 certificate will do here.
        java.nio.file.Path pem = dir.resolve("cert.pem");
        Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keystore", dir.resolve("ks.p12").toString(), "-storepass", "changeit", "-alias", "a",
                "-keyalg", "EC", "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1").redirectErrorStream(true).start();
        assertThat(keytool.waitFor()).isZero();
        Process export = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-exportcert", "-rfc", "-keystore", dir.resolve("ks.p12").toString(), "-storepass", "changeit", "-alias", "a",
                "-file", pem.toString()).redirectErrorStream(true).start();
        assertThat(export.waitFor()).isZero();
        BenchConfig trusting = BenchConfig.parse(new String[] {"--endpoint", "https://127.0.0.1:9443", "--trust-cert", pem.toString()},
                Map.of());
        assertThat(trusting.tls()).isNotNull();
        assertThat(BenchConfig.parse(new String[] {"--endpoint", "https://127.0.0.1:9443", "--insecure-trust-cert", pem.toString()},
                Map.of()).tls()).isNotNull();
        assertThatThrownBy(() -> BenchConfig.parse(new String[] {"--trust-cert", pem.toString()}, Map.of()))
                .isInstanceOf(UsageException.class).hasMessageContaining("https:// endpoints only");
    }

    @Test
    void duplicateScenariosCollapse() throws UsageException {
        BenchConfig c = BenchConfig.parse(new String[] {"--scenarios", "small,large,small"}, Map.of());
        assertThat(c.scenarios()).isEqualTo(List.of(Scenario.SMALL, Scenario.LARGE));
    }
}
