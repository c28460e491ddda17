package dev.arca.server.http;

import dev.arca.core.Limits;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Writes one {@link HttpResponse} to a connection. {@link #write} runs on the exchange's virtual
 * thread and may block: it streams bodies in pieces of at most {@link Limits#STREAM_PIECE_BYTES},
 * waiting whenever the channel is above its write-buffer high watermark. {@link #writeNow} writes
 * a bodiless or byte-array response without blocking, from any thread.
 *
 * <p>Once the status line may have been sent, a failure can only be signalled by closing the
 * connection, so the client sees fewer bytes than Content-Length: never a silently short body.
 */
final class ResponseWriter {
    private static final System.Logger LOG = System.getLogger(ResponseWriter.class.getName());

    /**
     * The heap array a streamed body is read through on its way into direct buffers: one
     * decrypted chunk ({@code ObjectCipher.CHUNK_BYTES}), so large reads decrypt straight into it.
     */
    static final int SCRATCH_BYTES = 64 * 1024;

    /**
     * Bytes of a file body written but not yet transferred before the writer waits for the oldest
     * piece: a window in bytes, so it is the same whatever the pieces' size (one data chunk each, 1 MiB
     * on one drive, 512 KiB with 2+2), and bounds the memory of in-memory pieces.
     */
    static final long MAX_FILE_BYTES_IN_FLIGHT = 4L * 1024 * 1024;

    /** Response header fields the transport owns: framing and connection management. */
    private static final List<String> TRANSPORT_FIELDS = List.of("connection", "transfer-encoding", "content-length", "keep-alive");

    private final Connection connection;
    private final NettyExchange exchange;
    private final ChannelHandlerContext ctx;
    /** The longest the writer waits for the client to accept bytes. */
    private final long stallNanos;
    /** See {@link #SCRATCH_BYTES}; made on the first streamed piece, sized to it. */
    private byte[] scratch;

    ResponseWriter(Connection connection, NettyExchange exchange) {
        this.connection = connection;
        this.exchange = exchange;
        this.ctx = connection.context();
        this.stallNanos = connection.server().options().idleTimeout().toNanos();
    }

    static HttpResponse internalError() {
        return HttpResponse.empty(HttpResponseStatus.INTERNAL_SERVER_ERROR.code(), new Headers());
    }

    /** Writes the whole response and waits until it is flushed or the connection is closed. Never throws. */
    void write(HttpResponse response) {
        if (!ctx.channel().isActive()) {
            // The client is gone (or the server closed it after the grace): nothing to write to.
            if (response.body() instanceof HttpResponse.Streamed streamed) {
                closeQuietly(streamed.stream());
            } else if (response.body() instanceof HttpResponse.FromFiles files) {
                closeQuietly(files.source());
            }
            return;
        }
        ChannelFuture last;
        try {
            last = switch (response.body()) {
                case HttpResponse.Empty _ -> writeNow(connection, exchange, response);
                case HttpResponse.Bytes bytes -> bytes.data().length <= Limits.STREAM_PIECE_BYTES
                        ? writeNow(connection, exchange, response)
                        : writeBytes(response, bytes.data());
                case HttpResponse.Streamed streamed -> writeStreamed(response, streamed);
                case HttpResponse.FromFiles files -> writeFiles(response, files);
            };
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "writing the response to " + exchange + " failed", e);
            ctx.close();
            return;
        }
        if (last != null && !last.awaitUninterruptibly(stallNanos, TimeUnit.NANOSECONDS)) {
            LOG.log(System.Logger.Level.DEBUG, "client did not accept the response to {0} in time", exchange);
            ctx.close();
        }
    }

    /**
     * Writes a response whose body is empty or a byte array in one go, without blocking; a
     * streamed body is allowed only if nothing of it is sent (HEAD, 204, 304, length 0), and its
     * stream is left for the caller to close. Answers 500 instead if the response is invalid.
     * Returns the last write.
     */
    static ChannelFuture writeNow(Connection connection, NettyExchange exchange, HttpResponse response) {
        if (response.body() instanceof HttpResponse.Streamed streamed && streamed.length() != 0 && !bodyless(exchange, response.status())) {
            throw new IllegalArgumentException("streamed bodies are written by write(), on a virtual thread");
        }
        if (response.body() instanceof HttpResponse.FromFiles files && files.length() != 0 && !bodyless(exchange, response.status())) {
            throw new IllegalArgumentException("file bodies are written by write(), on a virtual thread");
        }
        DefaultHttpResponse head;
        boolean keepAlive = keepAlive(connection, exchange, response);
        try {
            head = head(exchange, response, keepAlive);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "invalid response to " + exchange, e);
            response = internalError();
            head = head(exchange, response, keepAlive);
        }
        ChannelHandlerContext ctx = connection.context();
        ByteBuf content = !bodyless(exchange, response.status()) && response.body() instanceof HttpResponse.Bytes bytes
                ? Unpooled.wrappedBuffer(bytes.data())
                : Unpooled.EMPTY_BUFFER;
        ctx.write(head);
        ChannelFuture last = ctx.writeAndFlush(new DefaultLastHttpContent(content));
        boolean reuse = keepAlive;
        last.addListener((ChannelFutureListener) f -> connection.lastWriteDone(exchange, reuse, f));
        return last;
    }

    private ChannelFuture writeBytes(HttpResponse response, byte[] data) {
        boolean keepAlive = keepAlive(connection, exchange, response);
        DefaultHttpResponse head;
        try {
            head = head(exchange, response, keepAlive);
        } catch (IllegalArgumentException e) {
            return writeNow(connection, exchange, internalError());
        }
        ctx.write(head);
        if (bodyless(exchange, response.status())) {
            return finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
        }
        ChannelFuture last = null;
        for (int offset = 0; offset < data.length; offset += Limits.STREAM_PIECE_BYTES) {
            if (offset > 0 && !connection.awaitWritable(stallNanos)) {
                ctx.close();
                return null;
            }
            int n = Math.min(Limits.STREAM_PIECE_BYTES, data.length - offset);
            ByteBuf piece = Unpooled.wrappedBuffer(data, offset, n);
            last = ctx.writeAndFlush(offset + n == data.length ? new DefaultLastHttpContent(piece) : new DefaultHttpContent(piece));
        }
        return finish(last, keepAlive);
    }

    /**
     * Reads the first piece before sending the status line, so a stream that fails at once still
     * gets a clean 500, and a stream that reads the request body sends 100 Continue in time.
     */
    private ChannelFuture writeStreamed(HttpResponse response, HttpResponse.Streamed streamed) {
        InputStream in = streamed.stream();
        try {
            if (streamed.length() < 0 && streamed.length() != HttpResponse.Streamed.UNKNOWN_LENGTH) {
                LOG.log(System.Logger.Level.ERROR, "negative streamed body length in the response to {0}", exchange);
                return writeNow(connection, exchange, internalError());
            }
            if (streamed.length() == 0 || bodyless(exchange, response.status())) {
                return writeNow(connection, exchange, response);
            }
            if (streamed.length() == HttpResponse.Streamed.UNKNOWN_LENGTH) {
                return writeUnknownLength(response, in);
            }
            long remaining = streamed.length();
            ByteBuf piece;
            try {
                piece = readPiece(in, remaining);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "response body of " + exchange + " failed before its first byte", e);
                return writeNow(connection, exchange, internalError());
            }
            boolean keepAlive = keepAlive(connection, exchange, response);
            DefaultHttpResponse head;
            try {
                head = head(exchange, response, keepAlive);
            } catch (IllegalArgumentException e) {
                piece.release();
                LOG.log(System.Logger.Level.ERROR, "invalid response to " + exchange, e);
                return writeNow(connection, exchange, internalError());
            }
            ctx.write(head);
            while (true) {
                remaining -= piece.readableBytes();
                if (remaining == 0) {
                    return finish(ctx.writeAndFlush(new DefaultLastHttpContent(piece)), keepAlive);
                }
                ctx.writeAndFlush(new DefaultHttpContent(piece));
                if (!connection.awaitWritable(stallNanos)) {
                    ctx.close();
                    return null;
                }
                try {
                    piece = readPiece(in, remaining);
                } catch (IOException | RuntimeException e) {
                    // The status line is out: only an abrupt close tells the client the body is incomplete.
                    LOG.log(System.Logger.Level.WARNING, "response body of " + exchange + " failed mid-way; aborting", e);
                    ctx.close();
                    return null;
                }
            }
        } finally {
            closeQuietly(in);
        }
    }

    /**
     * Sends a body that lies in files as it is to be sent: over TLS (which must encrypt every byte)
     * through its stream like any streamed body; otherwise one {@link SharedFileRegion} per file
     * piece, which the kernel copies from the page cache to the socket ({@code sendfile}), and one
     * content message per in-memory piece (bytes the source read through the ordinary path). A
     * region adds nothing to the channel's pending bytes, so backpressure is a window of
     * {@link #MAX_FILE_BYTES_IN_FLIGHT} in unfinished writes of either kind. The source hears of each
     * piece sent; its files are closed on the event loop once the last write is done or the
     * connection is closed, never while a transfer may run.
     */
    private ChannelFuture writeFiles(HttpResponse response, HttpResponse.FromFiles files) {
        dev.arca.s3.http.FileSource source = files.source();
        if (exchange.secure() || files.length() == 0 || bodyless(exchange, response.status())) {
            try {
                HttpResponse.Streamed streamed = new HttpResponse.Streamed(files.length(), source.stream());
                return writeStreamed(new HttpResponse(response.status(), response.headers(), streamed), streamed);
            } finally {
                closeQuietly(source);
            }
        }
        boolean handedOver = false;
        try {
            dev.arca.s3.http.FileSource.Piece piece;
            try {
                piece = source.next();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "response body of " + exchange + " failed before its first byte", e);
                return writeNow(connection, exchange, internalError());
            }
            boolean keepAlive = keepAlive(connection, exchange, response);
            DefaultHttpResponse head;
            try {
                head = head(exchange, response, keepAlive);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.ERROR, "invalid response to " + exchange, e);
                giveBack(piece);
                return writeNow(connection, exchange, internalError());
            }
            // From here on regions may be in flight: only the event loop may close the files.
            handedOver = true;
            ChannelFutureListener onClose = f -> closeQuietly(source);
            ctx.channel().closeFuture().addListener(onClose);
            ctx.write(head);
            record Write(ChannelFuture future, long count) {}
            java.util.ArrayDeque<Write> inFlight = new java.util.ArrayDeque<>();
            long inFlightBytes = 0;
            long remaining = files.length();
            while (piece != null) {
                if (piece.count() <= 0 || piece.count() > remaining) {
                    LOG.log(System.Logger.Level.ERROR, "file body of {0} has a bad piece; aborting", exchange);
                    giveBack(piece);
                    ctx.close();
                    return null;
                }
                remaining -= piece.count();
                ChannelFuture write = ctx.writeAndFlush(switch (piece) {
                    case dev.arca.s3.http.FileSource.Region r -> new SharedFileRegion(r.channel(), r.position(), r.count());
                    // Bytes the source read through the ordinary path (a chunk it could not send from its file).
                    case dev.arca.s3.http.FileSource.Bytes b -> new DefaultHttpContent(Unpooled.wrappedBuffer(b.data()));
                    // Checked bytes in the source's direct buffer: written as they are, no copy; wrapping
                    // never frees the buffer, which goes back to the source once the write is over.
                    case dev.arca.s3.http.FileSource.Lent l -> new DefaultHttpContent(Unpooled.wrappedBuffer(l.data()));
                });
                dev.arca.s3.http.FileSource.Piece written = piece;
                write.addListener((ChannelFutureListener) f -> {
                    giveBack(written);
                    if (f.isSuccess()) {
                        source.sent(written); // lets a long body close the files it has moved past
                    }
                });
                inFlight.add(new Write(write, piece.count()));
                inFlightBytes += piece.count();
                while (inFlightBytes > MAX_FILE_BYTES_IN_FLIGHT) {
                    Write oldest = inFlight.poll();
                    if (!oldest.future().awaitUninterruptibly(stallNanos, TimeUnit.NANOSECONDS) || !oldest.future().isSuccess()) {
                        ctx.close();
                        return null;
                    }
                    inFlightBytes -= oldest.count();
                }
                try {
                    piece = source.next();
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "response body of " + exchange + " failed mid-way; aborting", e);
                    ctx.close();
                    return null;
                }
            }
            if (remaining != 0) {
                LOG.log(System.Logger.Level.ERROR, "file body of {0} ended {1} bytes early; aborting", exchange, remaining);
                ctx.close();
                return null;
            }
            ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            last.addListener((ChannelFutureListener) f -> {
                closeQuietly(source);
                ctx.channel().closeFuture().removeListener(onClose); // the connection lives on: don't pile up listeners
            });
            return finish(last, keepAlive);
        } finally {
            if (!handedOver) {
                closeQuietly(source);
            }
        }
    }

    /** Returns a lent buffer to its source (after its write, or instead of one); other pieces need nothing. */
    private static void giveBack(dev.arca.s3.http.FileSource.Piece piece) {
        if (piece instanceof dev.arca.s3.http.FileSource.Lent lent) {
            lent.release().run();
        }
    }

    /**
     * Streams a body of unknown length until its stream ends: chunked transfer coding for HTTP/1.1,
     * and for HTTP/1.0 raw bytes ended by closing the connection. As with a known length, the
     * first piece is read before the status line (a stream failing at once is a clean 500); a
     * failure later closes the connection, so the client never sees the chunked terminator.
     */
    private ChannelFuture writeUnknownLength(HttpResponse response, InputStream in) {
        ByteBuf piece;
        try {
            piece = readAvailablePiece(in);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "response body of " + exchange + " failed before its first byte", e);
            return writeNow(connection, exchange, internalError());
        }
        boolean keepAlive = !exchange.isHttp10() && keepAlive(connection, exchange, response);
        DefaultHttpResponse head;
        try {
            head = head(exchange, response, keepAlive);
        } catch (IllegalArgumentException e) {
            if (piece != null) {
                piece.release();
            }
            LOG.log(System.Logger.Level.ERROR, "invalid response to " + exchange, e);
            return writeNow(connection, exchange, internalError());
        }
        ctx.write(head);
        while (piece != null) {
            ctx.writeAndFlush(new DefaultHttpContent(piece));
            if (!connection.awaitWritable(stallNanos)) {
                ctx.close();
                return null;
            }
            try {
                piece = readAvailablePiece(in);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "response body of " + exchange + " failed mid-way; aborting", e);
                ctx.close();
                return null;
            }
        }
        return finish(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
    }

    /** Up to one piece of the stream, or null at its end: the stream's bytes so far, never an empty buffer. */
    private ByteBuf readAvailablePiece(InputStream in) throws IOException {
        ByteBuf piece = ctx.alloc().heapBuffer(Limits.STREAM_PIECE_BYTES, Limits.STREAM_PIECE_BYTES);
        try {
            while (piece.isWritable()) {
                if (piece.writeBytes(in, piece.writableBytes()) < 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            piece.release();
            throw e;
        }
        if (piece.readableBytes() == 0) {
            piece.release();
            return null;
        }
        return piece;
    }

    /**
     * Fills a pooled direct buffer with up to one piece of the stream, through a small heap array:
     * the stream (decryption, say) writes each stretch into the array, and it is copied out while
     * still in the CPU cache, on this thread, instead of the event loop copying a whole cold heap
     * piece into a direct buffer before the socket write. Throws if the stream ends before
     * {@code remaining} bytes.
     */
    private ByteBuf readPiece(InputStream in, long remaining) throws IOException {
        int size = (int) Math.min(remaining, Limits.STREAM_PIECE_BYTES);
        if (scratch == null || scratch.length < Math.min(size, SCRATCH_BYTES)) {
            scratch = new byte[Math.min(size, SCRATCH_BYTES)];
        }
        ByteBuf piece = ctx.alloc().directBuffer(size, size);
        try {
            while (piece.isWritable()) {
                int n = in.read(scratch, 0, Math.min(scratch.length, piece.writableBytes()));
                if (n < 0) {
                    throw new IOException("response body stream ended " + (remaining - piece.readableBytes()) + " bytes early");
                }
                piece.writeBytes(scratch, 0, n);
            }
            return piece;
        } catch (IOException | RuntimeException e) {
            piece.release();
            throw e;
        }
    }

    private ChannelFuture finish(ChannelFuture last, boolean keepAlive) {
        last.addListener((ChannelFutureListener) f -> connection.lastWriteDone(exchange, keepAlive, f));
        return last;
    }

    /**
     * Whether the connection may carry another request after this response. Call once per
     * response, just before its status line: it also forbids a late 100 Continue.
     */
    private static boolean keepAlive(Connection connection, NettyExchange exchange, HttpResponse response) {
        // Evaluated first: it must take effect whatever else decides.
        boolean continueNeverSent = exchange.forbidContinue();
        RequestBody body = exchange.requestBody();
        if (!exchange.keepAliveRequested() || connection.server().isClosing() || body.isFailed()
                || connectionClose(response.headers()) || (continueNeverSent && !body.isEnded())) {
            return false;
        }
        long unread = exchange.contentLength() - body.receivedBytes();
        return body.isEnded() || exchange.contentLength() < 0 || unread <= RequestBody.DRAIN_LIMIT;
    }

    private static boolean connectionClose(Headers headers) {
        for (String value : headers.all("connection")) {
            for (String token : value.split(",")) {
                if (token.trim().equalsIgnoreCase("close")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the response to this request carries no body whatever its headers say. */
    private static boolean bodyless(NettyExchange exchange, int status) {
        return exchange.isHead() || status == 204 || status == 304;
    }

    /** The status line and headers. Throws IllegalArgumentException for an invalid status or header. */
    private static DefaultHttpResponse head(NettyExchange exchange, HttpResponse response, boolean keepAlive) {
        int status = response.status();
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("final status must be in [200, 599]: " + status);
        }
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        HttpHeaders fields = head.headers();
        for (Map.Entry<String, List<String>> field : response.headers().asMap().entrySet()) {
            if (!TRANSPORT_FIELDS.contains(field.getKey())) {
                fields.add(field.getKey(), field.getValue());
            }
        }
        String declared = response.headers().get("content-length");
        long length = response.body().length();
        if (exchange.isHead()) {
            if (declared != null || length >= 0) {
                fields.set(HttpHeaderNames.CONTENT_LENGTH, declared != null ? declared : Long.toString(length));
            }
        } else if (status == 304) {
            if (declared != null) {
                fields.set(HttpHeaderNames.CONTENT_LENGTH, declared);
            }
        } else if (status != 204 && length == HttpResponse.Streamed.UNKNOWN_LENGTH) {
            if (!exchange.isHttp10()) {
                fields.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        } else if (status != 204) {
            if (declared != null && !declared.trim().equals(Long.toString(length))) {
                LOG.log(System.Logger.Level.WARNING, "response to {0} declared Content-Length {1} but has {2} bytes; sending {2}",
                        exchange, declared, length);
            }
            fields.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (!keepAlive) {
            fields.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (exchange.isHttp10()) {
            fields.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return head;
    }

    private static void closeQuietly(java.io.Closeable in) {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a response body stream failed: {0}", e.toString());
        }
    }
}
