package dev.arca.s3.http;

import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * One HTTP request as the transport received it, independent of the HTTP library.
 *
 * <p>The body is a blocking stream fed by the transport with backpressure: reading it may block the
 * calling (virtual) thread until the client sends more; it ends at the end of the request body
 * (after HTTP/1.1 chunked decoding, if the client used it); a connection lost mid-body makes
 * {@code read} throw an {@link java.io.IOException}. If the client sent {@code Expect: 100-continue},
 * the transport answers {@code 100 Continue} when the body is first read, so a request rejected
 * before its body is read never makes the client send it.
 */
public interface HttpExchange {
    /** Upper-case method, e.g. {@code GET}. */
    String method();

    /** The request path exactly as received (percent-encoded), without the query; starts with '/'. */
    String rawPath();

    /** The query string exactly as received, without the '?'; empty if none. */
    String rawQuery();

    Headers headers();

    /** The request body; see the class comment. Never null (an empty stream when there is no body). */
    InputStream body();

    /** Content-Length of the request, or -1 when the body is sent with chunked transfer encoding. */
    long contentLength();

    InetSocketAddress remoteAddress();

    /** True when the request arrived over TLS. */
    boolean secure();
}
