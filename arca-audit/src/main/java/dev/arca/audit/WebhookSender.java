package dev.arca.audit;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts records as JSON lines ({@code application/x-ndjson}) to a webhook from a bounded queue.
 * Best effort by design: the chain on disk is the source of truth, so a full queue, a failed
 * connection or a non-2xx answer drops the records concerned and counts them.
 */
final class WebhookSender implements AutoCloseable {
    static final String CONTENT_TYPE = "application/x-ndjson";
    /** Records per POST at most. */
    static final int BATCH_RECORDS = 1_000;
    /** Bytes per POST body at most (a larger single record still goes alone). */
    static final int BATCH_BYTES = 4 << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** How long close waits for the queue to drain before counting the rest as dropped. */
    private static final long CLOSE_WAIT_MILLIS = 15_000;
    /** How often the sender looks at the stop flag while idle. */
    private static final long POLL_MILLIS = 50;
    private static final System.Logger LOG = System.getLogger("arca.audit");

    private final URI uri;
    private final ArrayBlockingQueue<byte[]> queue;
    private final HttpClient client;
    private final Thread thread;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private volatile boolean stopping;
    private boolean warned;

    WebhookSender(URI uri, int capacity) {
        this.uri = uri;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
        this.thread = Thread.ofPlatform().name("arca-audit-webhook").daemon().unstarted(this::run);
        thread.start();
    }

    /** Queues one JSON line (without newline); drops and counts it when the queue is full. */
    void offer(byte[] json) {
        if (!queue.offer(json)) {
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
        List<byte[]> batch = new ArrayList<>(BATCH_RECORDS);
        int unsent = 0;
        try {
            while (true) {
                byte[] first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (stopping) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH_RECORDS - 1);
                unsent = batch.size();
                int from = 0;
                while (from < batch.size()) {
                    ByteArrayOutputStream body = new ByteArrayOutputStream();
                    int to = from;
                    while (to < batch.size() && (to == from || body.size() + batch.get(to).length + 1 <= BATCH_BYTES)) {
                        body.write(batch.get(to), 0, batch.get(to).length);
                        body.write('\n');
                        to++;
                    }
                    post(body.toByteArray(), to - from);
                    unsent -= to - from;
                    from = to;
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            dropped.addAndGet(unsent);
        }
    }

    private void post(byte[] body, int records) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        String failure;
        try {
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                sent.addAndGet(records);
                return;
            }
            failure = "HTTP " + response.statusCode();
        } catch (java.io.IOException e) {
            failure = e.toString();
        }
        dropped.addAndGet(records);
        if (!warned) {
            warned = true; // once: a down webhook must not flood the log
            LOG.log(System.Logger.Level.WARNING, "audit webhook {0} failed ({1}); dropping records, counted in webhookDropped",
                    uri, failure);
        }
    }

    /** Sends what is queued (waiting a bounded time), then stops; what is left is counted as dropped. */
    @Override
    public void close() {
        stopping = true;
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                thread.interrupt();
                client.shutdownNow();
                break;
            }
            try {
                thread.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            thread.join(Duration.ofMillis(CLOSE_WAIT_MILLIS));
        } catch (InterruptedException e) {
            interrupted = true;
        }
        dropped.addAndGet(queue.size());
        queue.clear();
        client.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
