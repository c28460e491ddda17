package dev.arca.it;

import dev.arca.s3.auth.SigV4Signer;
import dev.arca.s3.http.Headers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hand-made SigV4-signed path-style requests, for what the SDK refuses to send (it validates some
 * inputs client-side) or where a test needs exact control of the wire.
 */
final class SignedHttp implements AutoCloseable {
    private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");

    /** A response: status, headers (names lower-case) and body as text. */
    record Response(int status, Map<String, List<String>> headers, String body) {
        /** The S3 error code in the body, or null if there is none. */
        String errorCode() {
            Matcher m = CODE.matcher(body);
            return m.find() ? m.group(1) : null;
        }

        String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }
    }

    private final ArcaTestServer server;
    private final SigV4Signer signer =
            new SigV4Signer(ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY, ArcaTestServer.REGION);
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    SignedHttp(ArcaTestServer server) {
        this.server = server;
    }

    /**
     * Sends a signed request to {@code rawPath?rawQuery} (both sent exactly as given) with extra
     * headers (all signed) and a body whose SHA-256 is signed.
     */
    Response send(String method, String rawPath, String rawQuery, Map<String, String> extraHeaders, byte[] body) {
        Headers headers = new Headers().set("host", "127.0.0.1:" + server.port());
        extraHeaders.forEach(headers::set);
        SigV4Signer.SignedRequest signed =
                signer.sign(method, rawPath, rawQuery, headers, SigV4Signer.sha256Hex(body), Instant.now());
        String uri = server.endpoint() + rawPath + (rawQuery.isEmpty() ? "" : "?" + rawQuery);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        // Host is set by the HTTP client itself (to the same value that was signed).
        signed.headers().asMap().forEach((name, values) -> {
            if (!name.equals("host")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers().map(), new String(r.body(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Response send(String method, String rawPath) {
        return send(method, rawPath, "", Map.of(), new byte[0]);
    }

    @Override
    public void close() {
        http.close();
    }
}
