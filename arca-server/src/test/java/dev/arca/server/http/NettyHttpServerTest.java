package dev.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Limits;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import dev.arca.s3.http.HttpHandler;
import dev.arca.s3.http.HttpResponse;
import io.netty.channel.epoll.Epoll;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The transport against real sockets: raw ones where bytes matter, the JDK client elsewhere. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class NettyHttpServerTest {
    static {
        LeakTracker.install();
    }

    private static final long MIB = Limits.MIB;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(300);
    /** Test-side concurrency; never the common pool, which has one thread on a 2-core machine. */
    private static final ExecutorService TEST_THREADS = Executors.newVirtualThreadPerTaskExecutor();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(WAIT)
            .build();

    private NettyHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterAll
    static void noBufferLeaked() throws InterruptedException {
        List<String> leaks = LeakTracker.collectLeaks();
        assertThat(leaks).as("Netty buffer leaks").isEmpty();
        if (!LeakTracker.active()) {
            System.err.println("LeakTracker was installed after Netty initialised; leaks are only logged");
        }
    }

    // ---- streaming ----

    @Test
    void echoesAHugeBodyWithBoundedBuffering() throws Exception {
        long size = 256 * MIB;
        start(options(), exchange -> {
            pause(SHORT); // let the queue fill up to the watermark first
            return new HttpResponse(200, new Headers(), new HttpResponse.Streamed(exchange.contentLength(), exchange.body()));
        });
        try (RawClient client = new RawClient(server.address())) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    client.send("PUT /echo HTTP/1.1\r\nHost: arca\r\nContent-Length: " + size + "\r\n\r\n");
                    new PatternStream(size, 1).transferTo(client.output());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, TEST_THREADS);
            RawClient.Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(size);
            long[] received = client.readBodyCrc(size);
            upload.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(received[0]).isEqualTo(size);
            assertThat(received[1]).isEqualTo(PatternStream.crcOf(size, 1));
        }
        // Reading paused at the high watermark and never let much more than that pile up.
        assertThat(server.maxQueuedBodyBytes())
                .isGreaterThan(RequestBody.HIGH_WATERMARK)
                .isLessThanOrEqualTo(RequestBody.HIGH_WATERMARK + NettyHttpServer.MAX_CHUNK_BYTES);
    }

    @Test
    void streamsALargeResponseBody() throws Exception {
        long size = 256 * MIB;
        start(options(), exchange -> new HttpResponse(200, new Headers().set("content-type", "application/octet-stream"),
                new HttpResponse.Streamed(size, new PatternStream(size, 2))));
        var response = CLIENT.send(get("/big"), BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(size);
        CRC32 crc = new CRC32();
        long total = 0;
        try (InputStream body = response.body()) {
            byte[] buffer = new byte[256 * 1024];
            for (int n; (n = body.read(buffer)) > 0; total += n) {
                crc.update(buffer, 0, n);
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(crc.getValue()).isEqualTo(PatternStream.crcOf(size, 2));
    }

    @Test
    void writesByteArrayBodiesLargerThanOnePiece() throws Exception {
        byte[] data = new byte[(int) (5 * MIB) + 3];
        new Random(3).nextBytes(data);
        start(options(), exchange -> new HttpResponse(200, new Headers(), new HttpResponse.Bytes(data)));
        var response = CLIENT.send(get("/bytes"), BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(data);
    }

    @Test
    void readsAChunkedRequestBody() throws Exception {
        start(options(), io(exchange -> {
            byte[] body = exchange.body().readAllBytes();
            return text(200, exchange.contentLength() + ":" + body.length + ":" + crc(body));
        }));
        int[] sizes = {1, 1000, (int) (2 * MIB) + 5, 3};
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try (RawClient client = new RawClient(server.address())) {
            client.send("POST /chunked HTTP/1.1\r\nHost: arca\r\nTransfer-Encoding: chunked\r\n\r\n");
            Random random = new Random(4);
            for (int size : sizes) {
                byte[] chunk = new byte[size];
                random.nextBytes(chunk);
                all.write(chunk);
                client.send(Integer.toHexString(size) + "\r\n");
                client.send(chunk);
                client.send("\r\n");
            }
            client.send("0\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(200);
            byte[] expected = all.toByteArray();
            assertThat(response.text()).isEqualTo("-1:" + expected.length + ":" + crc(expected));
        }
    }

    // ---- HEAD, keep-alive, pipelining ----

    @Test
    void headResponseHasLengthButNoBodyAndTheConnectionGoesOn() throws Exception {
        AtomicBoolean streamRead = new AtomicBoolean();
        CountDownLatch streamClosed = new CountDownLatch(1);
        start(options(), exchange -> exchange.method().equals("HEAD")
                ? new HttpResponse(200, new Headers().set("etag", "\"e1\""),
                        new HttpResponse.Streamed(12_345, tracked(new PatternStream(12_345, 5), streamRead, streamClosed)))
                : text(200, "after-head"));
        try (RawClient client = new RawClient(server.address())) {
            client.send("HEAD /object HTTP/1.1\r\nHost: arca\r\n\r\n");
            RawClient.Response head = client.readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(12_345);
            assertThat(head.header("etag")).isEqualTo("\"e1\"");
            client.send("GET /next HTTP/1.1\r\nHost: arca\r\n\r\n");
            RawClient.Response next = client.readResponse();
            assertThat(next.text()).isEqualTo("after-head");
        }
        await(streamClosed);
        assertThat(streamRead).isFalse();
    }

    @Test
    void headKeepsTheHandlersContentLength() throws Exception {
        start(options(), exchange -> HttpResponse.empty(200, new Headers().set("Content-Length", "987654321")));
        try (RawClient client = new RawClient(server.address())) {
            client.send("HEAD /object HTTP/1.1\r\nHost: arca\r\n\r\nHEAD /object HTTP/1.1\r\nHost: arca\r\n\r\n");
            assertThat(client.readResponse(true).contentLength()).isEqualTo(987_654_321L);
            assertThat(client.readResponse(true).contentLength()).isEqualTo(987_654_321L);
        }
    }

    @Test
    void keepAliveReusesTheConnection() throws Exception {
        start(options(), exchange -> text(200, Integer.toString(exchange.remoteAddress().getPort())));
        String first = CLIENT.send(get("/1"), BodyHandlers.ofString()).body();
        String second = CLIENT.send(get("/2"), BodyHandlers.ofString()).body();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void connectionCloseAndHttp10AreHonoured() throws Exception {
        start(options(), exchange -> text(200, "ok"));
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET / HTTP/1.1\r\nHost: arca\r\nConnection: close\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET / HTTP/1.0\r\n\r\n");
            assertThat(client.readResponse().text()).isEqualTo("ok");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.header("connection")).isEqualToIgnoringCase("keep-alive");
            client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertThat(client.readResponse().text()).isEqualTo("ok");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderOneAtATime() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        start(options(), io(exchange -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (exchange.rawPath().equals("/slow")) {
                    pause(SHORT);
                }
                return text(200, exchange.rawPath() + ":" + new String(exchange.body().readAllBytes(), StandardCharsets.UTF_8));
            } finally {
                running.decrementAndGet();
            }
        }));
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET /slow HTTP/1.1\r\nHost: arca\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: arca\r\nContent-Length: 3\r\n\r\nabc"
                    + "POST /c HTTP/1.1\r\nHost: arca\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n"
                    + "GET /d HTTP/1.1\r\nHost: arca\r\n\r\n");
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(client.readResponse().text());
            }
            assertThat(bodies).containsExactly("/slow:", "/b:abc", "/c:de", "/d:");
        }
        assertThat(maxRunning).hasValue(1);
    }

    // ---- Expect: 100-continue and unread bodies ----

    @Test
    void continueIsSentOnlyWhenTheHandlerReadsTheBody() throws Exception {
        CountDownLatch mayRead = new CountDownLatch(1);
        start(options(), io(exchange -> {
            await(mayRead);
            return text(200, new String(exchange.body().readAllBytes(), StandardCharsets.UTF_8));
        }));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /x HTTP/1.1\r\nHost: arca\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            assertThat(client.silentFor(SHORT)).isTrue();
            mayRead.countDown();
            assertThat(client.readResponse().status()).isEqualTo(100);
            client.send("hello");
            RawClient.Response response = client.readResponse();
            assertThat(response.text()).isEqualTo("hello");
            assertThat(response.header("connection")).isNull();
            client.send("PUT /y HTTP/1.1\r\nHost: arca\r\nContent-Length: 2\r\n\r\nok");
            assertThat(client.readResponse().text()).isEqualTo("ok");
        }
    }

    @Test
    void anEmptyBodyWithExpectContinueStillGetsContinueFirst() throws Exception {
        // botocore sends Expect even for empty bodies and misreads a later response if no 100 came.
        start(options(), exchange -> text(200, "done"));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /empty HTTP/1.1\r\nHost: arca\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(100);
            assertThat(client.readResponse().text()).isEqualTo("done");
            client.send("GET /next HTTP/1.1\r\nHost: arca\r\n\r\n");
            RawClient.Response next = client.readResponse();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("done");
        }
    }

    @Test
    void continueReachesAStreamedEchoBeforeItsStatusLine() throws Exception {
        start(options(), exchange -> new HttpResponse(200, new Headers(),
                new HttpResponse.Streamed(exchange.contentLength(), exchange.body())));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /echo HTTP/1.1\r\nHost: arca\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertThat(client.readResponse().status()).isEqualTo(100);
            client.send("ping");
            RawClient.Response response = client.readResponse();
            assertThat(response.text()).isEqualTo("ping");
            assertThat(response.header("connection")).isNull();
        }
    }

    @Test
    void rejectionBeforeReadingWithExpectContinueClosesTheConnection() throws Exception {
        start(options(), exchange -> HttpResponse.empty(403, new Headers()));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /x HTTP/1.1\r\nHost: arca\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n");
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
    }

    @Test
    void rejectionBeforeReadingWithoutExpectDrainsTheBodyAndKeepsTheConnection() throws Exception {
        int size = (int) (8 * MIB); // above the high watermark: reading pauses, then the rest is drained
        start(options(), exchange -> exchange.rawPath().equals("/reject") ? HttpResponse.empty(403, new Headers()) : text(200, "ok"));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /reject HTTP/1.1\r\nHost: arca\r\nContent-Length: " + size + "\r\n\r\n");
            CompletableFuture<Void> upload = CompletableFuture.runAsync(() -> {
                try {
                    new PatternStream(size, 6).transferTo(client.output());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, TEST_THREADS);
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("connection")).isNull();
            upload.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            client.send("GET /next HTTP/1.1\r\nHost: arca\r\n\r\n");
            assertThat(client.readResponse().text()).isEqualTo("ok");
        }
    }

    @Test
    void anUnreadBodyBeyondTheDrainLimitClosesTheConnection() throws Exception {
        start(options(), exchange -> HttpResponse.empty(403, new Headers()));
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: " + Limits.GIB + "\r\n\r\n" + "a".repeat(1000));
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).isEqualTo(403);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
    }

    // ---- failures ----

    @Test
    void aThrowingHandlerGets500AndTheConnectionSurvives() throws Exception {
        start(options(), exchange -> {
            if (exchange.rawPath().equals("/boom")) {
                throw new IllegalStateException("boom");
            }
            return text(200, "fine");
        });
        var failed = CLIENT.send(get("/boom"), BodyHandlers.ofString());
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(failed.body()).isEmpty();
        assertThat(CLIENT.send(get("/ok"), BodyHandlers.ofString()).body()).isEqualTo("fine");
    }

    @Test
    void aStreamFailingMidwayAbortsTheConnection() throws Exception {
        long size = 10 * MIB;
        CountDownLatch closed = new CountDownLatch(1);
        start(options(), exchange -> new HttpResponse(200, new Headers(),
                new HttpResponse.Streamed(size, tracked(failingAfter(new PatternStream(size, 7), 3 * MIB), new AtomicBoolean(), closed))));
        assertTruncated(size);
        await(closed);
    }

    @Test
    void aStreamEndingEarlyAbortsTheConnection() throws Exception {
        long size = 10 * MIB;
        start(options(), exchange -> new HttpResponse(200, new Headers(), new HttpResponse.Streamed(size, new PatternStream(3 * MIB, 7))));
        assertTruncated(size);
    }

    @Test
    void aStreamFailingBeforeItsFirstByteGets500() throws Exception {
        start(options(), exchange -> new HttpResponse(200, new Headers(),
                new HttpResponse.Streamed(100, failingAfter(new PatternStream(100, 8), 0))));
        var response = CLIENT.send(get("/x"), BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(500);
    }

    @Test
    void aStalledBodyFailsTheReadAfterTheTimeout() throws Exception {
        CompletableFuture<IOException> failure = new CompletableFuture<>();
        Duration timeout = Duration.ofMillis(400);
        start(options(64, timeout, Duration.ofSeconds(10)), exchange -> {
            try {
                exchange.body().readAllBytes();
                return text(200, "complete?");
            } catch (IOException e) {
                failure.complete(e);
                return HttpResponse.empty(408, new Headers());
            }
        });
        try (RawClient client = new RawClient(server.address())) {
            long start = System.nanoTime();
            client.send("PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: 100\r\n\r\n0123456789");
            RawClient.Response response = client.readResponse();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(timeout);
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
        assertThat(failure.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aConnectionLostMidBodyFailsTheRead() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        start(options(), exchange -> {
            started.countDown();
            try {
                outcome.complete(new AssertionError("read " + exchange.body().readAllBytes().length + " bytes"));
            } catch (IOException e) {
                outcome.complete(e);
            }
            return HttpResponse.empty(400, new Headers());
        });
        try (RawClient client = new RawClient(server.address())) {
            client.send("PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: " + MIB + "\r\n\r\n" + "a".repeat(1000));
            await(started);
        }
        assertThat(outcome.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(IOException.class);
    }

    @Test
    void malformedRequestsAreRejectedAndTheConnectionClosed() throws Exception {
        start(options(), exchange -> text(200, "ok"));
        assertRejected("GET / HTTP/1.1\r\nHost: arca\r\nX-Big: " + "a".repeat(Limits.MAX_HEADER_BYTES + 1) + "\r\n\r\n", 431);
        assertRejected("GET /" + "a".repeat(Limits.MAX_REQUEST_LINE_BYTES + 1) + " HTTP/1.1\r\nHost: arca\r\n\r\n", 414);
        assertRejected("GET / HTTP/7.x\r\nHost: arca\r\n\r\n", 400);
        assertRejected("OPTIONS * HTTP/1.1\r\nHost: arca\r\n\r\n", 400);
        assertRejected("PUT /x HTTP/1.1\r\nHost: arca\r\nContent-Length: nope\r\n\r\n", 400);
    }

    // ---- concurrency and shutdown ----

    @Test
    void requestsBeyondTheConcurrencyLimitGetTheOverloadedResponse() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        start(options(2, Duration.ofSeconds(20), Duration.ofSeconds(10)), exchange -> {
            handled.incrementAndGet();
            entered.countDown();
            await(release);
            return text(200, "done");
        });
        var first = CLIENT.sendAsync(get("/1"), BodyHandlers.ofString());
        var second = CLIENT.sendAsync(get("/2"), BodyHandlers.ofString());
        await(entered);
        var third = CLIENT.send(get("/3"), BodyHandlers.ofString());
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(third.body()).isEqualTo("slow down");
        assertThat(third.headers().firstValue("retry-after")).hasValue("1");
        release.countDown();
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("done");
        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS).body()).isEqualTo("done");
        assertThat(handled).hasValue(2);
        // Permits come back: a new request runs the handler again.
        assertThat(CLIENT.send(get("/4"), BodyHandlers.ofString()).body()).isEqualTo("done");
    }

    @Test
    void closeWaitsForAnInFlightRequest() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start(options(), exchange -> {
            entered.countDown();
            await(release);
            return text(200, "finished");
        });
        try (RawClient busy = new RawClient(server.address()); RawClient idle = new RawClient(server.address())) {
            busy.send("GET /slow HTTP/1.1\r\nHost: arca\r\n\r\n");
            await(entered);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close, TEST_THREADS);
            assertThat(idle.closedByPeer(WAIT)).as("idle connection closed").isTrue();
            RawClient late = connectLate();
            assertThat(closing).isNotDone();
            release.countDown();
            RawClient.Response response = busy.readResponse();
            assertThat(response.text()).isEqualTo("finished");
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(busy.closedByPeer(WAIT)).isTrue();
            if (late != null) {
                try (late) {
                    assertThat(late.closedByPeer(WAIT)).as("a connection made after close began is never served").isTrue();
                }
            }
        }
    }

    @Test
    void closeGivesUpOnRequestsThatOutliveTheGrace() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Duration grace = Duration.ofMillis(300);
        start(options(64, Duration.ofSeconds(20), grace), exchange -> {
            entered.countDown();
            await(release);
            return text(200, "too late");
        });
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET /stuck HTTP/1.1\r\nHost: arca\r\n\r\n");
            await(entered);
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(grace).isLessThan(WAIT);
            assertThat(client.closedByPeer(WAIT)).isTrue();
        } finally {
            release.countDown();
        }
    }

    @Test
    void idleConnectionsAreClosedButLongRequestsAreNot() throws Exception {
        Duration idle = Duration.ofMillis(300);
        start(new HttpServerOptions("127.0.0.1", 0, 1, 8, idle, Duration.ofSeconds(20), Duration.ofSeconds(10)), exchange -> {
            pause(idle.multipliedBy(3));
            return text(200, "slow but fine");
        });
        try (RawClient quiet = new RawClient(server.address()); RawClient busy = new RawClient(server.address())) {
            busy.send("GET /slow HTTP/1.1\r\nHost: arca\r\n\r\n");
            assertThat(quiet.closedByPeer(WAIT)).isTrue();
            assertThat(busy.readResponse().text()).isEqualTo("slow but fine");
            assertThat(busy.closedByPeer(WAIT)).as("idle again after the response").isTrue();
        }
    }

    @Test
    void startFailsCleanlyWhenThePortIsTaken() {
        start(options(), exchange -> text(200, "first"));
        HttpServerOptions clash = new HttpServerOptions("127.0.0.1", server.address().getPort(), 1, 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
        assertThatThrownBy(() -> NettyHttpServer.start(clash, exchange -> text(200, "second"), () -> text(503, "")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(Integer.toString(server.address().getPort()));
    }

    // ---- the exchange ----

    @Test
    void theExchangeCarriesTheRequestAsReceived() throws Exception {
        start(options(), exchange -> text(200, String.join("|",
                exchange.method(), exchange.rawPath(), exchange.rawQuery(),
                String.valueOf(exchange.headers().all("x-amz-meta-a")), String.valueOf(exchange.contentLength()),
                String.valueOf(exchange.secure()), exchange.remoteAddress().getAddress().getHostAddress(),
                String.valueOf(Thread.currentThread().isVirtual()), Thread.currentThread().getName().replaceAll("\\d+$", "N"))));
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET /bucket/a%20b/c?list-type=2&prefix=%2F HTTP/1.1\r\nHost: arca\r\nX-Amz-Meta-A: 1\r\nx-amz-meta-a: 2\r\n\r\n");
            assertThat(client.readResponse().text())
                    .isEqualTo("GET|/bucket/a%20b/c|list-type=2&prefix=%2F|[1, 2]|0|false|127.0.0.1|true|arca-http-N");
            client.send("DELETE http://arca:9000/bucket/k HTTP/1.1\r\nHost: arca\r\n\r\n");
            assertThat(client.readResponse().text()).startsWith("DELETE|/bucket/k||[]|0|");
        }
        assertThat(server.nativeTransport()).isEqualTo(Epoll.isAvailable());
    }

    // ---- helpers ----

    private static HttpServerOptions options() {
        return options(64, Duration.ofSeconds(20), Duration.ofSeconds(10));
    }

    private static HttpServerOptions options(int maxConcurrentRequests, Duration bodyReadTimeout, Duration shutdownGrace) {
        return new HttpServerOptions("127.0.0.1", 0, 2, maxConcurrentRequests, Duration.ofSeconds(30), bodyReadTimeout, shutdownGrace);
    }

    private void start(HttpServerOptions options, HttpHandler handler) {
        server = NettyHttpServer.start(options, handler,
                () -> new HttpResponse(503, new Headers().set("Retry-After", "1"), new HttpResponse.Bytes("slow down".getBytes(StandardCharsets.UTF_8))));
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path)).timeout(WAIT).build();
    }

    private void assertTruncated(long size) throws IOException {
        try (RawClient client = new RawClient(server.address())) {
            client.send("GET /x HTTP/1.1\r\nHost: arca\r\n\r\n");
            RawClient.Response head = client.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.contentLength()).isEqualTo(size);
            long[] received = client.readBodyCrc(size);
            assertThat(received[0]).isLessThan(size);
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
    }

    /**
     * Connects and sends a request after close began: null when refused (epoll), else a client
     * whose request must never be answered (NIO closes a listening socket lazily, so the kernel may
     * still complete the handshake).
     */
    private RawClient connectLate() throws IOException {
        RawClient late;
        try {
            late = new RawClient(server.address());
        } catch (ConnectException e) {
            return null;
        }
        try {
            late.send("GET / HTTP/1.1\r\nHost: arca\r\n\r\n");
        } catch (IOException e) {
            // reset while sending: fine, closedByPeer will see it too
        }
        return late;
    }

    private void assertRejected(String request, int status) throws IOException {
        try (RawClient client = new RawClient(server.address())) {
            client.send(request);
            RawClient.Response response = client.readResponse();
            assertThat(response.status()).as(request.lines().findFirst().orElseThrow()).isEqualTo(status);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(client.closedByPeer(WAIT)).isTrue();
        }
    }

    /** A handler that may throw IOException (which then surfaces as a 500). */
    @FunctionalInterface
    private interface IoHandler {
        HttpResponse handle(HttpExchange exchange) throws IOException;
    }

    private static HttpHandler io(IoHandler handler) {
        return exchange -> {
            try {
                return handler.handle(exchange);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private static HttpResponse text(int status, String body) {
        return new HttpResponse(status, new Headers().set("content-type", "text/plain"), new HttpResponse.Bytes(body.getBytes(StandardCharsets.UTF_8)));
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /** A stream that records reads and close. */
    private static InputStream tracked(InputStream in, AtomicBoolean read, CountDownLatch closed) {
        return new FilterInputStream(in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                read.set(true);
                return super.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                super.close();
                closed.countDown();
            }
        };
    }

    /** A stream that throws once {@code limit} bytes have been read. */
    private static InputStream failingAfter(InputStream in, long limit) {
        return new FilterInputStream(in) {
            private long served;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (served >= limit) {
                    throw new IOException("disk on fire");
                }
                int n = super.read(b, off, (int) Math.min(len, limit - served));
                served += Math.max(n, 0);
                return n;
            }
        };
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("timed out waiting");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
