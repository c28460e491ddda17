package dev.arca.meta;

import static dev.arca.meta.MetaFixtures.OWNER;
import static dev.arca.meta.MetaFixtures.blobObject;
import static dev.arca.meta.MetaFixtures.bucket;
import static dev.arca.meta.MetaFixtures.id;
import static dev.arca.meta.MetaFixtures.inlineObject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import dev.arca.meta.kv.KvBatch;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.meta.kv.RocksKv;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvMetadataStoreTest {
    private MemoryKv kv;
    private KvMetadataStore store;

    @BeforeEach
    void open() {
        kv = new MemoryKv();
        store = new KvMetadataStore(kv, false);
    }

    @AfterEach
    void close() {
        store.close();
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
    void bucketsAreCreatedOnceAndOwned() {
        store.submit(new Command.CreateBucket(bucket("b1"), 10));
        assertThat(store.bucket("b1")).contains(bucket("b1"));
        assertThat(kindOf(() -> store.submit(new Command.CreateBucket(bucket("b1"), 10))))
                .isEqualTo(FailureKind.BUCKET_ALREADY_OWNED_BY_YOU);
        BucketRecord other = new BucketRecord("b1", "someone-else", 5, "us-east-1");
        assertThat(kindOf(() -> store.submit(new Command.CreateBucket(other, 10)))).isEqualTo(FailureKind.BUCKET_ALREADY_EXISTS);
        store.submit(new Command.CreateBucket(bucket("b2"), 2));
        assertThat(kindOf(() -> store.submit(new Command.CreateBucket(bucket("b3"), 2)))).isEqualTo(FailureKind.TOO_MANY_BUCKETS);
        assertThat(store.buckets()).extracting(BucketRecord::name).containsExactly("b1", "b2");
    }

    @Test
    void putObjectEndsIntentsAndTurnsReplacedDataIntoGarbage() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        store.submit(new Command.AddIntent(id(1), 1));
        assertThat(store.intents(10)).containsExactly(id(1));
        List<String> garbage = store.submit(new Command.PutObject("b", "k", blobObject(id(1), 10, "e1"), null,
                WritePrecondition.NONE, List.of(id(1)), 3));
        assertThat(garbage).isEmpty();
        assertThat(store.intents(10)).isEmpty();
        store.submit(new Command.AddIntent(id(2), 4));
        garbage = store.submit(new Command.PutObject("b", "k", blobObject(id(2), 20, "e2"), null,
                WritePrecondition.NONE, List.of(id(2)), 5));
        assertThat(garbage).containsExactly(id(1));
        assertThat(store.garbage(10)).containsExactly(id(1));
        assertThat(store.object("b", "k").orElseThrow().etag()).isEqualTo("e2");
        store.submit(new Command.ForgetGarbage(List.of(id(1))));
        assertThat(store.garbage(10)).isEmpty();
    }

    @Test
    void inlineDataIsStoredBesideTheRecordAndDroppedWithIt() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        byte[] bytes = {1, 2, 3};
        store.submit(new Command.PutObject("b", "k", inlineObject(id(7), 3, "e"), bytes, WritePrecondition.NONE, List.of(), 1));
        assertThat(store.inlineData(id(7))).hasValueSatisfying(b -> assertThat(b).containsExactly(1, 2, 3));
        ObjectRecord r = store.object("b", "k").orElseThrow();
        assertThat(r.attributes().userMetadata()).containsEntry("k", "v");
        store.submit(new Command.DeleteObjects("b", MetaFixtures.targets("k", "absent"), WritePrecondition.NONE, false, 2));
        assertThat(store.object("b", "k")).isEmpty();
        assertThat(store.inlineData(id(7))).isEmpty();
    }

    @Test
    void preconditionsAreCheckedAtCommit() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        byte[] one = {1};
        store.submit(new Command.PutObject("b", "k", inlineObject(id(1), 1, "e1"), one, new WritePrecondition.MustNotExist(), List.of(), 1));
        assertThat(kindOf(() -> store.submit(new Command.PutObject("b", "k", inlineObject(id(2), 1, "e2"), one,
                new WritePrecondition.MustNotExist(), List.of(), 2)))).isEqualTo(FailureKind.PRECONDITION_FAILED);
        assertThat(kindOf(() -> store.submit(new Command.PutObject("b", "k", inlineObject(id(3), 1, "e3"), one,
                new WritePrecondition.EtagMatches("nope"), List.of(), 3)))).isEqualTo(FailureKind.PRECONDITION_FAILED);
        assertThat(kindOf(() -> store.submit(new Command.PutObject("b", "other", inlineObject(id(4), 1, "e4"), one,
                new WritePrecondition.EtagMatches("e1"), List.of(), 3)))).isEqualTo(FailureKind.NO_SUCH_KEY);
        store.submit(new Command.PutObject("b", "k", inlineObject(id(5), 1, "e5"), one, new WritePrecondition.EtagMatches("e1"), List.of(), 4));
        assertThat(store.object("b", "k").orElseThrow().etag()).isEqualTo("e5");
        // the failed commits changed nothing: only the winner's inline data exists
        assertThat(store.inlineData(id(2))).isEmpty();
        assertThat(store.inlineData(id(1))).isEmpty();
    }

    @Test
    void missingBucketFailsObjectCommands() {
        assertThat(kindOf(() -> store.submit(new Command.PutObject("nope", "k", inlineObject(id(1), 1, "e"), new byte[1],
                WritePrecondition.NONE, List.of(), 1)))).isEqualTo(FailureKind.NO_SUCH_BUCKET);
        assertThat(kindOf(() -> store.submit(new Command.DeleteBucket("nope", 1)))).isEqualTo(FailureKind.NO_SUCH_BUCKET);
    }

    @Test
    void deleteBucketRefusesObjectsAndAbortsUploads() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        store.submit(new Command.PutObject("b", "k", inlineObject(id(1), 1, "e"), new byte[1], WritePrecondition.NONE, List.of(), 1));
        assertThat(kindOf(() -> store.submit(new Command.DeleteBucket("b", 2)))).isEqualTo(FailureKind.BUCKET_NOT_EMPTY);
        store.submit(new Command.DeleteObjects("b", MetaFixtures.targets("k"), WritePrecondition.NONE, false, 3));
        UploadRecord upload = new UploadRecord("b", "big", "u1", 4, OWNER, ObjectAttributes.EMPTY, null, null);
        store.submit(new Command.CreateUpload(upload));
        store.submit(new Command.AddIntent(id(9), 5));
        store.submit(new Command.PutPart("b", "big", "u1", new PartRecord(1, 5, "pe", 6, id(9), null), 6));
        List<String> garbage = store.submit(new Command.DeleteBucket("b", 7));
        assertThat(garbage).containsExactly(id(9));
        assertThat(store.bucket("b")).isEmpty();
        assertThat(store.upload("b", "big", "u1")).isEmpty();
        assertThat(store.listParts("u1", 0, 10).parts()).isEmpty();
    }

    @Test
    void multipartLifecycle() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        UploadRecord upload = new UploadRecord("b", "k", "u1", 1, OWNER, ObjectAttributes.EMPTY,
                ChecksumAlgorithm.CRC32, ChecksumType.COMPOSITE);
        store.submit(new Command.CreateUpload(upload));
        assertThat(store.upload("b", "k", "u1")).contains(upload);
        for (int p = 1; p <= 3; p++) {
            store.submit(new Command.AddIntent(id(p), 2));
            store.submit(new Command.PutPart("b", "k", "u1", new PartRecord(p, 10, "e" + p, 3, id(p), "AAAAAA==") , 3));
        }
        // replacing part 2 makes the old blob garbage
        store.submit(new Command.AddIntent(id(22), 4));
        List<String> garbage = store.submit(new Command.PutPart("b", "k", "u1", new PartRecord(2, 10, "e22", 5, id(22), null), 5));
        assertThat(garbage).containsExactly(id(2));
        PartListing page = store.listParts("u1", 0, 2);
        assertThat(page.parts()).extracting(PartRecord::partNumber).containsExactly(1, 2);
        assertThat(page.truncated()).isTrue();
        assertThat(page.nextMarker()).isEqualTo(2);
        assertThat(store.listParts("u1", 2, 2).parts()).extracting(PartRecord::partNumber).containsExactly(3);
        // completing with a blob that is no longer the part's fails and changes nothing
        ObjectRecord stale = new ObjectRecord("null", 20, "x-2", 6, OWNER, ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Blobs(List.of(new BlobSpan(id(1), 10), new BlobSpan(id(2), 10))));
        assertThat(kindOf(() -> store.submit(new Command.CompleteUpload("b", "k", "u1", stale,
                Map.of(1, id(1), 2, id(2)), WritePrecondition.NONE, 6)))).isEqualTo(FailureKind.INVALID_PART);
        ObjectRecord done = new ObjectRecord("null", 20, "x-2", 6, OWNER, ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Blobs(List.of(new BlobSpan(id(1), 10), new BlobSpan(id(22), 10))));
        garbage = store.submit(new Command.CompleteUpload("b", "k", "u1", done, Map.of(1, id(1), 2, id(22)),
                WritePrecondition.NONE, 7));
        assertThat(garbage).containsExactly(id(3));
        assertThat(store.upload("b", "k", "u1")).isEmpty();
        assertThat(store.listParts("u1", 0, 10).parts()).isEmpty();
        assertThat(store.object("b", "k").orElseThrow().data()).isEqualTo(done.data());
        assertThat(kindOf(() -> store.submit(new Command.AbortUpload("b", "k", "u1", 8)))).isEqualTo(FailureKind.NO_SUCH_UPLOAD);
        List<String> refs = new ArrayList<>();
        store.forEachBlobReference(refs::add);
        assertThat(refs).containsExactlyInAnyOrder(id(1), id(22));
    }

    @Test
    void aFailingCommandInAGroupLeavesTheOthersApplied() throws Exception {
        store.submit(new Command.CreateBucket(bucket("b"), 10_000));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<FailureKind>> results = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    try {
                        // every fourth one targets a missing bucket
                        String bucket = n % 4 == 0 ? "missing" : "b";
                        store.submit(new Command.PutObject(bucket, "k" + n, inlineObject(id(n + 1), 1, "e"), new byte[1],
                                WritePrecondition.NONE, List.of(), n));
                        return null;
                    } catch (StoreException e) {
                        return e.kind();
                    }
                }));
            }
            int failed = 0;
            for (Future<FailureKind> f : results) {
                if (f.get() != null) {
                    assertThat(f.get()).isEqualTo(FailureKind.NO_SUCH_BUCKET);
                    failed++;
                }
            }
            assertThat(failed).isEqualTo(100);
            assertThat(store.listObjects("b", new ListQuery("", null, null, 1000)).objects()).hasSize(300);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void corruptRecordsFailLoudly() {
        store.submit(new Command.CreateBucket(bucket("b"), 10));
        byte[] key = Keys.bucket("b");
        byte[] raw = kv.get(key).clone();
        raw[3] ^= 0x40;
        kv.write(new KvBatch().put(key, raw), false);
        assertThatThrownBy(() -> store.bucket("b")).isInstanceOf(MetadataCorruptException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void aStoreFromANewerFormatIsRefused(@TempDir Path dir) {
        try (RocksKv rocks = RocksKv.open(dir, RocksKv.Options.defaults())) {
            rocks.write(new KvBatch().put(Keys.system("format"), Codecs.encodeMark(99)), true);
        }
        RocksKv reopened = RocksKv.open(dir, RocksKv.Options.defaults());
        try {
            assertThatThrownBy(() -> new KvMetadataStore(reopened, true)).isInstanceOf(MetadataCorruptException.class)
                    .hasMessageContaining("version 99");
        } finally {
            reopened.close();
        }
    }

    @Test
    void durableStoreKeepsCommandsAcrossReopen(@TempDir Path dir) {
        try (KvMetadataStore durable = new KvMetadataStore(RocksKv.open(dir, RocksKv.Options.defaults()), true)) {
            durable.submit(new Command.CreateBucket(bucket("b"), 10));
            durable.submit(new Command.PutObject("b", "k", inlineObject(id(1), 2, "e"), new byte[] {4, 5},
                    WritePrecondition.NONE, List.of(), 1));
        }
        try (KvMetadataStore again = new KvMetadataStore(RocksKv.open(dir, RocksKv.Options.defaults()), true)) {
            assertThat(again.object("b", "k")).isPresent();
            assertThat(again.inlineData(id(1)).orElseThrow()).containsExactly(4, 5);
        }
    }

    @Test
    void closedStoreRefusesCommands() {
        store.close();
        assertThat(kindOf(() -> store.submit(new Command.CreateBucket(bucket("b"), 10)))).isEqualTo(FailureKind.SERVICE_UNAVAILABLE);
    }
}
