package dev.arca.server.http;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One request as handed to the handler, plus the per-exchange state the connection and the
 * response writer share. Immutable except for the 100-continue state and {@link #running}.
 */
final class NettyExchange implements HttpExchange {
    /** The client did not ask for 100 Continue. */
    private static final int CONTINUE_NOT_EXPECTED = 0;
    /** The client waits for 100 Continue before it sends the body. */
    private static final int CONTINUE_PENDING = 1;
    private static final int CONTINUE_SENT = 2;
    /** The final response has started without a 100 Continue; it must never be sent now. */
    private static final int CONTINUE_FORBIDDEN = 3;

    private final String method;
    private final RequestTarget target;
    private final Headers headers;
    private final RequestBody body;
    private final long contentLength;
    private final InetSocketAddress remoteAddress;
    private final boolean secure;
    private final boolean keepAliveRequested;
    private final boolean http10;
    private final AtomicInteger continueState;

    /** True while a virtual thread runs the handler or writes the response. */
    volatile boolean running;

    /** {@code body} makes the body; it may keep the exchange (to send 100 Continue for it). */
    NettyExchange(HttpRequest request, RequestTarget target, Function<NettyExchange, RequestBody> body,
            long contentLength, boolean expectsContinue, InetSocketAddress remoteAddress, boolean secure) {
        this.method = request.method().name();
        this.target = target;
        this.headers = copyHeaders(request);
        this.continueState = new AtomicInteger(expectsContinue ? CONTINUE_PENDING : CONTINUE_NOT_EXPECTED);
        this.body = body.apply(this);
        this.contentLength = contentLength;
        this.remoteAddress = remoteAddress;
        this.secure = secure;
        this.keepAliveRequested = HttpUtil.isKeepAlive(request);
        this.http10 = !request.protocolVersion().isKeepAliveDefault();
    }

    private static Headers copyHeaders(HttpRequest request) {
        Headers headers = new Headers();
        for (Map.Entry<String, String> field : request.headers()) {
            headers.add(field.getKey(), field.getValue());
        }
        return headers;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return target.rawPath();
    }

    @Override
    public String rawQuery() {
        return target.rawQuery();
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public InputStream body() {
        return body;
    }

    RequestBody requestBody() {
        return body;
    }

    @Override
    public long contentLength() {
        return contentLength;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean secure() {
        return secure;
    }

    boolean isHead() {
        return HttpMethod.HEAD.name().equals(method);
    }

    boolean keepAliveRequested() {
        return keepAliveRequested;
    }

    boolean isHttp10() {
        return http10;
    }

    /** Claims the right to send 100 Continue; true at most once, and never after {@link #forbidContinue}. */
    boolean claimContinue() {
        return continueState.compareAndSet(CONTINUE_PENDING, CONTINUE_SENT);
    }

    /**
     * Called before the final response starts. Returns true when the client was told nothing and
     * may still be waiting to send its body (so the body may never arrive).
     */
    boolean forbidContinue() {
        return continueState.compareAndSet(CONTINUE_PENDING, CONTINUE_FORBIDDEN);
    }

    @Override
    public String toString() {
        return method + " " + target.rawPath() + " from " + remoteAddress;
    }
}
