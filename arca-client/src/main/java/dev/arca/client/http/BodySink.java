package dev.arca.client.http;

import java.io.IOException;

/**
 * Receives a successful (2xx) response body piece by piece. The array is the connection's
 * reusable read buffer: use the bytes before returning and never keep the reference.
 */
@FunctionalInterface
public interface BodySink {

    /** Drops the body; its bytes are still read off the socket, which is what a benchmark needs. */
    BodySink DISCARD = (buffer, offset, length) -> { };

    /** Consumes {@code length} bytes of {@code buffer} starting at {@code offset}. */
    void accept(byte[] buffer, int offset, int length) throws IOException;
}
