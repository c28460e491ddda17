package dev.arca.server.http;

import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * One client connection: a state machine on the channel's event loop that runs one request at a
 * time. It feeds the current request's body to the handler, holds back (with reading paused) what
 * a pipelining client sends meanwhile, and after each response either reuses the connection
 * (draining an unread body) or closes it.
 *
 * <p>All fields except {@link #writeWaiter} are touched only on the event loop; the virtual
 * threads talk to the channel through the thread-safe {@link ChannelHandlerContext} and hand state
 * changes back with {@code execute} or write-future listeners.
 */
final class Connection extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    private final NettyHttpServer server;
    private final boolean secure;
    /** Messages of requests that arrived while an earlier one is still in progress. */
    private final ArrayDeque<HttpObject> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** The request whose messages have not all arrived yet, or null. */
    private NettyExchange reading;
    /** The request whose response is not completely written yet, or null. */
    private NettyExchange responding;
    /** Request framing is lost: read nothing more. */
    private boolean broken;
    /** Close once the current response is written (server shutdown, malformed body). */
    private boolean closeAfterResponse;
    /** The virtual thread waiting for the channel to become writable, if any. */
    private volatile Thread writeWaiter;

    Connection(NettyHttpServer server, boolean secure) {
        this.server = server;
        this.secure = secure;
    }

    Channel channel() {
        return ctx.channel();
    }

    ChannelHandlerContext context() {
        return ctx;
    }

    NettyHttpServer server() {
        return server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        server.register(this);
        if (server.isClosing()) {
            ctx.close();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        server.unregister(this);
        releaseHeld();
        if (reading != null) {
            reading.requestBody().fail(new IOException("connection closed before the request body ended"));
        }
        wakeWriter();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (broken || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!held.isEmpty() || (object instanceof HttpRequest && (reading != null || responding != null))) {
            held.add(object);
            updateAutoRead();
            return;
        }
        dispatch(object);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        wakeWriter();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // A running handler has its own timeouts (body stalls, write stalls); only idle
            // connections, drains and stuck event-loop writes are closed here.
            if (responding == null || !responding.running) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof DecoderException) {
            // The network or the client misbehaved (reset, pipelining too deep): nothing for us to fix.
            LOG.log(System.Logger.Level.DEBUG, "connection error from {0}: {1}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.log(System.Logger.Level.WARNING, "closing connection from " + ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    /** Closes now if no response is in progress, else right after it. Any thread. */
    void shutdownWhenIdle() {
        try {
            ctx.executor().execute(() -> {
                if (responding == null) {
                    ctx.close();
                } else {
                    closeAfterResponse = true;
                }
            });
        } catch (RejectedExecutionException e) {
            ctx.close();
        }
    }

    // ---- request side (event loop) ----

    private void dispatch(HttpObject object) {
        if (object instanceof HttpRequest request) {
            startRequest(request);
        }
        if (object instanceof HttpContent content) {
            receiveContent(content);
        }
    }

    private void startRequest(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            rejectMalformed(request.decoderResult().cause());
            return;
        }
        if (server.isClosing()) {
            broken = true;
            ctx.close();
            return;
        }
        RequestTarget target = RequestTarget.parse(request.uri());
        if (target == null) {
            rejectMalformed(null);
            return;
        }
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        long contentLength = chunked ? -1 : HttpUtil.getContentLength(request, 0L);
        boolean hasBody = chunked || contentLength > 0;
        boolean expectsContinue = hasBody && HttpUtil.is100ContinueExpected(request);
        if (!hasBody && HttpUtil.is100ContinueExpected(request)) {
            // No body to wait for, but send 100 Continue anyway, as S3 does: botocore (aws cli,
            // boto3) takes an early final response as the status line of the connection's NEXT
            // response too (boto/botocore#3755): a 60 s stall and a silent retry after empty files.
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        NettyExchange exchange = new NettyExchange(request, target, ex -> hasBody ? newBody(ex) : RequestBody.empty(),
                contentLength, expectsContinue, (InetSocketAddress) ctx.channel().remoteAddress(), secure);
        reading = exchange;
        responding = exchange;
        if (server.tryBeginExchange()) {
            exchange.running = true;
            try {
                server.startVirtual(() -> runExchange(exchange));
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.log(System.Logger.Level.ERROR, "cannot start a request thread", e);
                exchange.running = false;
                server.endExchange();
                ResponseWriter.writeNow(this, exchange, ResponseWriter.internalError());
            }
        } else {
            respondOverloaded(exchange);
        }
    }

    private RequestBody newBody(NettyExchange exchange) {
        return new RequestBody(
                server.options().bodyReadTimeout(),
                () -> sendContinue(exchange),
                () -> runOnEventLoop(this::updateAutoRead),
                server::recordQueuedBodyBytes);
    }

    private void receiveContent(HttpContent content) {
        NettyExchange exchange = reading;
        if (exchange == null) {
            content.release();
            return;
        }
        RequestBody body = exchange.requestBody();
        if (content.decoderResult().isFailure()) {
            content.release();
            body.fail(new IOException("malformed request body", content.decoderResult().cause()));
            broken = true;
            reading = null;
            releaseHeld();
            if (responding == null) {
                ctx.close();
            } else {
                closeAfterResponse = true;
                ctx.channel().config().setAutoRead(false);
            }
            return;
        }
        if (content.content().isReadable()) {
            body.offer(content.content());
        } else {
            content.release();
        }
        if (content instanceof LastHttpContent) {
            body.end();
            reading = null;
            if (responding == null) {
                processHeld();
            }
        } else if (responding == null && body.drainLimitExceeded()) {
            ctx.close();
            return;
        }
        updateAutoRead();
    }

    /** Dispatches held messages in order until one must wait for the request before it. */
    private void processHeld() {
        while (!held.isEmpty() && !broken) {
            if (held.peek() instanceof HttpRequest && (reading != null || responding != null)) {
                break;
            }
            dispatch(held.poll());
        }
        updateAutoRead();
    }

    private void updateAutoRead() {
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean want = !broken && held.isEmpty() && (reading == null || !reading.requestBody().paused());
        if (ctx.channel().config().isAutoRead() != want) {
            ctx.channel().config().setAutoRead(want);
        }
    }

    private void releaseHeld() {
        for (HttpObject object; (object = held.poll()) != null; ) {
            ReferenceCountUtil.release(object);
        }
    }

    private void rejectMalformed(Throwable cause) {
        broken = true;
        releaseHeld();
        ctx.channel().config().setAutoRead(false);
        HttpResponseStatus status = cause instanceof TooLongHttpHeaderException
                ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_LENGTH, 0)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void respondOverloaded(NettyExchange exchange) {
        HttpResponse response;
        try {
            response = Objects.requireNonNull(server.overloaded().get(), "overloaded response");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "overloaded response supplier failed", e);
            response = HttpResponse.empty(HttpResponseStatus.SERVICE_UNAVAILABLE.code(), new Headers());
        }
        if (response.body() instanceof HttpResponse.Streamed) {
            HttpResponse streamed = response;
            exchange.running = true;
            server.startVirtual(() -> {
                try {
                    new ResponseWriter(this, exchange).write(streamed);
                } finally {
                    exchange.running = false;
                }
            });
        } else {
            ResponseWriter.writeNow(this, exchange, response);
        }
    }

    // ---- handler side (virtual thread) ----

    private void runExchange(NettyExchange exchange) {
        try {
            HttpResponse response;
            try {
                response = Objects.requireNonNull(server.handler().handle(exchange), "handler returned null");
            } catch (Throwable t) { // the contract: anything the handler throws becomes a 500
                LOG.log(System.Logger.Level.ERROR, "handler failed on " + exchange, t);
                response = ResponseWriter.internalError();
            }
            new ResponseWriter(this, exchange).write(response);
        } finally {
            exchange.requestBody().close();
            exchange.running = false;
            server.endExchange();
        }
    }

    private void sendContinue(NettyExchange exchange) {
        if (exchange.claimContinue()) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
    }

    /** Listener for a response's last write: continues on the event loop, never re-entrantly. */
    void lastWriteDone(NettyExchange exchange, boolean keepAlive, ChannelFuture lastWrite) {
        runOnEventLoop(() -> responseDone(exchange, keepAlive, lastWrite));
    }

    /**
     * The response's last write completed (or failed). Event loop. Reuses the connection for the
     * next request, after discarding what is left of this request's body, or closes it.
     */
    private void responseDone(NettyExchange exchange, boolean keepAlive, ChannelFuture lastWrite) {
        if (responding != exchange) {
            return;
        }
        responding = null;
        if (!lastWrite.isSuccess() || !keepAlive || closeAfterResponse || server.isClosing()) {
            ctx.close();
            return;
        }
        if (reading == exchange) {
            // The handler left part of the body unread: discard the rest as it arrives.
            RequestBody body = exchange.requestBody();
            body.close();
            if (body.drainLimitExceeded()) {
                ctx.close();
                return;
            }
        }
        processHeld();
    }

    /**
     * Waits on a virtual thread until the channel is writable again. False if the channel closed,
     * the thread was interrupted, or the client accepted no bytes for {@code timeoutNanos}.
     */
    boolean awaitWritable(long timeoutNanos) {
        Channel channel = ctx.channel();
        long deadline = System.nanoTime() + timeoutNanos;
        writeWaiter = Thread.currentThread();
        try {
            // Registered before checking, so a wake-up between check and park is not lost.
            while (!channel.isWritable()) {
                long left = deadline - System.nanoTime();
                if (!channel.isActive() || left <= 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
            return channel.isActive();
        } finally {
            writeWaiter = null;
        }
    }

    private void wakeWriter() {
        Thread waiter = writeWaiter;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    private void runOnEventLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The event loop is stopping; the connection is being closed anyway.
        }
    }
}
