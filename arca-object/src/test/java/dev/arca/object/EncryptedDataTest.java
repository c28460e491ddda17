package dev.arca.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.BucketName;
import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.crypto.BuiltinKeyService;
import dev.arca.crypto.KeyInfo;
import dev.arca.crypto.KeyService;
import dev.arca.crypto.ObjectCipher;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.Encryption;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.storage.BlobReader;
import dev.arca.storage.BlobWriter;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envelope encryption in the object layer with the real key service and erasure-coded blobs: every
 * size and range reads back exactly; drives hold ciphertext only; and a blob whose ciphertext was
 * changed, reordered, truncated or swapped with another object's (with valid storage checksums, so
 * only the cipher can notice) fails the read and never yields wrong bytes.
 */
class EncryptedDataTest {
    private static final Owner OWNER = new Owner("o1", "root");
    private static final BucketName B = new BucketName("bucket");
    private static final int CHUNK = ObjectCipher.CHUNK_BYTES;

    @TempDir
    Path dir;
    private KvMetadataStore meta;
    private ErasureBlobStore blobs;
    private BuiltinKeyService keys;
    private ObjectLayer layer;
    private final Random random = new Random(11);

    @BeforeEach
    void open() throws IOException {
        meta = new KvMetadataStore(new MemoryKv(), false);
        blobs = TestBlobStores.open(dir.resolve("drives"));
        keys = BuiltinKeyService.open(dir.resolve("keys"), null, Entropy.seeded(3), InstantSource.system());
        layer = new ObjectLayer(meta, blobs, InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")),
                new Ids(InstantSource.system(), Entropy.seeded(7)), "us-east-1", keys, Entropy.seeded(5), true);
        layer.recover();
        layer.buckets().create(B, OWNER, null);
    }

    @AfterEach
    void close() {
        layer.close();
        meta.close();
        blobs.close();
        keys.close();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private WriteResult put(String key, byte[] data, SseRequest sse) {
        return layer.objects().put(B, new ObjectKey(key), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, null, null, null, null, null, sse));
    }

    private byte[] get(String key, RangeSpec range, byte[] customerKey) throws IOException {
        ObjectRead read = layer.objects().get(B, new ObjectKey(key),
                new ReadOptions(range, null, null, null, customerKey), true);
        try (InputStream in = read.body()) {
            return in.readAllBytes();
        }
    }

    private ObjectRecord record(String key) {
        return meta.object(B.value(), key).orElseThrow();
    }

    private String blobOf(String key) {
        return ((ObjectData.Blobs) record(key).data()).spans().getFirst().blobId();
    }

    private byte[] rawBlob(String blobId) throws IOException {
        try (BlobReader r = blobs.open(blobId); InputStream in = r.stream(0, r.length())) {
            return in.readAllBytes();
        }
    }

    /** Replaces a blob's stored bytes with {@code bytes} through the store, so its own checksums stay valid. */
    private void rewriteBlob(String blobId, byte[] bytes) {
        blobs.delete(blobId);
        try (BlobWriter w = blobs.create(blobId)) {
            w.write(bytes, 0, bytes.length);
            w.commit();
        }
    }

    @Test
    void everySizeAndRangeReadsBackAndDrivesHoldOnlyCiphertext() throws IOException {
        int[] sizes = {0, 1, 1000, Limits.INLINE_OBJECT_MAX_BYTES, Limits.INLINE_OBJECT_MAX_BYTES + 1, 3 * CHUNK,
                3 * CHUNK + 7, (int) Limits.MIB + 123};
        for (int size : sizes) {
            byte[] data = bytes(size);
            String key = "k" + size;
            WriteResult w = put(key, data, SseRequest.DEFAULT);
            assertThat(w.encryption().mode()).isEqualTo(Encryption.Mode.SSE_S3);
            assertThat(get(key, null, null)).as("size %d", size).isEqualTo(data);
            if (size > 0) {
                for (int t = 0; t < 20; t++) {
                    long first = random.nextInt(size);
                    long last = first + random.nextInt((int) (size - first));
                    byte[] part = get(key, RangeSpec.parse("bytes=" + first + "-" + last).orElseThrow(), null);
                    assertThat(part).as("size %d range %d-%d", size, first, last)
                            .isEqualTo(Arrays.copyOfRange(data, (int) first, (int) last + 1));
                }
            }
            if (record(key).data() instanceof ObjectData.Blobs(List<BlobSpan> spans)) {
                byte[] stored = rawBlob(spans.getFirst().blobId());
                assertThat((long) stored.length).isEqualTo(ObjectCipher.sealedLength(size));
                assertThat(indexOf(stored, Arrays.copyOf(data, 64))).as("plaintext on the drives").isEqualTo(-1);
            }
        }
    }

    @Test
    void flippedSwappedTruncatedOrForeignCiphertextFailsTheRead() throws IOException {
        byte[] data = bytes(4 * CHUNK + 100);
        byte[] other = bytes(data.length);
        put("victim", data, SseRequest.DEFAULT);
        put("other", other, SseRequest.DEFAULT);
        String blob = blobOf("victim");
        byte[] sealed = rawBlob(blob);
        int sealedChunk = CHUNK + ObjectCipher.TAG_BYTES;

        // 1. One flipped bit in the third chunk.
        byte[] flipped = sealed.clone();
        flipped[2 * sealedChunk + 17] ^= 0x04;
        rewriteBlob(blob, flipped);
        assertReadFails("victim", data);
        // A range inside untouched chunks still reads (only the needed chunks are opened).
        assertThat(get("victim", RangeSpec.parse("bytes=0-" + (CHUNK - 1)).orElseThrow(), null))
                .isEqualTo(Arrays.copyOf(data, CHUNK));

        // 2. Chunks 1 and 2 swapped.
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, sealedChunk, swapped, 2 * sealedChunk, sealedChunk);
        System.arraycopy(sealed, 2 * sealedChunk, swapped, sealedChunk, sealedChunk);
        rewriteBlob(blob, swapped);
        assertReadFails("victim", data);

        // 3. Truncated: the final chunk dropped, and a chunk cut short.
        rewriteBlob(blob, Arrays.copyOf(sealed, 4 * sealedChunk));
        assertReadFails("victim", data);
        rewriteBlob(blob, Arrays.copyOf(sealed, sealed.length - 3));
        assertReadFails("victim", data);

        // 4. Another object's ciphertext (same length, another data key) in its place.
        rewriteBlob(blob, rawBlob(blobOf("other")));
        assertReadFails("victim", data);

        // Restored, it reads again: the failures were the tampering, not the setup.
        rewriteBlob(blob, sealed);
        assertThat(get("victim", null, null)).isEqualTo(data);
    }

    private void assertReadFails(String key, byte[] truth) {
        byte[][] got = new byte[1][];
        assertThatThrownBy(() -> got[0] = get(key, null, null)).isInstanceOfAny(IOException.class,
                java.io.UncheckedIOException.class);
        assertThat(got[0]).isNull();
        assertThat(truth).isNotNull();
    }

    @Test
    void kmsKeysSealTheirObjectsAndADisabledKeyBlocksOnlyThose() throws IOException {
        keys.createKey("orders", "test");
        byte[] a = bytes(200_000);
        byte[] b = bytes(5_000);
        byte[] c = bytes(300_000);
        WriteResult wa = put("a", a, new SseRequest.Kms("orders", null));
        put("b", b, new SseRequest.Kms("orders", null));
        put("c", c, new SseRequest.Kms(null, null));
        assertThat(wa.encryption().mode()).isEqualTo(Encryption.Mode.SSE_KMS);
        assertThat(wa.encryption().dataKey().keyId()).isEqualTo("orders");
        assertThat(record("c").encryption().dataKey().keyId()).isEqualTo(KeyService.DEFAULT_KMS_KEY_ID);

        keys.setEnabled("orders", false);
        assertThat(kindOf(() -> get("a", null, null))).isEqualTo(FailureKind.KMS_DISABLED);
        assertThat(kindOf(() -> get("b", null, null))).isEqualTo(FailureKind.KMS_DISABLED);
        assertThat(kindOf(() -> put("d", bytes(10), new SseRequest.Kms("orders", null)))).isEqualTo(FailureKind.KMS_DISABLED);
        assertThat(get("c", null, null)).isEqualTo(c);
        assertThat(kindOf(() -> put("e", bytes(10), new SseRequest.Kms("nope", null)))).isEqualTo(FailureKind.KMS_NOT_FOUND);
        keys.setEnabled("orders", true);
        assertThat(get("a", null, null)).isEqualTo(a);
        assertThat(get("b", null, null)).isEqualTo(b);
    }

    @Test
    void rotationRewrapsEveryDataKeyAndRetiresTheOldMaterial() throws IOException {
        keys.createKey("orders", "test");
        byte[][] data = new byte[6][];
        for (int i = 0; i < data.length; i++) {
            data[i] = bytes(i * 90_000 + 1);
            put("o" + i, data[i], i % 2 == 0 ? SseRequest.DEFAULT : new SseRequest.Kms("orders", null));
        }
        UploadIdHolder upload = new UploadIdHolder(layer.multipart().create(B, new ObjectKey("mp"), OWNER, dev.arca.meta.ObjectAttributes.EMPTY, null,
                null, ObjectLock.NONE, new SseRequest.Kms("orders", null)).uploadId());
        byte[] part = bytes((int) Limits.MIN_PART_SIZE);
        layer.multipart().uploadPart(B, new ObjectKey("mp"), upload.id, 1, new ByteArrayInputStream(part), part.length,
                ChecksumInput.NONE, null);

        byte[] storedBefore = rawBlob(blobOf("o2"));
        KeyRotation rotation = layer.objects().crypto().rotation().orElseThrow();
        KeyRotation.Report s3 = rotation.rotate(KeyService.SSE_S3_KEY_ID);
        KeyRotation.Report kms = rotation.rotate("orders");
        assertThat(s3.versionsRewrapped()).isEqualTo(3);
        assertThat(kms.versionsRewrapped()).isEqualTo(3);
        assertThat(kms.uploadsRewrapped()).isEqualTo(1);
        KeyInfo orders = keys.describeKey("orders").orElseThrow();
        assertThat(orders.generations()).containsExactly(2);
        assertThat(keys.describeKey(KeyService.SSE_S3_KEY_ID).orElseThrow().generations()).containsExactly(2);
        for (int i = 0; i < data.length; i++) {
            assertThat(get("o" + i, null, null)).isEqualTo(data[i]);
            assertThat(record("o" + i).encryption().dataKey().generation()).isEqualTo(2);
        }
        // The upload begun before the rotation completes and reads under the rewrapped key.
        String etag = layer.multipart().uploadPart(B, new ObjectKey("mp"), upload.id, 2,
                new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, ChecksumInput.NONE, null).etag();
        String etag1 = layer.multipart().listParts(B, new ObjectKey("mp"), upload.id, 0, 10).listing().parts()
                .getFirst().etag();
        layer.multipart().complete(B, new ObjectKey("mp"), upload.id, List.of(
                new CompletedPart(1, etag1, java.util.Map.of()), new CompletedPart(2, etag, java.util.Map.of())),
                dev.arca.meta.WritePrecondition.NONE, null);
        byte[] whole = get("mp", null, null);
        assertThat(Arrays.copyOf(whole, part.length)).isEqualTo(part);
        assertThat(Arrays.copyOfRange(whole, part.length, whole.length)).containsExactly(1, 2, 3);
        // Nothing was rewritten on the drives: rotation only touched metadata.
        assertThat(rawBlob(blobOf("o2"))).isEqualTo(storedBefore);
    }

    private record UploadIdHolder(String id) {}

    @Test
    void aWriteThatTookItsDataKeyBeforeARotationIsRewrappedBeforeTheOldMaterialGoes() throws Exception {
        byte[] data = bytes(300_000);
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        // A body that stalls after its first bytes: the PUT has its data key but has not committed.
        InputStream slow = new java.io.SequenceInputStream(new ByteArrayInputStream(data, 0, 1000), new InputStream() {
            private final InputStream rest = new ByteArrayInputStream(data, 1000, data.length - 1000);

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return rest.read(b, off, len);
            }
        });
        try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.Future<WriteResult> put = pool.submit(() -> layer.objects().put(B, new ObjectKey("slow"),
                    OWNER, slow, new WriteOptions(data.length, null, null, null, null, null, SseRequest.DEFAULT)));
            started.await();
            java.util.concurrent.Future<KeyRotation.Report> rotation = pool.submit(
                    () -> layer.objects().crypto().rotation().orElseThrow().rotate(KeyService.SSE_S3_KEY_ID));
            Thread.sleep(200);
            boolean waited = !rotation.isDone();
            release.countDown();
            assertThat(waited).as("rotation waits for the write sealed by the old generation").isTrue();
            assertThat(put.get().encryption().dataKey().generation()).isEqualTo(1);
            KeyRotation.Report report = rotation.get();
            assertThat(report.retiredBelow()).isEqualTo(2);
            assertThat(report.versionsRewrapped()).isEqualTo(1);
        }
        assertThat(keys.describeKey(KeyService.SSE_S3_KEY_ID).orElseThrow().generations()).containsExactly(2);
        assertThat(get("slow", null, null)).isEqualTo(data);
    }

    @Test
    void customerKeysAreCheckedAndNeverNeededForOtherObjects() throws IOException {
        byte[] key = bytes(32);
        byte[] wrong = bytes(32);
        byte[] data = bytes(150_000);
        WriteResult w = put("c", data, new SseRequest.Customer(key, "md5"));
        assertThat(w.encryption().mode()).isEqualTo(Encryption.Mode.SSE_C);
        assertThat(get("c", null, key)).isEqualTo(data);
        assertThat(kindOf(() -> get("c", null, null))).isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(kindOf(() -> get("c", null, wrong))).isEqualTo(FailureKind.ACCESS_DENIED);
        put("plain", data, SseRequest.DEFAULT);
        assertThat(kindOf(() -> get("plain", null, key))).isEqualTo(FailureKind.INVALID_REQUEST);
        // The fingerprint is salted: the same key gives different stored fingerprints.
        put("c2", data, new SseRequest.Customer(key, "md5"));
        assertThat(record("c2").encryption().customerKeyFingerprint())
                .isNotEqualTo(record("c").encryption().customerKeyFingerprint());
    }

    private static FailureKind kindOf(ThrowingRunnable r) {
        try {
            r.run();
        } catch (StoreException e) {
            return e.kind();
        } catch (Exception e) {
            throw new AssertionError("expected a StoreException", e);
        }
        throw new AssertionError("no failure");
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
