package dev.arca.s3.http;

import java.io.InputStream;
import java.util.Objects;

/**
 * A response to hand to the transport. A {@link Body.Streamed} body is read by the transport in
 * bounded pieces and written with backpressure; the transport closes the stream when done. If
 * the stream throws mid-way the transport aborts the connection (the status line is already sent).
 */
public record HttpResponse(int status, Headers headers, Body body) {
    public HttpResponse {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
    }

    public sealed interface Body {
        long length();
    }

    /** No body. For a HEAD response, Content-Length in the headers is sent as is. */
    public record Empty() implements Body {
        @Override
        public long length() {
            return 0;
        }
    }

    public record Bytes(byte[] data) implements Body {
        @Override
        public long length() {
            return data.length;
        }
    }

    /**
     * Exactly {@code length} bytes read from {@code stream}; or, with {@link #UNKNOWN_LENGTH}, every
     * byte up to the stream's end, sent with chunked transfer coding (close-delimited to HTTP/1.0
     * clients), for bodies produced as they are sent.
     */
    public record Streamed(long length, InputStream stream) implements Body {
        /** The length of a body whose size is known only once its stream ends. */
        public static final long UNKNOWN_LENGTH = -1;
    }

    /**
     * Exactly {@code length} bytes from {@code source}: sent from its files (zero-copy) where the
     * connection allows, else from its stream. The transport closes the source when done.
     */
    public record FromFiles(long length, FileSource source) implements Body {}

    public static HttpResponse empty(int status, Headers headers) {
        return new HttpResponse(status, headers, new Empty());
    }
}
