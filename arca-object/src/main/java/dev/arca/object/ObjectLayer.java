package dev.arca.object;

import dev.arca.core.Ids;
import dev.arca.meta.Command;
import dev.arca.meta.MetadataStore;
import dev.arca.storage.BlobStore;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The object layer: the only place that composes metadata and blob storage. Construct it, call
 * {@link #recover()} once before serving (it removes what a crash left behind), then use
 * {@link #buckets()}, {@link #objects()} and {@link #multipart()}. Closing stops the background
 * collector; the metadata and blob stores are closed by their owner.
 */
public final class ObjectLayer implements AutoCloseable {
    /** Intents and garbage entries handled per recovery step. */
    static final int RECOVERY_BATCH = 1000;

    private final MetadataStore meta;
    private final BlobStore blobs;
    private final Collector collector;
    private final Buckets buckets;
    private final ObjectStore objects;
    private final Multipart multipart;

    public ObjectLayer(MetadataStore meta, BlobStore blobs, InstantSource clock, Ids ids, String region) {
        this.meta = meta;
        this.blobs = blobs;
        BlobLeases leases = new BlobLeases();
        this.collector = new Collector(meta, blobs, leases);
        DataWriter writer = new DataWriter(meta, blobs, ids, clock);
        DataReader reader = new DataReader(meta, blobs, leases);
        this.buckets = new Buckets(meta, clock, region, collector);
        this.objects = new ObjectStore(meta, writer, reader, collector, clock);
        this.multipart = new Multipart(meta, writer, reader, collector, objects, ids, clock);
    }

    public Buckets buckets() {
        return buckets;
    }

    public ObjectStore objects() {
        return objects;
    }

    public Multipart multipart() {
        return multipart;
    }

    /** What start-up recovery removed. */
    public record RecoveryReport(int temporaryFiles, int abandonedBlobs, int garbageBlobs) {}

    /**
     * Start-up recovery, before any request: deletes temporary files, blobs whose writes never
     * committed (their intents) and pending garbage; then starts the background collector.
     */
    public RecoveryReport recover() {
        int temporary = blobs.sweepTemporary();
        int abandoned = 0;
        List<String> intents;
        while (!(intents = meta.intents(RECOVERY_BATCH)).isEmpty()) {
            for (String id : intents) {
                blobs.delete(id);
            }
            meta.submit(new Command.DropIntents(intents));
            abandoned += intents.size();
        }
        int garbage = 0;
        int n;
        while ((n = collector.collectOnce()) > 0) {
            garbage += n;
        }
        collector.start();
        return new RecoveryReport(temporary, abandoned, garbage);
    }

    /**
     * Consistency check: ids of blobs on disk that no object, part, intent or garbage entry
     * references (should be empty), and referenced blobs missing from disk (must be empty).
     * O(everything): for tests and admin checks.
     */
    public record Consistency(Set<String> unreferencedBlobs, Set<String> missingBlobs) {}

    public Consistency checkConsistency() {
        Set<String> referenced = new HashSet<>();
        meta.forEachBlobReference(referenced::add);
        Set<String> pending = new HashSet<>(meta.intents(Integer.MAX_VALUE));
        pending.addAll(meta.garbage(Integer.MAX_VALUE));
        Set<String> onDisk = new HashSet<>();
        blobs.forEachBlob(onDisk::add);
        Set<String> unreferenced = new HashSet<>(onDisk);
        unreferenced.removeAll(referenced);
        unreferenced.removeAll(pending);
        Set<String> missing = new HashSet<>(referenced);
        missing.removeAll(onDisk);
        return new Consistency(unreferenced, missing);
    }

    /** Listing page size when walking a bucket for its blobs. */
    static final int BLOB_WALK_PAGE = 1000;

    /**
     * Calls {@code action} with the blob ids of every object in {@code bucket} whose key starts
     * with {@code prefix}, in key order, a page at a time (for healing a bucket or prefix). Objects
     * stored inline in the metadata have no blobs. Throws NoSuchBucket if the bucket is absent.
     */
    public void forEachBlobOf(dev.arca.core.BucketName bucket, String prefix, java.util.function.Consumer<String> action) {
        buckets.get(bucket);
        String after = null;
        while (true) {
            dev.arca.meta.ObjectListing page = meta.listObjects(bucket.value(),
                    new dev.arca.meta.ListQuery(prefix, null, after, BLOB_WALK_PAGE));
            for (dev.arca.meta.ObjectListing.Entry e : page.objects()) {
                e.record().data().blobIds().forEach(action);
            }
            if (!page.truncated() || page.lastReturned() == null) {
                return;
            }
            after = page.lastReturned();
        }
    }

    @Override
    public void close() {
        collector.close();
    }
}
