package dev.arca.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.server.tls.TlsIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS configuration keys, and what a bad certificate or key does at start. */
class TlsSetupTest {
    @TempDir
    Path dir;

    @Test
    void tlsListensOn9443NextToPlainHttpByDefault() {
        ServerConfig c = ConfigLoader.load(List.of(), Map.of());
        assertThat(c.http()).isTrue();
        assertThat(c.tls()).isTrue();
        assertThat(c.tlsPort()).isEqualTo(9443);
        assertThat(c.tlsCert()).isEmpty();
        assertThat(c.tlsKey()).isEmpty();
        assertThat(c.tlsProvider()).isEqualTo("auto");
        assertThat(c.tlsEndpoint(9443)).isEqualTo("https://127.0.0.1:9443");
        assertThat(TlsSetup.certificateFile(c)).isEqualTo(Path.of("./arca-data/tls/cert.pem").toAbsolutePath());
    }

    @Test
    void tlsKeysParse() {
        ServerConfig c = ConfigLoader.load(List.of("--http", "off", "--tls-port", "0", "--tls-cert", "/etc/arca/chain.pem",
                "--tls-key", "/etc/arca/key.pem", "--tls-provider", "JDK"), Map.of());
        assertThat(c.http()).isFalse();
        assertThat(c.tlsPort()).isZero();
        assertThat(c.tlsCert()).contains(Path.of("/etc/arca/chain.pem"));
        assertThat(c.tlsKey()).contains(Path.of("/etc/arca/key.pem"));
        assertThat(c.tlsProvider()).isEqualTo("jdk");
        assertThat(TlsSetup.certificateFile(c)).isEqualTo(Path.of("/etc/arca/chain.pem"));
        ServerConfig off = ConfigLoader.load(List.of("--tls-port", "off"), Map.of("ARCA_HTTP", "on"));
        assertThat(off.tls()).isFalse();
        assertThat(off.tlsPort()).isEqualTo(ServerConfig.TLS_OFF);
        assertThat(ConfigLoader.load(List.of(), Map.of("ARCA_TLS_PORT", "8443")).tlsPort()).isEqualTo(8443);
    }

    @Test
    void badTlsSettingsAreRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--http", "off", "--tls-port", "off"), Map.of()))
                .hasMessageContaining("nothing would listen");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--http", "maybe"), Map.of())).hasMessageContaining("on or off");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--tls-port", "70000"), Map.of())).hasMessageContaining("tls-port");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--address", "127.0.0.1:9443"), Map.of()))
                .hasMessageContaining("tls-port").hasMessageContaining("other than the plain-HTTP one");
        assertThat(ConfigLoader.load(List.of("--address", "127.0.0.1:9443", "--http", "off"), Map.of()).tlsPort()).isEqualTo(9443);
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--tls-cert", "/c.pem"), Map.of()))
                .hasMessageContaining("tls-cert is set").hasMessageContaining("tls-key is not");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--tls-key", "/k.pem"), Map.of()))
                .hasMessageContaining("tls-key is set");
        assertThatThrownBy(() -> ConfigLoader.load(List.of("--tls-provider", "gnutls"), Map.of()))
                .hasMessageContaining("auto, openssl or jdk");
    }

    @Test
    void givenPemFilesAreUsedAndTheGeneratedPairOtherwise() {
        ServerConfig generated = ConfigLoader.load(List.of("--data", dir.toString(), "--tls-port", "0"), Map.of());
        TlsIdentity self = TlsSetup.identity(generated, dir);
        assertThat(self.selfSigned()).isTrue();
        assertThat(self.certFile()).isEqualTo(dir.resolve("tls/cert.pem"));
        ServerConfig given = ConfigLoader.load(List.of("--data", dir.resolve("other").toString(), "--tls-port", "0",
                "--tls-cert", self.certFile().toString(), "--tls-key", self.keyFile().toString()), Map.of());
        TlsIdentity loaded = TlsSetup.identity(given, dir.resolve("other"));
        assertThat(loaded.selfSigned()).isFalse();
        assertThat(loaded.sha256Fingerprint()).isEqualTo(self.sha256Fingerprint());
        assertThat(dir.resolve("other/tls")).doesNotExist();
        assertThat(TlsSetup.serverTls(ConfigLoader.load(List.of("--tls-port", "off"), Map.of()), dir)).isNull();
    }

    @Test
    void aBadCertificateStopsTheStartWithAClearMessage() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "garbage\n");
        ServerConfig config = ConfigLoader.load(List.of("--tls-cert", cert.toString(), "--tls-key", key.toString()), Map.of());
        assertThatThrownBy(() -> TlsSetup.serverTls(config, dir))
                .isInstanceOf(ConfigLoader.ConfigException.class)
                .hasMessageStartingWith("tls-cert/tls-key: certificate file " + cert)
                .hasMessageContaining("not a valid PEM certificate chain");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"serve", "--data", dir.resolve("data").toString(), "--address", "127.0.0.1:0",
                "--tls-port", "0", "--scrub-rate", "0", "--tls-cert", cert.toString(), "--tls-key", key.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("arca: tls-cert/tls-key: certificate file " + cert);
        assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("ready");
    }

    @Test
    void tlsProviderChoosesTheEngine() {
        for (String provider : List.of("auto", "openssl", "jdk")) {
            ServerConfig c = ConfigLoader.load(List.of("--data", dir.toString(), "--tls-port", "0", "--tls-provider", provider), Map.of());
            var tls = TlsSetup.serverTls(c, dir);
            // BoringSSL loads on this machine's platform (linux-x86_64): auto takes it; jdk forces the fallback.
            assertThat(tls.openSsl()).as(provider).isEqualTo(!provider.equals("jdk"));
            assertThat(tls.providerDescription()).as(provider).startsWith(provider.equals("jdk") ? "JDK SSLEngine" : "OpenSSL");
        }
        assertThat(Optional.of(ConfigLoader.load(List.of("--tls-provider", "OpenSSL"), Map.of()).tlsProvider())).contains("openssl");
    }
}
