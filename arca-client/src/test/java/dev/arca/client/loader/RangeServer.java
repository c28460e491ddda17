package dev.arca.client.loader;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arca.client.http.HttpEndpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny path-style S3 for loader tests: PUT and ranged GET of objects in one bucket, ETags,
 * If-Match (412), 416 for empty objects, user metadata and x-amz-checksum-crc32c returned on
 * whole-object reads with checksum mode, plus injected faults: 503 SlowDown, stalls (for read
 * timeouts), ignoring Range, a corrupted byte, and a hook run before a GET's response is sent.
 * Requests are not authenticated.
 */
public final class RangeServer implements AutoCloseable {

    /** One request as seen by the server. */
    public record Seen(String method, String key, String range, String ifMatch, String checksumMode) {
    }

    private record StoredObject(byte[] data, String etag, Map<String, String> headers) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String bucket;
    private final Map<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger versions = new AtomicInteger();
    private final AtomicInteger slowDowns = new AtomicInteger();
    private final AtomicInteger stalls = new AtomicInteger();
    private volatile long stallMillis;
    private volatile boolean ignoreRange;
    private volatile long corruptOffset = -1;
    private volatile BiConsumer<String, Long> beforeGetReply;

    /** A server for {@code bucket} on a free loopback port. */
    public RangeServer(String bucket) throws IOException {
        this.bucket = bucket;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public HttpEndpoint endpoint() {
        return new HttpEndpoint(InetAddress.getLoopbackAddress().getHostAddress(), server.getAddress().getPort());
    }

    public String url() {
        return endpoint().url();
    }

    /** Stores an object with its CRC32C as metadata and as the stored checksum. */
    public void put(String key, byte[] data) {
        String crc = Crc32c.toBase64(Crc32c.of(data, 0, data.length));
        put(key, data, Map.of(Loader.CRC32C_METADATA_HEADER, crc, "x-amz-checksum-crc32c", crc));
    }

    /** Stores an object with exactly these extra response headers. */
    public void put(String key, byte[] data, Map<String, String> headers) {
        objects.put(key, new StoredObject(data.clone(), "\"v" + versions.incrementAndGet() + "\"", Map.copyOf(headers)));
    }

    public boolean has(String key) {
        return objects.containsKey(key);
    }

    public byte[] get(String key) {
        return objects.get(key).data().clone();
    }

    /** The next {@code n} GETs answer 503 SlowDown. */
    public void slowDown(int n) {
        slowDowns.set(n);
    }

    /** The next {@code n} GETs wait {@code millis} before answering. */
    public void stall(int n, long millis) {
        stallMillis = millis;
        stalls.set(n);
    }

    /** Answer ranged GETs with 200 and the whole object, as a server without Range support. */
    public void ignoreRange(boolean value) {
        ignoreRange = value;
    }

    /** Flip the byte at this object offset in every response that carries it (-1: none). */
    public void corruptAt(long offset) {
        corruptOffset = offset;
    }

    /** Runs before each GET's response goes out, with the key and range start. */
    public void beforeGetReply(BiConsumer<String, Long> hook) {
        beforeGetReply = hook;
    }

    public List<Seen> seen() {
        return seen;
    }

    /** GETs of a key so far. */
    public long gets(String key) {
        return seen.stream().filter(s -> s.method().equals("GET") && s.key().equals(key)).count();
    }

    /** Requests with this method so far (HEAD must stay 0 on the data path). */
    public long count(String method) {
        return seen.stream().filter(s -> s.method().equals(method)).count();
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
            String prefix = "/" + bucket;
            String method = ex.getRequestMethod();
            if (!path.startsWith(prefix)) {
                reply(ex, 404, error("NoSuchBucket"));
                return;
            }
            if (path.equals(prefix) || path.equals(prefix + "/")) {
                reply(ex, method.equals("PUT") ? 200 : 405, new byte[0]);
                return;
            }
            String key = path.substring(prefix.length() + 1);
            var h = ex.getRequestHeaders();
            seen.add(new Seen(method, key, h.getFirst("Range"), h.getFirst("If-Match"), h.getFirst("x-amz-checksum-mode")));
            switch (method) {
                case "PUT" -> put(ex, key, body);
                case "GET" -> get(ex, key);
                default -> reply(ex, 405, error("MethodNotAllowed"));
            }
        }
    }

    private void put(HttpExchange ex, String key, byte[] body) throws IOException {
        Map<String, String> headers = new java.util.HashMap<>();
        for (var e : ex.getRequestHeaders().entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("x-amz-meta-") || name.equals("x-amz-checksum-crc32c")) {
                headers.put(name, e.getValue().getFirst());
            }
        }
        String declared = headers.get("x-amz-checksum-crc32c");
        if (declared != null && !declared.equals(Crc32c.toBase64(Crc32c.of(body, 0, body.length)))) {
            reply(ex, 400, error("BadDigest"));
            return;
        }
        put(key, body, headers);
        ex.getResponseHeaders().set("ETag", objects.get(key).etag());
        reply(ex, 200, new byte[0]);
    }

    private void get(HttpExchange ex, String key) throws IOException {
        if (slowDowns.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(ex, 503, error("SlowDown"));
            return;
        }
        if (stalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            try {
                Thread.sleep(stallMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        StoredObject o = objects.get(key);
        if (o == null) {
            reply(ex, 404, error("NoSuchKey"));
            return;
        }
        var h = ex.getRequestHeaders();
        String ifMatch = h.getFirst("If-Match");
        if (ifMatch != null && !ifMatch.equals(o.etag())) {
            reply(ex, 412, error("PreconditionFailed"));
            return;
        }
        long size = o.data().length;
        long first = 0;
        long last = size - 1;
        int status = 200;
        String range = h.getFirst("Range");
        if (range != null && !ignoreRange) {
            Matcher m = RANGE.matcher(range);
            if (!m.matches()) {
                reply(ex, 400, error("InvalidArgument"));
                return;
            }
            first = Long.parseLong(m.group(1));
            if (first >= size) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                reply(ex, 416, error("InvalidRange"));
                return;
            }
            last = Math.min(Long.parseLong(m.group(2)), size - 1);
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
        }
        ex.getResponseHeaders().set("ETag", o.etag());
        for (var e : o.headers().entrySet()) {
            boolean checksum = e.getKey().startsWith("x-amz-checksum-");
            boolean whole = first == 0 && last == size - 1;
            if (!checksum || (whole && "ENABLED".equals(h.getFirst("x-amz-checksum-mode")))) {
                ex.getResponseHeaders().set(e.getKey(), e.getValue());
            }
        }
        byte[] out = java.util.Arrays.copyOfRange(o.data(), (int) first, (int) (last + 1));
        long corrupt = corruptOffset;
        if (corrupt >= first && corrupt <= last) {
            out[(int) (corrupt - first)] ^= 0x5A;
        }
        BiConsumer<String, Long> hook = beforeGetReply;
        if (hook != null) {
            hook.accept(key, first);
        }
        reply(ex, status, out);
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
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
}
