package dev.arca.server.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/** A bare HTTP/1.1 client on a plain socket, for tests that need byte-exact control. */
final class RawClient implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int READ_TIMEOUT_MILLIS = 20_000;
    private static final int COPY_BUFFER_BYTES = 64 * 1024;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A parsed response; {@code body} is empty when only the head was read. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        long contentLength() {
            String value = header("content-length");
            return value == null ? -1 : Long.parseLong(value);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, CONNECT_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    int localPort() {
        return socket.getLocalPort();
    }

    OutputStream output() {
        return out;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads a whole response; a HEAD response or an informational one has no body. */
    Response readResponse(boolean head) throws IOException {
        Response response = readHead();
        if (head || response.status() < 200 || response.status() == 204 || response.status() == 304) {
            return response;
        }
        long length = response.contentLength();
        if (length < 0) {
            throw new IOException("test client expects Content-Length: " + response.headers());
        }
        return new Response(response.status(), response.headers(), in.readNBytes((int) length));
    }

    Response readResponse() throws IOException {
        return readResponse(false);
    }

    /** Reads the status line and the header fields. */
    Response readHead() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not a status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new Response(Integer.parseInt(parts[1]), headers, new byte[0]);
    }

    /** Reads up to {@code limit} body bytes or until the peer closes; returns the count and CRC. */
    long[] readBodyCrc(long limit) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long total = 0;
        while (total < limit) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total));
            } catch (SocketException e) {
                break; // reset by the server: the body ends here
            }
            if (n < 0) {
                break;
            }
            crc.update(buffer, 0, n);
            total += n;
        }
        return new long[] {total, crc.getValue()};
    }

    /** True if the peer closes (or resets) the connection within {@code wait}; false if it stays open and silent. */
    boolean closedByPeer(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            int b = in.read();
            if (b >= 0) {
                throw new IOException("unexpected byte from server: " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    /** True if nothing arrives within {@code wait} and the connection stays open. */
    boolean silentFor(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            in.mark(1);
            in.read(); // a byte, or the end of the stream: either way not silent
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
