package dev.arca.client.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arca.client.sign.SigV4Signer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny S3 for tests: path-style PUT/GET/DELETE of objects, bucket creation, MD5 ETags, and
 * SigV4 verification when given credentials. Bodies are stored once per distinct content (the
 * benchmark writes a handful of payloads many times), so long runs stay small in memory.
 */
final class FakeS3 implements AutoCloseable {

    private static final int THREADS = 8;
    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/s3/aws4_request,"
                    + "SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})");

    private final HttpServer server;
    private final ExecutorService executor;
    private final String accessKey;
    private final String secretKey;
    private final Set<String> buckets = ConcurrentHashMap.newKeySet();
    private final Map<String, String> objects = new ConcurrentHashMap<>();
    private final Map<String, byte[]> contents = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final AtomicLong gets = new AtomicLong();
    private volatile int failEveryNthGet;

    /** A server that checks signatures made with these keys; {@code null} keys accept anything. */
    FakeS3(String accessKey, String secretKey) throws IOException {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(THREADS);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    /** Makes every n-th GET fail with 500 (0: never). */
    void failEveryNthGet(int n) {
        failEveryNthGet = n;
    }

    /** Successful requests of a method on keys under a prefix, e.g. ("PUT", "bench/4096/"). */
    long count(String method, String keyPrefix) {
        AtomicLong c = counts.get(method + " " + keyPrefix);
        return c == null ? 0 : c.get();
    }

    /** Stored keys under a prefix. */
    long stored(String keyPrefix) {
        return objects.keySet().stream().filter(k -> k.startsWith(keyPrefix)).count();
    }

    boolean hasBucket(String name) {
        return buckets.contains(name);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            if (!signatureValid(ex)) {
                reply(ex, 403, error("SignatureDoesNotMatch"), null);
                return;
            }
            int slash = path.indexOf('/', 1);
            String bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
            String key = slash < 0 ? null : path.substring(slash + 1);
            String method = ex.getRequestMethod();
            if (key == null) {
                if (!method.equals("PUT")) {
                    reply(ex, 405, error("MethodNotAllowed"), null);
                } else if (buckets.add(bucket)) {
                    reply(ex, 200, new byte[0], null);
                } else {
                    reply(ex, 409, error("BucketAlreadyOwnedByYou"), null);
                }
                return;
            }
            if (!buckets.contains(bucket)) {
                reply(ex, 404, error("NoSuchBucket"), null);
                return;
            }
            switch (method) {
                case "PUT" -> {
                    String md5 = md5(body);
                    contents.putIfAbsent(md5, body);
                    objects.put(key, md5);
                    tally("PUT", key);
                    reply(ex, 200, new byte[0], md5);
                }
                case "GET" -> {
                    int n = failEveryNthGet;
                    if (n > 0 && gets.incrementAndGet() % n == 0) {
                        reply(ex, 500, error("InternalError"), null);
                        return;
                    }
                    String md5 = objects.get(key);
                    if (md5 == null) {
                        reply(ex, 404, error("NoSuchKey"), null);
                        return;
                    }
                    tally("GET", key);
                    reply(ex, 200, contents.get(md5), md5);
                }
                case "DELETE" -> {
                    objects.remove(key);
                    tally("DELETE", key);
                    ex.sendResponseHeaders(204, -1);
                }
                default -> reply(ex, 405, error("MethodNotAllowed"), null);
            }
        }
    }

    private void tally(String method, String key) {
        // Count under the "bench/<size>/" prefix the tests ask about.
        int second = key.indexOf('/', key.indexOf('/') + 1);
        String prefix = second < 0 ? key : key.substring(0, second + 1);
        counts.computeIfAbsent(method + " " + prefix, k -> new AtomicLong()).incrementAndGet();
    }

    private boolean signatureValid(HttpExchange ex) {
        if (accessKey == null) {
            return true;
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Matcher m = auth == null ? null : AUTH.matcher(auth);
        if (m == null || !m.matches() || !m.group(1).equals(accessKey)) {
            return false;
        }
        Map<String, String> signed = new LinkedHashMap<>();
        for (String name : m.group(4).split(";")) {
            String value = ex.getRequestHeaders().getFirst(name);
            if (value == null) {
                return false;
            }
            signed.put(name, value);
        }
        String payloadHash = ex.getRequestHeaders().getFirst(SigV4Signer.CONTENT_SHA256_HEADER);
        if (payloadHash == null || !signed.containsKey("host") || !signed.containsKey("x-amz-date")) {
            return false;
        }
        String expected = new SigV4Signer(accessKey, secretKey, m.group(3), "s3")
                .sign(ex.getRequestMethod(), ex.getRequestURI().getRawPath(), List.of(), signed, payloadHash)
                .signature();
        return expected.equals(m.group(5));
    }

    private static void reply(HttpExchange ex, int status, byte[] body, String md5) throws IOException {
        if (md5 != null) {
            ex.getResponseHeaders().set("ETag", "\"" + md5 + "\"");
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] error(String code) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code></Error>")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
