package dev.arca.client.http;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A completed response. A 2xx body went to the caller's {@link BodySink}; any other body is
 * collected here, up to {@link HttpConnection#ERROR_BODY_LIMIT} bytes, because error bodies are
 * small and carry the reason (an S3 error code, for instance).
 *
 * @param status the status code
 * @param reason the reason phrase, possibly empty
 * @param headers the header fields in arrival order
 * @param bodyLength how many body bytes arrived (all of them, kept or not)
 * @param errorBody the start of a non-2xx body; empty for 2xx
 */
public record HttpResponse(int status, String reason, List<HttpHeader> headers, long bodyLength, byte[] errorBody) {

    /** The first value of the named header, or {@code null}. */
    public String header(String name) {
        for (HttpHeader h : headers) {
            if (h.is(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** The declared {@code Content-Length}, or -1 when there is none (e.g. a chunked body). */
    public long contentLength() {
        String v = header("Content-Length");
        return v == null ? -1 : Long.parseLong(v.trim());
    }

    /** Whether the status is 2xx. */
    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The collected error body as text. */
    public String errorText() {
        return new String(errorBody, StandardCharsets.UTF_8);
    }
}
