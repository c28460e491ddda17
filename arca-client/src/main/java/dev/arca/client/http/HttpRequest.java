package dev.arca.client.http;

import java.util.List;
import java.util.Objects;

/**
 * One request. The body array is not copied: keep it unchanged until the exchange returns.
 * {@code Host} is added from the endpoint unless given here; {@code Content-Length} is always set
 * by the connection, which is why it (and {@code Transfer-Encoding}) may not be passed.
 *
 * @param method an upper-case token such as GET or PUT
 * @param target the request target as sent, already percent-encoded (e.g. {@code /bucket/key})
 * @param headers extra header fields, in sending order
 * @param body the body bytes, or {@code null} for none
 * @param bodyOffset where the body starts in {@code body}
 * @param bodyLength how many bytes of {@code body} to send
 */
public record HttpRequest(
        String method, String target, List<HttpHeader> headers, byte[] body, int bodyOffset, int bodyLength) {

    /** Validates that the request line and framing cannot be corrupted by the given values. */
    public HttpRequest {
        if (method.isEmpty() || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
            throw new IllegalArgumentException("bad method: " + method);
        }
        if (target.isEmpty() || !target.chars().allMatch(c -> c > ' ' && c < 0x7F)) {
            throw new IllegalArgumentException("bad request target: " + target);
        }
        headers = List.copyOf(headers);
        for (HttpHeader h : headers) {
            if (h.is("Content-Length") || h.is("Transfer-Encoding")) {
                throw new IllegalArgumentException(h.name() + " is set by the connection");
            }
        }
        if (body == null) {
            if (bodyOffset != 0 || bodyLength != 0) {
                throw new IllegalArgumentException("body range without a body");
            }
        } else {
            Objects.checkFromIndexSize(bodyOffset, bodyLength, body.length);
        }
    }

    /** A request without a body. */
    public static HttpRequest of(String method, String target, List<HttpHeader> headers) {
        return new HttpRequest(method, target, headers, null, 0, 0);
    }

    /** A request whose body is all of {@code body}. */
    public static HttpRequest of(String method, String target, List<HttpHeader> headers, byte[] body) {
        return new HttpRequest(method, target, headers, body, 0, body.length);
    }

    /** Whether a {@code Content-Length} goes out: with a body, and always for PUT and POST. */
    boolean sendsContentLength() {
        return body != null || method.equals("PUT") || method.equals("POST");
    }

    /** Whether a header of that name is among {@link #headers()}. */
    boolean hasHeader(String name) {
        for (HttpHeader h : headers) {
            if (h.is(name)) {
                return true;
            }
        }
        return false;
    }
}
