package dev.arca.client.http;

import java.io.IOException;
import java.util.List;

/**
 * Receives a successful (2xx) response body piece by piece. The array is the connection's
 * reusable read buffer: use the bytes before returning and never keep the reference.
 */
@FunctionalInterface
public interface BodySink {

    /** Drops the body; its bytes are still read off the socket, which is what a benchmark needs. */
    BodySink DISCARD = (buffer, offset, length) -> { };

    /**
     * Called once per successful (2xx) response, after its head and before any body byte, so a
     * sink can check framing headers (say {@code Content-Range}) before bytes arrive. Throwing
     * fails the exchange and drops the socket. Does nothing by default.
     */
    default void begin(int status, List<HttpHeader> headers) throws IOException {
    }

    /** Consumes {@code length} bytes of {@code buffer} starting at {@code offset}. */
    void accept(byte[] buffer, int offset, int length) throws IOException;
}
