package dev.arca.storage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The background scrubber of an {@link ErasureBlobStore}. Every {@code driveCheck} it looks for
 * empty (replacement) drives, formats them and refills them at once with a full shallow heal
 * pass; a drive that comes back online after being offline gets the same pass (it misses the
 * shards written meanwhile). Every {@code interval} it starts a deep pass: every shard of every blob is read and
 * verified at no more than {@code bytesPerSecond}, and damage is healed.
 */
public final class Scrubber implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("arca.storage");

    /**
     * @param bytesPerSecond shard bytes verified per second by deep passes; 0 turns deep passes off
     * @param interval       time between the starts of two deep passes (the first starts one interval after start)
     * @param driveCheck     how often to look for replacement drives
     */
    public record Settings(long bytesPerSecond, Duration interval, Duration driveCheck) {
        public Settings {
            if (bytesPerSecond < 0 || interval.isNegative() || interval.isZero() || driveCheck.isNegative() || driveCheck.isZero()) {
                throw new IllegalArgumentException("bad scrub settings " + bytesPerSecond + " B/s every " + interval);
            }
        }
    }

    private final ErasureBlobStore store;
    private final Settings settings;
    private volatile Thread thread;
    private volatile boolean closed;
    private final CountDownLatch stop = new CountDownLatch(1);

    Scrubber(ErasureBlobStore store, Settings settings) {
        this.store = store;
        this.settings = settings;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("arca-scrubber").start(this::run);
    }

    private void run() {
        long now = System.nanoTime();
        long nextScrub = now + settings.interval().toNanos();
        long nextDriveCheck = now + settings.driveCheck().toNanos();
        // Drives formatted so far (by the drive check, by open() at start, or by a heal) whose refill pass ran.
        long refilled = 0;
        boolean[] online = onlineDrives();
        while (!closed) {
            long wait = Math.min(nextDriveCheck, settings.bytesPerSecond() > 0 ? nextScrub : Long.MAX_VALUE) - System.nanoTime();
            if (wait > 0) {
                try {
                    if (stop.await(wait, TimeUnit.NANOSECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                now = System.nanoTime();
                if (now - nextDriveCheck >= 0) {
                    nextDriveCheck = now + settings.driveCheck().toNanos();
                    List<Integer> formatted = store.formatEmptyDrives();
                    long formattedSoFar = store.stats.drivesFormatted.sum();
                    boolean[] nowOnline = onlineDrives();
                    boolean returned = false;
                    for (int i = 0; i < nowOnline.length; i++) {
                        returned |= nowOnline[i] && !online[i];
                    }
                    online = nowOnline;
                    if (formattedSoFar > refilled || returned) {
                        HealJob.Summary s = HealJob.run(store, store::forEachHealable, false, RateLimiter.UNLIMITED, p -> {}, () -> closed);
                        LOG.log(System.Logger.Level.WARNING, "refilled " + (formattedSoFar - refilled) + " replacement drives"
                                + (formatted.isEmpty() ? "" : " " + formatted) + (returned ? " and drives back online" : "") + ": " + s);
                        refilled = formattedSoFar;
                    }
                }
                if (settings.bytesPerSecond() > 0 && now - nextScrub >= 0) {
                    nextScrub = now + settings.interval().toNanos();
                    RateLimiter limiter = RateLimiter.perSecond(settings.bytesPerSecond());
                    HealJob.Summary s = HealJob.run(store, store::forEachHealable, true, limiter, p -> {}, () -> closed);
                    store.stats.scrubPasses.increment();
                    store.stats.scrubbedBytes.add(s.bytesVerified());
                    store.stats.scrubbedBlobs.add(s.scanned());
                    LOG.log(s.healed() + s.unrecoverable() > 0 ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "scrub pass: " + s);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "scrubber pass failed; retrying next time", e);
            }
        }
    }

    private boolean[] onlineDrives() {
        List<ErasureBlobStore.DriveStatus> drives = store.driveStatus();
        boolean[] online = new boolean[drives.size()];
        for (int i = 0; i < online.length; i++) {
            online[i] = drives.get(i).state().equals("online");
        }
        return online;
    }

    Thread thread() {
        return thread;
    }

    /** Stops after the blob in hand (no interrupt: that would close channels a heal is reading); see ErasureBlobStore.close. */
    @Override
    public void close() {
        closed = true;
        stop.countDown();
    }
}
