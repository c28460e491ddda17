package dev.arca.meta;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.kv.Kv;
import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.KvOp;
import dev.arca.meta.kv.KvOverlay;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.KvCursor;

/**
 * {@link MetadataStore} over an ordered {@link Kv}. One applier thread takes queued commands in
 * order, applies each to an overlay of the store (a failed command's changes are dropped alone),
 * and writes the whole group in one atomic batch — with one fsync for the group (group commit)
 * when the store is durable — before any of the group's submitters return.
 */
public final class KvMetadataStore implements MetadataStore {
    /** Commands waiting to be applied; beyond this, submitters are told to slow down. */
    public static final int MAX_QUEUED_COMMANDS = 4096;
    /** Most commands applied and written in one batch. */
    public static final int MAX_COMMANDS_PER_BATCH = 256;
    /** How long a submitter waits for room in a full queue. */
    static final long QUEUE_WAIT_SECONDS = 10;
    /** The key-space format this code writes; see docs/FORMATS.md. */
    static final int FORMAT_VERSION = 2;
    /** Objects upgraded per batch when a version-1 store is opened. */
    static final int UPGRADE_BATCH = 10_000;
    private static final String FORMAT_KEY = "format";

    private final Kv kv;
    private final boolean sync;
    private final MetaMachine machine = new MetaMachine();
    private final ArrayBlockingQueue<Pending> queue = new ArrayBlockingQueue<>(MAX_QUEUED_COMMANDS);
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Submitters hold it shared while enqueueing; close holds it exclusively, so nothing follows STOP. */
    private final ReentrantReadWriteLock admission = new ReentrantReadWriteLock();
    private final Thread applier;

    private record Pending(Command command, CompletableFuture<Outcome> result) {}

    private static final Pending STOP = new Pending(null, null);

    /**
     * Opens a store over {@code kv} (which it then owns and closes). With {@code sync}, each batch
     * is durable before submitters return.
     */
    public KvMetadataStore(Kv kv, boolean sync) {
        this.kv = kv;
        this.sync = sync;
        checkFormat();
        this.applier = Thread.ofPlatform().name("arca-meta-applier").daemon(true).start(this::applyLoop);
    }

    private void checkFormat() {
        byte[] stored = kv.get(Keys.system(FORMAT_KEY));
        if (stored == null) {
            try (KvCursor any = kv.scan(new byte[0], null)) {
                if (any.next()) {
                    throw new MetadataCorruptException("metadata store has data but no format record");
                }
            }
            KvBatch batch = new KvBatch();
            batch.put(Keys.system(FORMAT_KEY), Codecs.encodeMark(FORMAT_VERSION));
            kv.write(batch, true);
            return;
        }
        long version = Codecs.decodeMark(stored);
        if (version == 1) {
            upgradeFromVersion1();
            return;
        }
        if (version != FORMAT_VERSION) {
            throw new MetadataCorruptException("metadata format version " + version
                    + " is not supported by this Arca (which reads version " + FORMAT_VERSION + ")");
        }
    }

    /**
     * Format 1 had no versions: every object becomes its key's "null" version (version entry and
     * sequence number in key order; a current null version needs no null index entry). Batches are not synced until the last, which also
     * flips the format record; a crash before that reruns the upgrade, which writes the same
     * entries again (sequence numbers follow the unchanged key order), so it is idempotent.
     */
    private void upgradeFromVersion1() {
        long seq = 0;
        KvBatch batch = new KvBatch();
        int inBatch = 0;
        byte[] objects = Keys.tag(Keys.OBJECT);
        try (KvCursor cursor = kv.scan(objects, Bytes.prefixEnd(objects))) {
            while (cursor.next()) {
                byte[] objectKey = cursor.key();
                int sep = 1;
                while (objectKey[sep] != 0) {
                    sep++;
                }
                String bucket = new String(objectKey, 1, sep - 1, java.nio.charset.StandardCharsets.UTF_8);
                String key = Keys.objectKeyOf(objectKey, sep + 1);
                ObjectRecord r = Codecs.decodeObject(cursor.value()).withVersion(VersionIds.NULL, ++seq);
                byte[] encoded = Codecs.encode(r);
                batch.put(objectKey, encoded);
                batch.put(Keys.version(bucket, key, seq), encoded);
                if (++inBatch == UPGRADE_BATCH) {
                    kv.write(batch, false);
                    batch = new KvBatch();
                    inBatch = 0;
                }
            }
        }
        batch.put(Keys.system(MetaMachine.VERSION_STATE), Codecs.encode(new Codecs.VersionState(seq, 0)));
        batch.put(Keys.system(FORMAT_KEY), Codecs.encodeMark(FORMAT_VERSION));
        kv.write(batch, true);
    }

    @Override
    public Outcome execute(Command command) {
        Pending pending = new Pending(command, new CompletableFuture<>());
        try {
            admission.readLock().lock();
            try {
                if (closed.get()) {
                    throw StoreException.of(FailureKind.SERVICE_UNAVAILABLE, "The server is shutting down");
                }
                if (!queue.offer(pending, QUEUE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    throw StoreException.of(FailureKind.SLOW_DOWN, "Please reduce your request rate.");
                }
            } finally {
                admission.readLock().unlock();
            }
            return pending.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw StoreException.of(FailureKind.SERVICE_UNAVAILABLE, "Interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                // Rethrow in the caller's thread with its own stack for StoreException's sake.
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private void applyLoop() {
        List<Pending> group = new ArrayList<>(MAX_COMMANDS_PER_BATCH);
        while (true) {
            group.clear();
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(group, MAX_COMMANDS_PER_BATCH - 1);
            boolean stop = group.remove(STOP);
            applyGroup(group);
            if (stop) {
                return;
            }
        }
    }

    private void applyGroup(List<Pending> group) {
        KvOverlay overlay = new KvOverlay(kv);
        List<Pending> applied = new ArrayList<>(group.size());
        List<Outcome> results = new ArrayList<>(group.size());
        for (Pending p : group) {
            KvOverlay attempt = new KvOverlay(overlay);
            try {
                Outcome outcome = machine.apply(attempt, p.command());
                for (KvOp op : attempt.toBatch().ops()) {
                    switch (op) {
                        case KvOp.Put(byte[] key, byte[] value) -> overlay.put(key, value);
                        case KvOp.Delete(byte[] key) -> overlay.delete(key);
                    }
                }
                applied.add(p);
                results.add(outcome);
            } catch (RuntimeException e) {
                p.result().completeExceptionally(e);
            }
        }
        try {
            KvBatch batch = overlay.toBatch();
            if (!batch.isEmpty()) {
                kv.write(batch, sync);
            }
        } catch (RuntimeException e) {
            StoreException failure = StoreException.of(FailureKind.INTERNAL_ERROR,
                    "Metadata write failed: " + e.getMessage());
            for (Pending p : applied) {
                p.result().completeExceptionally(failure);
            }
            return;
        }
        for (int i = 0; i < applied.size(); i++) {
            applied.get(i).result().complete(results.get(i));
        }
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        byte[] raw = kv.get(Keys.bucket(name));
        return raw == null ? Optional.empty() : Optional.of(Codecs.decodeBucket(raw));
    }

    @Override
    public List<BucketRecord> buckets() {
        List<BucketRecord> all = new ArrayList<>();
        byte[] prefix = Keys.tag(Keys.BUCKET);
        try (KvCursor cursor = kv.scan(prefix, Bytes.prefixEnd(prefix))) {
            while (cursor.next()) {
                all.add(Codecs.decodeBucket(cursor.value()));
            }
        }
        return all;
    }

    @Override
    public Optional<ObjectRecord> object(String bucket, String key) {
        return Optional.ofNullable(MetaMachine.decodeObject(kv.get(Keys.object(bucket, key))));
    }

    @Override
    public Optional<ObjectRecord> latestVersion(String bucket, String key) {
        return Optional.ofNullable(MetaMachine.newestVersion(kv, bucket, key));
    }

    @Override
    public Optional<ObjectRecord> objectVersion(String bucket, String key, String versionId) {
        return Optional.ofNullable(MetaMachine.findVersion(kv, bucket, key, versionId));
    }

    @Override
    public VersionListing listVersions(String bucket, VersionQuery query) {
        return Listings.versions(kv, bucket, query);
    }

    /** Versions read per page by {@link #forEachVersion}. */
    static final int VERSION_WALK_PAGE = 1000;

    @Override
    public void forEachVersion(String bucket, String prefix, String afterKey,
            java.util.function.Predicate<VersionListing.Entry> action) {
        String keyMarker = afterKey;
        String versionMarker = null;
        while (true) {
            VersionListing page = Listings.versions(kv, bucket,
                    new VersionQuery(prefix, null, keyMarker, versionMarker, VERSION_WALK_PAGE));
            for (VersionListing.Entry e : page.versions()) {
                if (!action.test(e)) {
                    return;
                }
            }
            if (!page.truncated()) {
                return;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
    }

    @Override
    public Optional<byte[]> bucketConfig(String bucket, String name) {
        byte[] raw = kv.get(Keys.config(bucket, name));
        return raw == null ? Optional.empty() : Optional.of(Codecs.decodeData(raw));
    }

    @Override
    public Optional<byte[]> inlineData(String dataId) {
        byte[] raw = kv.get(Keys.data(dataId));
        return raw == null ? Optional.empty() : Optional.of(Codecs.decodeData(raw));
    }

    @Override
    public void forEachBlobReference(java.util.function.Consumer<String> action) {
        // Every version is in the version table (current objects too).
        byte[] versions = Keys.tag(Keys.VERSION);
        try (KvCursor cursor = kv.scan(versions, Bytes.prefixEnd(versions))) {
            while (cursor.next()) {
                Codecs.decodeObject(cursor.value()).data().blobIds().forEach(action);
            }
        }
        byte[] parts = Keys.tag(Keys.PART);
        try (KvCursor cursor = kv.scan(parts, Bytes.prefixEnd(parts))) {
            while (cursor.next()) {
                action.accept(Codecs.decodePart(cursor.value()).blobId());
            }
        }
    }

    @Override
    public ObjectListing listObjects(String bucket, ListQuery query) {
        return Listings.objects(kv, bucket, query);
    }

    @Override
    public Optional<UploadRecord> upload(String bucket, String key, String uploadId) {
        byte[] raw = kv.get(Keys.upload(bucket, key, uploadId));
        return raw == null ? Optional.empty() : Optional.of(Codecs.decodeUpload(raw));
    }

    @Override
    public PartListing listParts(String uploadId, int afterPartNumber, int maxParts) {
        return Listings.parts(kv, uploadId, afterPartNumber, maxParts);
    }

    @Override
    public UploadListing listUploads(String bucket, UploadQuery query) {
        return Listings.uploads(kv, bucket, query);
    }

    @Override
    public List<String> intents(int max) {
        return Listings.ids(kv, Keys.INTENT, max);
    }

    @Override
    public List<String> garbage(int max) {
        return Listings.ids(kv, Keys.GARBAGE, max);
    }

    @Override
    public void close() {
        admission.writeLock().lock();
        try {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            queue.put(STOP);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            admission.writeLock().unlock();
        }
        try {
            applier.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kv.close();
    }
}
