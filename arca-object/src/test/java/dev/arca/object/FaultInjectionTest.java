package dev.arca.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.BucketName;
import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.kv.Kv;
import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.storage.BlobReader;
import dev.arca.storage.BlobStore;
import dev.arca.storage.BlobWriter;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage and metadata failures in the middle of a write (a full disk, a failed fsync) leave
 * nothing visible and nothing leaked: the write fails, the previous object stays, and after the
 * fault clears the data directory is consistent again.
 */
class FaultInjectionTest {
    private static final Owner OWNER = new Owner("o1", "root");
    private static final BucketName B = new BucketName("bucket");
    private static final byte[] BIG = new byte[3 << 20];
    private static final byte[] SMALL = {1, 2, 3};

    @TempDir
    Path dir;

    /** A blob store whose writers fail on demand, at write or at commit, like a full disk. */
    private static final class FaultyBlobs implements BlobStore {
        final BlobStore real;
        volatile boolean failWrites;
        volatile boolean failCommits;

        FaultyBlobs(BlobStore real) {
            this.real = real;
        }

        @Override
        public BlobWriter create(String blobId) {
            BlobWriter w = real.create(blobId);
            return new BlobWriter() {
                @Override
                public void write(byte[] bytes, int offset, int length) {
                    if (failWrites) {
                        throw new UncheckedIOException(new IOException("No space left on device"));
                    }
                    w.write(bytes, offset, length);
                }

                @Override
                public long length() {
                    return w.length();
                }

                @Override
                public void commit() {
                    if (failCommits) {
                        throw new UncheckedIOException(new IOException("fsync failed: Input/output error"));
                    }
                    w.commit();
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        }

        @Override
        public BlobReader open(String blobId) {
            return real.open(blobId);
        }

        @Override
        public boolean exists(String blobId) {
            return real.exists(blobId);
        }

        @Override
        public boolean delete(String blobId) {
            return real.delete(blobId);
        }

        @Override
        public int sweepTemporary() {
            return real.sweepTemporary();
        }

        @Override
        public void forEachBlob(Consumer<String> action) {
            real.forEachBlob(action);
        }

        @Override
        public void close() throws IOException {
            real.close();
        }
    }

    /** An in-memory KV whose batch writes fail on demand, like a metadata disk that filled up. */
    private static final class FaultyKv implements Kv {
        final MemoryKv real = new MemoryKv();
        /** Batch writes allowed before they start failing; negative: never fail. */
        final java.util.concurrent.atomic.AtomicInteger allowedWrites = new java.util.concurrent.atomic.AtomicInteger(-1);

        @Override
        public byte[] get(byte[] key) {
            return real.get(key);
        }

        @Override
        public KvCursor scan(byte[] from, byte[] to) {
            return real.scan(from, to);
        }

        @Override
        public void write(KvBatch batch, boolean sync) {
            int remaining = allowedWrites.get();
            if (remaining == 0) {
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
            if (remaining > 0) {
                allowedWrites.decrementAndGet(); // one applier thread writes, so no race here
            }
            real.write(batch, sync);
        }

        @Override
        public void close() {
            real.close();
        }
    }

    private ObjectLayer layer(KvMetadataStore meta, BlobStore blobs) {
        ObjectLayer layer = new ObjectLayer(meta, blobs, InstantSource.system(), new Ids(InstantSource.system(), Entropy.seeded(3)),
                "us-east-1");
        layer.recover();
        return layer;
    }

    private static void put(ObjectLayer layer, String key, byte[] data) {
        layer.objects().put(B, new ObjectKey(key), OWNER, new ByteArrayInputStream(data), WriteOptions.simple(data.length));
    }

    private static byte[] get(ObjectLayer layer, String key) throws IOException {
        try (var in = layer.objects().get(B, new ObjectKey(key), ReadOptions.WHOLE, true).body()) {
            return in.readAllBytes();
        }
    }

    private static void assertConsistent(ObjectLayer layer) {
        layer.recover();
        ObjectLayer.Consistency c = layer.checkConsistency();
        assertThat(c.unreferencedBlobs()).isEmpty();
        assertThat(c.missingBlobs()).isEmpty();
    }

    @Test
    void aBlobStoreFailureFailsTheWriteAndKeepsThePreviousObject() throws IOException {
        FaultyBlobs blobs = new FaultyBlobs(TestBlobStores.open(dir));
        try (KvMetadataStore meta = new KvMetadataStore(new MemoryKv(), false); ObjectLayer layer = layer(meta, blobs)) {
            layer.buckets().create(B, OWNER, null);
            put(layer, "k", BIG);
            blobs.failWrites = true;
            assertThatThrownBy(() -> put(layer, "k", new byte[BIG.length])).isInstanceOf(UncheckedIOException.class);
            blobs.failWrites = false;
            blobs.failCommits = true;
            assertThatThrownBy(() -> put(layer, "k", new byte[BIG.length])).isInstanceOf(UncheckedIOException.class);
            assertThatThrownBy(() -> put(layer, "new", new byte[BIG.length])).isInstanceOf(UncheckedIOException.class);
            blobs.failCommits = false;
            assertThat(get(layer, "k")).isEqualTo(BIG);
            assertThatThrownBy(() -> get(layer, "new")).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(FailureKind.NO_SUCH_KEY));
            assertThat(meta.intents(10)).isEmpty();
            // small objects never touch the blob store, so they keep working through a blob fault
            blobs.failWrites = true;
            put(layer, "small", SMALL);
            blobs.failWrites = false;
            assertThat(get(layer, "small")).isEqualTo(SMALL);
            assertConsistent(layer);
        }
    }

    @Test
    void aMetadataFailureFailsTheWriteAndRecoveryRemovesItsBlob() throws IOException {
        FaultyKv kv = new FaultyKv();
        ErasureBlobStore blobs = TestBlobStores.open(dir);
        try (KvMetadataStore meta = new KvMetadataStore(kv, false); ObjectLayer layer = layer(meta, blobs)) {
            layer.buckets().create(B, OWNER, null);
            put(layer, "k", BIG);
            // The intent is recorded, the blob written, and then the commit cannot be written.
            kv.allowedWrites.set(1);
            assertThatThrownBy(() -> put(layer, "k", new byte[BIG.length])).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.kind()).isEqualTo(FailureKind.INTERNAL_ERROR));
            // Nothing can be recorded at all.
            kv.allowedWrites.set(0);
            assertThatThrownBy(() -> put(layer, "k", new byte[BIG.length])).isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> put(layer, "small", SMALL)).isInstanceOf(StoreException.class);
            kv.allowedWrites.set(-1);
            assertThat(get(layer, "k")).isEqualTo(BIG);
            // The failed commit's blob was deleted; its intent may remain until recovery.
            List<String> onDisk = new ArrayList<>();
            blobs.forEachBlob(onDisk::add);
            assertThat(onDisk).hasSize(1);
            assertConsistent(layer);
        }
    }
}
