package dev.arca.client.loader;

import dev.arca.client.http.BodySink;
import dev.arca.client.http.HttpConnection;
import dev.arca.client.http.HttpHeader;
import dev.arca.client.http.HttpRequest;
import dev.arca.client.http.HttpResponse;
import dev.arca.client.sign.SigV4Signer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Path-style S3 requests over one keep-alive connection, signed with SigV4 and an unsigned
 * payload (the client never hashes bodies). One thread at a time; {@link #abort()} from any.
 */
public final class ObjectClient implements AutoCloseable {

    private final HttpConnection connection;
    private final SigV4Signer signer;
    private final String bucket;
    private final String host;
    private long dateSecond = Long.MIN_VALUE;
    private String date;

    /** An unconnected client for the config's endpoint, credentials and bucket. */
    public ObjectClient(LoaderConfig config) {
        this.connection = new HttpConnection(config.endpoint(), config.timeouts(), config.tls());
        this.signer = config.signed()
                ? new SigV4Signer(config.accessKey(), config.secretKey(), config.region(), SigV4Signer.S3_SERVICE)
                : null;
        this.bucket = config.bucket();
        this.host = config.endpoint().hostHeader();
    }

    /** GET an object with extra headers (Range, If-Match, ...); a 2xx body goes to {@code sink}. */
    public HttpResponse get(String key, List<HttpHeader> extra, BodySink sink) throws IOException {
        return send("GET", key, extra, null, sink);
    }

    /** PUT an object; {@code extra} carries metadata and checksum headers. */
    public HttpResponse put(String key, byte[] body, List<HttpHeader> extra) throws IOException {
        return send("PUT", key, extra, body, BodySink.DISCARD);
    }

    /** PUT the bucket itself (create it). */
    public HttpResponse createBucket() throws IOException {
        return send("PUT", null, List.of(), null, BodySink.DISCARD);
    }

    /** TCP connections opened so far. */
    public int connects() {
        return connection.connects();
    }

    /** Fails whatever this client is doing, now or later; safe from any thread. */
    public void abort() {
        connection.abort();
    }

    @Override
    public void close() {
        connection.close();
    }

    /** The S3 error code in an error body ({@code <Code>SlowDown</Code>}), or "" if none. */
    static String errorCode(HttpResponse r) {
        String text = r.errorText();
        int start = text.indexOf("<Code>");
        int end = text.indexOf("</Code>");
        return start >= 0 && end > start ? text.substring(start + "<Code>".length(), end).strip() : "";
    }

    private HttpResponse send(String method, String key, List<HttpHeader> extra, byte[] body, BodySink sink)
            throws IOException {
        String target = SigV4Signer.encodePath(key == null ? "/" + bucket : "/" + bucket + "/" + key);
        List<HttpHeader> headers = new ArrayList<>(extra.size() + 4);
        if (signer != null) {
            String amzDate = amzDate();
            Map<String, String> signed = new HashMap<>();
            // Every header is signed: S3 refuses x-amz-* headers left out of the signature.
            for (HttpHeader h : extra) {
                signed.merge(h.name(), h.value(), (a, b) -> a + "," + b);
            }
            signed.put("host", host);
            signed.put(SigV4Signer.DATE_HEADER, amzDate);
            signed.put(SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.UNSIGNED_PAYLOAD);
            String authorization = signer.sign(method, target, List.of(), signed, SigV4Signer.UNSIGNED_PAYLOAD)
                    .authorization();
            headers.add(new HttpHeader("Host", host));
            headers.add(new HttpHeader(SigV4Signer.DATE_HEADER, amzDate));
            headers.add(new HttpHeader(SigV4Signer.CONTENT_SHA256_HEADER, SigV4Signer.UNSIGNED_PAYLOAD));
            headers.add(new HttpHeader("Authorization", authorization));
        }
        headers.addAll(extra);
        HttpRequest request = body == null
                ? HttpRequest.of(method, target, headers)
                : HttpRequest.of(method, target, headers, body);
        return connection.exchange(request, sink);
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
