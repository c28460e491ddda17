package dev.arca.object.restore;

import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.Encryption;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.PartSummary;
import dev.arca.meta.StoredChecksum;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.VersionIds;
import dev.arca.meta.VersionListing;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import dev.arca.object.ChecksumInput;
import dev.arca.object.CompletedPart;
import dev.arca.object.CopyOptions;
import dev.arca.object.CopySource;
import dev.arca.object.ObjectLayer;
import dev.arca.object.ObjectLock;
import dev.arca.object.Owner;
import dev.arca.object.PartResult;
import dev.arca.object.SseRequest;
import dev.arca.object.WriteResult;
import java.io.InputStream;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Point-in-time restore of a versioned bucket (or a prefix of it): makes every key read as it
 * did at a time T, by adding versions only, so nothing is ever lost and the restore itself can
 * be undone by restoring to a time just before it ran.
 *
 * <p>For each key, let V(T) be its newest version or delete marker (in commit order) whose
 * last-modified time is at or before T, and C its current newest entry:
 * <ul>
 * <li>V(T) a version, C the same version or one with the same bytes and metadata (ETag, size,
 *     headers, storage class, user metadata, tags): nothing to do ("unchanged").
 * <li>V(T) a version and C anything else (a later overwrite or delete marker): V(T) is copied
 *     back as a new version ("restored"): single-part versions by CopyObject from the version,
 *     multipart versions by UploadPartCopy of each original part and Complete, so the new version
 *     has the same ETag (MD5 or MD5-of-parts), size, checksum, headers, storage class, user
 *     metadata, tags and encryption mode; the ETag is verified (each part's before completing).
 *     The copy gets no Object Lock settings of its own: only the bucket's default retention applies.
 * <li>V(T) a delete marker, or no version at or before T (the key was created later), and C a
 *     version: a delete marker is added ("hidden").
 * <li>V(T) a delete marker or absent and C a delete marker: nothing to do.
 * </ul>
 * No version is removed or altered, so versions under Object Lock are untouched by construction
 * (counted as {@link RestoreReport#lockedVersionsKept()}). A key whose version cannot be copied
 * without a key Arca does not keep (SSE-C), or, with versioning suspended, whose restore would
 * replace its "null" version (a write there replaces it, destroying it), is skipped and reported.
 *
 * <p><b>Concurrency.</b> A key is decided, re-read just before its write, and written under an
 * atomic guard: a copy-back needs the current object to still have C's ETag (or, when C is a
 * delete marker, to still not exist); a delete marker is added only if C (by version id and
 * sequence number) is still current. A key a client changes after the restore looked at it is left
 * as the client made it and counted as {@link RestoreReport#changedDuringRestore()}. (A client
 * write of the very same ETag while a copy streams is not caught by the guard; it is reported as an
 * error entry, and with versioning enabled the client's version is kept as a noncurrent version.)
 *
 * <p><b>Idempotent, resumable.</b> A key already restored reads as at T, so a second run changes
 * nothing; a run that stopped (crash, shutdown) is completed by running it again. Keys are done
 * in key order and {@link RestoreReport#lastKey()} says where a stopped run was:
 * {@link RestoreRequest#afterKey()} continues after it. Tags, retention and legal holds edited in
 * place on a version after T are not rolled back (versions do not record those edits).
 */
public final class Restore {
    /** Per-key problems kept in a report; later ones are only counted. */
    public static final int MAX_ERRORS = 100;
    /** Keys decided per walk of the version listing before their writes are done. */
    static final int KEYS_PER_BATCH = 1000;
    /** Versions read to count the keys for progress; past this the total is reported unknown (-1). */
    static final long MAX_COUNTED_VERSIONS = 10_000_000;
    private static final WritePrecondition MUST_NOT_EXIST = new WritePrecondition.MustNotExist();
    private static final System.Logger LOG = System.getLogger("arca.restore");

    private final ObjectLayer layer;
    private final MetadataStore meta;
    private final InstantSource clock;
    private final Consumer<String> beforeWrite;

    /**
     * @param layer the object layer whose copy and multipart paths write the restored versions
     * @param meta  the same layer's metadata store (version walks, guarded delete markers)
     * @param clock the object layer's clock: "now" for the future check, delete markers and durations
     */
    public Restore(ObjectLayer layer, MetadataStore meta, InstantSource clock) {
        this(layer, meta, clock, key -> { });
    }

    /** As above; {@code beforeWrite} runs with each key after its last check, right before its write (tests). */
    Restore(ObjectLayer layer, MetadataStore meta, InstantSource clock, Consumer<String> beforeWrite) {
        this.layer = Objects.requireNonNull(layer, "layer");
        this.meta = Objects.requireNonNull(meta, "meta");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.beforeWrite = Objects.requireNonNull(beforeWrite, "beforeWrite");
    }

    /**
     * Checks a request before it runs: NoSuchBucket; InvalidRequest for an unversioned bucket (it
     * keeps no versions to restore from); InvalidArgument for a time in the future.
     *
     * @return the bucket
     */
    public BucketRecord check(RestoreRequest request) {
        BucketRecord b = layer.buckets().get(request.bucket());
        if (b.versioning() == Versioning.UNVERSIONED) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Bucket " + b.name()
                    + " is not versioned: without versions there is nothing to restore from.");
        }
        if (request.to().isAfter(clock.instant())) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                    "The restore time " + request.to() + " is in the future.");
        }
        return b;
    }

    /** A dry run: what {@link #run} would do now, writing nothing. */
    public RestorePlan plan(RestoreRequest request) {
        return RestorePlan.of(run(request.resumedAfter(request.afterKey(), true), r -> { }, () -> false));
    }

    /**
     * Restores (or, for a dry run, plans) {@code request}. Per-key failures are counted and listed
     * without stopping the run; a vanished bucket stops it (NoSuchBucket).
     *
     * @param progress called with a snapshot after each key (and once the keys are counted)
     * @param stop     polled between keys; when true the run returns, incomplete, after the key in hand
     */
    public RestoreReport run(RestoreRequest request, Consumer<RestoreReport> progress, BooleanSupplier stop) {
        check(request);
        Counters c = new Counters(request.dryRun(), clock.millis());
        progress.accept(c.snapshot(false));
        c.keysTotal = countKeys(request, stop);
        progress.accept(c.snapshot(false));
        String after = request.afterKey();
        long toMillis = request.to().toEpochMilli();
        while (true) {
            BucketRecord bucket = layer.buckets().get(request.bucket());
            Scan scan = new Scan(bucket.versioning(), toMillis, clock.millis());
            meta.forEachVersion(bucket.name(), request.prefix(), after, scan);
            scan.end();
            for (Decision d : scan.decisions) {
                if (stop.getAsBoolean()) {
                    return c.snapshot(false);
                }
                applyCounted(request.bucket(), d, c);
                progress.accept(c.snapshot(false));
            }
            if (!scan.stopped) {
                return c.snapshot(true);
            }
            after = scan.lastKey;
        }
    }

    /** Distinct keys to examine, or -1 when there are more than {@link #MAX_COUNTED_VERSIONS} versions. */
    private long countKeys(RestoreRequest request, BooleanSupplier stop) {
        long[] keys = {0};
        long[] versions = {0};
        String[] last = {null};
        meta.forEachVersion(request.bucket().value(), request.prefix(), request.afterKey(), e -> {
            if (++versions[0] > MAX_COUNTED_VERSIONS || stop.getAsBoolean()) {
                keys[0] = -1;
                return false;
            }
            if (!e.key().equals(last[0])) {
                last[0] = e.key();
                keys[0]++;
            }
            return true;
        });
        return keys[0];
    }

    private enum Action { UNCHANGED, COPY_BACK, HIDE, SKIP }

    /**
     * What to do with one key, decided from its versions: {@code current} its newest entry,
     * {@code target} the entry current at T (null: none), {@code reason} why it is skipped.
     */
    private record Decision(String key, Action action, ObjectRecord current, ObjectRecord target, int lockedKept,
            String reason) {}

    /**
     * Decides keys while the store walks versions (keys in order, each newest first), keeping only
     * each key's current entry and its entry at T. Stops at a key boundary once a batch is full.
     */
    private static final class Scan implements Predicate<VersionListing.Entry> {
        private final Versioning versioning;
        private final long toMillis;
        private final long lockNowMillis;
        final List<Decision> decisions = new ArrayList<>();
        boolean stopped;
        String lastKey;
        private String key;
        private ObjectRecord current;
        private ObjectRecord target;
        private long nullSeq;
        private int locked;

        Scan(Versioning versioning, long toMillis, long lockNowMillis) {
            this.versioning = versioning;
            this.toMillis = toMillis;
            this.lockNowMillis = lockNowMillis;
        }

        @Override
        public boolean test(VersionListing.Entry e) {
            if (!e.key().equals(key)) {
                if (key != null) {
                    finishKey();
                    if (decisions.size() >= KEYS_PER_BATCH) {
                        stopped = true;
                        return false;
                    }
                }
                key = e.key();
                current = e.record();
                target = null;
                nullSeq = -1;
                locked = 0;
            }
            ObjectRecord v = e.record();
            if (target == null) {
                if (v.lastModifiedMillis() <= toMillis) {
                    target = v;
                } else if (!v.deleteMarker() && v.protectedAt(lockNowMillis, false)) {
                    locked++;
                }
            }
            if (v.versionId().equals(VersionIds.NULL)) {
                nullSeq = v.seq();
            }
            return true;
        }

        /** Called after the walk returns: decides the last key unless the scan stopped before it. */
        void end() {
            if (!stopped && key != null) {
                finishKey();
            }
        }

        private void finishKey() {
            decisions.add(decide());
            lastKey = key;
        }

        private Decision decide() {
            boolean targetReal = target != null && !target.deleteMarker();
            boolean currentReal = !current.deleteMarker();
            // With versioning suspended a write replaces the key's null version: allowed only when
            // that version is the one being restored (it is replaced by an identical copy).
            boolean replacesNull = versioning == Versioning.SUSPENDED && nullSeq != -1
                    && (target == null || target.seq() != nullSeq);
            if (targetReal) {
                if (currentReal && sameContent(current, target)) {
                    return decision(Action.UNCHANGED, null);
                }
                if (target.encryption() != null && target.encryption().mode() == Encryption.Mode.SSE_C) {
                    return decision(Action.SKIP, "version " + target.versionId()
                            + " is encrypted with a customer key (SSE-C), which Arca does not keep: copy it back yourself");
                }
                return replacesNull ? decision(Action.SKIP, suspendedReason()) : decision(Action.COPY_BACK, null);
            }
            if (currentReal) {
                return replacesNull ? decision(Action.SKIP, suspendedReason()) : decision(Action.HIDE, null);
            }
            return decision(Action.UNCHANGED, null);
        }

        private Decision decision(Action action, String reason) {
            return new Decision(key, action, current, target, locked, reason);
        }

        private static String suspendedReason() {
            return "versioning is suspended and restoring this key would replace its null version;"
                    + " enable versioning and run the restore again";
        }
    }

    /** Whether {@code current} reads as {@code target}: the same version, or the same bytes and metadata. */
    static boolean sameContent(ObjectRecord current, ObjectRecord target) {
        return current.seq() == target.seq()
                || (current.etag().equals(target.etag()) && current.size() == target.size()
                        && current.attributes().equals(target.attributes()));
    }

    /** Applies one decision, counting its outcome; a key's failure is counted, never thrown (but NoSuchBucket is). */
    private void applyCounted(BucketName bucket, Decision d, Counters c) {
        c.keysExamined++;
        c.lockedVersionsKept += d.lockedKept();
        c.lastKey = d.key();
        try {
            apply(bucket, d, c);
        } catch (StoreException e) {
            if (e.kind() == FailureKind.NO_SUCH_BUCKET) {
                throw e;
            }
            c.failed++;
            c.error(d.key(), e.getMessage());
        } catch (RuntimeException e) {
            if (c.failed < MAX_ERRORS) {
                LOG.log(System.Logger.Level.WARNING, "restore of " + bucket + "/" + d.key() + " failed", e);
            }
            c.failed++;
            c.error(d.key(), e.toString());
        }
    }

    private void apply(BucketName bucket, Decision d, Counters c) {
        switch (d.action()) {
            case UNCHANGED -> c.unchanged++;
            case SKIP -> {
                c.skipped++;
                c.error(d.key(), d.reason());
            }
            case COPY_BACK -> {
                if (c.dryRun) {
                    c.restored++;
                    c.bytesCopied += d.target().size();
                } else {
                    copyBack(bucket, d, c);
                }
            }
            case HIDE -> {
                if (c.dryRun) {
                    c.hidden++;
                } else {
                    hide(bucket, d, c);
                }
            }
        }
    }

    /** Whether the key's newest entry is still the one the decision saw. */
    private boolean stillCurrent(BucketName bucket, Decision d) {
        Optional<ObjectRecord> latest = meta.latestVersion(bucket.value(), d.key());
        return latest.isPresent() && latest.get().seq() == d.current().seq();
    }

    /** Failures of a guarded write that mean a client changed the key (or its version at T) meanwhile. */
    private static boolean changedMeanwhile(FailureKind kind) {
        return kind == FailureKind.PRECONDITION_FAILED || kind == FailureKind.NO_SUCH_KEY
                || kind == FailureKind.NO_SUCH_VERSION;
    }

    private void copyBack(BucketName bucket, Decision d, Counters c) {
        if (!stillCurrent(bucket, d)) {
            c.changedDuringRestore++;
            return;
        }
        beforeWrite.accept(d.key());
        ObjectKey key = new ObjectKey(d.key());
        ObjectRecord target = d.target();
        WritePrecondition guard = d.current().deleteMarker() ? MUST_NOT_EXIST
                : new WritePrecondition.EtagMatches(d.current().etag());
        WriteResult w;
        try {
            w = target.parts().isEmpty() ? copySingle(bucket, key, target, guard) : copyMultipart(bucket, key, target, guard);
        } catch (StoreException e) {
            if (changedMeanwhile(e.kind())) {
                c.changedDuringRestore++;
                return;
            }
            throw e;
        }
        if (!w.etag().equals(target.etag()) || w.size() != target.size()) {
            c.failed++;
            c.error(d.key(), "the copy of version " + target.versionId() + " (new version " + w.versionId()
                    + ") has ETag " + w.etag() + " and size " + w.size() + ", not " + target.etag() + " and " + target.size());
            return;
        }
        String expectedReplaced = d.current().deleteMarker() ? null : d.current().versionId();
        if (!Objects.equals(w.replacedVersionId(), expectedReplaced)) {
            c.error(d.key(), "a client wrote the key while it was restored: its version " + w.replacedVersionId()
                    + " was made noncurrent by the restored version " + w.versionId());
        }
        c.restored++;
        c.bytesCopied += w.size();
    }

    /** CopyObject from the version, keeping its metadata, tags, storage class and encryption mode. */
    private WriteResult copySingle(BucketName bucket, ObjectKey key, ObjectRecord target, WritePrecondition guard) {
        // With the COPY directives only the storage class of the options' attributes is used.
        CopyOptions options = new CopyOptions(false, target.attributes(), false, null, null, guard, ObjectLock.NONE,
                sseOf(target));
        return layer.objects().copy(new CopySource(bucket, key, null, target.versionId()), bucket, key, ownerOf(target),
                options);
    }

    /**
     * A multipart version copied part by part (UploadPartCopy of each original part's range), so
     * the new version has the same parts, ETag and checksum. Each part's ETag is checked before the
     * upload completes; any failure aborts the upload.
     */
    private WriteResult copyMultipart(BucketName bucket, ObjectKey key, ObjectRecord target, WritePrecondition guard) {
        StoredChecksum checksum = target.checksum();
        UploadRecord upload = layer.multipart().create(bucket, key, ownerOf(target), target.attributes(),
                checksum == null ? null : checksum.algorithm(), checksum == null ? null : checksum.type(),
                ObjectLock.NONE, sseOf(target));
        String uploadId = upload.uploadId();
        boolean completed = false;
        try {
            CopySource source = new CopySource(bucket, key, null, target.versionId());
            List<CompletedPart> parts = new ArrayList<>(target.parts().size());
            long offset = 0;
            for (PartSummary p : target.parts()) {
                PartResult r = p.size() == 0
                        ? layer.multipart().uploadPart(bucket, key, uploadId, p.partNumber(), InputStream.nullInputStream(),
                                0, ChecksumInput.NONE, null)
                        : layer.multipart().uploadPartCopy(bucket, key, uploadId, p.partNumber(), source,
                                new long[] {offset, offset + p.size() - 1});
                if (!r.etag().equals(p.etag())) {
                    throw new IllegalStateException("part " + p.partNumber() + " of version " + target.versionId()
                            + " copied with ETag " + r.etag() + ", not " + p.etag());
                }
                parts.add(new CompletedPart(p.partNumber(), r.etag(), Map.of()));
                offset += p.size();
            }
            WriteResult w = layer.multipart().complete(bucket, key, uploadId, parts, guard, null);
            completed = true;
            return w;
        } finally {
            if (!completed) {
                abortQuietly(bucket, key, uploadId);
            }
        }
    }

    private void abortQuietly(BucketName bucket, ObjectKey key, String uploadId) {
        try {
            layer.multipart().abort(bucket, key, uploadId);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not abort restore upload " + uploadId + " of " + bucket + "/" + key, e);
        }
    }

    /** The version's encryption mode for its copy (clear data gets the bucket default). SSE-C is skipped before. */
    static SseRequest sseOf(ObjectRecord v) {
        Encryption e = v.encryption();
        if (e == null) {
            return SseRequest.DEFAULT;
        }
        return switch (e.mode()) {
            case SSE_S3 -> new SseRequest.S3();
            case SSE_KMS -> new SseRequest.Kms(e.dataKey().keyId(), e.kmsContext());
            case SSE_C -> throw new IllegalStateException("an SSE-C version cannot be copied without its key");
        };
    }

    private static Owner ownerOf(ObjectRecord v) {
        return new Owner(v.ownerId(), v.ownerId());
    }

    /** Adds a delete marker, only if the key's current entry is still the one decided on (by id and sequence). */
    private void hide(BucketName bucket, Decision d, Counters c) {
        if (!stillCurrent(bucket, d)) {
            c.changedDuringRestore++;
            return;
        }
        beforeWrite.accept(d.key());
        ObjectRecord current = d.current();
        Outcome outcome = meta.execute(new Command.DeleteObjects(bucket.value(),
                List.of(new Command.DeleteTarget(d.key(), null, current.versionId(), current.seq())),
                WritePrecondition.NONE, false, clock.millis()));
        Outcome.DeleteOutcome r = outcome.deletes().getFirst();
        if (r.failure() != null) {
            c.failed++;
            c.error(d.key(), r.failure().kind() + ": " + r.failure().message());
        } else if (r.deleteMarker()) {
            c.hidden++;
        } else {
            c.changedDuringRestore++;
        }
    }

    /** A run's counters; confined to the thread running it, published as {@link RestoreReport} snapshots. */
    private final class Counters {
        final boolean dryRun;
        final long startMillis;
        long keysTotal = -1;
        long keysExamined;
        long restored;
        long hidden;
        long unchanged;
        long changedDuringRestore;
        long skipped;
        long failed;
        long lockedVersionsKept;
        long bytesCopied;
        String lastKey;
        /** Immutable, replaced on each addition, so a snapshot shares it. */
        List<RestoreReport.KeyError> errors = List.of();

        Counters(boolean dryRun, long startMillis) {
            this.dryRun = dryRun;
            this.startMillis = startMillis;
        }

        void error(String key, String message) {
            if (errors.size() < MAX_ERRORS) {
                List<RestoreReport.KeyError> more = new ArrayList<>(errors);
                more.add(new RestoreReport.KeyError(key, message));
                errors = List.copyOf(more);
            }
        }

        RestoreReport snapshot(boolean complete) {
            return new RestoreReport(dryRun, keysTotal, keysExamined, restored, hidden, unchanged, changedDuringRestore,
                    skipped, failed, lockedVersionsKept, bytesCopied, Math.max(0, clock.millis() - startMillis), lastKey,
                    complete, errors);
        }
    }
}
