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
    private final dev.arca.object.lifecycle.Lifecycle lifecycle;

    /** A layer without a key service: data is stored in clear and encryption requests fail (tests). */
    public ObjectLayer(MetadataStore meta, BlobStore blobs, InstantSource clock, Ids ids, String region) {
        this(meta, blobs, clock, ids, region, null, dev.arca.core.Entropy.secure(), false);
    }

    /**
     * @param keys             the key service sealing data keys (null: none)
     * @param entropy          randomness for SSE-C fingerprints and data keys
     * @param encryptByDefault whether buckets without an encryption configuration get SSE-S3
     */
    public ObjectLayer(MetadataStore meta, BlobStore blobs, InstantSource clock, Ids ids, String region,
            dev.arca.crypto.KeyService keys, dev.arca.core.Entropy entropy, boolean encryptByDefault) {
        this.meta = meta;
        this.blobs = blobs;
        BlobLeases leases = new BlobLeases();
        this.collector = new Collector(meta, blobs, leases);
        DataWriter writer = new DataWriter(meta, blobs, ids, clock);
        DataReader reader = new DataReader(meta, blobs, leases);
        ObjectCrypto crypto = new ObjectCrypto(keys, entropy, encryptByDefault, meta);
        this.buckets = new Buckets(meta, clock, region, collector);
        this.objects = new ObjectStore(meta, writer, reader, collector, clock, crypto);
        this.multipart = new Multipart(meta, writer, reader, collector, objects, ids, clock, crypto);
        this.lifecycle = new dev.arca.object.lifecycle.Lifecycle(meta, clock, collector::wake);
    }

    /** The lifecycle worker: {@link dev.arca.object.lifecycle.Lifecycle#runOnce()} applies every bucket's rules now. */
    public dev.arca.object.lifecycle.Lifecycle lifecycle() {
        return lifecycle;
    }

    /** Starts running lifecycle rules every {@code interval} (after {@link #recover()}). */
    public void startLifecycle(java.time.Duration interval) {
        lifecycle.start(interval);
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

    /**
     * Calls {@code action} with the blob ids of every version (current or not) of every object in
     * {@code bucket} whose key starts with {@code prefix}, in listing order (for healing a bucket or
     * prefix). Objects stored inline in the metadata have no blobs. NoSuchBucket if the bucket is absent.
     */
    public void forEachBlobOf(dev.arca.core.BucketName bucket, String prefix, java.util.function.Consumer<String> action) {
        buckets.get(bucket);
        meta.forEachVersion(bucket.value(), prefix, null, e -> {
            e.record().data().blobIds().forEach(action);
            return true;
        });
    }

    @Override
    public void close() {
        lifecycle.close();
        collector.close();
    }
}
