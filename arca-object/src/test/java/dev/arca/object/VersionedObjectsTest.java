package dev.arca.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.BucketName;
import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Versioned reads, deletes, copies and Object Lock through the object layer, with blob-backed data. */
final class VersionedObjectsTest {
    private static final Owner OWNER = new Owner("o1", "root");
    private static final BucketName B = new BucketName("versioned");
    private static final ObjectKey K = new ObjectKey("k");

    @TempDir
    Path dir;
    private KvMetadataStore meta;
    private ErasureBlobStore blobs;
    private ObjectLayer layer;
    private final AtomicLong now = new AtomicLong(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());

    @BeforeEach
    void open() {
        meta = new KvMetadataStore(new MemoryKv(), false);
        blobs = TestBlobStores.open(dir);
        InstantSource clock = () -> Instant.ofEpochMilli(now.get());
        layer = new ObjectLayer(meta, blobs, clock, new Ids(InstantSource.system(), Entropy.seeded(7)), "us-east-1");
        layer.recover();
        layer.buckets().create(B, OWNER, null);
        layer.buckets().setVersioning(B, Versioning.ENABLED);
    }

    @AfterEach
    void close() {
        layer.close();
        meta.close();
        blobs.close();
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private WriteResult put(byte[] data, ObjectLock lock) {
        now.addAndGet(1000);
        return layer.objects().put(B, K, OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, ObjectAttributes.EMPTY, WritePrecondition.NONE, null, null, lock));
    }

    private byte[] read(String versionId) throws IOException {
        ObjectRead r = layer.objects().get(B, K, new ReadOptions(null, null, null, versionId), true);
        try (InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    private static FailureKind kindOf(Runnable r) {
        try {
            r.run();
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("no failure");
    }

    @Test
    void everyVersionStaysReadableUntilItIsDeleted() throws IOException {
        byte[] one = bytes(300_000, 1);
        byte[] two = bytes(200_000, 2);
        String v1 = put(one, ObjectLock.NONE).versionId();
        String v2 = put(two, ObjectLock.NONE).versionId();
        assertThat(read(null)).isEqualTo(two);
        assertThat(read(v1)).isEqualTo(one);
        ObjectStore.DeleteResult marker = layer.objects().delete(B, K, null, WritePrecondition.NONE, false);
        assertThat(marker.deleteMarker()).isTrue();
        StoreException gone = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> read(null));
        assertThat(gone.kind()).isEqualTo(FailureKind.NO_SUCH_KEY);
        assertThat(gone.failure().details()).containsEntry(ObjectStore.DELETE_MARKER, "true")
                .containsEntry(ObjectStore.VERSION_ID, marker.versionId());
        assertThat(kindOf(() -> layer.objects().get(B, K, new ReadOptions(null, null, null, marker.versionId()), false)))
                .isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(kindOf(() -> layer.objects().get(B, K, new ReadOptions(null, null, null, "v00000000000000ff"), false)))
                .isEqualTo(FailureKind.NO_SUCH_VERSION);
        assertThat(kindOf(() -> layer.objects().get(B, K, new ReadOptions(null, null, null, "bogus"), false)))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        // Copy an old version onto the key: it becomes current again as a new version.
        WriteResult copy = layer.objects().copy(new CopySource(B, K, null, v1), B, K, OWNER,
                new CopyOptions(false, null, false, null, null, null));
        assertThat(copy.sourceVersionId()).isEqualTo(v1);
        assertThat(read(null)).isEqualTo(one);
        // Deleting v2 for good frees its blobs; the others still read.
        layer.objects().delete(B, K, v2, WritePrecondition.NONE, false);
        assertThat(kindOf(() -> layer.objects().get(B, K, new ReadOptions(null, null, null, v2), false)))
                .isEqualTo(FailureKind.NO_SUCH_VERSION);
        assertThat(read(v1)).isEqualTo(one);
        assertThat(layer.checkConsistency().missingBlobs()).isEmpty();
    }

    @Test
    void lockedVersionsSurviveDeletesAndTheirBytesStay() throws IOException {
        BucketName locked = new BucketName("locked");
        layer.buckets().create(locked, OWNER, null, true);
        byte[] data = bytes(150_000, 3);
        long until = now.get() + 86_400_000L;
        WriteResult w = layer.objects().put(locked, K, OWNER, new ByteArrayInputStream(data), new WriteOptions(data.length,
                ObjectAttributes.EMPTY, WritePrecondition.NONE, null, null,
                new ObjectLock(new Retention(RetentionMode.COMPLIANCE, until), false)));
        assertThat(kindOf(() -> layer.objects().delete(locked, K, w.versionId(), WritePrecondition.NONE, true)))
                .isEqualTo(FailureKind.ACCESS_DENIED);
        assertThat(kindOf(() -> layer.objects().putRetention(locked, K, w.versionId(), null, true)))
                .isEqualTo(FailureKind.ACCESS_DENIED);
        assertThat(kindOf(() -> layer.buckets().delete(locked))).isEqualTo(FailureKind.BUCKET_NOT_EMPTY);
        assertThat(kindOf(() -> layer.buckets().setVersioning(locked, Versioning.SUSPENDED)))
                .isEqualTo(FailureKind.INVALID_BUCKET_STATE);
        ObjectRead r = layer.objects().get(locked, K, new ReadOptions(null, null, null, w.versionId()), true);
        try (InputStream in = r.body()) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        // Lock settings on a bucket without Object Lock are refused before any byte is stored.
        assertThat(kindOf(() -> put(data, new ObjectLock(null, true)))).isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(kindOf(() -> layer.objects().put(locked, K, OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, ObjectAttributes.EMPTY, WritePrecondition.NONE, null, null,
                        new ObjectLock(new Retention(RetentionMode.GOVERNANCE, now.get() - 1), false)))))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        // Once the date passes, the version can be deleted.
        now.set(until);
        layer.objects().delete(locked, K, w.versionId(), WritePrecondition.NONE, false);
        assertThat(layer.checkConsistency().missingBlobs()).isEmpty();
    }
}
