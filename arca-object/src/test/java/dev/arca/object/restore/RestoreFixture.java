package dev.arca.object.restore;

import dev.arca.core.BucketName;
import dev.arca.core.Entropy;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.erasure.ErasureCoders;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Retention;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.VersionListing;
import dev.arca.meta.VersionQuery;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.object.ChecksumInput;
import dev.arca.object.CompletedPart;
import dev.arca.object.ObjectLayer;
import dev.arca.object.ObjectLock;
import dev.arca.object.ObjectRead;
import dev.arca.object.Owner;
import dev.arca.object.PartResult;
import dev.arca.object.ReadOptions;
import dev.arca.object.WriteOptions;
import dev.arca.object.WriteResult;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * An object layer over the in-memory KV store and a four-drive 2+2 blob store, with a clock the
 * test moves ({@link #tick()}: one second per write), and the writes and reads restore tests need.
 */
final class RestoreFixture implements AutoCloseable {
    static final Owner OWNER = new Owner("o1", "root");
    /** Larger than the inline limit, so these versions are erasure-coded blobs. */
    static final int BLOB_SIZE = 200_000;
    static final long TICK_MILLIS = 1000;
    private static final int DRIVES = 4;

    final AtomicLong now = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    final KvMetadataStore meta;
    final ErasureBlobStore blobs;
    final ObjectLayer layer;

    RestoreFixture(Path dir) {
        meta = new KvMetadataStore(new MemoryKv(), false);
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= DRIVES; i++) {
            drives.add(dir.resolve("drive-" + i));
        }
        blobs = ErasureBlobStore.open(drives, ErasureBlobStore.Geometry.defaultFor(DRIVES, Limits.BLOB_BLOCK_BYTES),
                ErasureCoders::create, Entropy.seeded(1));
        layer = new ObjectLayer(meta, blobs, clock, new Ids(InstantSource.system(), Entropy.seeded(7)), "us-east-1");
        layer.recover();
    }

    @Override
    public void close() {
        layer.close();
        meta.close();
        blobs.close();
    }

    /** A bucket with versioning enabled (and Object Lock if {@code lock}). */
    BucketName bucket(String name, boolean lock) {
        BucketName b = new BucketName(name);
        layer.buckets().create(b, OWNER, null, lock);
        if (!lock) {
            layer.buckets().setVersioning(b, Versioning.ENABLED);
        }
        return b;
    }

    Restore restore() {
        return new Restore(layer, meta, clock);
    }

    Restore restore(Consumer<String> beforeWrite) {
        return new Restore(layer, meta, clock, beforeWrite);
    }

    RestoreReport run(BucketName b, String prefix, Instant to) {
        return restore().run(new RestoreRequest(b, prefix, to, false, null), r -> { }, () -> false);
    }

    /** Moves the clock one tick and returns the new time. */
    Instant tick() {
        return Instant.ofEpochMilli(now.addAndGet(TICK_MILLIS));
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    WriteResult put(BucketName b, String key, byte[] data) {
        return put(b, key, data, ObjectAttributes.EMPTY, ObjectLock.NONE);
    }

    WriteResult put(BucketName b, String key, byte[] data, ObjectAttributes attributes, ObjectLock lock) {
        tick();
        return layer.objects().put(b, new ObjectKey(key), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, attributes, WritePrecondition.NONE, null, null, lock));
    }

    WriteResult putLocked(BucketName b, String key, byte[] data, Retention retention) {
        return put(b, key, data, ObjectAttributes.EMPTY, new ObjectLock(retention, false));
    }

    /** DeleteObject without a version id: a delete marker. */
    void delete(BucketName b, String key) {
        tick();
        layer.objects().delete(b, new ObjectKey(key), WritePrecondition.NONE);
    }

    /** A multipart object of {@code parts} with a CRC32 COMPOSITE checksum. */
    WriteResult putMultipart(BucketName b, String key, List<byte[]> parts) {
        tick();
        ObjectKey k = new ObjectKey(key);
        UploadRecord upload = layer.multipart().create(b, k, OWNER, ObjectAttributes.EMPTY, ChecksumAlgorithm.CRC32,
                null);
        List<CompletedPart> done = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            byte[] p = parts.get(i);
            PartResult r = layer.multipart().uploadPart(b, k, upload.uploadId(), i + 1, new ByteArrayInputStream(p),
                    p.length, ChecksumInput.NONE, null);
            done.add(new CompletedPart(i + 1, r.etag(), Map.of()));
        }
        return layer.multipart().complete(b, k, upload.uploadId(), done, WritePrecondition.NONE, null);
    }

    /** The current bytes of a key, or empty if it reads as absent. */
    Optional<byte[]> current(BucketName b, String key) {
        return read(b, key, null);
    }

    Optional<byte[]> read(BucketName b, String key, String versionId) {
        ObjectRead r;
        try {
            r = layer.objects().get(b, new ObjectKey(key), new ReadOptions(null, null, null, versionId), true);
        } catch (StoreException e) {
            return Optional.empty();
        }
        try (InputStream in = r.body()) {
            return Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The current version's record (empty if the key reads as absent). */
    Optional<ObjectRecord> currentRecord(BucketName b, String key) {
        return meta.object(b.value(), key);
    }

    /** Versions and delete markers of exactly {@code key}, newest first. */
    List<ObjectRecord> versions(BucketName b, String key) {
        VersionListing page = layer.objects().listVersions(b, new VersionQuery(key, null, null, null, 1000));
        return page.versions().stream().filter(e -> e.key().equals(key)).map(VersionListing.Entry::record).toList();
    }

    int versionCount(BucketName b, String key) {
        return versions(b, key).size();
    }
}
