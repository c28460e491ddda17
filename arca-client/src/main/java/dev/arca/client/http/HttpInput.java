package dev.arca.client.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reading of one connection's responses: lines for heads and chunk sizes, bulk
 * transfers for bodies. Body reads never ask the socket for more than the body still owes, so
 * nothing past the current response is consumed. Not thread-safe.
 */
final class HttpInput {

    /** Large enough that one read usually drains what the kernel holds for this socket. */
    static final int BUFFER_SIZE = 256 * 1024;
    /** A status line, header line or chunk-size line longer than this is a protocol error. */
    static final int MAX_LINE_BYTES = 16 * 1024;

    private final byte[] buffer = new byte[BUFFER_SIZE];
    private InputStream in = InputStream.nullInputStream();
    private int pos;
    private int limit;
    private long received;

    /** Switches to a new connection's stream, dropping anything buffered from the old one. */
    void attach(InputStream stream) {
        in = stream;
        pos = 0;
        limit = 0;
    }

    /** Bytes read from the socket so far; lets the caller tell "nothing arrived" from "cut off". */
    long received() {
        return received;
    }

    /**
     * Reads one line and returns it without its CR LF (a bare LF is accepted too).
     *
     * @throws EOFException if the stream ends before the line does
     */
    String readLine() throws IOException {
        while (true) {
            for (int i = pos; i < limit; i++) {
                if (buffer[i] == '\n') {
                    int end = i > pos && buffer[i - 1] == '\r' ? i - 1 : i;
                    String line = new String(buffer, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    return line;
                }
            }
            if (limit - pos >= MAX_LINE_BYTES) {
                throw new ProtocolException("response line longer than " + MAX_LINE_BYTES + " bytes");
            }
            if (fill() < 0) {
                throw new EOFException(limit == pos ? "connection closed" : "connection closed mid-line");
            }
        }
    }

    /** Moves exactly {@code length} body bytes to the sink. */
    void transfer(long length, BodySink sink) throws IOException {
        long remaining = length;
        while (remaining > 0) {
            if (pos == limit) {
                pos = 0;
                limit = 0;
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new EOFException("connection closed with " + remaining + " of " + length
                            + " body bytes missing");
                }
                received += n;
                limit = n;
            }
            int take = (int) Math.min(limit - pos, remaining);
            sink.accept(buffer, pos, take);
            pos += take;
            remaining -= take;
        }
    }

    /** Moves everything up to end of stream to the sink and returns the byte count. */
    long transferToEnd(BodySink sink) throws IOException {
        long total = 0;
        while (true) {
            if (pos < limit) {
                int take = limit - pos;
                sink.accept(buffer, pos, take);
                total += take;
            }
            pos = 0;
            limit = 0;
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                return total;
            }
            received += n;
            limit = n;
        }
    }

    /** Appends socket bytes after the unread ones, compacting first; returns -1 at end of stream. */
    private int fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n > 0) {
            received += n;
            limit += n;
        }
        return n;
    }
}
