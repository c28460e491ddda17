package dev.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.Limits;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies of unknown length ({@link HttpResponse.Streamed#UNKNOWN_LENGTH}, e.g. batch GET's tar
 * stream): chunked for HTTP/1.1 with the connection kept, close-delimited for HTTP/1.0, and a
 * failure mid-way ends the connection without the chunked terminator.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class UnknownLengthResponseTest {
    static {
        LeakTracker.install();
    }

    private NettyHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(java.util.function.Supplier<InputStream> body) {
        server = NettyHttpServer.start(new HttpServerOptions("127.0.0.1", 0, 2, 16, Duration.ofSeconds(30),
                Duration.ofSeconds(20), Duration.ofSeconds(5)),
                exchange -> new HttpResponse(200, new Headers().set("content-type", "application/x-tar"),
                        new HttpResponse.Streamed(HttpResponse.Streamed.UNKNOWN_LENGTH, body.get())),
                () -> HttpResponse.empty(503, new Headers()));
    }

    /** A plain socket with a buffered reader: status line and header fields, then the body as the test needs. */
    private static final class Conn implements AutoCloseable {
        final Socket socket;
        final InputStream in;

        Conn(NettyHttpServer server) throws IOException {
            socket = new Socket(server.address().getAddress(), server.address().getPort());
            socket.setSoTimeout(20_000);
            in = new java.io.BufferedInputStream(socket.getInputStream());
        }

        void send(String text) throws IOException {
            socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
        }

        /** The head, lower-cased, one field per line. */
        String head() throws IOException {
            StringBuilder head = new StringBuilder();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                head.append(l.toLowerCase(java.util.Locale.ROOT)).append('\n');
            }
            return head.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final String BATCH = "POST /b?batchGet HTTP/1.1\r\nHost: arca\r\nContent-Length: 0\r\n\r\n";

    @Test
    void http11GetsChunkedCodingAndKeepsTheConnection() throws Exception {
        long size = 3 * Limits.MIB + 5;
        start(() -> new PatternStream(size, 11));
        try (Conn c = new Conn(server)) {
            for (int round = 0; round < 2; round++) {
                c.send(BATCH);
                String head = c.head();
                assertThat(head).startsWith("http/1.1 200").contains("transfer-encoding: chunked\n")
                        .doesNotContain("content-length").doesNotContain("connection: close");
                byte[] body = readChunked(c.in);
                assertThat((long) body.length).isEqualTo(size);
                assertThat(crc(body)).isEqualTo(PatternStream.crcOf(size, 11));
            }
        }
    }

    @Test
    void anEmptyBodyIsJustTheTerminator() throws Exception {
        start(InputStream::nullInputStream);
        try (Conn c = new Conn(server)) {
            c.send(BATCH);
            assertThat(c.head()).contains("transfer-encoding: chunked");
            assertThat(readChunked(c.in)).isEmpty();
        }
    }

    @Test
    void http10GetsACloseDelimitedBody() throws Exception {
        long size = Limits.MIB + 17;
        start(() -> new PatternStream(size, 12));
        try (Conn c = new Conn(server)) {
            c.send("POST /b?batchGet HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
            assertThat(c.head()).startsWith("http/1.").contains("connection: close").doesNotContain("transfer-encoding")
                    .doesNotContain("content-length");
            byte[] body = c.in.readAllBytes();
            assertThat((long) body.length).isEqualTo(size);
            assertThat(crc(body)).isEqualTo(PatternStream.crcOf(size, 12));
        }
    }

    @Test
    void aFailureMidWayClosesTheConnectionWithoutTheTerminator() throws Exception {
        start(() -> new SequenceInputStream(new PatternStream(2 * Limits.MIB, 13), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("storage failed mid-object");
            }
        }));
        try (Conn c = new Conn(server)) {
            c.send(BATCH);
            assertThat(c.head()).startsWith("http/1.1 200");
            byte[] rest;
            try {
                rest = c.in.readAllBytes();
            } catch (java.net.SocketException e) {
                rest = new byte[0]; // reset: certainly no terminator
            }
            String tail = new String(rest, Math.max(0, rest.length - 5), Math.min(5, rest.length), StandardCharsets.ISO_8859_1);
            assertThat(tail).isNotEqualTo("0\r\n\r\n");
        }
    }

    /** Decodes a chunked body, terminator and (empty) trailers included. */
    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            int n = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (n == 0) {
                assertThat(line(in)).isEmpty();
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            assertThat(line(in)).isEmpty();
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed inside a line");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }
}
