package dev.arca.client.bench;

import dev.arca.client.http.BodySink;
import dev.arca.client.http.HttpConnection;
import dev.arca.client.http.HttpHeader;
import dev.arca.client.http.HttpRequest;
import dev.arca.client.http.HttpResponse;
import dev.arca.client.http.HttpTimeouts;
import dev.arca.client.sign.SigV4Signer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The few S3 calls the benchmark makes, path-style, over one connection. Requests are signed with
 * an unsigned payload so the client never hashes bodies. One instance per thread.
 */
final class S3Client implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpConnection connection;
    private final SigV4Signer signer;
    private final String bucket;
    private final String host;
    private long dateSecond = Long.MIN_VALUE;
    private String date;

    S3Client(BenchConfig config) {
        this.connection = new HttpConnection(config.endpoint(), new HttpTimeouts(CONNECT_TIMEOUT, config.timeout()), config.tls());
        this.signer = config.signed()
                ? new SigV4Signer(config.accessKey(), config.secretKey(), config.region(), SigV4Signer.S3_SERVICE)
                : null;
        this.bucket = config.bucket();
        this.host = config.endpoint().hostHeader();
    }

    /** The object key of request {@code n} of a worker. */
    static String key(long size, int worker, long n) {
        return "bench/" + size + "/" + worker + "/" + n;
    }

    HttpResponse createBucket() throws IOException {
        return send("PUT", null, null, 0, 0, BodySink.DISCARD);
    }

    HttpResponse putObject(String key, byte[] data, int offset, int length) throws IOException {
        return send("PUT", key, data, offset, length, BodySink.DISCARD);
    }

    HttpResponse getObject(String key, BodySink sink) throws IOException {
        return send("GET", key, null, 0, 0, sink);
    }

    HttpResponse deleteObject(String key) throws IOException {
        return send("DELETE", key, null, 0, 0, BodySink.DISCARD);
    }

    /** TCP connections opened so far. */
    int connects() {
        return connection.connects();
    }

    /** Unblocks and fails whatever this client is doing; safe from any thread. */
    void abort() {
        connection.abort();
    }

    @Override
    public void close() {
        connection.close();
    }

    private HttpResponse send(String method, String key, byte[] body, int offset, int length, BodySink sink)
            throws IOException {
        String target = SigV4Signer.encodePath(key == null ? "/" + bucket : "/" + bucket + "/" + key);
        List<HttpHeader> headers;
        if (signer == null) {
            headers = List.of();
        } else {
            String amzDate = amzDate();
            String authorization = signer.sign(method, target, List.of(),
                    Map.of("host", host,
                            SigV4Signer.DATE_HEADER, amzDate,
                            SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.UNSIGNED_PAYLOAD),
                    SigV4Signer.UNSIGNED_PAYLOAD).authorization();
            headers = List.of(
                    new HttpHeader("Host", host),
                    new HttpHeader(SigV4Signer.DATE_HEADER, amzDate),
                    new HttpHeader(SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.UNSIGNED_PAYLOAD),
                    new HttpHeader("Authorization", authorization));
        }
        return connection.exchange(new HttpRequest(method, target, headers, body, offset, length), sink);
    }

    /** The x-amz-date for now, formatted once per second rather than once per request. */
    private String amzDate() {
        long now = Instant.now().getEpochSecond();
        if (now != dateSecond) {
            dateSecond = now;
            date = SigV4Signer.amzDate(Instant.ofEpochSecond(now));
        }
        return date;
    }
}
