package dev.arca.storage;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Heals a set of blobs one by one, reporting progress; used by the admin heal command and the scrubber. */
public final class HealJob {
    /** Progress is reported at least this often (and at the end). */
    static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    private HealJob() {}

    /**
     * Counts of outcomes so far.
     *
     * @param scanned         blobs looked at
     * @param healthy         blobs with every shard good
     * @param healed          blobs that had shards rebuilt
     * @param degraded        blobs with bad shards left on offline drives
     * @param unrecoverable   blobs that cannot be read or rebuilt
     * @param danglingRemoved unreadable leftovers removed
     * @param shardsRebuilt   shard files rewritten
     * @param bytesVerified   shard bytes read and checked
     * @param done            whether this is the final summary
     */
    public record Summary(long scanned, long healthy, long healed, long degraded, long unrecoverable, long danglingRemoved,
            long shardsRebuilt, long bytesVerified, boolean done) {}

    /** Feeds blob ids to a consumer (e.g. {@code store::forEachBlob}, or the blobs of a bucket's objects). */
    @FunctionalInterface
    public interface BlobSource {
        void forEach(Consumer<String> action);
    }

    /** Heals every blob of {@code source}; {@code deep} verifies every chunk. Stops early if the store closes. */
    public static Summary run(ErasureBlobStore store, BlobSource source, boolean deep, Consumer<Summary> progress) {
        return run(store, source, deep, RateLimiter.UNLIMITED, progress, store::isClosed);
    }

    static Summary run(ErasureBlobStore store, BlobSource source, boolean deep, RateLimiter limiter, Consumer<Summary> progress,
            BooleanSupplier cancelled) {
        long[] c = new long[8];
        long[] lastReport = {System.nanoTime()};
        final class Cancelled extends RuntimeException {
            Cancelled() {
                super(null, null, false, false);
            }
        }
        try {
            source.forEach(id -> {
                if (cancelled.getAsBoolean()) {
                    throw new Cancelled();
                }
                HealReport r = store.heal(id, deep, limiter);
                c[0]++;
                switch (r.outcome()) {
                    case HEALTHY, NOT_FOUND, BUSY -> c[1]++;
                    case HEALED -> c[2]++;
                    case DEGRADED -> c[3]++;
                    case UNRECOVERABLE -> c[4]++;
                    case DANGLING_REMOVED -> c[5]++;
                }
                if (!r.unreachable().isEmpty() && r.outcome() == HealReport.Outcome.HEALED) {
                    c[3]++;
                }
                c[6] += r.rebuilt().size();
                c[7] += r.bytesVerified();
                long now = System.nanoTime();
                if (now - lastReport[0] >= PROGRESS_INTERVAL_NANOS) {
                    lastReport[0] = now;
                    progress.accept(summary(c, false));
                }
            });
        } catch (Cancelled e) {
            // Stopped early (server shutting down): report what was done.
        }
        Summary last = summary(c, true);
        progress.accept(last);
        return last;
    }

    private static Summary summary(long[] c, boolean done) {
        return new Summary(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], done);
    }
}
