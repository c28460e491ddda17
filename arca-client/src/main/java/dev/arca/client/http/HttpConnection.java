package dev.arca.client.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One persistent HTTP/1.1 connection, used by one thread at a time. The socket opens on the
 * first exchange and is reused while the server keeps it alive; after {@code Connection: close},
 * a body delimited by end of stream, or any failure it is dropped and the next exchange opens a
 * new one. When a reused socket fails before a single response byte arrives (the server closed
 * it while idle) the exchange is retried once on a fresh socket; nothing else is retried.
 *
 * <p>Only {@link #abort()} may be called from another thread.
 */
public final class HttpConnection implements AutoCloseable {

    /** Bodies are written in pieces of at most this size: one huge write stalls some servers. */
    public static final int WRITE_PIECE_BYTES = 1024 * 1024;
    /** How much of a non-2xx body is kept in {@link HttpResponse#errorBody()}. */
    public static final int ERROR_BODY_LIMIT = 8 * 1024;
    /** The request head must fit here; bodies that fit behind it go out in the same write. */
    static final int HEAD_BUFFER_SIZE = 64 * 1024;
    /** A response head with more fields than this is refused. */
    static final int MAX_HEADER_COUNT = 256;
    /** A response head larger than this is refused. */
    static final int MAX_HEAD_BYTES = 64 * 1024;
    /** Interim (1xx) responses tolerated before the final one. */
    private static final int MAX_INTERIM_RESPONSES = 8;
    private static final int STATUS_LINE_MIN_LENGTH = 12;
    private static final int MIN_STATUS = 100;
    private static final int MAX_STATUS = 599;
    /** Protocol errors quote at most this much of the offending line. */
    private static final int ABBREVIATE_LENGTH = 80;
    private static final int HEX_RADIX = 16;
    /** 15 hex digits stay below Long.MAX_VALUE. */
    private static final int MAX_CHUNK_SIZE_DIGITS = 15;

    private final HttpEndpoint endpoint;
    private final HttpTimeouts timeouts;
    /** Wraps each socket in TLS for https endpoints; null for http ones. */
    private final SSLSocketFactory tls;
    private final String hostHeader;
    private final byte[] head = new byte[HEAD_BUFFER_SIZE];
    private final HttpInput input = new HttpInput();
    private volatile Socket socket;
    private volatile boolean closed;
    private OutputStream output;
    private int connects;

    /**
     * Creates an unconnected connection; the socket opens on the first exchange. An https
     * endpoint trusts what the JDK trusts (its default {@code SSLContext}).
     */
    public HttpConnection(HttpEndpoint endpoint, HttpTimeouts timeouts) {
        this(endpoint, timeouts, null);
    }

    /**
     * Like {@link #HttpConnection(HttpEndpoint, HttpTimeouts)}, with {@code tls} making the TLS
     * sockets of an https endpoint (see {@link TlsTrust}); null means the JDK's default.
     */
    public HttpConnection(HttpEndpoint endpoint, HttpTimeouts timeouts, SSLSocketFactory tls) {
        this.endpoint = endpoint;
        this.timeouts = timeouts;
        this.tls = !endpoint.tls() ? null : tls != null ? tls : (SSLSocketFactory) SSLSocketFactory.getDefault();
        this.hostHeader = endpoint.hostHeader();
    }

    /** How many TCP connections this object has opened: 1 for a fully kept-alive session. */
    public int connects() {
        return connects;
    }

    /** The endpoint this connection talks to. */
    public HttpEndpoint endpoint() {
        return endpoint;
    }

    /**
     * Sends the request and reads the whole response. A 2xx body goes to {@code sink}; any other
     * body is collected into the response (see {@link HttpResponse#errorBody()}).
     *
     * @throws IOException on network failure, timeout or a malformed response; the socket is
     *     dropped and the next exchange reconnects
     */
    public HttpResponse exchange(HttpRequest request, BodySink sink) throws IOException {
        boolean reused = socket != null;
        if (!reused) {
            connect();
        }
        long receivedBefore = input.received();
        try {
            return exchangeOnce(request, sink);
        } catch (IOException | RuntimeException e) {
            dropSocket();
            boolean staleKeepAlive = reused
                    && input.received() == receivedBefore
                    && e instanceof IOException
                    && !(e instanceof SocketTimeoutException)
                    && !closed;
            if (!staleKeepAlive) {
                throw e;
            }
        }
        connect();
        try {
            return exchangeOnce(request, sink);
        } catch (IOException | RuntimeException e) {
            dropSocket();
            throw e;
        }
    }

    /** Closes the socket, even while another thread is blocked on it; later exchanges fail. */
    public void abort() {
        closed = true;
        dropSocket();
    }

    @Override
    public void close() {
        abort();
    }

    private void connect() throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        Socket s = new Socket();
        try {
            // Requests go out in one or a few large writes; Nagle would only add delay.
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), timeouts.connectMillis());
            s.setSoTimeout(timeouts.readMillis());
            if (tls != null) {
                s = handshake(s);
            }
            input.attach(s.getInputStream());
            output = s.getOutputStream();
        } catch (IOException e) {
            s.close();
            throw e;
        }
        connects++;
        socket = s;
        if (closed) {
            // abort() raced with this connect and may have missed the new socket.
            dropSocket();
            throw new IOException("connection closed");
        }
    }

    /** Runs the TLS handshake over a connected socket, checking the certificate names the endpoint's host. */
    private Socket handshake(Socket plain) throws IOException {
        SSLSocket ssl = (SSLSocket) tls.createSocket(plain, endpoint.host(), endpoint.port(), true);
        try {
            SSLParameters params = ssl.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(params);
            ssl.startHandshake();
            return ssl;
        } catch (IOException | RuntimeException e) {
            ssl.close();
            throw e;
        }
    }

    private void dropSocket() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Nothing useful to do: the socket is gone either way.
            }
        }
    }

    private HttpResponse exchangeOnce(HttpRequest request, BodySink sink) throws IOException {
        IOException writeFailure = null;
        try {
            writeRequest(request);
        } catch (IOException e) {
            writeFailure = e;
        }
        Head h;
        try {
            h = readHead();
        } catch (IOException e) {
            if (writeFailure != null) {
                writeFailure.addSuppressed(e);
                throw writeFailure;
            }
            throw e;
        }
        for (int interim = 0; h.status < 200; interim++) {
            if (h.status == 101 || interim >= MAX_INTERIM_RESPONSES) {
                throw new ProtocolException("unexpected interim response " + h.status);
            }
            h = readHead();
        }
        if (writeFailure != null && h.status < 300) {
            throw writeFailure; // "success" for a body that never fully left is no success
        }
        boolean success = h.status < 300;
        BodyCollector errors = success ? null : new BodyCollector(ERROR_BODY_LIMIT);
        BodySink target = success ? sink : errors;
        if (success) {
            sink.begin(h.status, h.headers);
        }
        // A server may answer early (say 403) and close before taking the whole body: report its
        // answer rather than the broken pipe, and never reuse a socket whose request was cut short.
        boolean keepAlive = h.keepAlive && writeFailure == null;
        long length;
        if (request.method().equals("HEAD") || h.status == 204 || h.status == 304) {
            length = 0;
        } else if (h.chunked) {
            length = readChunked(target);
        } else if (h.contentLength >= 0) {
            input.transfer(h.contentLength, target);
            length = h.contentLength;
        } else {
            // Neither length nor chunking: the body ends when the server closes the connection.
            length = input.transferToEnd(target);
            keepAlive = false;
        }
        if (!keepAlive) {
            dropSocket();
        }
        return new HttpResponse(h.status, h.reason, h.headers, length,
                errors == null ? new byte[0] : errors.bytes());
    }

    private void writeRequest(HttpRequest request) throws IOException {
        int n = put(0, request.method());
        n = put(n, " ");
        n = put(n, request.target());
        n = put(n, " HTTP/1.1\r\n");
        if (!request.hasHeader("Host")) {
            n = putHeader(n, "Host", hostHeader);
        }
        for (HttpHeader h : request.headers()) {
            n = putHeader(n, h.name(), h.value());
        }
        if (request.sendsContentLength()) {
            n = putHeader(n, "Content-Length", Integer.toString(request.bodyLength()));
        }
        n = put(n, "\r\n");
        byte[] body = request.body();
        int length = request.bodyLength();
        OutputStream out = output;
        if (body != null && length <= head.length - n) {
            // Small body: one write, one segment, no extra round of syscalls.
            System.arraycopy(body, request.bodyOffset(), head, n, length);
            out.write(head, 0, n + length);
            return;
        }
        out.write(head, 0, n);
        for (int off = 0; off < length; off += WRITE_PIECE_BYTES) {
            out.write(body, request.bodyOffset() + off, Math.min(WRITE_PIECE_BYTES, length - off));
        }
    }

    private int putHeader(int n, String name, String value) {
        n = put(n, name);
        n = put(n, ": ");
        n = put(n, value);
        return put(n, "\r\n");
    }

    /** Writes Latin-1 text into the head buffer; callers validated the characters already. */
    private int put(int n, String s) {
        if (s.length() > head.length - n) {
            throw new IllegalArgumentException("request head larger than " + HEAD_BUFFER_SIZE + " bytes");
        }
        for (int i = 0; i < s.length(); i++) {
            head[n + i] = (byte) s.charAt(i);
        }
        return n + s.length();
    }

    /** A parsed response head and the framing facts derived from it. */
    private record Head(int status, String reason, List<HttpHeader> headers, boolean keepAlive,
            boolean chunked, long contentLength) {
    }

    private Head readHead() throws IOException {
        String statusLine = input.readLine();
        if (statusLine.length() < STATUS_LINE_MIN_LENGTH || !statusLine.startsWith("HTTP/1.")
                || statusLine.charAt(8) != ' ') {
            throw new ProtocolException("bad status line: " + abbreviate(statusLine));
        }
        boolean http11 = statusLine.charAt(7) == '1';
        int status;
        try {
            status = Integer.parseInt(statusLine, 9, 12, 10);
        } catch (NumberFormatException e) {
            status = -1;
        }
        if (status < MIN_STATUS || status > MAX_STATUS || !Character.isDigit(statusLine.charAt(9))) {
            throw new ProtocolException("bad status code: " + abbreviate(statusLine));
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        List<HttpHeader> headers = new ArrayList<>();
        int headBytes = statusLine.length();
        boolean close = !http11;
        boolean chunked = false;
        boolean encoded = false;
        long contentLength = -1;
        while (true) {
            String line = input.readLine();
            if (line.isEmpty()) {
                break;
            }
            headBytes += line.length();
            if (headBytes > MAX_HEAD_BYTES || headers.size() >= MAX_HEADER_COUNT) {
                throw new ProtocolException("response head too large");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new ProtocolException("bad header line: " + abbreviate(line));
            }
            HttpHeader h;
            try {
                h = new HttpHeader(line.substring(0, colon), line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new ProtocolException("bad header line: " + abbreviate(line));
            }
            headers.add(h);
            if (h.is("Content-Length")) {
                long value = parseContentLength(h.value());
                if (contentLength >= 0 && contentLength != value) {
                    throw new ProtocolException("conflicting Content-Length headers");
                }
                contentLength = value;
            } else if (h.is("Transfer-Encoding")) {
                encoded = true;
                // Chunked must be the last coding applied; it is what frames the body.
                String v = h.value();
                chunked = v.substring(v.lastIndexOf(',') + 1).strip().equalsIgnoreCase("chunked");
            } else if (h.is("Connection")) {
                for (String token : h.value().split(",")) {
                    String t = token.strip();
                    if (t.equalsIgnoreCase("close")) {
                        close = true;
                    } else if (t.equalsIgnoreCase("keep-alive") && !http11) {
                        close = false;
                    }
                }
            }
        }
        if (encoded) {
            // Transfer-Encoding overrides Content-Length; a non-chunked coding ends at close.
            contentLength = -1;
            close |= !chunked;
        }
        return new Head(status, reason, List.copyOf(headers), !close, chunked, contentLength);
    }

    private static long parseContentLength(String value) throws ProtocolException {
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw new ProtocolException("negative Content-Length");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad Content-Length: " + abbreviate(value));
        }
    }

    private long readChunked(BodySink sink) throws IOException {
        long total = 0;
        while (true) {
            String line = input.readLine();
            int semicolon = line.indexOf(';');
            String digits = (semicolon >= 0 ? line.substring(0, semicolon) : line).strip();
            if (digits.isEmpty() || digits.length() > MAX_CHUNK_SIZE_DIGITS) {
                throw new ProtocolException("bad chunk size: " + abbreviate(line));
            }
            long size;
            try {
                size = Long.parseLong(digits, HEX_RADIX);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad chunk size: " + abbreviate(line));
            }
            if (size == 0) {
                break;
            }
            input.transfer(size, sink);
            total += size;
            if (!input.readLine().isEmpty()) {
                throw new ProtocolException("chunk not followed by CRLF");
            }
        }
        for (int trailers = 0; !input.readLine().isEmpty(); trailers++) {
            if (trailers >= MAX_HEADER_COUNT) {
                throw new ProtocolException("too many trailer fields");
            }
        }
        return total;
    }

    private static String abbreviate(String s) {
        return s.length() <= ABBREVIATE_LENGTH ? s : s.substring(0, ABBREVIATE_LENGTH) + "...";
    }
}
