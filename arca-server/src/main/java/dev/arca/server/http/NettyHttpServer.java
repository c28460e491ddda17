package dev.arca.server.http;

import dev.arca.core.Limits;
import dev.arca.s3.http.HttpHandler;
import dev.arca.s3.http.HttpResponse;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The HTTP/1.1 listener: the one place in Arca that speaks Netty. It turns each request into an
 * {@link dev.arca.s3.http.HttpExchange}, runs the {@link HttpHandler} on its own virtual thread,
 * and writes the {@link HttpResponse} back, streaming bodies in both directions with backpressure.
 *
 * <p>It listens on plain HTTP, on TLS ({@link ServerTls}), or on both; every listener shares the
 * one handler, event loops and concurrency limit, and a request says which one it came through
 * ({@link dev.arca.s3.http.HttpExchange#secure()}).
 *
 * <p>Contract: at most {@link HttpServerOptions#maxConcurrentRequests()} handlers run at once;
 * a request beyond that is answered with {@code overloaded.get()} (called on an event loop, so it
 * must be cheap and must not block) without running the handler. Requests on one connection are
 * handled one at a time and answered in order. Keep-alive follows HTTP/1.1. A handler that throws
 * gets a 500. {@link #close()} is graceful. Thread-safe.
 */
public final class NettyHttpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NettyHttpServer.class.getName());

    /** Largest piece of request body the decoder hands over at once. */
    static final int MAX_CHUNK_BYTES = (int) Limits.MIB;
    /** Pending connections the kernel queues before accept. */
    static final int ACCEPT_BACKLOG = 1024;
    /** Outbound bytes queued per connection at which a streaming writer waits... */
    static final int WRITE_HIGH_WATERMARK = (int) (2 * Limits.MIB);
    /** ...and at or below which it continues. */
    static final int WRITE_LOW_WATERMARK = (int) Limits.MIB;
    /** Event loops stop at once when closing: by then every connection is closed. */
    private static final Duration EVENT_LOOP_QUIET_PERIOD = Duration.ZERO;
    /** Upper bound on how long closing waits for event loops and channels to stop. */
    private static final Duration EVENT_LOOP_STOP_TIMEOUT = Duration.ofSeconds(5);

    private final HttpServerOptions options;
    /** Whether plain HTTP listens on {@link HttpServerOptions#port()}. */
    private final boolean plain;
    /** TLS settings and port, or null for no TLS listener. */
    private final ServerTls tls;
    private final HttpHandler handler;
    private final Supplier<HttpResponse> overloaded;
    private final Semaphore permits;
    private final ThreadFactory requestThreads = Thread.ofVirtual().name("arca-http-", 0).factory();
    private final EventLoopGroup group;
    private final boolean nativeTransport;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong maxQueuedBodyBytes = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock inFlightLock = new ReentrantLock();
    private final Condition noneInFlight = inFlightLock.newCondition();
    private int inFlight; // guarded by inFlightLock
    private volatile boolean closing;
    /** The plain-HTTP listener, or null. */
    private Channel serverChannel;
    /** The TLS listener, or null. */
    private Channel tlsChannel;

    private NettyHttpServer(HttpServerOptions options, boolean plain, ServerTls tls, HttpHandler handler,
            Supplier<HttpResponse> overloaded) {
        this.options = Objects.requireNonNull(options, "options");
        if (!plain && tls == null) {
            throw new IllegalArgumentException("neither plain HTTP nor TLS: nothing to listen on");
        }
        this.plain = plain;
        this.tls = tls;
        this.handler = Objects.requireNonNull(handler, "handler");
        this.overloaded = Objects.requireNonNull(overloaded, "overloaded");
        this.permits = new Semaphore(options.maxConcurrentRequests());
        this.nativeTransport = Epoll.isAvailable();
        IoHandlerFactory io = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("arca-http-io"), io);
    }

    /**
     * Binds and starts serving. Throws {@link UncheckedIOException} if the address cannot be bound.
     *
     * @param overloaded the response for requests beyond the concurrency limit (typically 503 SlowDown)
     */
    public static NettyHttpServer start(HttpServerOptions options, HttpHandler handler, Supplier<HttpResponse> overloaded) {
        return start(options, true, null, handler, overloaded);
    }

    /**
     * Binds plain HTTP on {@code options.port()} when {@code plain}, and TLS on {@code tls.port()}
     * when {@code tls} is not null (both on {@code options.host()}), and starts serving. Throws
     * {@link UncheckedIOException} if an address cannot be bound; then nothing listens.
     */
    public static NettyHttpServer start(HttpServerOptions options, boolean plain, ServerTls tls, HttpHandler handler,
            Supplier<HttpResponse> overloaded) {
        NettyHttpServer server = new NettyHttpServer(options, plain, tls, handler, overloaded);
        try {
            server.bind();
            return server;
        } catch (RuntimeException | Error e) {
            server.group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
            throw e;
        }
    }

    private void bind() {
        if (plain) {
            serverChannel = bind(options.port(), false);
        }
        if (tls != null) {
            try {
                tlsChannel = bind(tls.port(), true);
            } catch (RuntimeException e) {
                if (serverChannel != null) {
                    serverChannel.close().awaitUninterruptibly();
                }
                throw e;
            }
        }
    }

    private Channel bind(int port, boolean secure) {
        ChannelFactory<ServerChannel> channels = nativeTransport ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channelFactory(channels)
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATERMARK, WRITE_HIGH_WATERMARK))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        configurePipeline(ch, secure);
                    }
                });
        ChannelFuture bound = bootstrap.bind(options.host(), port).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            IOException io = cause instanceof IOException e ? e : new IOException(cause);
            throw new UncheckedIOException("cannot listen" + (secure ? " (TLS)" : "") + " on " + options.host() + ":" + port, io);
        }
        return bound.channel();
    }

    /**
     * One connection's handlers, in order. TLS goes first: an {@code SslHandler} added before the
     * idle handler, with {@code secure} true.
     */
    private void configurePipeline(Channel ch, boolean secure) {
        ChannelPipeline pipeline = ch.pipeline();
        if (secure) {
            pipeline.addLast("tls", tls.newHandler(ch.alloc()));
        }
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(Limits.MAX_REQUEST_LINE_BYTES)
                .setMaxHeaderSize(Limits.MAX_HEADER_BYTES)
                .setMaxChunkSize(MAX_CHUNK_BYTES);
        pipeline.addLast("idle", new IdleStateHandler(0, 0, options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        pipeline.addLast("http", new HttpServerCodec(decoder));
        pipeline.addLast("arca", new Connection(this, secure));
    }

    /**
     * The address actually bound (the real port when the options asked for port 0): the plain-HTTP
     * listener's, or the TLS listener's when there is no plain one.
     */
    public InetSocketAddress address() {
        return (InetSocketAddress) (serverChannel != null ? serverChannel : tlsChannel).localAddress();
    }

    /** The plain-HTTP listener's address, if it listens. */
    public Optional<InetSocketAddress> plainAddress() {
        return Optional.ofNullable(serverChannel).map(c -> (InetSocketAddress) c.localAddress());
    }

    /** The TLS listener's address, if it listens. */
    public Optional<InetSocketAddress> tlsAddress() {
        return Optional.ofNullable(tlsChannel).map(c -> (InetSocketAddress) c.localAddress());
    }

    /** The TLS settings, if a TLS listener runs. */
    public Optional<ServerTls> tls() {
        return Optional.ofNullable(tls);
    }

    /**
     * Stops accepting, closes idle connections, lets in-flight requests finish for up to
     * {@link HttpServerOptions#shutdownGrace()}, then closes every connection and stops the event
     * loops. Idempotent. Must not be called from a handler (it would wait for itself).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        long stopMillis = EVENT_LOOP_STOP_TIMEOUT.toMillis();
        for (Channel listener : new Channel[] {serverChannel, tlsChannel}) {
            if (listener != null) {
                listener.close().awaitUninterruptibly(stopMillis);
            }
        }
        for (Connection connection : connections) {
            connection.shutdownWhenIdle();
        }
        if (!awaitNoneInFlight(options.shutdownGrace())) {
            LOG.log(System.Logger.Level.WARNING, "requests still running after the shutdown grace; closing their connections");
        }
        List<ChannelFuture> closes = connections.stream().map(c -> c.channel().close()).toList();
        for (ChannelFuture close : closes) {
            close.awaitUninterruptibly(stopMillis);
        }
        Future<?> stopped = group.shutdownGracefully(
                EVENT_LOOP_QUIET_PERIOD.toMillis(), stopMillis, TimeUnit.MILLISECONDS);
        stopped.awaitUninterruptibly(2 * stopMillis);
    }

    private boolean awaitNoneInFlight(Duration grace) {
        long left = grace.toNanos();
        inFlightLock.lock();
        try {
            while (inFlight > 0) {
                if (left <= 0) {
                    return false;
                }
                left = noneInFlight.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            inFlightLock.unlock();
        }
    }

    // ---- used by Connection ----

    HttpServerOptions options() {
        return options;
    }

    HttpHandler handler() {
        return handler;
    }

    Supplier<HttpResponse> overloaded() {
        return overloaded;
    }

    boolean isClosing() {
        return closing;
    }

    void register(Connection connection) {
        connections.add(connection);
    }

    void unregister(Connection connection) {
        connections.remove(connection);
    }

    /** Takes a concurrency permit for a handler run; false when the server is at its limit. */
    boolean tryBeginExchange() {
        if (!permits.tryAcquire()) {
            return false;
        }
        inFlightLock.lock();
        try {
            inFlight++;
        } finally {
            inFlightLock.unlock();
        }
        return true;
    }

    /** Returns the permit taken by {@link #tryBeginExchange()}, once the response is written. */
    void endExchange() {
        inFlightLock.lock();
        try {
            inFlight--;
            if (inFlight == 0) {
                noneInFlight.signalAll();
            }
        } finally {
            inFlightLock.unlock();
        }
        permits.release();
    }

    /** Starts {@code task} on a new named virtual thread. */
    void startVirtual(Runnable task) {
        requestThreads.newThread(task).start();
    }

    void recordQueuedBodyBytes(long queued) {
        if (queued > maxQueuedBodyBytes.get()) {
            maxQueuedBodyBytes.accumulateAndGet(queued, Math::max);
        }
    }

    /** The most request-body bytes any one connection held queued at once since start (for tests). */
    long maxQueuedBodyBytes() {
        return maxQueuedBodyBytes.get();
    }

    /** Whether the server runs on the native epoll transport (else NIO). */
    boolean nativeTransport() {
        return nativeTransport;
    }
}
