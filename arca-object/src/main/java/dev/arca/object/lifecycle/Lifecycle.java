package dev.arca.object.lifecycle;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.MetadataCorruptException;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.UploadListing;
import dev.arca.meta.UploadQuery;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.VersionListing;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The lifecycle worker: applies every bucket's enabled lifecycle rules (config
 * {@link LifecycleConfiguration#CONFIG_NAME}) by submitting ordinary metadata commands, so the
 * metadata machine enforces versioning and Object Lock exactly as for a client's delete. It never
 * bypasses Object Lock: protected versions are skipped (and counted), and a target the machine
 * refuses is counted as skipped, never an error.
 *
 * <p>What a run does, per bucket, in key order:
 * <ul>
 * <li>Expiration Days/Date: the current version (not a delete marker) is deleted as a client's
 *     DELETE would (removed, or hidden by a delete marker when versioning is enabled), guarded by
 *     its version id and sequence number so a newer write is never hidden.
 * <li>ExpiredObjectDeleteMarker: a delete marker that is its key's only version is removed. As in
 *     S3, a Days or Date rule also removes such a marker once the marker itself is old enough for it.
 * <li>NoncurrentVersionExpiration: a noncurrent version is removed for good once it has been
 *     noncurrent NoncurrentDays, unless it is among the NewerNoncurrentVersions newest noncurrent
 *     versions. It became noncurrent when the next newer version of its key was written.
 * <li>AbortIncompleteMultipartUpload: uploads started DaysAfterInitiation ago are aborted.
 * </ul>
 *
 * <p>Ages follow S3: an action is due at {@link #dueMillis} — the start time plus the days, rounded
 * up to the next midnight UTC. Where several rules match, the earliest action wins (any rule that
 * makes a version eligible removes it).
 *
 * <p>A run examines at most {@link #MAX_EXAMINED_PER_RUN} versions and uploads; the next run
 * continues from there (the position is kept in memory only: after a restart the walk starts
 * over, which is safe because every action is idempotent and re-checked). Runs are serialized.
 */
public final class Lifecycle implements AutoCloseable {
    /** How often the background thread runs by default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofHours(1);
    /** Delay before the first background run, so a server that restarts often still runs lifecycle. */
    static final Duration FIRST_RUN_DELAY = Duration.ofMinutes(1);
    /** Pause between runs while a walk that hit {@link #MAX_EXAMINED_PER_RUN} continues. */
    static final Duration CONTINUE_DELAY = Duration.ofSeconds(1);
    /** Versions and uploads examined per run, bounding the time one run holds the worker. */
    static final long MAX_EXAMINED_PER_RUN = 1_000_000;
    /** Delete targets per DeleteObjects command. */
    static final int DELETE_BATCH = 500;
    /** Uploads listed per page. */
    static final int UPLOAD_PAGE = 1000;
    /** How long close() waits for a run in progress to notice and stop. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
    private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
    private static final System.Logger LOG = System.getLogger("arca.lifecycle");

    private final MetadataStore meta;
    private final InstantSource clock;
    private final Runnable onGarbage;
    private final long maxExaminedPerRun;
    private final Semaphore wake = new Semaphore(0);
    /** Serializes runs (the background thread's and the admin API's). */
    private final ReentrantLock runs = new ReentrantLock();
    private volatile boolean running = true;
    private volatile Thread thread;
    /** Where the previous run stopped when it hit its bound, or null to start from the first bucket. Guarded by runs. */
    private Cursor resume;

    /**
     * @param meta      the metadata store whose buckets to maintain
     * @param clock     the clock deciding ages and the Object Lock "now"
     * @param onGarbage called after commands that turned blobs into garbage (wakes the collector)
     */
    public Lifecycle(MetadataStore meta, InstantSource clock, Runnable onGarbage) {
        this(meta, clock, onGarbage, MAX_EXAMINED_PER_RUN);
    }

    Lifecycle(MetadataStore meta, InstantSource clock, Runnable onGarbage, long maxExaminedPerRun) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.onGarbage = Objects.requireNonNull(onGarbage, "onGarbage");
        if (maxExaminedPerRun <= 0) {
            throw new IllegalArgumentException("maxExaminedPerRun " + maxExaminedPerRun);
        }
        this.maxExaminedPerRun = maxExaminedPerRun;
    }

    /**
     * What one run did.
     *
     * @param bucketsScanned       buckets with a lifecycle configuration that the run visited
     * @param versionsExamined     versions and delete markers read
     * @param uploadsExamined      multipart uploads read
     * @param expiredCurrent       current versions expired (removed, or hidden by a delete marker)
     * @param deleteMarkersRemoved lone delete markers removed
     * @param noncurrentRemoved    noncurrent versions removed
     * @param uploadsAborted       multipart uploads aborted
     * @param skippedLocked        eligible versions left alone because Object Lock protects them
     *                             (or the metadata machine refused to delete them)
     * @param complete             false when the run stopped at its bound; the next run continues
     */
    public record Report(int bucketsScanned, long versionsExamined, long uploadsExamined, long expiredCurrent,
            long deleteMarkersRemoved, long noncurrentRemoved, long uploadsAborted, long skippedLocked,
            boolean complete) {
        /** Whether the run changed anything or skipped anything. */
        public boolean acted() {
            return expiredCurrent + deleteMarkersRemoved + noncurrentRemoved + uploadsAborted + skippedLocked > 0;
        }
    }

    /**
     * When an action counted in days from {@code startMillis} is due: start plus {@code days} × 24 h,
     * rounded up to the next midnight UTC (unchanged when exactly at midnight), as S3 computes it.
     */
    public static long dueMillis(long startMillis, int days) {
        long t = startMillis + days * DAY_MILLIS;
        return Math.ceilDiv(t, DAY_MILLIS) * DAY_MILLIS;
    }

    /**
     * Applies every bucket's enabled rules once (or continues a walk the previous run left at its
     * bound). Failures of one bucket are logged and do not stop the others.
     */
    public Report runOnce() {
        runs.lock();
        try {
            return run(clock.millis());
        } finally {
            runs.unlock();
        }
    }

    private Report run(long now) {
        Counters c = new Counters();
        Cursor from = resume;
        resume = null;
        for (BucketRecord bucket : meta.buckets()) {
            if (!running) {
                return c.report(false);
            }
            if (from != null && bucket.name().compareTo(from.bucket()) < 0) {
                continue;
            }
            Cursor start = from != null && bucket.name().equals(from.bucket()) ? from : null;
            Optional<LifecycleConfiguration> config = load(bucket.name());
            if (config.isEmpty() || config.get().enabledRules().isEmpty()) {
                continue;
            }
            if (c.examined() >= maxExaminedPerRun) {
                resume = start != null ? start : new Cursor(bucket.name(), Phase.VERSIONS, null, null);
                return c.report(false);
            }
            c.buckets++;
            try {
                Cursor stop = runBucket(bucket, config.get().enabledRules(), start, now, c);
                if (stop != null) {
                    resume = stop;
                    return c.report(false);
                }
            } catch (StoreException e) {
                // Typically the bucket was deleted while we walked it.
                LOG.log(System.Logger.Level.DEBUG, "lifecycle of bucket {0} stopped: {1}", bucket.name(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "lifecycle of bucket " + bucket.name() + " failed", e);
            }
        }
        return c.report(true);
    }

    private Optional<LifecycleConfiguration> load(String bucket) {
        Optional<byte[]> raw = meta.bucketConfig(bucket, LifecycleConfiguration.CONFIG_NAME);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LifecycleConfiguration.decode(raw.get()));
        } catch (MetadataCorruptException e) {
            LOG.log(System.Logger.Level.WARNING, "lifecycle configuration of bucket {0} is unreadable: {1}", bucket,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Where a walk stopped: the bucket, the phase, and the listing markers to continue after. */
    private record Cursor(String bucket, Phase phase, String keyMarker, String uploadIdMarker) {}

    private enum Phase { VERSIONS, UPLOADS }

    /** Walks one bucket; returns where it stopped if the run's bound was hit, else null. */
    private Cursor runBucket(BucketRecord bucket, List<LifecycleRule> rules, Cursor start, long now, Counters c) {
        List<LifecycleRule> versionRules = rules.stream()
                .filter(r -> r.expiration() != null || r.noncurrentVersionExpiration() != null).toList();
        if (!versionRules.isEmpty() && (start == null || start.phase() == Phase.VERSIONS)) {
            String after = start == null ? null : start.keyMarker();
            String prefix = commonPrefix(versionRules);
            while (true) {
                VersionScan scan = new VersionScan(bucket, versionRules, now, c);
                meta.forEachVersion(bucket.name(), prefix, after, scan);
                scan.end();
                flush(bucket.name(), bucket.versioning(), scan.targets, now, c);
                if (!scan.stopped) {
                    break;
                }
                after = scan.lastDoneKey;
                if (c.examined() >= maxExaminedPerRun || !running) {
                    return new Cursor(bucket.name(), Phase.VERSIONS, after, null);
                }
            }
        }
        List<LifecycleRule> abortRules = rules.stream().filter(r -> r.abortIncompleteMultipartUpload() != null).toList();
        if (abortRules.isEmpty()) {
            return null;
        }
        String keyMarker = start != null && start.phase() == Phase.UPLOADS ? start.keyMarker() : null;
        String idMarker = start != null && start.phase() == Phase.UPLOADS ? start.uploadIdMarker() : null;
        String prefix = commonPrefix(abortRules);
        while (true) {
            if (c.examined() >= maxExaminedPerRun || !running) {
                return new Cursor(bucket.name(), Phase.UPLOADS, keyMarker, idMarker);
            }
            UploadListing page = meta.listUploads(bucket.name(), new UploadQuery(prefix, null, keyMarker, idMarker, UPLOAD_PAGE));
            for (UploadRecord u : page.uploads()) {
                c.uploadsExamined++;
                if (abortDue(abortRules, u, now)) {
                    abort(u, now, c);
                }
            }
            if (!page.truncated() || page.nextKeyMarker() == null) {
                return null;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
    }

    private static boolean abortDue(List<LifecycleRule> rules, UploadRecord u, long now) {
        for (LifecycleRule r : rules) {
            // Abort rules filter by prefix only (validation refuses tags and sizes with them).
            if (u.key().startsWith(r.filter().prefix())
                    && now >= dueMillis(u.initiatedMillis(), r.abortIncompleteMultipartUpload().daysAfterInitiation())) {
                return true;
            }
        }
        return false;
    }

    private void abort(UploadRecord u, long now, Counters c) {
        try {
            List<String> garbage = meta.submit(new Command.AbortUpload(u.bucket(), u.key(), u.uploadId(), now));
            c.uploadsAborted++;
            if (!garbage.isEmpty()) {
                onGarbage.run();
            }
        } catch (StoreException e) {
            // Completed or aborted by a client meanwhile: nothing left to do.
            if (e.kind() != FailureKind.NO_SUCH_UPLOAD) {
                throw e;
            }
        }
    }

    /** The longest prefix every rule's filter starts with: the narrowest walk that sees all their objects. */
    static String commonPrefix(List<LifecycleRule> rules) {
        String common = null;
        for (LifecycleRule r : rules) {
            String p = r.filter().prefix();
            if (common == null) {
                common = p;
            } else {
                int n = 0;
                int max = Math.min(common.length(), p.length());
                while (n < max && common.charAt(n) == p.charAt(n)) {
                    n++;
                }
                // Never split a surrogate pair: the store compares UTF-8 bytes.
                if (n > 0 && n < common.length() && Character.isHighSurrogate(common.charAt(n - 1))) {
                    n--;
                }
                common = common.substring(0, n);
            }
        }
        return common == null ? "" : common;
    }

    private enum Kind { CURRENT, DELETE_MARKER, NONCURRENT }

    /** A decided deletion, with the sequence number of the version it was decided on. */
    private record Pending(Command.DeleteTarget target, Kind kind, long seq) {}

    /**
     * Decides deletions while the store walks versions (keys in order, each newest first). Stops
     * only at key boundaries, so each key's versions are decided together and a walk continues
     * after the last complete key.
     */
    private final class VersionScan implements Predicate<VersionListing.Entry> {
        private final BucketRecord bucket;
        private final List<LifecycleRule> rules;
        private final long now;
        private final Counters c;
        final List<Pending> targets = new ArrayList<>();
        boolean stopped;
        String lastDoneKey;
        private String key;
        private VersionListing.Entry first;
        /** Whether the key's versions started at its newest, so positions and ages are known. */
        private boolean fromLatest;
        private int index;
        private long newerModified;

        VersionScan(BucketRecord bucket, List<LifecycleRule> rules, long now, Counters c) {
            this.bucket = bucket;
            this.rules = rules;
            this.now = now;
            this.c = c;
        }

        @Override
        public boolean test(VersionListing.Entry e) {
            if (!e.key().equals(key)) {
                if (key != null) {
                    finishKey();
                    if (targets.size() >= DELETE_BATCH || c.examined() >= maxExaminedPerRun || !running) {
                        stopped = true;
                        return false;
                    }
                }
                key = e.key();
                first = e;
                fromLatest = e.latest();
                index = 0;
            }
            c.versionsExamined++;
            if (fromLatest) {
                decide(e.record());
            }
            newerModified = e.record().lastModifiedMillis();
            index++;
            return true;
        }

        /** Called after the walk returns: completes the last key unless the scan stopped before it. */
        void end() {
            if (!stopped && key != null) {
                finishKey();
            }
        }

        private void finishKey() {
            if (fromLatest && index == 1 && first.record().deleteMarker() && markerExpired(first.record())) {
                ObjectRecord marker = first.record();
                targets.add(new Pending(new Command.DeleteTarget(first.key(), marker.versionId(), null, marker.seq()),
                        Kind.DELETE_MARKER, marker.seq()));
            }
            lastDoneKey = key;
        }

        /** Whether a lone delete marker of {@code key} goes: by an ExpiredObjectDeleteMarker rule, or by age. */
        private boolean markerExpired(ObjectRecord marker) {
            for (LifecycleRule r : rules) {
                if (!r.filter().matches(key, 0, Map.of())) {
                    continue;
                }
                if (r.expiresDeleteMarkers()) {
                    return true;
                }
                // As in S3, a Days or Date rule also removes a lone marker once the marker is old enough for it.
                long due = switch (r.expiration()) {
                    case Expiration.Days(int days) -> dueMillis(marker.lastModifiedMillis(), days);
                    case Expiration.OnDate d -> d.startMillis();
                    case null, default -> Long.MAX_VALUE;
                };
                if (now >= due) {
                    return true;
                }
            }
            return false;
        }

        private void decide(ObjectRecord v) {
            if (index == 0) {
                if (!v.deleteMarker() && currentDue(v)) {
                    // Hiding behind a delete marker keeps the version, so only a delete that would
                    // remove it (versioning not enabled) needs the lock's consent.
                    if (bucket.versioning() != Versioning.ENABLED && v.protectedAt(now, false)) {
                        c.skippedLocked++;
                    } else {
                        targets.add(new Pending(new Command.DeleteTarget(key, null, v.versionId(), v.seq()),
                                Kind.CURRENT, v.seq()));
                    }
                }
            } else if (noncurrentDue(v, index - 1, newerModified)) {
                if (v.protectedAt(now, false)) {
                    c.skippedLocked++;
                } else {
                    targets.add(new Pending(new Command.DeleteTarget(key, v.versionId(), null, v.seq()),
                            Kind.NONCURRENT, v.seq()));
                }
            }
        }

        private boolean currentDue(ObjectRecord v) {
            for (LifecycleRule r : rules) {
                if (!r.expiresCurrentVersions() || !r.filter().matches(key, v.size(), v.attributes().tags())) {
                    continue;
                }
                long due = switch (r.expiration()) {
                    case Expiration.Days(int days) -> dueMillis(v.lastModifiedMillis(), days);
                    case Expiration.OnDate d -> d.startMillis();
                    default -> Long.MAX_VALUE;
                };
                if (now >= due) {
                    return true;
                }
            }
            return false;
        }

        /** {@code position}: 0 for the newest noncurrent version; {@code since}: when it became noncurrent. */
        private boolean noncurrentDue(ObjectRecord v, int position, long since) {
            for (LifecycleRule r : rules) {
                NoncurrentVersionExpiration n = r.noncurrentVersionExpiration();
                if (n != null && position >= n.retained() && now >= dueMillis(since, n.noncurrentDays())
                        && r.filter().matches(key, v.size(), v.attributes().tags())) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Submits decided deletions in batches. Each target is first re-read and dropped if its version
     * changed since it was decided (a client rewrote or deleted it meanwhile); the machine's
     * if-current guard closes the rest of that window for current versions.
     */
    private void flush(String bucket, Versioning versioning, List<Pending> pending, long now, Counters c) {
        List<Pending> live = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            if (stillAsDecided(bucket, p)) {
                live.add(p);
            }
        }
        for (int from = 0; from < live.size(); from += DELETE_BATCH) {
            List<Pending> batch = live.subList(from, Math.min(live.size(), from + DELETE_BATCH));
            Outcome outcome = meta.execute(new Command.DeleteObjects(bucket,
                    batch.stream().map(Pending::target).toList(), WritePrecondition.NONE, false, now));
            List<Outcome.DeleteOutcome> results = outcome.deletes();
            for (int i = 0; i < batch.size(); i++) {
                Outcome.DeleteOutcome r = i < results.size() ? results.get(i) : null;
                if (r != null && r.failure() != null) {
                    c.skippedLocked++;
                    LOG.log(System.Logger.Level.DEBUG, "lifecycle left {0}/{1} alone: {2}", bucket, r.key(),
                            r.failure().message());
                    continue;
                }
                switch (batch.get(i).kind()) {
                    // With versioning, a target the if-current guard turned into a no-op adds no marker.
                    case CURRENT -> c.expiredCurrent += versioning == Versioning.UNVERSIONED || r == null || r.deleteMarker() ? 1 : 0;
                    case DELETE_MARKER -> c.deleteMarkersRemoved++;
                    case NONCURRENT -> c.noncurrentRemoved++;
                }
            }
            if (!outcome.garbage().isEmpty()) {
                onGarbage.run();
            }
        }
    }

    private boolean stillAsDecided(String bucket, Pending p) {
        Command.DeleteTarget t = p.target();
        Optional<ObjectRecord> latest = meta.latestVersion(bucket, t.key());
        return switch (p.kind()) {
            case CURRENT -> latest.filter(v -> v.seq() == p.seq() && !v.deleteMarker()).isPresent();
            // A lone marker: still the newest version, and (checked by id) still the same marker.
            case DELETE_MARKER -> latest.filter(v -> v.seq() == p.seq()).isPresent();
            // Still there, and not made current again by a client deleting the newer versions.
            case NONCURRENT -> latest.filter(v -> v.seq() != p.seq()).isPresent()
                    && meta.objectVersion(bucket, t.key(), t.versionId()).filter(v -> v.seq() == p.seq()).isPresent();
        };
    }

    private static final class Counters {
        int buckets;
        long versionsExamined;
        long uploadsExamined;
        long expiredCurrent;
        long deleteMarkersRemoved;
        long noncurrentRemoved;
        long uploadsAborted;
        long skippedLocked;

        long examined() {
            return versionsExamined + uploadsExamined;
        }

        Report report(boolean complete) {
            return new Report(buckets, versionsExamined, uploadsExamined, expiredCurrent, deleteMarkersRemoved,
                    noncurrentRemoved, uploadsAborted, skippedLocked, complete);
        }
    }

    /**
     * Starts the background thread: a first run after {@link #FIRST_RUN_DELAY} (or {@code interval}
     * if shorter), then one every {@code interval}; a run that stopped at its bound is continued
     * after {@link #CONTINUE_DELAY}. {@link #wake()} starts a run early.
     */
    public synchronized void start(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval " + interval);
        }
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = Thread.ofPlatform().name("arca-lifecycle").daemon(true).start(() -> loop(interval));
    }

    /** Makes the background thread run now (when started); for the admin API and tests. */
    public void wake() {
        wake.release();
    }

    private void loop(Duration interval) {
        Duration delay = FIRST_RUN_DELAY.compareTo(interval) < 0 ? FIRST_RUN_DELAY : interval;
        while (running) {
            try {
                wake.tryAcquire(delay.toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
                if (!running) {
                    return;
                }
                Report r = runOnce();
                LOG.log(r.acted() ? System.Logger.Level.INFO : System.Logger.Level.DEBUG, "lifecycle run: {0}", r);
                delay = r.complete() ? interval : CONTINUE_DELAY;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // A failed run (store closing, I/O error) is retried at the next interval.
                LOG.log(System.Logger.Level.WARNING, "lifecycle run failed", e);
                delay = interval;
            }
        }
    }

    /** Stops the background thread, letting a run in progress stop at its next key. */
    @Override
    public void close() {
        running = false;
        wake.release();
        Thread t = thread;
        if (t != null) {
            try {
                t.join(CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
