package dev.arca.audit;

import static dev.arca.audit.AuditTestSupport.CLOCK;
import static dev.arca.audit.AuditTestSupport.record;
import static dev.arca.audit.AuditTestSupport.smallOptions;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.arca.core.Entropy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final Queue<String> bodies = new ConcurrentLinkedQueue<>();
    final Queue<String> contentTypes = new ConcurrentLinkedQueue<>();

    private URI serve(int status, long delayMillis) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/audit", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            bodies.add(new String(body, StandardCharsets.UTF_8));
            contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/audit");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void batchesOfJsonLinesArriveInOrder() throws IOException {
        URI uri = serve(204, 0);
        List<String> expected = new ArrayList<>();
        try (AuditLog log = AuditLog.open(tmp.resolve("audit"), smallOptions().withWebhook(uri, 10_000),
                Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 2_500; i++) {
                AuditRecord r = record(i);
                log.append(r);
                expected.add(r.toJson());
            }
            log.close();
            assertThat(log.webhookDropped()).isZero();
            assertThat(log.webhookSent()).isEqualTo(2_500);
        }
        List<String> received = new ArrayList<>();
        for (String body : bodies) {
            assertThat(body).endsWith("\n");
            received.addAll(List.of(body.split("\n")));
        }
        assertThat(received).containsExactlyElementsOf(expected);
        assertThat(bodies.size()).isGreaterThanOrEqualTo(3); // at most 1,000 records per POST
        assertThat(contentTypes).containsOnly("application/x-ndjson");
    }

    @Test
    void failuresAreCountedAndTheChainIsUnaffected() throws IOException {
        URI uri = serve(500, 0);
        Path dir = tmp.resolve("audit");
        try (AuditLog log = AuditLog.open(dir, smallOptions().withWebhook(uri, 10_000), Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 300; i++) {
                log.append(record(i));
            }
            log.close();
            assertThat(log.webhookDropped()).isEqualTo(300);
        }
        assertThat(AuditVerifier.verify(dir, null).records()).isEqualTo(300);
    }

    @Test
    void overflowDropsAndCounts() throws IOException {
        URI uri = serve(200, 100); // a slow receiver
        try (AuditLog log = AuditLog.open(tmp.resolve("audit"), smallOptions().withWebhook(uri, 5), Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 500; i++) {
                log.append(record(i));
            }
            log.close();
            assertThat(log.webhookDropped()).isPositive();
            assertThat(log.webhookDropped() + log.webhookSent()).isEqualTo(500);
        }
    }

    @Test
    void unreachableWebhookDropsWithoutBlocking() throws IOException {
        URI uri = serve(200, 0);
        server.stop(0);
        server = null;
        try (AuditLog log = AuditLog.open(tmp.resolve("audit"), smallOptions().withWebhook(uri, 10_000),
                Entropy.seeded(1), CLOCK)) {
            for (int i = 0; i < 50; i++) {
                log.append(record(i));
            }
            log.close();
            assertThat(log.webhookDropped()).isEqualTo(50);
        }
    }
}
