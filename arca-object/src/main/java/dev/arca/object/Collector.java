package dev.arca.object;

import dev.arca.meta.Command;
import dev.arca.meta.MetadataStore;
import dev.arca.storage.BlobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Deletes garbage blobs (data of replaced, deleted or aborted objects and parts) in the
 * background, then forgets them. Runs off the request path: on our disks (mounted with discard)
 * deleting large files right before writing slows the writes.
 */
final class Collector implements AutoCloseable {
    /** Garbage entries handled per round. */
    static final int BATCH = 1000;
    /** Idle wake-up interval, to retry leased blobs. */
    static final long IDLE_MILLIS = 2000;

    private final MetadataStore meta;
    private final BlobStore blobs;
    private final BlobLeases leases;
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running = true;
    private Thread thread;

    Collector(MetadataStore meta, BlobStore blobs, BlobLeases leases) {
        this.meta = meta;
        this.blobs = blobs;
        this.leases = leases;
    }

    void start() {
        thread = Thread.ofPlatform().name("arca-collector").daemon(true).start(this::loop);
    }

    void wake() {
        wake.release();
    }

    private void loop() {
        while (running) {
            try {
                wake.tryAcquire(IDLE_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
                while (running && collectOnce() == BATCH) {
                    Thread.onSpinWait();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A failed round (disk error, store closing) is retried on the next wake-up.
                System.getLogger("arca.collector").log(System.Logger.Level.WARNING, "garbage collection round failed", e);
            }
        }
    }

    /** Deletes up to one batch of unleased garbage; returns how many entries were examined. */
    int collectOnce() {
        List<String> garbage = meta.garbage(BATCH);
        List<String> done = new ArrayList<>(garbage.size());
        for (String id : garbage) {
            if (!leases.isLeased(id)) {
                blobs.delete(id);
                done.add(id);
            }
        }
        if (!done.isEmpty()) {
            meta.submit(new Command.ForgetGarbage(done));
        }
        return done.size() == garbage.size() ? garbage.size() : 0;
    }

    @Override
    public void close() {
        running = false;
        wake.release();
        if (thread != null) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
