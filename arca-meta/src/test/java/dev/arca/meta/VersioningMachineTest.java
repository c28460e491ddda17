package dev.arca.meta;

import static dev.arca.meta.MetaFixtures.OWNER;
import static dev.arca.meta.MetaFixtures.blobObject;
import static dev.arca.meta.MetaFixtures.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.kv.MemoryKv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Versioning, delete markers, "null" versions and Object Lock as the metadata machine applies them. */
final class VersioningMachineTest {
    private static final long DAY = 86_400_000L;
    private KvMetadataStore store;
    private int blobs;
    private long now = 10 * DAY;

    @BeforeEach
    void open() {
        store = new KvMetadataStore(new MemoryKv(), false);
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

    private void bucket(String name, Versioning v, boolean lock) {
        BucketRecord b = new BucketRecord(name, OWNER, 1, "us-east-1");
        if (v != Versioning.UNVERSIONED) {
            b = b.withVersioning(v);
        }
        if (lock) {
            b = b.withObjectLock(null);
        }
        store.submit(new Command.CreateBucket(b, 100));
    }

    /** Writes a blob-backed version; returns its version id. */
    private String put(String bucket, String key, Retention retention, boolean legalHold) {
        String blob = id(++blobs);
        store.submit(new Command.AddIntent(blob, now));
        ObjectRecord r = blobObject(blob, 10, "etag" + blobs).withLock(retention, legalHold);
        return store.execute(new Command.PutObject(bucket, key, r, null, WritePrecondition.NONE, List.of(blob), ++now))
                .versionId();
    }

    private String put(String bucket, String key) {
        return put(bucket, key, null, false);
    }

    private Outcome.DeleteOutcome delete(String bucket, String key, String versionId, boolean bypass) {
        return store.execute(new Command.DeleteObjects(bucket, List.of(new Command.DeleteTarget(key, versionId, null)),
                WritePrecondition.NONE, bypass, ++now)).deletes().getFirst();
    }

    private List<String> versionIds(String bucket, String key) {
        List<String> ids = new ArrayList<>();
        store.forEachVersion(bucket, key, null, e -> {
            if (e.key().equals(key)) {
                ids.add((e.record().deleteMarker() ? "marker:" : "") + e.record().versionId() + (e.latest() ? "*" : ""));
            }
            return true;
        });
        return ids;
    }

    @Test
    void unversionedBucketsKeepOneNullVersion() {
        bucket("b", Versioning.UNVERSIONED, false);
        assertThat(put("b", "k")).isEqualTo("null");
        assertThat(put("b", "k")).isEqualTo("null");
        assertThat(versionIds("b", "k")).containsExactly("null*");
        assertThat(store.object("b", "k").orElseThrow().etag()).isEqualTo("etag2");
        assertThat(store.garbage(10)).containsExactly(id(1));
        Outcome.DeleteOutcome d = delete("b", "k", null, false);
        assertThat(d.deleteMarker()).isFalse();
        assertThat(versionIds("b", "k")).isEmpty();
        assertThat(store.object("b", "k")).isEmpty();
    }

    @Test
    void enabledBucketsKeepEveryVersionAndDeleteAddsAMarker() {
        bucket("b", Versioning.ENABLED, false);
        String v1 = put("b", "k");
        String v2 = put("b", "k");
        assertThat(v1).isNotEqualTo(v2).isNotEqualTo("null");
        assertThat(versionIds("b", "k")).containsExactly(v2 + "*", v1);
        assertThat(store.objectVersion("b", "k", v1).orElseThrow().etag()).isEqualTo("etag1");
        Outcome.DeleteOutcome marker = delete("b", "k", null, false);
        assertThat(marker.deleteMarker()).isTrue();
        assertThat(store.object("b", "k")).isEmpty();
        assertThat(store.latestVersion("b", "k").orElseThrow().deleteMarker()).isTrue();
        assertThat(versionIds("b", "k")).containsExactly("marker:" + marker.deleteMarkerVersionId() + "*", v2, v1);
        assertThat(store.garbage(10)).isEmpty();
        // Removing the marker brings the newest version back.
        Outcome.DeleteOutcome unmark = delete("b", "k", marker.deleteMarkerVersionId(), false);
        assertThat(unmark.deleteMarker()).isTrue();
        assertThat(store.object("b", "k").orElseThrow().versionId()).isEqualTo(v2);
        // Removing the current version makes the previous one current and frees its data.
        delete("b", "k", v2, false);
        assertThat(store.object("b", "k").orElseThrow().versionId()).isEqualTo(v1);
        assertThat(store.garbage(10)).containsExactly(id(2));
        // Absent versions succeed, as in S3.
        assertThat(delete("b", "k", v2, false).failure()).isNull();
    }

    @Test
    void suspendedBucketsReplaceTheNullVersionOnly() {
        bucket("b", Versioning.UNVERSIONED, false);
        put("b", "k"); // null version from before versioning
        store.submit(new Command.SetVersioning("b", Versioning.ENABLED));
        String v2 = put("b", "k");
        assertThat(versionIds("b", "k")).containsExactly(v2 + "*", "null");
        store.submit(new Command.SetVersioning("b", Versioning.SUSPENDED));
        assertThat(put("b", "k")).isEqualTo("null");
        assertThat(versionIds("b", "k")).containsExactly("null*", v2);
        assertThat(store.garbage(10)).containsExactly(id(1));
        Outcome.DeleteOutcome d = delete("b", "k", null, false);
        assertThat(d.deleteMarker()).isTrue();
        assertThat(d.deleteMarkerVersionId()).isEqualTo("null");
        assertThat(versionIds("b", "k")).containsExactly("marker:null*", v2);
        assertThat(store.object("b", "k")).isEmpty();
        // The null marker can be removed by id "null"; v2 is current again.
        delete("b", "k", "null", false);
        assertThat(store.object("b", "k").orElseThrow().versionId()).isEqualTo(v2);
    }

    @Test
    void deleteBucketCountsEveryVersionAndMarker() {
        bucket("b", Versioning.ENABLED, false);
        String v = put("b", "k");
        delete("b", "k", null, false);
        assertThat(kindOf(() -> store.submit(new Command.DeleteBucket("b", ++now)))).isEqualTo(FailureKind.BUCKET_NOT_EMPTY);
        delete("b", "k", v, false);
        assertThat(kindOf(() -> store.submit(new Command.DeleteBucket("b", ++now)))).isEqualTo(FailureKind.BUCKET_NOT_EMPTY);
        String marker = store.latestVersion("b", "k").orElseThrow().versionId();
        delete("b", "k", marker, false);
        store.submit(new Command.DeleteBucket("b", ++now));
        assertThat(store.bucket("b")).isEmpty();
    }

    @Test
    void complianceRetentionHoldsAgainstEveryCommand() {
        bucket("b", Versioning.ENABLED, true);
        long until = now + DAY;
        Retention r = new Retention(RetentionMode.COMPLIANCE, until);
        String v = put("b", "k", r, false);
        assertThat(delete("b", "k", v, false).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
        assertThat(delete("b", "k", v, true).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
        // Shortening, downgrading to GOVERNANCE or removing: refused, with or without bypass.
        for (boolean bypass : new boolean[] {false, true}) {
            for (Retention weaker : new Retention[] {new Retention(RetentionMode.COMPLIANCE, until - 1),
                    new Retention(RetentionMode.GOVERNANCE, until + DAY), null}) {
                assertThat(kindOf(() -> store.submit(new Command.PutRetention("b", "k", v, weaker, bypass, ++now))))
                        .isEqualTo(FailureKind.ACCESS_DENIED);
            }
        }
        assertThat(kindOf(() -> store.submit(new Command.SetVersioning("b", Versioning.SUSPENDED))))
                .isEqualTo(FailureKind.INVALID_BUCKET_STATE);
        assertThat(kindOf(() -> store.submit(new Command.DeleteBucket("b", ++now)))).isEqualTo(FailureKind.BUCKET_NOT_EMPTY);
        // A delete without a version id only adds a marker; a new PUT adds a version.
        assertThat(delete("b", "k", null, false).deleteMarker()).isTrue();
        put("b", "k");
        // Extending is allowed.
        store.submit(new Command.PutRetention("b", "k", v, new Retention(RetentionMode.COMPLIANCE, now + 3 * DAY), false, ++now));
        assertThat(store.objectVersion("b", "k", v).orElseThrow().retention().retainUntilMillis()).isEqualTo(now - 1 + 3 * DAY);
        assertThat(store.objectVersion("b", "k", v).orElseThrow().etag()).isEqualTo("etag1");
        // After the date, the version can go.
        now += 4 * DAY;
        assertThat(delete("b", "k", v, false).failure()).isNull();
        assertThat(store.objectVersion("b", "k", v)).isEmpty();
    }

    @Test
    void governanceRetentionYieldsOnlyToBypass() {
        bucket("b", Versioning.ENABLED, true);
        String v = put("b", "k", new Retention(RetentionMode.GOVERNANCE, now + DAY), false);
        assertThat(delete("b", "k", v, false).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
        assertThat(kindOf(() -> store.submit(new Command.PutRetention("b", "k", v, null, false, ++now))))
                .isEqualTo(FailureKind.ACCESS_DENIED);
        // Extending needs no bypass; changing the mode, even to COMPLIANCE, does.
        store.submit(new Command.PutRetention("b", "k", v, new Retention(RetentionMode.GOVERNANCE, now + 2 * DAY), false, ++now));
        assertThat(kindOf(() -> store.submit(new Command.PutRetention("b", "k", v,
                new Retention(RetentionMode.COMPLIANCE, now + 3 * DAY), false, ++now)))).isEqualTo(FailureKind.ACCESS_DENIED);
        store.submit(new Command.PutRetention("b", "k", v, null, true, ++now));
        assertThat(store.objectVersion("b", "k", v).orElseThrow().retention()).isNull();
        String w = put("b", "k", new Retention(RetentionMode.GOVERNANCE, now + DAY), false);
        assertThat(delete("b", "k", w, true).failure()).isNull();
    }

    @Test
    void legalHoldBlocksEvenBypassUntilReleased() {
        bucket("b", Versioning.ENABLED, true);
        String v = put("b", "k", null, true);
        assertThat(delete("b", "k", v, true).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
        store.submit(new Command.PutLegalHold("b", "k", v, false));
        assertThat(delete("b", "k", v, false).failure()).isNull();
    }

    @Test
    void aLockedTargetFailsAloneInABatch() {
        bucket("b", Versioning.ENABLED, true);
        String locked = put("b", "a", new Retention(RetentionMode.COMPLIANCE, now + DAY), false);
        String free = put("b", "b");
        Outcome o = store.execute(new Command.DeleteObjects("b", List.of(new Command.DeleteTarget("a", locked, null),
                new Command.DeleteTarget("b", free, null)), WritePrecondition.NONE, true, ++now));
        assertThat(o.deletes().get(0).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
        assertThat(o.deletes().get(1).failure()).isNull();
        assertThat(store.objectVersion("b", "a", locked)).isPresent();
        assertThat(store.objectVersion("b", "b", free)).isEmpty();
    }

    @Test
    void bucketDefaultRetentionAppliesToNewVersions() {
        bucket("b", Versioning.ENABLED, false);
        store.submit(new Command.SetObjectLock("b", new DefaultRetention(RetentionMode.COMPLIANCE, 2, 0)));
        long at = now + 1;
        String v = put("b", "k");
        assertThat(store.objectVersion("b", "k", v).orElseThrow().retention())
                .isEqualTo(new Retention(RetentionMode.COMPLIANCE, at + 2 * DAY));
        assertThat(kindOf(() -> store.submit(new Command.SetVersioning("b", Versioning.SUSPENDED))))
                .isEqualTo(FailureKind.INVALID_BUCKET_STATE);
    }

    @Test
    void lockNeedsVersioningAndALockBucket() {
        bucket("plain", Versioning.UNVERSIONED, false);
        assertThat(kindOf(() -> store.submit(new Command.SetObjectLock("plain", null)))).isEqualTo(FailureKind.INVALID_BUCKET_STATE);
        assertThat(kindOf(() -> put("plain", "k", new Retention(RetentionMode.GOVERNANCE, now + DAY), false)))
                .isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(store.intents(10)).hasSize(1); // the refused commit changed nothing
        put("plain", "k");
        assertThat(kindOf(() -> store.submit(new Command.PutLegalHold("plain", "k", null, true)))).isEqualTo(FailureKind.INVALID_REQUEST);
    }

    @Test
    void aClockThatStepsBackNeverShortensRetention() {
        bucket("b", Versioning.ENABLED, true);
        String v = put("b", "k", new Retention(RetentionMode.COMPLIANCE, now + DAY), false);
        long until = now - 1 + DAY;
        now = until + 5; // time passes beyond the date...
        store.submit(new Command.SetVersioning("b", Versioning.ENABLED)); // (no-op without a time)
        delete("b", "other", null, false); // a command carrying the time records the high-water mark
        now = until - 10 * DAY; // ...then the clock steps back
        assertThat(delete("b", "k", v, false).failure()).as("the high-water mark is past the date").isNull();
        // And the other way round: a clock stepping back cannot make a retention end sooner.
        String w = put("b", "k2", new Retention(RetentionMode.COMPLIANCE, until + 20 * DAY), false);
        assertThat(delete("b", "k2", w, false).failure().kind()).isEqualTo(FailureKind.ACCESS_DENIED);
    }

    @Test
    void taggingAVersionRewritesOnlyThatVersion() {
        bucket("b", Versioning.ENABLED, false);
        String v1 = put("b", "k");
        String v2 = put("b", "k");
        store.submit(new Command.PutTags("b", "k", v1, Map.of("a", "1")));
        assertThat(store.objectVersion("b", "k", v1).orElseThrow().attributes().tags()).containsEntry("a", "1");
        assertThat(store.object("b", "k").orElseThrow().attributes().tags()).isEmpty();
        store.submit(new Command.PutTags("b", "k", null, Map.of("c", "2")));
        assertThat(store.objectVersion("b", "k", v2).orElseThrow().attributes().tags()).containsEntry("c", "2");
        assertThat(store.object("b", "k").orElseThrow().attributes().tags()).containsEntry("c", "2");
        assertThat(kindOf(() -> store.submit(new Command.PutTags("b", "k", "v00000000000000ff", Map.of()))))
                .isEqualTo(FailureKind.NO_SUCH_VERSION);
    }

    @Test
    void versionListingsPageLikeOneListing() {
        bucket("b", Versioning.ENABLED, false);
        for (String key : new String[] {"a", "a/x", "a/y", "b", "c"}) {
            for (int i = 0; i < 3; i++) {
                put("b", key);
            }
            if (key.equals("b")) {
                delete("b", "b", null, false);
            }
        }
        VersionListing all = store.listVersions("b", new VersionQuery("", null, null, null, 1000));
        assertThat(all.versions()).hasSize(16);
        assertThat(all.versions().stream().filter(VersionListing.Entry::latest).map(VersionListing.Entry::key))
                .containsExactly("a", "a/x", "a/y", "b", "c");
        for (int pageSize = 1; pageSize <= 5; pageSize++) {
            List<VersionListing.Entry> paged = new ArrayList<>();
            String km = null;
            String vm = null;
            while (true) {
                VersionListing page = store.listVersions("b", new VersionQuery("", null, km, vm, pageSize));
                paged.addAll(page.versions());
                if (!page.truncated()) {
                    break;
                }
                km = page.nextKeyMarker();
                vm = page.nextVersionIdMarker();
            }
            assertThat(paged).as("page size " + pageSize).isEqualTo(all.versions());
        }
        VersionListing rolled = store.listVersions("b", new VersionQuery("", "/", null, null, 1000));
        assertThat(rolled.commonPrefixes()).containsExactly("a/");
        assertThat(rolled.versions()).extracting(VersionListing.Entry::key).containsOnly("a", "b", "c");
        VersionListing after = store.listVersions("b", new VersionQuery("", null, "a/y", null, 1000));
        assertThat(after.versions()).extracting(VersionListing.Entry::key).containsOnly("b", "c");
    }

    @Test
    void anExpectedSequenceNumberKeepsADeleteFromHittingALaterNullVersion() {
        bucket("b", Versioning.SUSPENDED, false);
        put("b", "k");
        long first = store.objectVersion("b", "k", "null").orElseThrow().seq();
        put("b", "k"); // replaces the null version: same id, new sequence number
        Outcome o = store.execute(new Command.DeleteObjects("b", List.of(new Command.DeleteTarget("k", "null", null, first)),
                WritePrecondition.NONE, false, ++now));
        assertThat(o.deletes().getFirst().failure()).isNull();
        assertThat(store.object("b", "k").orElseThrow().etag()).isEqualTo("etag2");
        long second = store.object("b", "k").orElseThrow().seq();
        store.execute(new Command.DeleteObjects("b", List.of(new Command.DeleteTarget("k", "null", null, second)),
                WritePrecondition.NONE, false, ++now));
        assertThat(store.object("b", "k")).isEmpty();
    }
}
