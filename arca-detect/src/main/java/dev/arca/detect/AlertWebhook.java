package dev.arca.detect;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts each alert (a detection as one JSON object, {@code application/json}) to the configured
 * webhook from a bounded queue on its own thread. Best effort: the audit log is the record; a full
 * queue, a failed connection or a non-2xx answer drops the alert and counts it.
 */
final class AlertWebhook implements AutoCloseable {
    /** Alerts waiting to be posted, at most. */
    static final int QUEUE_CAPACITY = 256;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long close waits for queued alerts. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    private static final long POLL_MILLIS = 100;
    private static final System.Logger LOG = System.getLogger("arca.detect");

    private final URI uri;
    private final HttpClient client;
    private final ArrayBlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;

    AlertWebhook(URI uri) {
        this.uri = uri;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
        this.thread = Thread.ofPlatform().name("arca-detect-webhook").daemon().unstarted(this::run);
        thread.start();
    }

    /** Queues one alert; drops and counts it when the queue is full. */
    void offer(String json) {
        if (stopping || !queue.offer(json)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    long sent() {
        return sent.get();
    }

    private void run() {
        while (!stopping || !queue.isEmpty()) {
            String json;
            try {
                json = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (json == null) {
                continue;
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    sent.incrementAndGet();
                } else {
                    dropped.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "alert webhook " + uri + " answered " + r.statusCode());
                }
            } catch (java.io.IOException e) {
                dropped.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "alert webhook " + uri + " failed: " + e.getMessage());
            } catch (InterruptedException e) {
                dropped.incrementAndGet();
                break;
            }
        }
        dropped.addAndGet(queue.size());
        queue.clear();
    }

    @Override
    public void close() {
        stopping = true;
        try {
            thread.join(CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        client.close();
    }
}
