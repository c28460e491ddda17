package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.s3.auth.PayloadMode;
import dev.arca.s3.auth.SigV4Signer;
import dev.arca.s3.http.Headers;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Hand-crafted HTTP/1.1 requests to a test server over a plain socket (one connection per request,
 * {@code Connection: close}), so that every header and body byte is exactly what the test says.
 * Signing uses the server's own client-side {@link SigV4Signer}.
 */
final class RawS3 {
    private final ArcaTestServer server;
    private final SigV4Signer signer;

    RawS3(ArcaTestServer server) {
        this(server, ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY);
    }

    RawS3(ArcaTestServer server, String accessKey, String secretKey) {
        this.server = server;
        this.signer = new SigV4Signer(accessKey, secretKey, ArcaTestServer.REGION);
    }

    SigV4Signer signer() {
        return signer;
    }

    /** The Host header of path-style requests. */
    String host() {
        return "127.0.0.1:" + server.port();
    }

    /** Headers from name/value pairs, with the path-style host added. */
    Headers headers(String... nameValues) {
        Headers h = new Headers().set("host", host());
        for (int i = 0; i < nameValues.length; i += 2) {
            h.set(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    /** Sends a request signed in the Authorization header over the body's SHA-256, signed now. */
    Response signed(String method, String rawPath, String rawQuery, Headers headers, byte[] body) {
        return signed(method, rawPath, rawQuery, headers, body, SigV4Signer.sha256Hex(body), Instant.now());
    }

    /** Sends a request signed with {@code payloadHash} as x-amz-content-sha256, at {@code time}. */
    Response signed(String method, String rawPath, String rawQuery, Headers headers, byte[] body, String payloadHash,
            Instant time) {
        SigV4Signer.SignedRequest s = signer.sign(method, rawPath, rawQuery, headers, payloadHash, time);
        return send(method, target(rawPath, rawQuery), s.headers(), body);
    }

    /**
     * An aws-chunked PUT of {@code data} signed for {@code mode} (one of the SigV4Signer STREAMING_*
     * constants) in chunks of {@code chunkSize}, with these trailers; {@code tamper} may change the
     * encoded body before it is sent.
     */
    Response putChunked(String rawPath, byte[] data, String mode, Map<String, String> trailers, int chunkSize,
            UnaryOperator<byte[]> tamper) {
        Headers h = headers("content-encoding", "aws-chunked",
                "x-amz-decoded-content-length", Integer.toString(data.length));
        if (!trailers.isEmpty()) {
            h.set("x-amz-trailer", String.join(",", trailers.keySet()));
        }
        SigV4Signer.SignedRequest signed = signer.sign("PUT", rawPath, "", h, mode, Instant.now());
        byte[] body = mode.equals(SigV4Signer.STREAMING_UNSIGNED_TRAILER)
                ? SigV4Signer.unsignedChunkedBody(data, chunkSize, trailers)
                : signer.chunkedBody(signed, data, chunkSize, trailers);
        PayloadMode payloadMode = switch (mode) {
            case SigV4Signer.STREAMING_UNSIGNED_TRAILER -> PayloadMode.STREAMING_UNSIGNED_TRAILER;
            case SigV4Signer.STREAMING_SIGNED_TRAILER -> PayloadMode.STREAMING_SIGNED_TRAILER;
            case SigV4Signer.STREAMING_SIGNED -> PayloadMode.STREAMING_SIGNED;
            default -> throw new IllegalArgumentException(mode);
        };
        assertThat((long) body.length).isEqualTo(SigV4Signer.chunkedLength(payloadMode, data.length, chunkSize, trailers));
        return send("PUT", rawPath, signed.headers(), tamper.apply(body));
    }

    static String target(String rawPath, String rawQuery) {
        return rawQuery == null || rawQuery.isEmpty() ? rawPath : rawPath + "?" + rawQuery;
    }

    /**
     * Sends exactly these headers (plus Content-Length for a body or a PUT/POST, and Connection: close)
     * and reads the whole response.
     */
    Response send(String method, String target, Headers headers, byte[] body) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(60_000);
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            for (Map.Entry<String, List<String>> e : headers.asMap().entrySet()) {
                for (String v : e.getValue()) {
                    head.append(e.getKey()).append(": ").append(v).append("\r\n");
                }
            }
            if (!headers.contains("content-length") && (body.length > 0 || method.equals("PUT") || method.equals("POST"))) {
                head.append("content-length: ").append(body.length).append("\r\n");
            }
            head.append("connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), method.equals("HEAD"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Headers headers = new Headers();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.add(l.substring(0, colon).trim(), l.substring(colon + 1).trim());
        }
        if (status == 100) {
            return read(in, head);
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int n = Integer.parseInt(line(in).split(";")[0].trim(), 16); n > 0;
                    n = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                b.write(in.readNBytes(n));
                line(in);
            }
            while (!line(in).isEmpty()) {
                // trailers
            }
            body = b.toByteArray();
        } else if (headers.contains("content-length")) {
            int n = Integer.parseInt(headers.get("content-length"));
            body = in.readNBytes(n);
            if (body.length != n) {
                throw new IOException("response body ended after " + body.length + " of " + n + " bytes");
            }
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed in a header line");
            }
            b.write(c);
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    /** A raw HTTP response. */
    record Response(int status, Headers headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name);
        }

        /** Text of the first {@code <element>} of the XML body, or null. */
        String xml(String element) {
            Matcher m = Pattern.compile("<" + element + ">(.*?)</" + element + ">", Pattern.DOTALL).matcher(text());
            return m.find() ? m.group(1) : null;
        }

        /**
         * Asserts an S3 error: the status, and (except for HEAD, which has no body) an XML Error document
         * with this Code, a Message and a RequestId equal to the x-amz-request-id header.
         */
        Response assertError(int expectedStatus, String code) {
            assertThat(status).as("status of %s", text()).isEqualTo(expectedStatus);
            String requestId = header("x-amz-request-id");
            assertThat(requestId).as("x-amz-request-id").isNotBlank();
            assertThat(text()).as("error body").startsWith("<?xml").contains("<Error>");
            assertThat(xml("Code")).isEqualTo(code);
            assertThat(xml("Message")).as("Message").isNotBlank();
            assertThat(xml("RequestId")).as("RequestId in body").isEqualTo(requestId);
            assertThat(header("content-type")).startsWith("application/xml");
            return this;
        }

        Response assertStatus(int expected) {
            assertThat(status).as("status of %s", text()).isEqualTo(expected);
            return this;
        }
    }

    /** Asserts that an SDK call fails with this S3 status and error code. */
    static void assertSdkError(ThrowingCallable call, int status, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).as("status of %s", e.getMessage()).isEqualTo(status);
            assertThat(e.awsErrorDetails().errorCode()).as("code of %s", e.getMessage()).isEqualTo(code);
        });
    }

    /** Percent-encodes an object key for a raw path ("/" kept). */
    static String encodeKey(String key) {
        return dev.arca.s3.http.UriEncoding.encode(key, false);
    }
}
