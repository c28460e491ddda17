package dev.arca.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.BucketName;
import dev.arca.core.Conditions;
import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import dev.arca.core.checksum.Checksums;
import dev.arca.meta.Command;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.ListQuery;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectListing;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.WritePrecondition;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.storage.BlobWriter;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectLayerTest {
    private static final Owner OWNER = new Owner("o1", "root");
    private static final BucketName B = new BucketName("bucket");

    @TempDir
    Path dir;
    private KvMetadataStore meta;
    private ErasureBlobStore blobs;
    private ObjectLayer layer;
    private final Random random = new Random(42);

    @BeforeEach
    void open() {
        meta = new KvMetadataStore(new MemoryKv(), false);
        blobs = TestBlobStores.open(dir);
        layer = new ObjectLayer(meta, blobs, InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z")),
                new Ids(InstantSource.system(), Entropy.seeded(7)), "us-east-1");
        layer.recover();
        layer.buckets().create(B, OWNER, null);
    }

    @AfterEach
    void close() {
        layer.close();
        meta.close();
        blobs.close();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private WriteResult put(String key, byte[] data) {
        return layer.objects().put(B, new ObjectKey(key), OWNER, new ByteArrayInputStream(data), WriteOptions.simple(data.length));
    }

    private byte[] get(String key, ReadOptions options) throws IOException {
        ObjectRead read = layer.objects().get(B, new ObjectKey(key), options, true);
        try (InputStream in = read.body()) {
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

    private void assertClean() {
        collectAll();
        ObjectLayer.Consistency c = layer.checkConsistency();
        assertThat(c.unreferencedBlobs()).isEmpty();
        assertThat(c.missingBlobs()).isEmpty();
        assertThat(meta.intents(10)).isEmpty();
    }

    private void collectAll() {
        for (int i = 0; i < 10 && !meta.garbage(10).isEmpty(); i++) {
            layer.recover().garbageBlobs();
        }
    }

    @Test
    void smallObjectsAreInlineAndLargeOnesAreBlobs() throws IOException {
        byte[] small = bytes(Limits.INLINE_OBJECT_MAX_BYTES);
        byte[] large = bytes(Limits.INLINE_OBJECT_MAX_BYTES + 1);
        WriteResult s = put("small", small);
        put("large", large);
        assertThat(s.etag()).isEqualTo(dev.arca.core.Hex.encode(md5(small)));
        assertThat(meta.object("bucket", "small").orElseThrow().data()).isInstanceOf(ObjectData.Inline.class);
        assertThat(meta.object("bucket", "large").orElseThrow().data()).isInstanceOf(ObjectData.Blobs.class);
        assertThat(get("small", ReadOptions.WHOLE)).isEqualTo(small);
        assertThat(get("large", ReadOptions.WHOLE)).isEqualTo(large);
        assertThat(get("large", new ReadOptions(new RangeSpec.Suffix(10), null, Conditions.NONE)))
                .isEqualTo(Arrays.copyOfRange(large, large.length - 10, large.length));
        assertClean();
    }

    @Test
    void unknownLengthBodiesSpillFromMemoryToABlob() throws IOException {
        byte[] data = bytes(3 * Limits.BLOB_BLOCK_BYTES + 5);
        layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(data), WriteOptions.simple(-1));
        assertThat(get("k", ReadOptions.WHOLE)).isEqualTo(data);
        assertClean();
    }

    @Test
    void badDigestsStoreNothing() {
        byte[] data = bytes(300_000);
        String wrongMd5 = java.util.Base64.getEncoder().encodeToString(new byte[16]);
        assertThat(kindOf(() -> layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, null, null, null, wrongMd5)))).isEqualTo(FailureKind.BAD_DIGEST);
        String wrongCrc = Checksums.base64(new byte[4]);
        assertThat(kindOf(() -> layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, null, null, ChecksumInput.of(ChecksumAlgorithm.CRC32C, wrongCrc), null))))
                .isEqualTo(FailureKind.BAD_DIGEST);
        assertThat(kindOf(() -> layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(data),
                WriteOptions.simple(data.length + 1)))).isEqualTo(FailureKind.INCOMPLETE_BODY);
        assertThat(meta.object("bucket", "k")).isEmpty();
        assertClean();
        List<String> files = new ArrayList<>();
        blobs.forEachBlob(files::add);
        assertThat(files).isEmpty();
    }

    @Test
    void checksumIsComputedVerifiedAndStored() {
        byte[] data = bytes(200_000);
        var h = ChecksumAlgorithm.SHA256.newHasher();
        h.update(data, 0, data.length);
        String sha = Checksums.base64(h.digest());
        WriteResult r = layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, null, null, ChecksumInput.of(ChecksumAlgorithm.SHA256, sha), null));
        assertThat(r.checksum().value()).isEqualTo(sha);
        assertThat(r.checksum().type()).isEqualTo(ChecksumType.FULL_OBJECT);
        // a trailer-style value arrives only after the body: the supplier is read at the end
        WriteResult t = layer.objects().put(B, new ObjectKey("t"), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(data.length, null, null, new ChecksumInput(ChecksumAlgorithm.SHA256, () -> sha), null));
        assertThat(t.checksum().value()).isEqualTo(sha);
    }

    @Test
    void conditionalWritesAndReads() {
        WriteResult first = put("k", bytes(10));
        byte[] next = bytes(10);
        assertThat(kindOf(() -> layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(next),
                new WriteOptions(10, null, new WritePrecondition.MustNotExist(), null, null)))).isEqualTo(FailureKind.PRECONDITION_FAILED);
        layer.objects().put(B, new ObjectKey("k"), OWNER, new ByteArrayInputStream(next),
                new WriteOptions(10, null, new WritePrecondition.EtagMatches(first.etag()), null, null));
        String etag = dev.arca.core.Hex.encode(md5(next));
        assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("k"),
                new ReadOptions(null, null, new Conditions(null, "\"" + etag + "\"", null, null)), false)))
                .isEqualTo(FailureKind.NOT_MODIFIED);
        assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("k"),
                new ReadOptions(null, null, new Conditions(first.etag(), null, null, null)), false)))
                .isEqualTo(FailureKind.PRECONDITION_FAILED);
        assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("k"),
                new ReadOptions(new RangeSpec.From(10), null, Conditions.NONE), false))).isEqualTo(FailureKind.INVALID_RANGE);
    }

    @Test
    void aMissingBucketAnswersNoSuchBucketBeforeAnythingAboutTheKey() {
        // GET reads the bucket only when the key is not found; the answers must stay those of bucket-first.
        put("k", bytes(10));
        BucketName missing = new BucketName("no-such-bucket");
        ReadOptions bothRangeAndPart = new ReadOptions(new RangeSpec.From(0), 1, Conditions.NONE);
        for (boolean withBody : new boolean[] {true, false}) {
            assertThat(kindOf(() -> layer.objects().get(missing, new ObjectKey("k"), ReadOptions.WHOLE, withBody)))
                    .isEqualTo(FailureKind.NO_SUCH_BUCKET);
            assertThat(kindOf(() -> layer.objects().get(missing, new ObjectKey("k"),
                    new ReadOptions(null, null, Conditions.NONE, "not-a-version-id"), withBody)))
                    .isEqualTo(FailureKind.NO_SUCH_BUCKET);
            assertThat(kindOf(() -> layer.objects().get(missing, new ObjectKey("k"), bothRangeAndPart, withBody)))
                    .isEqualTo(FailureKind.NO_SUCH_BUCKET);
            assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("k"), bothRangeAndPart, withBody)))
                    .isEqualTo(FailureKind.INVALID_REQUEST);
            assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("absent"), ReadOptions.WHOLE, withBody)))
                    .isEqualTo(FailureKind.NO_SUCH_KEY);
            assertThat(kindOf(() -> layer.objects().get(B, new ObjectKey("k"),
                    new ReadOptions(null, null, Conditions.NONE, "not-a-version-id"), withBody)))
                    .isEqualTo(FailureKind.INVALID_ARGUMENT);
        }
    }

    @Test
    void aReaderKeepsItsBlobsWhileTheObjectIsReplaced() throws IOException {
        byte[] old = bytes(2 * Limits.BLOB_BLOCK_BYTES);
        put("k", old);
        ObjectRead read = layer.objects().get(B, new ObjectKey("k"), ReadOptions.WHOLE, true);
        put("k", bytes(2 * Limits.BLOB_BLOCK_BYTES));
        collectAll(); // leased: must not be deleted
        assertThat(meta.garbage(10)).hasSize(1);
        try (InputStream in = read.body()) {
            assertThat(in.readAllBytes()).isEqualTo(old);
        }
        assertClean();
    }

    @Test
    void multipartCompositeAndFullObjectChecksums() throws IOException {
        for (ChecksumType type : ChecksumType.values()) {
            UploadRecord u = layer.multipart().create(B, new ObjectKey("mp-" + type), OWNER, ObjectAttributes.EMPTY,
                    ChecksumAlgorithm.CRC32C, type);
            byte[] p1 = bytes((int) Limits.MIN_PART_SIZE);
            byte[] p2 = bytes(1234);
            PartResult r1 = layer.multipart().uploadPart(B, new ObjectKey("mp-" + type), u.uploadId(), 1,
                    new ByteArrayInputStream(p1), p1.length, ChecksumInput.NONE, null);
            PartResult r2 = layer.multipart().uploadPart(B, new ObjectKey("mp-" + type), u.uploadId(), 2,
                    new ByteArrayInputStream(p2), p2.length, ChecksumInput.NONE, null);
            WriteResult done = layer.multipart().complete(B, new ObjectKey("mp-" + type), u.uploadId(),
                    List.of(new CompletedPart(1, r1.etag(), Map.of()), new CompletedPart(2, r2.etag(),
                            Map.of(ChecksumAlgorithm.CRC32C, r2.checksum().value()))), WritePrecondition.NONE, null);
            byte[] whole = new byte[p1.length + p2.length];
            System.arraycopy(p1, 0, whole, 0, p1.length);
            System.arraycopy(p2, 0, whole, p1.length, p2.length);
            assertThat(get("mp-" + type, ReadOptions.WHOLE)).isEqualTo(whole);
            assertThat(get("mp-" + type, new ReadOptions(null, 2, Conditions.NONE))).isEqualTo(p2);
            assertThat(done.etag()).endsWith("-2");
            if (type == ChecksumType.FULL_OBJECT) {
                var h = ChecksumAlgorithm.CRC32C.newHasher();
                h.update(whole, 0, whole.length);
                assertThat(done.checksum().value()).isEqualTo(Checksums.base64(h.digest()));
            } else {
                assertThat(done.checksum().value()).isEqualTo(Checksums.composite(ChecksumAlgorithm.CRC32C,
                        List.of(Checksums.fromBase64(r1.checksum().value()), Checksums.fromBase64(r2.checksum().value()))));
            }
        }
        assertClean();
    }

    @Test
    void completeEnforcesS3Rules() {
        ObjectKey key = new ObjectKey("mp");
        UploadRecord u = layer.multipart().create(B, key, OWNER, ObjectAttributes.EMPTY, null, null);
        PartResult small = layer.multipart().uploadPart(B, key, u.uploadId(), 1, new ByteArrayInputStream(bytes(10)), 10,
                ChecksumInput.NONE, null);
        PartResult last = layer.multipart().uploadPart(B, key, u.uploadId(), 2, new ByteArrayInputStream(bytes(10)), 10,
                ChecksumInput.NONE, null);
        assertThat(kindOf(() -> layer.multipart().complete(B, key, u.uploadId(), List.of(
                new CompletedPart(2, last.etag(), null), new CompletedPart(1, small.etag(), null)), WritePrecondition.NONE, null)))
                .isEqualTo(FailureKind.INVALID_PART_ORDER);
        assertThat(kindOf(() -> layer.multipart().complete(B, key, u.uploadId(), List.of(
                new CompletedPart(1, small.etag(), null), new CompletedPart(2, last.etag(), null)), WritePrecondition.NONE, null)))
                .isEqualTo(FailureKind.ENTITY_TOO_SMALL);
        assertThat(kindOf(() -> layer.multipart().complete(B, key, u.uploadId(), List.of(
                new CompletedPart(1, "0".repeat(32), null)), WritePrecondition.NONE, null))).isEqualTo(FailureKind.INVALID_PART);
        assertThat(kindOf(() -> layer.multipart().complete(B, key, u.uploadId(), List.of(
                new CompletedPart(3, small.etag(), null)), WritePrecondition.NONE, null))).isEqualTo(FailureKind.INVALID_PART);
        assertThat(kindOf(() -> layer.multipart().uploadPart(B, key, u.uploadId(), 10_001, new ByteArrayInputStream(bytes(1)), 1,
                ChecksumInput.NONE, null))).isEqualTo(FailureKind.INVALID_ARGUMENT);
        // a single small part is fine (the last part may be small)
        layer.multipart().complete(B, key, u.uploadId(), List.of(new CompletedPart(1, small.etag(), null)),
                WritePrecondition.NONE, null);
        assertThat(kindOf(() -> layer.multipart().abort(B, key, u.uploadId()))).isEqualTo(FailureKind.NO_SUCH_UPLOAD);
        assertClean();
    }

    @Test
    void copyKeepsBytesAndChoosesAttributes() throws IOException {
        byte[] data = bytes(400_000);
        layer.objects().put(B, new ObjectKey("src"), OWNER, new ByteArrayInputStream(data), new WriteOptions(data.length,
                new ObjectAttributes(Map.of("content-type", "a/b"), Map.of("m", "1"), Map.of("t", "x")), null, null, null));
        CopySource src = new CopySource(B, new ObjectKey("src"), null);
        layer.objects().copy(src, B, new ObjectKey("dst"), OWNER, new CopyOptions(false, null, false, null, null, null));
        var copied = meta.object("bucket", "dst").orElseThrow();
        assertThat(copied.attributes().headers()).containsEntry("content-type", "a/b");
        assertThat(copied.attributes().tags()).containsEntry("t", "x");
        assertThat(get("dst", ReadOptions.WHOLE)).isEqualTo(data);
        assertThat(kindOf(() -> layer.objects().copy(src, B, new ObjectKey("src"), OWNER,
                new CopyOptions(false, null, false, null, null, null)))).isEqualTo(FailureKind.INVALID_REQUEST);
        layer.objects().copy(src, B, new ObjectKey("src"), OWNER, new CopyOptions(true,
                new ObjectAttributes(Map.of(), Map.of("new", "2"), Map.of()), false, null, null, null));
        assertThat(meta.object("bucket", "src").orElseThrow().attributes().userMetadata()).containsExactly(Map.entry("new", "2"));
        assertThat(kindOf(() -> layer.objects().copy(new CopySource(B, new ObjectKey("src"),
                new Conditions("\"nope\"", null, null, null)), B, new ObjectKey("x"), OWNER,
                new CopyOptions(false, null, false, null, null, null)))).isEqualTo(FailureKind.PRECONDITION_FAILED);
        assertClean();
    }

    @Test
    void recoveryRemovesUnfinishedWrites() {
        // What a crash leaves: an intent whose blob committed, one whose blob never did, and a temp file.
        String committed = "a".repeat(32);
        String unfinished = "b".repeat(32);
        meta.submit(new Command.AddIntent(committed, 1));
        meta.submit(new Command.AddIntent(unfinished, 1));
        try (BlobWriter w = blobs.create(committed)) {
            w.write(new byte[] {1}, 0, 1);
            w.commit();
        }
        BlobWriter dangling = blobs.create(unfinished);
        dangling.write(new byte[] {2}, 0, 1);
        ObjectLayer fresh = new ObjectLayer(meta, TestBlobStores.open(dir), InstantSource.system(),
                new Ids(InstantSource.system(), Entropy.seeded(1)), "us-east-1");
        ObjectLayer.RecoveryReport report = fresh.recover();
        fresh.close();
        dangling.close();
        assertThat(report.abandonedBlobs()).isEqualTo(2);
        // One temporary file per shard of the unfinished blob (2+2 on four drives).
        assertThat(report.temporaryFiles()).isEqualTo(TestBlobStores.DRIVES);
        assertThat(blobs.exists(committed)).isFalse();
        assertClean();
    }

    @Test
    void listingPagesThroughPrefixesAndDelimiters() {
        Set<String> keys = new HashSet<>(List.of("a", "b/1", "b/2", "b/3", "c/x/1", "c/y", "d"));
        for (String k : keys) {
            put(k, bytes(1));
        }
        List<String> seen = new ArrayList<>();
        String after = null;
        do {
            ObjectListing page = layer.objects().list(B, new ListQuery("", "/", after, 2));
            List<String> items = new ArrayList<>(page.commonPrefixes());
            page.objects().forEach(e -> items.add(e.key()));
            items.sort(ObjectKey::compareUtf8);
            seen.addAll(items);
            after = page.truncated() ? page.lastReturned() : null;
        } while (after != null);
        assertThat(seen).containsExactly("a", "b/", "c/", "d");
        ObjectListing under = layer.objects().list(B, new ListQuery("c/", "/", null, 1000));
        assertThat(under.commonPrefixes()).containsExactly("c/x/");
        assertThat(under.objects()).extracting(ObjectListing.Entry::key).containsExactly("c/y");
    }

    private static byte[] md5(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
