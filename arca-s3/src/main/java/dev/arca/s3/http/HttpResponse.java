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

    /** Exactly {@code length} bytes read from {@code stream}. */
    public record Streamed(long length, InputStream stream) implements Body {}

    public static HttpResponse empty(int status, Headers headers) {
        return new HttpResponse(status, headers, new Empty());
    }
}
