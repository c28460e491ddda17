package dev.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class HttpServerOptionsTest {
    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void defaultsAreTheDocumentedOnes() {
        HttpServerOptions defaults = HttpServerOptions.defaults();
        assertThat(defaults.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.port()).isEqualTo(9000);
        assertThat(defaults.ioThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(defaults.maxConcurrentRequests()).isEqualTo(1024);
        assertThat(defaults.idleTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(defaults.bodyReadTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new HttpServerOptions(" ", 0, 1, 1, S, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions(null, 0, 1, 1, S, S, S)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", -1, 1, 1, S, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 65_536, 1, 1, S, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 0, 1, S, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 1, 0, S, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 1, 1, Duration.ZERO, S, S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 1, 1, S, S.negated(), S)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 1, 1, S, S, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new HttpServerOptions("h", 0, 1, 1, S, Duration.ofDays(2), S)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new HttpServerOptions("h", 0, 1, 1, S, S, Duration.ZERO).shutdownGrace()).isZero();
    }
}
