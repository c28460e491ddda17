package dev.arca.client.http;

import java.time.Duration;

/**
 * Socket timeouts. There is no write timeout: a blocking socket has none, so callers that must
 * bound a stalled upload close the connection from another thread ({@link HttpConnection#abort}).
 *
 * @param connect how long to wait for the TCP handshake
 * @param read how long a single read may block without any byte arriving
 */
public record HttpTimeouts(Duration connect, Duration read) {

    /** 10 s to connect, 60 s of silence before a read fails. */
    public static final HttpTimeouts DEFAULT =
            new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));

    /** Rejects zero or negative values, which sockets would read as "wait forever". */
    public HttpTimeouts {
        if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    int connectMillis() {
        return clampMillis(connect);
    }

    int readMillis() {
        return clampMillis(read);
    }

    private static int clampMillis(Duration d) {
        return (int) Math.clamp(d.toMillis(), 1L, Integer.MAX_VALUE);
    }
}
