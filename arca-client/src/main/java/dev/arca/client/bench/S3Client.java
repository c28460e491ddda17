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
    /** The bucket subresource of Arca's batch GET. */
    static final String BATCH_GET_QUERY = "batchGet";

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
        return send("PUT", null, null, null, 0, 0, BodySink.DISCARD);
    }

    HttpResponse putObject(String key, byte[] data, int offset, int length) throws IOException {
        return send("PUT", key, null, data, offset, length, BodySink.DISCARD);
    }

    HttpResponse getObject(String key, BodySink sink) throws IOException {
        return send("GET", key, null, null, 0, 0, sink);
    }

    /** Batch GET of {@code keys}: one POST, the objects come back as a tar stream into {@code sink}. */
    HttpResponse batchGet(List<String> keys, BodySink sink) throws IOException {
        byte[] body = batchBody(keys);
        return send("POST", null, BATCH_GET_QUERY, body, 0, body.length, sink);
    }

    /** The batch GET request body: {@code {"objects":[{"key":"..."},...]}}. */
    static byte[] batchBody(List<String> keys) {
        StringBuilder json = new StringBuilder("{\"objects\":[");
        for (int i = 0; i < keys.size(); i++) {
            json.append(i == 0 ? "" : ",").append("{\"key\":").append(PhaseResult.quote(keys.get(i))).append('}');
        }
        return json.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    HttpResponse deleteObject(String key) throws IOException {
        return send("DELETE", key, null, null, 0, 0, BodySink.DISCARD);
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

    /** @param query a valueless query parameter (a subresource), or null */
    private HttpResponse send(String method, String key, String query, byte[] body, int offset, int length, BodySink sink)
            throws IOException {
        String path = SigV4Signer.encodePath(key == null ? "/" + bucket : "/" + bucket + "/" + key);
        String target = query == null ? path : path + "?" + query;
        List<HttpHeader> headers;
        if (signer == null) {
            headers = List.of();
        } else {
            String amzDate = amzDate();
            String authorization = signer.sign(method, path, query == null ? List.of() : List.of(Map.entry(query, "")),
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
