package dev.arca.object.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.BucketName;
import dev.arca.core.Entropy;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.erasure.ErasureCoders;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.KvMetadataStore;
import dev.arca.meta.ListQuery;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectListing;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.PartListing;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.UploadListing;
import dev.arca.meta.UploadQuery;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.VersionListing;
import dev.arca.meta.VersionQuery;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import dev.arca.meta.kv.MemoryKv;
import dev.arca.object.ChecksumInput;
import dev.arca.object.ObjectLayer;
import dev.arca.object.ObjectLock;
import dev.arca.object.Owner;
import dev.arca.object.WriteOptions;
import dev.arca.object.WriteResult;
import dev.arca.storage.ErasureBlobStore;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LifecycleTest {
    private static final Owner OWNER = new Owner("o1", "root");
    private static final BucketName PLAIN = new BucketName("plain");
    private static final BucketName VERSIONED = new BucketName("versioned");
    private static final BucketName LOCKED = new BucketName("locked");
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    /** Larger than the inline limit, so the object lives in blobs and removing it makes garbage. */
    private static final int BLOB_SIZE = 200 * 1024;

    /** A clock the test moves by hand. */
    private static final class MutableClock implements InstantSource {
        private volatile Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        void set(Instant t) {
            now = t;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private final AtomicInteger garbageWakes = new AtomicInteger();
    private KvMetadataStore meta;
    private ErasureBlobStore blobs;
    private ObjectLayer layer;
    private Lifecycle lifecycle;

    @BeforeEach
    void open() {
        meta = new KvMetadataStore(new MemoryKv(), false);
        List<Path> drives = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            drives.add(dir.resolve("drive-" + i));
        }
        blobs = ErasureBlobStore.open(drives, ErasureBlobStore.Geometry.defaultFor(4, Limits.BLOB_BLOCK_BYTES),
                ErasureCoders::create, Entropy.seeded(1));
        layer = new ObjectLayer(meta, blobs, clock, new Ids(clock, Entropy.seeded(7)), "us-east-1");
        layer.recover();
        layer.buckets().create(PLAIN, OWNER, null);
        layer.buckets().create(VERSIONED, OWNER, null);
        layer.buckets().setVersioning(VERSIONED, Versioning.ENABLED);
        layer.buckets().create(LOCKED, OWNER, null, true);
        lifecycle = new Lifecycle(meta, clock, garbageWakes::incrementAndGet);
    }

    @AfterEach
    void close() {
        lifecycle.close();
        layer.close();
        meta.close();
        blobs.close();
    }

    // --- helpers ---

    private WriteResult put(BucketName b, String key, int size, Map<String, String> tags, ObjectLock lock) {
        byte[] data = new byte[size];
        return layer.objects().put(b, new ObjectKey(key), OWNER, new ByteArrayInputStream(data),
                new WriteOptions(size, new ObjectAttributes(Map.of(), Map.of(), tags), WritePrecondition.NONE,
                        ChecksumInput.NONE, null, lock));
    }

    private WriteResult put(BucketName b, String key) {
        return put(b, key, 10, Map.of(), ObjectLock.NONE);
    }

    private void configure(BucketName b, LifecycleRule... rules) {
        layer.buckets().putConfig(b, LifecycleConfiguration.CONFIG_NAME, new LifecycleConfiguration(List.of(rules)).encode());
    }

    private static LifecycleRule expireAfter(String prefix, int days) {
        return new LifecycleRule("", true, new LifecycleFilter.Prefix(prefix), new Expiration.Days(days), null, null);
    }

    private static LifecycleRule noncurrent(int days, Integer newer) {
        return new LifecycleRule("", true, new LifecycleFilter.All(), null, new NoncurrentVersionExpiration(days, newer),
                null);
    }

    /** Every version of the bucket as "key@versionId" (delete markers as "key@versionId(DM)"), in listing order. */
    private List<String> versions(BucketName b) {
        VersionListing l = meta.listVersions(b.value(), new VersionQuery("", null, null, null, 1000));
        return l.versions().stream()
                .map(e -> e.key() + "@" + e.record().versionId() + (e.record().deleteMarker() ? "(DM)" : "")).toList();
    }

    private void at(String instant) {
        clock.set(Instant.parse(instant));
    }

    // --- expiration of current versions ---

    @Test
    void unversionedExpiryRemovesMatchingObjectsAtMidnightAfterTheirAge() {
        configure(PLAIN, expireAfter("logs/", 1));
        put(PLAIN, "logs/a");
        put(PLAIN, "logs/big", BLOB_SIZE, Map.of(), ObjectLock.NONE);
        put(PLAIN, "keep/b");

        at("2026-01-02T23:59:59Z");
        Lifecycle.Report early = lifecycle.runOnce();
        assertThat(early.expiredCurrent()).isZero();
        assertThat(early.bucketsScanned()).isEqualTo(1);
        assertThat(early.versionsExamined()).isEqualTo(2); // the walk only reads under logs/

        at("2026-01-03T00:00:00Z");
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.expiredCurrent()).isEqualTo(2);
        assertThat(r.complete()).isTrue();
        assertThat(versions(PLAIN)).containsExactly("keep/b@null");
        assertThat(garbageWakes.get()).isPositive();

        assertThat(lifecycle.runOnce().expiredCurrent()).isZero();
    }

    @Test
    void dateAndTagAndSizeFilters() {
        configure(PLAIN,
                new LifecycleRule("tagged", true, new LifecycleFilter.Tag("tmp", "yes"),
                        new Expiration.OnDate(LocalDate.of(2026, 2, 1)), null, null),
                new LifecycleRule("small", true, new LifecycleFilter.And("s/", Map.of(), null, 5L),
                        new Expiration.Days(1), null, null));
        put(PLAIN, "a", 10, Map.of("tmp", "yes"), ObjectLock.NONE);
        put(PLAIN, "b", 10, Map.of("tmp", "no"), ObjectLock.NONE);
        put(PLAIN, "s/tiny", 4, Map.of(), ObjectLock.NONE);
        put(PLAIN, "s/large", 5, Map.of(), ObjectLock.NONE);

        at("2026-01-31T23:00:00Z");
        assertThat(lifecycle.runOnce().expiredCurrent()).isEqualTo(1);
        assertThat(versions(PLAIN)).containsExactly("a@null", "b@null", "s/large@null");
        at("2026-02-01T00:00:00Z");
        assertThat(lifecycle.runOnce().expiredCurrent()).isEqualTo(1);
        assertThat(versions(PLAIN)).containsExactly("b@null", "s/large@null");
    }

    @Test
    void disabledRulesAndBucketsWithoutConfigurationAreLeftAlone() {
        layer.buckets().putConfig(PLAIN, LifecycleConfiguration.CONFIG_NAME, new LifecycleConfiguration(List.of(
                new LifecycleRule("off", false, new LifecycleFilter.All(), new Expiration.Days(1), null, null))).encode());
        put(PLAIN, "a");
        put(VERSIONED, "a");
        clock.advance(Duration.ofDays(100));
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.bucketsScanned()).isZero();
        assertThat(r.versionsExamined()).isZero();
        assertThat(versions(PLAIN)).hasSize(1);
    }

    @Test
    void versionedExpiryAddsADeleteMarker() {
        configure(VERSIONED, expireAfter("", 2));
        String v1 = put(VERSIONED, "k").versionId();
        at("2026-01-04T00:00:00Z");
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.expiredCurrent()).isEqualTo(1);
        List<String> after = versions(VERSIONED);
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).endsWith("(DM)");
        assertThat(after.get(1)).isEqualTo("k@" + v1);
        assertThat(meta.object(VERSIONED.value(), "k")).isEmpty();

        // The newest version is now a marker: nothing more to expire.
        Lifecycle.Report again = lifecycle.runOnce();
        assertThat(again.expiredCurrent()).isZero();
        assertThat(versions(VERSIONED)).isEqualTo(after);
    }

    @Test
    void lockedCurrentVersionIsStillHiddenByADeleteMarker() {
        configure(LOCKED, expireAfter("", 1));
        String v1 = put(LOCKED, "k", 10, Map.of(),
                new ObjectLock(new Retention(RetentionMode.COMPLIANCE, T0.plus(Duration.ofDays(365)).toEpochMilli()), true))
                .versionId();
        clock.advance(Duration.ofDays(3));
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.expiredCurrent()).isEqualTo(1);
        assertThat(r.skippedLocked()).isZero();
        assertThat(versions(LOCKED)).hasSize(2).last().isEqualTo("k@" + v1);
    }

    // --- noncurrent versions ---

    @Test
    void noncurrentExpiryKeepsTheNewestNoncurrentVersionsAndCountsFromSupersession() {
        configure(VERSIONED, noncurrent(2, 1));
        List<String> ids = new ArrayList<>();
        for (int day = 0; day < 5; day++) {
            at("2026-01-0" + (day + 1) + "T10:00:00Z");
            ids.add(put(VERSIONED, "k").versionId()); // v1 … v5, v5 current
        }
        put(VERSIONED, "other"); // a key with one version: nothing noncurrent

        // Day 5, 12:00: v4 is kept (NewerNoncurrentVersions 1); v3 became noncurrent on Jan 4 10:00, due
        // Jan 7 00:00; v2 (Jan 3 10:00 → Jan 6 00:00) too young as well; v1 (Jan 2 → Jan 5 00:00) is due.
        at("2026-01-05T12:00:00Z");
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.noncurrentRemoved()).isEqualTo(1);
        assertThat(versions(VERSIONED)).containsExactly("k@" + ids.get(4), "k@" + ids.get(3), "k@" + ids.get(2),
                "k@" + ids.get(1), "other@" + versionOf("other"));

        at("2026-01-07T00:00:00Z");
        r = lifecycle.runOnce();
        assertThat(r.noncurrentRemoved()).isEqualTo(2);
        assertThat(versions(VERSIONED)).containsExactly("k@" + ids.get(4), "k@" + ids.get(3), "other@" + versionOf("other"));

        // The newest noncurrent version is kept whatever its age.
        clock.advance(Duration.ofDays(365));
        assertThat(lifecycle.runOnce().noncurrentRemoved()).isZero();
        assertThat(meta.object(VERSIONED.value(), "k")).map(ObjectRecord::versionId).hasValue(ids.get(4));
    }

    private String versionOf(String key) {
        return meta.latestVersion(VERSIONED.value(), key).orElseThrow().versionId();
    }

    @Test
    void expiredDeleteMarkerIsRemovedOnceItIsTheOnlyVersion() {
        configure(VERSIONED, new LifecycleRule("", true, new LifecycleFilter.All(),
                new Expiration.ExpiredObjectDeleteMarker(true), new NoncurrentVersionExpiration(1, null), null));
        put(VERSIONED, "gone");
        layer.objects().delete(VERSIONED, new ObjectKey("gone"), WritePrecondition.NONE);
        put(VERSIONED, "live");

        clock.advance(Duration.ofDays(3));
        Lifecycle.Report first = lifecycle.runOnce();
        assertThat(first.noncurrentRemoved()).isEqualTo(1);
        assertThat(first.deleteMarkersRemoved()).isZero(); // it still had a version when the walk saw it
        assertThat(versions(VERSIONED)).hasSize(2).first().asString().startsWith("gone@").endsWith("(DM)");

        Lifecycle.Report second = lifecycle.runOnce();
        assertThat(second.deleteMarkersRemoved()).isEqualTo(1);
        assertThat(versions(VERSIONED)).containsExactly("live@" + versionOf("live"));
    }

    @Test
    void aDaysRuleAlsoRemovesLoneDeleteMarkersOnceOldEnough() {
        configure(VERSIONED, new LifecycleRule("", true, new LifecycleFilter.All(), new Expiration.Days(1),
                new NoncurrentVersionExpiration(1, null), null));
        put(VERSIONED, "k");
        at("2026-01-03T00:00:00Z");
        assertThat(lifecycle.runOnce().expiredCurrent()).isEqualTo(1); // k's marker is written now

        at("2026-01-04T00:00:00Z");
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.noncurrentRemoved()).isEqualTo(1);
        assertThat(r.deleteMarkersRemoved()).isZero();
        // A lone marker written just now: too young for the rule's day.
        String y = put(VERSIONED, "y").versionId();
        layer.objects().delete(VERSIONED, new ObjectKey("y"), WritePrecondition.NONE);
        layer.objects().delete(VERSIONED, new ObjectKey("y"), y, WritePrecondition.NONE, false);

        r = lifecycle.runOnce();
        assertThat(r.deleteMarkersRemoved()).isEqualTo(1);
        assertThat(versions(VERSIONED)).hasSize(1).first().asString().startsWith("y@").endsWith("(DM)");
        at("2026-01-05T00:00:00Z");
        assertThat(lifecycle.runOnce().deleteMarkersRemoved()).isEqualTo(1);
        assertThat(versions(VERSIONED)).isEmpty();
    }

    @Test
    void deleteMarkerWithVersionsBehindItStaysWithoutANoncurrentRule() {
        configure(VERSIONED, new LifecycleRule("", true, new LifecycleFilter.All(),
                new Expiration.ExpiredObjectDeleteMarker(true), null, null));
        put(VERSIONED, "k");
        layer.objects().delete(VERSIONED, new ObjectKey("k"), WritePrecondition.NONE);
        clock.advance(Duration.ofDays(30));
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.deleteMarkersRemoved()).isZero();
        assertThat(versions(VERSIONED)).hasSize(2);
    }

    // --- Object Lock ---

    @Test
    void lockedNoncurrentVersionsAreSkippedAndCounted() {
        configure(LOCKED, noncurrent(1, null));
        long until = T0.plus(Duration.ofDays(30)).toEpochMilli();
        String compliance = put(LOCKED, "c", 10, Map.of(), new ObjectLock(new Retention(RetentionMode.COMPLIANCE, until), false))
                .versionId();
        String governance = put(LOCKED, "g", 10, Map.of(), new ObjectLock(new Retention(RetentionMode.GOVERNANCE, until), false))
                .versionId();
        String held = put(LOCKED, "h", 10, Map.of(), new ObjectLock(null, true)).versionId();
        String free = put(LOCKED, "f").versionId();
        for (String k : List.of("c", "g", "h", "f")) {
            put(LOCKED, k);
        }

        clock.advance(Duration.ofDays(5));
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.noncurrentRemoved()).isEqualTo(1);
        assertThat(r.skippedLocked()).isEqualTo(3);
        List<String> left = versions(LOCKED);
        assertThat(left).contains("c@" + compliance, "g@" + governance, "h@" + held).doesNotContain("f@" + free);

        // Once the retention ends only the legal hold still protects.
        clock.advance(Duration.ofDays(30));
        r = lifecycle.runOnce();
        assertThat(r.noncurrentRemoved()).isEqualTo(2);
        assertThat(r.skippedLocked()).isEqualTo(1);
        assertThat(versions(LOCKED)).contains("h@" + held).hasSize(5);
    }

    @Test
    void aVersionLockedAfterTheDecisionIsRefusedByTheMachineAndCountedAsSkipped() {
        configure(LOCKED, noncurrent(1, null));
        String v1 = put(LOCKED, "k").versionId();
        put(LOCKED, "k");
        clock.advance(Duration.ofDays(3));
        // A client puts a legal hold on v1 between the worker's decision and its command.
        Racing racing = new Racing(meta, () -> meta.submit(new Command.PutLegalHold(LOCKED.value(), "k", v1, true)));
        Lifecycle.Report r = new Lifecycle(racing, clock, () -> { }).runOnce();
        assertThat(r.noncurrentRemoved()).isZero();
        assertThat(r.skippedLocked()).isEqualTo(1);
        assertThat(versions(LOCKED)).contains("k@" + v1);
    }

    // --- races ---

    @Test
    void aNewerWriteBetweenDecisionAndDeleteIsNotHidden() {
        configure(VERSIONED, expireAfter("", 1));
        String v1 = put(VERSIONED, "k").versionId();
        clock.advance(Duration.ofDays(3));
        AtomicInteger writes = new AtomicInteger();
        Racing racing = new Racing(meta, () -> {
            if (writes.getAndIncrement() == 0) {
                put(VERSIONED, "k");
            }
        });
        Lifecycle.Report r = new Lifecycle(racing, clock, () -> { }).runOnce();
        assertThat(r.expiredCurrent()).isZero();
        List<String> after = versions(VERSIONED);
        assertThat(after).hasSize(2).noneMatch(v -> v.endsWith("(DM)")).last().isEqualTo("k@" + v1);
        assertThat(meta.object(VERSIONED.value(), "k")).isPresent();
    }

    @Test
    void aNewerWriteInAnUnversionedBucketIsNotRemoved() {
        configure(PLAIN, expireAfter("", 1));
        put(PLAIN, "k", 3, Map.of(), ObjectLock.NONE);
        clock.advance(Duration.ofDays(3));
        AtomicInteger writes = new AtomicInteger();
        Racing racing = new Racing(meta, () -> {
            if (writes.getAndIncrement() == 0) {
                put(PLAIN, "k", 7, Map.of(), ObjectLock.NONE); // same version id "null", a newer sequence number
            }
        });
        new Lifecycle(racing, clock, () -> { }).runOnce();
        assertThat(meta.object(PLAIN.value(), "k")).map(ObjectRecord::size).hasValue(7L);
    }

    @Test
    void aRewriteAfterTheWalkIsSeenByTheRecheck() {
        configure(PLAIN, expireAfter("", 1));
        put(PLAIN, "k", 3, Map.of(), ObjectLock.NONE);
        clock.advance(Duration.ofDays(3));
        // Rewritten between the walk and the submit (before the worker re-reads it): dropped without a command.
        Racing racing = new Racing(meta, null) {
            boolean done;

            @Override
            public void forEachVersion(String bucket, String prefix, String afterKey, Predicate<VersionListing.Entry> action) {
                super.forEachVersion(bucket, prefix, afterKey, action);
                if (!done) {
                    done = true;
                    put(PLAIN, "k", 7, Map.of(), ObjectLock.NONE);
                }
            }
        };
        Lifecycle.Report r = new Lifecycle(racing, clock, () -> { }).runOnce();
        assertThat(r.expiredCurrent()).isZero();
        assertThat(racing.deleteCommands).isZero();
        assertThat(meta.object(PLAIN.value(), "k")).map(ObjectRecord::size).hasValue(7L);
    }

    // --- multipart uploads ---

    @Test
    void incompleteUploadsAreAbortedAfterTheirDays() {
        configure(PLAIN, new LifecycleRule("", true, new LifecycleFilter.Prefix("up/"), null, null,
                new AbortIncompleteMultipartUpload(2)));
        UploadRecord old = layer.multipart().create(PLAIN, new ObjectKey("up/a"), OWNER, ObjectAttributes.EMPTY, null, null);
        UploadRecord other = layer.multipart().create(PLAIN, new ObjectKey("keep/a"), OWNER, ObjectAttributes.EMPTY, null, null);
        at("2026-01-02T10:00:00Z");
        UploadRecord young = layer.multipart().create(PLAIN, new ObjectKey("up/b"), OWNER, ObjectAttributes.EMPTY, null, null);

        at("2026-01-04T00:00:00Z");
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.uploadsAborted()).isEqualTo(1);
        assertThat(meta.upload(PLAIN.value(), "up/a", old.uploadId())).isEmpty();
        assertThat(meta.upload(PLAIN.value(), "up/b", young.uploadId())).isPresent();
        assertThat(meta.upload(PLAIN.value(), "keep/a", other.uploadId())).isPresent();
        at("2026-01-05T00:00:00Z");
        assertThat(lifecycle.runOnce().uploadsAborted()).isEqualTo(1);
    }

    // --- bounds, resumption and the thread ---

    @Test
    void aRunStopsAtItsBoundAndTheNextContinues() {
        configure(PLAIN, expireAfter("", 1));
        configure(VERSIONED, expireAfter("", 1));
        for (int i = 0; i < 10; i++) {
            put(PLAIN, "k" + i);
            put(VERSIONED, "k" + i);
        }
        clock.advance(Duration.ofDays(3));
        Lifecycle bounded = new Lifecycle(meta, clock, () -> { }, 4);
        long expired = 0;
        int runs = 0;
        Lifecycle.Report r;
        do {
            r = bounded.runOnce();
            expired += r.expiredCurrent();
            runs++;
            assertThat(r.versionsExamined()).isLessThanOrEqualTo(5);
        } while (!r.complete() && runs < 100);
        assertThat(r.complete()).isTrue();
        assertThat(runs).isGreaterThan(4);
        assertThat(expired).isEqualTo(20);
        assertThat(meta.listObjects(PLAIN.value(), new ListQuery("", null, null, 1000)).objects()).isEmpty();
        assertThat(meta.listObjects(VERSIONED.value(), new ListQuery("", null, null, 1000)).objects()).isEmpty();
    }

    @Test
    void manyTargetsGoInSeveralBatches() {
        configure(PLAIN, expireAfter("", 1));
        int n = Lifecycle.DELETE_BATCH * 2 + 7;
        for (int i = 0; i < n; i++) {
            put(PLAIN, String.format("k%05d", i));
        }
        clock.advance(Duration.ofDays(3));
        Racing counting = new Racing(meta, null);
        Lifecycle.Report r = new Lifecycle(counting, clock, () -> { }).runOnce();
        assertThat(r.expiredCurrent()).isEqualTo(n);
        assertThat(counting.deleteCommands).isEqualTo(3);
        assertThat(versions(PLAIN)).isEmpty();
    }

    @Test
    void corruptConfigurationIsSkipped() {
        layer.buckets().putConfig(PLAIN, LifecycleConfiguration.CONFIG_NAME, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        configure(VERSIONED, expireAfter("", 1));
        put(VERSIONED, "k");
        clock.advance(Duration.ofDays(3));
        Lifecycle.Report r = lifecycle.runOnce();
        assertThat(r.bucketsScanned()).isEqualTo(1);
        assertThat(r.expiredCurrent()).isEqualTo(1);
    }

    @Test
    void backgroundThreadRunsWhenWoken() throws InterruptedException {
        configure(PLAIN, expireAfter("", 1));
        put(PLAIN, "k");
        clock.advance(Duration.ofDays(3));
        lifecycle.start(Lifecycle.DEFAULT_INTERVAL);
        lifecycle.wake();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (meta.object(PLAIN.value(), "k").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(meta.object(PLAIN.value(), "k")).isEmpty();
        lifecycle.close();
    }

    /**
     * The real store, with a hook run just before each DeleteObjects command (a client acting between
     * the worker's decision and its command), counting those commands.
     */
    private static class Racing implements MetadataStore {
        private final MetadataStore inner;
        private final Runnable beforeDelete;
        int deleteCommands;

        Racing(MetadataStore inner, Runnable beforeDelete) {
            this.inner = inner;
            this.beforeDelete = beforeDelete;
        }

        @Override
        public Outcome execute(Command command) {
            if (command instanceof Command.DeleteObjects) {
                deleteCommands++;
                if (beforeDelete != null) {
                    beforeDelete.run();
                }
            }
            return inner.execute(command);
        }

        @Override
        public Optional<BucketRecord> bucket(String name) {
            return inner.bucket(name);
        }

        @Override
        public List<BucketRecord> buckets() {
            return inner.buckets();
        }

        @Override
        public Optional<ObjectRecord> object(String bucket, String key) {
            return inner.object(bucket, key);
        }

        @Override
        public Optional<ObjectRecord> latestVersion(String bucket, String key) {
            return inner.latestVersion(bucket, key);
        }

        @Override
        public Optional<ObjectRecord> objectVersion(String bucket, String key, String versionId) {
            return inner.objectVersion(bucket, key, versionId);
        }

        @Override
        public VersionListing listVersions(String bucket, VersionQuery query) {
            return inner.listVersions(bucket, query);
        }

        @Override
        public void forEachVersion(String bucket, String prefix, String afterKey, Predicate<VersionListing.Entry> action) {
            inner.forEachVersion(bucket, prefix, afterKey, action);
        }

        @Override
        public Optional<byte[]> bucketConfig(String bucket, String name) {
            return inner.bucketConfig(bucket, name);
        }

        @Override
        public Optional<byte[]> inlineData(String dataId) {
            return inner.inlineData(dataId);
        }

        @Override
        public void forEachBlobReference(Consumer<String> action) {
            inner.forEachBlobReference(action);
        }

        @Override
        public ObjectListing listObjects(String bucket, ListQuery query) {
            return inner.listObjects(bucket, query);
        }

        @Override
        public Optional<UploadRecord> upload(String bucket, String key, String uploadId) {
            return inner.upload(bucket, key, uploadId);
        }

        @Override
        public PartListing listParts(String uploadId, int afterPartNumber, int maxParts) {
            return inner.listParts(uploadId, afterPartNumber, maxParts);
        }

        @Override
        public UploadListing listUploads(String bucket, UploadQuery query) {
            return inner.listUploads(bucket, query);
        }

        @Override
        public List<String> intents(int max) {
            return inner.intents(max);
        }

        @Override
        public List<String> garbage(int max) {
            return inner.garbage(max);
        }

        @Override
        public void close() {
            // The test owns the inner store.
        }
    }
}
