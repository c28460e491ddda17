package dev.arca.client.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against the JDK's HTTP server, and against scripted bytes for odd framing. */
class HttpConnectionTest {

    private static final byte[] CHUNKED_BODY = randomBytes(300_000, 7);
    private static final HttpTimeouts FAST = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5));

    private HttpServer server;
    private ExecutorService executor;
    private final Set<SocketAddress> clientSockets = ConcurrentHashMap.newKeySet();
    private HttpEndpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/fixed", ex -> respond(ex, 200, "hello world".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/chunked", ex -> {
            clientSockets.add(ex.getRemoteAddress());
            ex.sendResponseHeaders(200, 0); // 0 = chunked in the JDK server
            try (OutputStream out = ex.getResponseBody()) {
                for (int off = 0; off < CHUNKED_BODY.length; off += 70_000) {
                    out.write(CHUNKED_BODY, off, Math.min(70_000, CHUNKED_BODY.length - off));
                    out.flush();
                }
            }
        });
        server.createContext("/missing", ex -> respond(ex, 404,
                "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/close", ex -> {
            ex.getResponseHeaders().set("Connection", "close");
            respond(ex, 200, "bye".getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/echo", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            respond(ex, 200, (body.length + " " + md5(body)).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/slow", ex -> {
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            respond(ex, 200, new byte[0]);
        });
        server.start();
        endpoint = new HttpEndpoint(InetAddress.getLoopbackAddress().getHostAddress(), server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Test
    void reusesOneConnectionForManyRequests() throws IOException {
        try (HttpConnection c = new HttpConnection(endpoint, FAST)) {
            for (int i = 0; i < 5; i++) {
                BodyCollector body = new BodyCollector(1024);
                HttpResponse r = c.exchange(HttpRequest.of("GET", "/fixed", List.of()), body);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.contentLength()).isEqualTo(11);
                assertThat(r.bodyLength()).isEqualTo(11);
                assertThat(body.text()).isEqualTo("hello world");
            }
            assertThat(c.connects()).isEqualTo(1);
        }
        assertThat(clientSockets).hasSize(1);
    }

    @Test
    void readsChunkedBodiesAndStaysAligned() throws IOException {
        try (HttpConnection c = new HttpConnection(endpoint, FAST)) {
            for (int i = 0; i < 2; i++) {
                BodyCollector body = new BodyCollector(CHUNKED_BODY.length);
                HttpResponse r = c.exchange(HttpRequest.of("GET", "/chunked", List.of()), body);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.contentLength()).isEqualTo(-1);
                assertThat(r.bodyLength()).isEqualTo(CHUNKED_BODY.length);
                assertThat(body.bytes()).isEqualTo(CHUNKED_BODY);
            }
            BodyCollector after = new BodyCollector(64);
            c.exchange(HttpRequest.of("GET", "/fixed", List.of()), after);
            assertThat(after.text()).isEqualTo("hello world");
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void collectsErrorBodiesAndKeepsTheConnection() throws IOException {
        try (HttpConnection c = new HttpConnection(endpoint, FAST)) {
            BodyCollector sink = new BodyCollector(1024);
            HttpResponse r = c.exchange(HttpRequest.of("GET", "/missing", List.of()), sink);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.isSuccess()).isFalse();
            assertThat(r.errorText()).contains("<Code>NoSuchKey</Code>");
            assertThat(sink.total()).as("error bodies do not reach the sink").isZero();
            assertThat(c.exchange(HttpRequest.of("GET", "/fixed", List.of()), BodySink.DISCARD).status())
                    .isEqualTo(200);
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void reconnectsAfterConnectionClose() throws IOException {
        try (HttpConnection c = new HttpConnection(endpoint, FAST)) {
            BodyCollector first = new BodyCollector(64);
            HttpResponse r = c.exchange(HttpRequest.of("GET", "/close", List.of()), first);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(first.text()).isEqualTo("bye");
            assertThat(c.exchange(HttpRequest.of("GET", "/fixed", List.of()), BodySink.DISCARD).status())
                    .isEqualTo(200);
            assertThat(c.connects()).isEqualTo(2);
        }
    }

    @Test
    void writesLargeBodiesInPiecesIntact() throws IOException {
        byte[] body = randomBytes(3 * HttpConnection.WRITE_PIECE_BYTES + 5, 11);
        int offset = 3;
        int length = body.length - offset - 1;
        try (HttpConnection c = new HttpConnection(endpoint, FAST)) {
            BodyCollector reply = new BodyCollector(256);
            HttpResponse r = c.exchange(new HttpRequest("PUT", "/echo", List.of(), body, offset, length), reply);
            assertThat(r.status()).isEqualTo(200);
            byte[] sent = java.util.Arrays.copyOfRange(body, offset, offset + length);
            assertThat(reply.text()).isEqualTo(length + " " + md5(sent));
            // A small body goes out coalesced with the head; same result expected.
            BodyCollector small = new BodyCollector(256);
            c.exchange(HttpRequest.of("PUT", "/echo", List.of(), "abc".getBytes(StandardCharsets.UTF_8)), small);
            assertThat(small.text()).isEqualTo("3 " + md5("abc".getBytes(StandardCharsets.UTF_8)));
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void readTimeoutFailsAndTheNextRequestReconnects() throws IOException {
        HttpTimeouts impatient = new HttpTimeouts(Duration.ofSeconds(5), Duration.ofMillis(200));
        try (HttpConnection c = new HttpConnection(endpoint, impatient)) {
            c.exchange(HttpRequest.of("GET", "/fixed", List.of()), BodySink.DISCARD);
            assertThatThrownBy(() -> c.exchange(HttpRequest.of("GET", "/slow", List.of()), BodySink.DISCARD))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(c.connects()).as("a timeout is not retried").isEqualTo(1);
            assertThat(c.exchange(HttpRequest.of("GET", "/fixed", List.of()), BodySink.DISCARD).status())
                    .isEqualTo(200);
            assertThat(c.connects()).isEqualTo(2);
        }
    }

    @Test
    void sendsHostAndContentLengthOnlyWhereTheyBelong() throws IOException {
        try (ScriptedServer s = new ScriptedServer((conn, req, head) ->
                ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            c.exchange(HttpRequest.of("GET", "/a%20b?x=1", List.of(new HttpHeader("X-Test", "v"))), BodySink.DISCARD);
            c.exchange(HttpRequest.of("PUT", "/bucket", List.of()), BodySink.DISCARD);
            c.exchange(HttpRequest.of("PUT", "/obj", List.of(), new byte[] {1, 2, 3}), BodySink.DISCARD);

            List<ScriptedServer.Received> got = s.received();
            assertThat(got).hasSize(3);
            assertThat(got.get(0).head()).isEqualTo("GET /a%20b?x=1 HTTP/1.1\r\nHost: "
                    + s.endpoint().hostHeader() + "\r\nX-Test: v\r\n\r\n");
            assertThat(got.get(1).head()).contains("\r\nContent-Length: 0\r\n");
            assertThat(got.get(2).head()).contains("\r\nContent-Length: 3\r\n");
            assertThat(got.get(2).body()).containsExactly(1, 2, 3);
        }
    }

    @Test
    void retriesOnceWhenAnIdleKeptAliveConnectionWasClosed() throws IOException {
        // The first connection answers once and then closes without saying so.
        try (ScriptedServer s = new ScriptedServer((conn, req, head) ->
                ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", conn == 0));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            c.exchange(HttpRequest.of("GET", "/1", List.of()), BodySink.DISCARD);
            waitForClose(s);
            BodyCollector body = new BodyCollector(16);
            HttpResponse r = c.exchange(HttpRequest.of("GET", "/2", List.of()), body);
            assertThat(r.status()).isEqualTo(200);
            assertThat(body.text()).isEqualTo("ok");
            assertThat(c.connects()).isEqualTo(2);
            assertThat(s.connections()).isEqualTo(2);
        }
    }

    @Test
    void doesNotRetryAResponseCutShort() throws IOException {
        try (ScriptedServer s = new ScriptedServer((conn, req, head) -> req == 0
                ? ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false)
                : ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            c.exchange(HttpRequest.of("GET", "/1", List.of()), BodySink.DISCARD);
            assertThatThrownBy(() -> c.exchange(HttpRequest.of("GET", "/2", List.of()), BodySink.DISCARD))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("7 of 10");
            assertThat(s.connections()).isEqualTo(1);
        }
    }

    @Test
    void readsBodiesDelimitedByCloseAndSkipsInterimResponses() throws IOException {
        try (ScriptedServer s = new ScriptedServer((conn, req, head) -> conn == 0
                ? ScriptedServer.Reply.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil close", true)
                : ScriptedServer.Reply.of("HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nold!", false));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            BodyCollector body = new BodyCollector(64);
            HttpResponse r = c.exchange(HttpRequest.of("GET", "/", List.of()), body);
            assertThat(r.status()).isEqualTo(200);
            assertThat(body.text()).isEqualTo("until close");
            BodyCollector old = new BodyCollector(64);
            c.exchange(HttpRequest.of("GET", "/", List.of()), old);
            assertThat(old.text()).isEqualTo("old!");
            // HTTP/1.0 without keep-alive closes too, so a third request needs a third connection.
            c.exchange(HttpRequest.of("GET", "/", List.of()), BodySink.DISCARD);
            assertThat(c.connects()).isEqualTo(3);
        }
    }

    @Test
    void chunkExtensionsTrailersAndHeadResponses() throws IOException {
        try (ScriptedServer s = new ScriptedServer((conn, req, head) -> head.startsWith("HEAD")
                ? ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", false)
                : ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;name=value\r\nhello\r\n1\r\n!\r\n0\r\nX-Trailer: t\r\n\r\n", false));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            BodyCollector body = new BodyCollector(64);
            c.exchange(HttpRequest.of("GET", "/", List.of()), body);
            assertThat(body.text()).isEqualTo("hello!");
            HttpResponse head = c.exchange(HttpRequest.of("HEAD", "/", List.of()), BodySink.DISCARD);
            assertThat(head.contentLength()).isEqualTo(1000);
            assertThat(head.bodyLength()).isZero();
            BodyCollector again = new BodyCollector(64);
            c.exchange(HttpRequest.of("GET", "/", List.of()), again);
            assertThat(again.text()).isEqualTo("hello!");
            assertThat(c.connects()).isEqualTo(1);
        }
    }

    @Test
    void rejectsMalformedResponses() throws IOException {
        try (ScriptedServer s = new ScriptedServer((conn, req, head) -> switch (conn) {
            case 0 -> ScriptedServer.Reply.of("SMTP ready\r\n\r\n", false);
            case 1 -> ScriptedServer.Reply.of(
                    "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", false);
            default -> ScriptedServer.Reply.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false);
        }); HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> c.exchange(HttpRequest.of("GET", "/", List.of()), BodySink.DISCARD))
                        .isInstanceOf(ProtocolException.class);
            }
            assertThat(c.connects()).isEqualTo(3);
        }
    }

    @Test
    void reportsAnEarlyAnswerToAnUploadInsteadOfTheBrokenPipe() throws IOException {
        byte[] body = new byte[16 * HttpConnection.WRITE_PIECE_BYTES];
        try (ScriptedServer s = new ScriptedServer((conn, req, head) -> ScriptedServer.Reply.early(
                "HTTP/1.1 403 Forbidden\r\nContent-Length: 26\r\n\r\n<Code>AccessDenied</Code>\n"));
                HttpConnection c = new HttpConnection(s.endpoint(), FAST)) {
            HttpResponse r = c.exchange(HttpRequest.of("PUT", "/big", List.of(), body), BodySink.DISCARD);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errorText()).contains("AccessDenied");
        }
    }

    @Test
    void abortFailsLaterExchanges() {
        HttpConnection c = new HttpConnection(endpoint, FAST);
        c.abort();
        assertThatThrownBy(() -> c.exchange(HttpRequest.of("GET", "/fixed", List.of()), BodySink.DISCARD))
                .isInstanceOf(IOException.class);
        assertThat(c.connects()).isZero();
    }

    @Test
    void validatesRequestsAndEndpoints() {
        assertThatThrownBy(() -> new HttpHeader("X-Bad", "a\r\nInjected: yes"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.of("GET", "/a b", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpRequest.of("PUT", "/", List.of(new HttpHeader("Content-Length", "5"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(HttpEndpoint.parse("http://127.0.0.1:9000")).isEqualTo(new HttpEndpoint("127.0.0.1", 9000));
        assertThat(HttpEndpoint.parse("http://example.com/").hostHeader()).isEqualTo("example.com");
        assertThat(HttpEndpoint.parse("http://[::1]:9000").hostHeader()).isEqualTo("[::1]:9000");
        assertThat(HttpEndpoint.parse("http://[::1]:9000").host()).isEqualTo("::1");
        assertThat(HttpEndpoint.parse("https://example.com")).isEqualTo(new HttpEndpoint("example.com", 443, true));
        assertThat(HttpEndpoint.parse("https://example.com:9443").url()).isEqualTo("https://example.com:9443");
        assertThat(HttpEndpoint.parse("https://example.com:443").hostHeader()).isEqualTo("example.com");
        assertThat(HttpEndpoint.parse("https://example.com:80").hostHeader()).isEqualTo("example.com:80");
        assertThatThrownBy(() -> HttpEndpoint.parse("ftp://example.com"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HttpEndpoint.parse("http://example.com/prefix"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private void respond(HttpExchange ex, int status, byte[] body) throws IOException {
        clientSockets.add(ex.getRemoteAddress());
        ex.getRequestBody().readAllBytes();
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static void waitForClose(ScriptedServer s) {
        // The scripted server closes right after writing; give its FIN time to arrive.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (s.received().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
