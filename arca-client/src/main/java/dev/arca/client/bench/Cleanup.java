package dev.arca.client.bench;

import dev.arca.client.http.HttpResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** Deletes the objects a scenario wrote, with the phase's concurrency. */
final class Cleanup {

    private Cleanup() {
    }

    /** Deletes every packed key (see {@link Phase#writtenKeys()}); failures go to the error log. */
    static void deleteAll(BenchConfig config, long size, long[] keys, ErrorLog log, PrintStream err)
            throws InterruptedException {
        if (keys.length == 0) {
            return;
        }
        long started = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        int threads = Math.min(config.concurrency(), keys.length);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = Thread.ofPlatform().daemon().name("arca-bench-delete-" + t).start(() -> {
                try (S3Client client = new S3Client(config)) {
                    for (int i = next.getAndIncrement(); i < keys.length; i = next.getAndIncrement()) {
                        String key = Phase.keyOf(size, keys[i]);
                        try {
                            HttpResponse r = client.deleteObject(key);
                            // 404 is fine: the object is gone, which is all cleanup wants.
                            if (!r.isSuccess() && r.status() != 404) {
                                failed.incrementAndGet();
                                log.record("cleanup", "DELETE " + key + ": HTTP " + r.status());
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                            log.record("cleanup", "DELETE " + key + ": " + e);
                        }
                    }
                }
            });
        }
        for (Thread w : workers) {
            w.join();
        }
        err.printf(Locale.ROOT, "cleanup: deleted %d objects in %.2f s, %d errors%n",
                keys.length - failed.get(), (System.nanoTime() - started) / 1e9, failed.get());
    }
}
