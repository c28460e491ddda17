package dev.arca.server.http;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the HTTP/1.1 listener.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port TCP port; 0 picks a free one (see {@link NettyHttpServer#address()})
 * @param ioThreads event-loop threads; they only move bytes, handlers run on virtual threads
 * @param maxConcurrentRequests requests whose handler may run at once; beyond this the server
 *     answers with the overloaded response without running the handler
 * @param idleTimeout a connection with no request in progress and no traffic for this long is
 *     closed; also the longest the server waits for a client to accept response bytes
 * @param bodyReadTimeout the longest a handler's read of the request body waits for the client
 *     to send more before it fails with an {@link java.io.IOException}
 * @param shutdownGrace how long {@link NettyHttpServer#close()} lets in-flight requests finish
 */
public record HttpServerOptions(
        String host,
        int port,
        int ioThreads,
        int maxConcurrentRequests,
        Duration idleTimeout,
        Duration bodyReadTimeout,
        Duration shutdownGrace) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 9000;
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 1024;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(120);
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
    /** More event loops than this is a configuration mistake, not a tuning choice. */
    public static final int MAX_IO_THREADS = 256;
    /** Upper bound of every timeout: longer ones are configuration mistakes (and overflow nanos). */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    public HttpServerOptions {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host is blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (ioThreads < 1 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException("ioThreads must be in [1, " + MAX_IO_THREADS + "]: " + ioThreads);
        }
        if (maxConcurrentRequests < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be positive: " + maxConcurrentRequests);
        }
        requireTimeout(idleTimeout, "idleTimeout", false);
        requireTimeout(bodyReadTimeout, "bodyReadTimeout", false);
        requireTimeout(shutdownGrace, "shutdownGrace", true);
    }

    /** 127.0.0.1:9000, one event loop per core, 1024 concurrent requests, 120 s idle, 60 s body stall, 10 s grace. */
    public static HttpServerOptions defaults() {
        return new HttpServerOptions(
                DEFAULT_HOST,
                DEFAULT_PORT,
                Math.min(Runtime.getRuntime().availableProcessors(), MAX_IO_THREADS),
                DEFAULT_MAX_CONCURRENT_REQUESTS,
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_BODY_READ_TIMEOUT,
                DEFAULT_SHUTDOWN_GRACE);
    }

    private static void requireTimeout(Duration value, String name, boolean zeroAllowed) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || (!zeroAllowed && value.isZero()) || value.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(
                    name + " must be " + (zeroAllowed ? "in [0, " : "in (0, ") + MAX_TIMEOUT + "]: " + value);
        }
    }
}
