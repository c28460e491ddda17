package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static dev.arca.it.S3Assert.md5Etag;
import static dev.arca.it.S3Assert.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.arca.it.Versioned.Entry;
import dev.arca.it.Versioned.Page;
import dev.arca.meta.VersionIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * S3 Versioning with the real SDK, checked against AWS's documented semantics: versioning states,
 * version ids, delete markers, the "null" version, ListObjectVersions order and pagination, and the
 * version-aware forms of copy, multi-delete, tagging, bucket delete and multipart completion.
 */
class VersioningTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;
    static long seed;

    @BeforeAll
    static void start() {
        seed = S3Assert.seed(VersioningTest.class);
        server = ArcaTestServer.start(dir);
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static String bucket(String name, boolean versioned) {
        s3.createBucket(b -> b.bucket(name));
        if (versioned) {
            Versioned.enableVersioning(s3, name);
        }
        return name;
    }

    static PutObjectResponse put(String bucket, String key, String body) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    static String get(String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String();
    }

    static String get(String bucket, String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    /** The key's versions and markers newest first, as "V id" / "M id" strings, plus "*" on the latest. */
    static List<String> stack(String bucket, String key) {
        return Versioned.versionsOf(raw, bucket, key).stream()
                .map(e -> (e.deleteMarker() ? "M " : "V ") + e.versionId() + (e.latest() ? "*" : "")).toList();
    }

    static String wellFormedUnknownVersionId() {
        // Far beyond any sequence number a test issues, in the server's own id format.
        return VersionIds.of(0x0123_4567_89ab_cdefL);
    }

    // ---------------------------------------------------------------- bucket versioning state

    @Test
    void versioningStatusIsAbsentUntilEnabledThenEnabledOrSuspended() {
        String bucket = bucket("vstate", false);
        GetBucketVersioningResponse never = s3.getBucketVersioning(b -> b.bucket(bucket));
        // AWS: a bucket whose versioning state was never set returns no Status at all.
        assertThat(never.statusAsString()).as("Status before versioning was ever set").isNull();
        assertThat(never.mfaDeleteAsString()).isNull();

        Versioned.enableVersioning(s3, bucket);
        assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        Versioned.suspendVersioning(s3, bucket);
        assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status()).isEqualTo(BucketVersioningStatus.SUSPENDED);
        Versioned.enableVersioning(s3, bucket);
        assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status()).isEqualTo(BucketVersioningStatus.ENABLED);

        assertS3Error(() -> s3.getBucketVersioning(b -> b.bucket("no-such-bucket-vstate")), 404, "NoSuchBucket");
    }

    // ---------------------------------------------------------------- versions

    @Test
    void everyPutInAnEnabledBucketIsANewVersionReadableByItsId() {
        String bucket = bucket("vput", true);
        PutObjectResponse first = put(bucket, "k", "first");
        PutObjectResponse second = put(bucket, "k", "second!");
        assertThat(first.versionId()).as("PutObject x-amz-version-id").isNotBlank().isNotEqualTo("null");
        assertThat(second.versionId()).isNotBlank().isNotEqualTo("null").isNotEqualTo(first.versionId());

        // Without a version id: the newest, and it says which version it is.
        var current = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k"));
        assertThat(current.asUtf8String()).isEqualTo("second!");
        assertThat(current.response().versionId()).isEqualTo(second.versionId());
        assertThat(s3.headObject(b -> b.bucket(bucket).key("k")).versionId()).isEqualTo(second.versionId());

        // By version id: each version's own bytes, ETag and length.
        for (var v : List.of(Map.entry(first, "first"), Map.entry(second, "second!"))) {
            String id = v.getKey().versionId();
            var got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(id));
            assertThat(got.asUtf8String()).isEqualTo(v.getValue());
            assertThat(got.response().versionId()).isEqualTo(id);
            assertThat(got.response().eTag()).isEqualTo(md5Etag(v.getValue().getBytes(StandardCharsets.UTF_8)));
            var head = s3.headObject(b -> b.bucket(bucket).key("k").versionId(id));
            assertThat(head.versionId()).isEqualTo(id);
            assertThat(head.contentLength()).isEqualTo(v.getValue().length());
        }
        assertThat(stack(bucket, "k")).containsExactly("V " + second.versionId() + "*", "V " + first.versionId());

        // The SDK's view of the same listing.
        ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket));
        assertThat(listed.versions()).extracting(ObjectVersion::versionId).containsExactly(second.versionId(), first.versionId());
        assertThat(listed.versions()).extracting(ObjectVersion::isLatest).containsExactly(true, false);
        assertThat(listed.versions()).extracting(ObjectVersion::size).containsExactly(7L, 5L);
        assertThat(listed.deleteMarkers()).isEmpty();
        // ListObjectsV2 shows the key once, at its current version.
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key, S3Object::size)
                .containsExactly(tuple("k", 7L));
    }

    @Test
    void aDeleteWithoutVersionIdAddsADeleteMarkerThatHidesTheKey() {
        String bucket = bucket("vmarker", true);
        String v1 = put(bucket, "k", "one").versionId();
        String v2 = put(bucket, "k", "two").versionId();
        put(bucket, "other", "x");

        DeleteObjectResponse deleted = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertThat(deleted.deleteMarker()).as("x-amz-delete-marker of a simple DELETE").isTrue();
        String marker = deleted.versionId();
        assertThat(marker).as("x-amz-version-id: the delete marker's id").isNotBlank().isNotEqualTo("null")
                .isNotIn(v1, v2);

        // GET and HEAD: 404 as if deleted; GET says the current version is a delete marker.
        S3Exception get = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")), 404, "NoSuchKey");
        assertThat(Versioned.header(get, "x-amz-delete-marker")).as("x-amz-delete-marker on the 404").hasValue("true");
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("k")), 404, null);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key).containsExactly("other");

        // ListObjectVersions: the marker is the latest, the versions stay.
        assertThat(stack(bucket, "k")).containsExactly("M " + marker + "*", "V " + v2, "V " + v1);
        ListObjectVersionsResponse listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix("k"));
        assertThat(listed.deleteMarkers()).extracting(DeleteMarkerEntry::key, DeleteMarkerEntry::versionId,
                DeleteMarkerEntry::isLatest).containsExactly(tuple("k", marker, true));
        assertThat(listed.deleteMarkers().getFirst().lastModified()).isNotNull();
        assertThat(listed.versions()).extracting(ObjectVersion::versionId, ObjectVersion::isLatest)
                .containsExactly(tuple(v2, false), tuple(v1, false));

        // A delete marker named by its version id: 405 MethodNotAllowed, with the marker header and Last-Modified.
        S3Exception byId = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(marker)),
                405, "MethodNotAllowed");
        assertThat(Versioned.header(byId, "x-amz-delete-marker")).hasValue("true");
        assertThat(Versioned.header(byId, "Last-Modified")).as("Last-Modified of the marker").isPresent();
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("k").versionId(marker)), 405, null);

        // The old versions are still readable by id.
        assertThat(get(bucket, "k", v1)).isEqualTo("one");
        assertThat(get(bucket, "k", v2)).isEqualTo("two");

        // A second simple DELETE adds a second marker.
        String marker2 = s3.deleteObject(b -> b.bucket(bucket).key("k")).versionId();
        assertThat(marker2).isNotIn(marker, v1, v2);
        assertThat(stack(bucket, "k")).containsExactly("M " + marker2 + "*", "M " + marker, "V " + v2, "V " + v1);

        // Deleting the markers by version id brings the object back.
        DeleteObjectResponse removed2 = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker2));
        assertThat(removed2.deleteMarker()).as("x-amz-delete-marker when the version deleted was a marker").isTrue();
        assertThat(removed2.versionId()).isEqualTo(marker2);
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")), 404, "NoSuchKey");
        DeleteObjectResponse removed = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker));
        assertThat(removed.deleteMarker()).isTrue();
        assertThat(removed.versionId()).isEqualTo(marker);
        assertThat(get(bucket, "k")).isEqualTo("two");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("k")).versionId()).isEqualTo(v2);
        assertThat(stack(bucket, "k")).containsExactly("V " + v2 + "*", "V " + v1);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key).containsExactly("k", "other");
    }

    @Test
    void deletingAVersionByIdRemovesItPermanently() {
        String bucket = bucket("vpermanent", true);
        String v1 = put(bucket, "k", "one").versionId();
        String v2 = put(bucket, "k", "two").versionId();

        DeleteObjectResponse gone = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v2));
        assertThat(gone.versionId()).isEqualTo(v2);
        assertThat(gone.deleteMarker()).as("x-amz-delete-marker: only when the deleted version was a marker")
                .isNotEqualTo(Boolean.TRUE);
        // No marker was added; the previous version is current again.
        assertThat(stack(bucket, "k")).containsExactly("V " + v1 + "*");
        assertThat(get(bucket, "k")).isEqualTo("one");
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(v2)), 404, "NoSuchVersion");

        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v1));
        assertThat(stack(bucket, "k")).isEmpty();
        S3Exception e = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")), 404, "NoSuchKey");
        assertThat(Versioned.header(e, "x-amz-delete-marker")).as("no marker: the key simply does not exist").isEmpty();
    }

    @Test
    void unknownVersionIdsAreNoSuchVersionAndMalformedOnesInvalidArgument() {
        String bucket = bucket("vbadid", true);
        put(bucket, "k", "x");
        String unknown = wellFormedUnknownVersionId();
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(unknown)), 404, "NoSuchVersion");
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("k").versionId(unknown)), 404, null);
        // A well-formed id of a key that does not exist at all: still NoSuchVersion (the id is what was asked for).
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("absent").versionId(unknown)), 404, "NoSuchVersion");

        for (String malformed : List.of("not-a-version-id", "v12", "0123456789abcdef")) {
            assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(malformed)), 400, "InvalidArgument");
            assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(malformed)), 400, "InvalidArgument");
            assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("k").versionId(malformed)), 400, null);
        }
        // Nothing was deleted by the refused requests.
        assertThat(get(bucket, "k")).isEqualTo("x");
        assertThat(stack(bucket, "k")).hasSize(1);
    }

    // ---------------------------------------------------------------- the "null" version

    @Test
    void objectsWrittenBeforeVersioningWasEnabledKeepTheNullVersionId() {
        String bucket = bucket("vnullkeep", false);
        PutObjectResponse before = put(bucket, "k", "before");
        // AWS sends no x-amz-version-id for a bucket whose versioning was never set.
        assertThat(before.versionId()).as("version id in an unversioned bucket").isNull();

        Versioned.enableVersioning(s3, bucket);
        assertThat(stack(bucket, "k")).containsExactly("V null*");
        var nullVersion = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId("null"));
        assertThat(nullVersion.asUtf8String()).isEqualTo("before");
        assertThat(nullVersion.response().versionId()).isEqualTo("null");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("k")).versionId()).isEqualTo("null");

        String after = put(bucket, "k", "after").versionId();
        assertThat(after).isNotEqualTo("null");
        assertThat(stack(bucket, "k")).containsExactly("V " + after + "*", "V null");
        assertThat(get(bucket, "k")).isEqualTo("after");
        assertThat(get(bucket, "k", "null")).isEqualTo("before");

        // The null version can be removed by its id like any other.
        DeleteObjectResponse d = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId("null"));
        assertThat(d.versionId()).isEqualTo("null");
        assertThat(stack(bucket, "k")).containsExactly("V " + after + "*");
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId("null")), 404, "NoSuchVersion");
    }

    @Test
    void aSuspendedBucketOverwritesItsOneNullVersion() {
        String bucket = bucket("vsuspput", false);
        put(bucket, "n", "a: unversioned");
        Versioned.enableVersioning(s3, bucket);
        String id1 = put(bucket, "n", "b: enabled").versionId();
        String k1 = put(bucket, "k", "k1").versionId();
        Versioned.suspendVersioning(s3, bucket);

        // In a suspended bucket a PUT writes the null version (replacing the old one, wherever it is).
        PutObjectResponse p = put(bucket, "n", "c: suspended");
        assertThat(p.versionId()).as("x-amz-version-id of a PUT in a suspended bucket").isEqualTo("null");
        assertThat(stack(bucket, "n")).containsExactly("V null*", "V " + id1);
        assertThat(get(bucket, "n", "null")).isEqualTo("c: suspended");
        assertThat(get(bucket, "n", id1)).isEqualTo("b: enabled");

        put(bucket, "k", "k2");
        put(bucket, "k", "k3");
        assertThat(stack(bucket, "k")).as("only one null version ever").containsExactly("V null*", "V " + k1);
        assertThat(get(bucket, "k")).isEqualTo("k3");
        assertThat(get(bucket, "k", "null")).isEqualTo("k3");
        assertThat(get(bucket, "k", k1)).isEqualTo("k1");
        var listed = s3.listObjectVersions(b -> b.bucket(bucket).prefix("k"));
        assertThat(listed.versions()).extracting(ObjectVersion::eTag)
                .containsExactly(md5Etag("k3".getBytes(StandardCharsets.UTF_8)), md5Etag("k1".getBytes(StandardCharsets.UTF_8)));

        // Enabling again: new writes get fresh ids; the null version stays, noncurrent.
        Versioned.enableVersioning(s3, bucket);
        String k4 = put(bucket, "k", "k4").versionId();
        assertThat(k4).isNotEqualTo("null").isNotEqualTo(k1);
        assertThat(stack(bucket, "k")).containsExactly("V " + k4 + "*", "V null", "V " + k1);
        assertThat(get(bucket, "k", "null")).isEqualTo("k3");
    }

    @Test
    void aDeleteInASuspendedBucketReplacesTheNullVersionWithANullDeleteMarker() {
        String bucket = bucket("vsuspdel", true);
        String id1 = put(bucket, "k", "enabled").versionId();
        String j1 = put(bucket, "j", "j-enabled").versionId();
        Versioned.suspendVersioning(s3, bucket);
        put(bucket, "k", "suspended");
        assertThat(stack(bucket, "k")).containsExactly("V null*", "V " + id1);

        DeleteObjectResponse d = s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertThat(d.deleteMarker()).isTrue();
        assertThat(d.versionId()).as("the marker's version id in a suspended bucket").isEqualTo("null");
        // The null version's content is gone: the null marker took its place.
        assertThat(stack(bucket, "k")).containsExactly("M null*", "V " + id1);
        S3Exception e = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")), 404, "NoSuchKey");
        assertThat(Versioned.header(e, "x-amz-delete-marker")).hasValue("true");
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId("null")), 405, "MethodNotAllowed");

        // Another simple DELETE replaces the null marker: still exactly one null entry.
        s3.deleteObject(b -> b.bucket(bucket).key("k"));
        assertThat(stack(bucket, "k")).containsExactly("M null*", "V " + id1);

        // Without a null version, a DELETE only inserts a null marker.
        s3.deleteObject(b -> b.bucket(bucket).key("j"));
        assertThat(stack(bucket, "j")).containsExactly("M null*", "V " + j1);

        // Removing the null marker by id: the enabled-era version is current again.
        DeleteObjectResponse unmark = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId("null"));
        assertThat(unmark.deleteMarker()).isTrue();
        assertThat(unmark.versionId()).isEqualTo("null");
        assertThat(get(bucket, "k")).isEqualTo("enabled");
        assertThat(stack(bucket, "k")).containsExactly("V " + id1 + "*");
        // Even in a suspended bucket a version is permanently deleted by its id.
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(id1));
        assertThat(stack(bucket, "k")).isEmpty();
    }

    // ---------------------------------------------------------------- ListObjectVersions

    @Test
    void listObjectVersionsOrdersKeysAscendingVersionsNewestFirstAndPagesWithMarkers() {
        String bucket = bucket("vlist", true);
        Random random = new Random(seed ^ 0x5eed);
        List<String> keys = List.of("k1", "k2", "k3");
        Map<String, List<String>> newestFirst = new TreeMap<>();
        keys.forEach(k -> newestFirst.put(k, new ArrayList<>()));
        for (int round = 0; round < 5; round++) {
            List<String> order = new ArrayList<>(keys);
            Collections.shuffle(order, random);
            for (String k : order) {
                String id = s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromBytes(randomBytes(random, 10 + random.nextInt(50))))
                        .versionId();
                newestFirst.get(k).addFirst("V " + id);
            }
            if (round == 2) {
                newestFirst.get("k2").addFirst("M " + s3.deleteObject(b -> b.bucket(bucket).key("k2")).versionId());
            }
        }
        newestFirst.get("k3").addFirst("M " + s3.deleteObject(b -> b.bucket(bucket).key("k3")).versionId());
        put(bucket, "a-first", "sorts first");
        put(bucket, "z-last", "sorts last");

        List<Entry> full = Versioned.allVersions(raw, bucket, null);
        List<String> expected = new ArrayList<>();
        expected.add("a-first");
        for (String k : keys) {
            newestFirst.get(k).forEach(v -> expected.add(k + " " + v));
        }
        expected.add("z-last");
        List<String> actual = new ArrayList<>();
        for (Entry e : full) {
            actual.add(e.key().startsWith("k") ? e.key() + " " + (e.deleteMarker() ? "M " : "V ") + e.versionId() : e.key());
        }
        assertThat(actual).as("keys ascending, each key's versions and markers newest first").isEqualTo(expected);
        // IsLatest: exactly the first entry of each key.
        String previousKey = null;
        for (Entry e : full) {
            assertThat(e.latest()).as("IsLatest of %s", e.id()).isEqualTo(!e.key().equals(previousKey));
            previousKey = e.key();
        }
        assertThat(full).filteredOn(e -> !e.deleteMarker()).allSatisfy(e -> {
            assertThat(e.etag()).startsWith("\"");
            assertThat(e.size()).isPositive();
        });

        // Walk the pages with key-marker/version-id-marker for several page sizes: the same sequence, nothing twice.
        for (int maxKeys : List.of(1, 2, 3, 7)) {
            List<Entry> walked = new ArrayList<>();
            Map<String, String> params = new LinkedHashMap<>();
            params.put("max-keys", Integer.toString(maxKeys));
            for (int pages = 0; ; pages++) {
                assertThat(pages).as("pages at max-keys %d", maxKeys).isLessThan(100);
                Page page = Versioned.listVersions(raw, bucket, params);
                assertThat(page.entries().size()).as("entries on a page, max-keys %d", maxKeys).isLessThanOrEqualTo(maxKeys);
                walked.addAll(page.entries());
                if (!page.truncated()) {
                    break;
                }
                assertThat(page.entries()).as("a truncated page is not empty").isNotEmpty();
                assertThat(page.nextKeyMarker()).as("NextKeyMarker of a truncated page: %s", page.body()).isNotNull();
                assertThat(page.nextVersionIdMarker()).as("NextVersionIdMarker of a truncated page: %s", page.body()).isNotNull();
                params.put("key-marker", page.nextKeyMarker());
                params.put("version-id-marker", page.nextVersionIdMarker());
            }
            assertThat(walked).as("pages of %d concatenated = the full listing", maxKeys).isEqualTo(full);
        }

        // The SDK's paginator sees the same versions and markers.
        Set<String> viaSdk = new HashSet<>();
        for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).maxKeys(2))) {
            assertThat(page.versions().size() + page.deleteMarkers().size()).isLessThanOrEqualTo(2);
            page.versions().forEach(v -> assertThat(viaSdk.add(v.key() + "@" + v.versionId())).as("listed twice").isTrue());
            page.deleteMarkers().forEach(m -> assertThat(viaSdk.add(m.key() + "@" + m.versionId())).as("listed twice").isTrue());
        }
        assertThat(viaSdk).containsExactlyInAnyOrderElementsOf(full.stream().map(e -> e.key() + "@" + e.versionId()).toList());

        // key-marker alone: listing starts after that key.
        List<Entry> afterK1 = Versioned.listVersions(raw, bucket, Map.of("key-marker", "k1")).entries();
        assertThat(afterK1).isEqualTo(full.stream().filter(e -> e.key().compareTo("k1") > 0).toList());
        // key-marker plus version-id-marker: after that version of that key.
        Entry third = full.stream().filter(e -> e.key().equals("k2")).toList().get(2);
        List<Entry> afterThird = Versioned.listVersions(raw, bucket,
                Map.of("key-marker", "k2", "version-id-marker", third.versionId())).entries();
        assertThat(afterThird).isEqualTo(full.subList(full.indexOf(third) + 1, full.size()));
    }

    @Test
    void listObjectVersionsHonoursPrefixAndDelimiter() {
        String bucket = bucket("vdelim", true);
        List<String> keys = List.of("photos/2024/a", "photos/2024/b", "photos/2025/c", "photos/x", "root", "videos/y");
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (String k : keys) {
            String first = put(bucket, k, k + " 1").versionId();
            String second = put(bucket, k, k + " 2").versionId();
            ids.put(k, List.of(second, first));
        }
        s3.deleteObject(b -> b.bucket(bucket).key("photos/2025/c"));

        Page top = Versioned.listVersions(raw, bucket, Map.of("delimiter", "/"));
        assertThat(top.commonPrefixes()).containsExactly("photos/", "videos/");
        assertThat(top.entries()).extracting(Entry::id).containsExactly("root@" + ids.get("root").get(0), "root@" + ids.get("root").get(1));

        Page photos = Versioned.listVersions(raw, bucket, Map.of("prefix", "photos/", "delimiter", "/"));
        assertThat(photos.commonPrefixes()).containsExactly("photos/2024/", "photos/2025/");
        assertThat(photos.entries()).extracting(Entry::id)
                .containsExactly("photos/x@" + ids.get("photos/x").get(0), "photos/x@" + ids.get("photos/x").get(1));

        ListObjectVersionsResponse sdk = s3.listObjectVersions(b -> b.bucket(bucket).prefix("photos/").delimiter("/"));
        assertThat(sdk.commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("photos/2024/", "photos/2025/");
        assertThat(sdk.versions()).extracting(ObjectVersion::key).containsExactly("photos/x", "photos/x");
        assertThat(sdk.deleteMarkers()).isEmpty();
        assertThat(sdk.prefix()).isEqualTo("photos/");
        assertThat(sdk.delimiter()).isEqualTo("/");

        // A prefix alone lists every version (and marker) under it.
        assertThat(Versioned.allVersions(raw, bucket, "photos/2025/")).extracting(Entry::deleteMarker)
                .containsExactly(true, false, false);

        // With a delimiter, each common prefix counts as one against max-keys, and a walk never repeats one.
        List<String> walked = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>(Map.of("prefix", "photos/", "delimiter", "/", "max-keys", "1"));
        for (int pages = 0; ; pages++) {
            assertThat(pages).isLessThan(20);
            Page page = Versioned.listVersions(raw, bucket, params);
            assertThat(page.entries().size() + page.commonPrefixes().size()).as("items on a page: %s", page.body())
                    .isLessThanOrEqualTo(1);
            page.commonPrefixes().forEach(p -> walked.add(p));
            page.entries().forEach(e -> walked.add(e.id()));
            if (!page.truncated()) {
                break;
            }
            params.put("key-marker", page.nextKeyMarker());
            if (page.nextVersionIdMarker() != null && !page.nextVersionIdMarker().isEmpty()) {
                params.put("version-id-marker", page.nextVersionIdMarker());
            } else {
                params.remove("version-id-marker");
            }
        }
        assertThat(walked).containsExactly("photos/2024/", "photos/2025/", "photos/x@" + ids.get("photos/x").get(0),
                "photos/x@" + ids.get("photos/x").get(1));
    }

    // ---------------------------------------------------------------- version-aware operations

    @Test
    void copyObjectCopiesASpecificSourceVersion() {
        String bucket = bucket("vcopy", true);
        String v1 = put(bucket, "src", "one").versionId();
        String v2 = put(bucket, "src", "two").versionId();

        CopyObjectResponse old = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(v1)
                .destinationBucket(bucket).destinationKey("dst"));
        assertThat(old.copySourceVersionId()).as("x-amz-copy-source-version-id").isEqualTo(v1);
        assertThat(old.versionId()).as("the new version's id").isNotBlank().isNotIn("null", v1, v2);
        assertThat(get(bucket, "dst")).isEqualTo("one");
        assertThat(get(bucket, "dst", old.versionId())).isEqualTo("one");

        CopyObjectResponse current = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src")
                .destinationBucket(bucket).destinationKey("dst"));
        assertThat(current.copySourceVersionId()).as("copy of the current version names it").isEqualTo(v2);
        assertThat(get(bucket, "dst")).isEqualTo("two");
        assertThat(stack(bucket, "dst")).containsExactly("V " + current.versionId() + "*", "V " + old.versionId());

        // Copying onto itself from an old version restores it as a new current version.
        CopyObjectResponse restore = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(v1)
                .destinationBucket(bucket).destinationKey("src"));
        assertThat(get(bucket, "src")).isEqualTo("one");
        assertThat(stack(bucket, "src")).containsExactly("V " + restore.versionId() + "*", "V " + v2, "V " + v1);

        String unknown = wellFormedUnknownVersionId();
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(unknown)
                .destinationBucket(bucket).destinationKey("x")), 404, "NoSuchVersion");
        // The current version is a delete marker: nothing to copy.
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("src")).versionId();
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src")
                .destinationBucket(bucket).destinationKey("x")), 404, "NoSuchKey");
        // AWS: "The source of a copy request may not specifically refer to a delete marker by version id."
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(marker)
                .destinationBucket(bucket).destinationKey("x")), 400, "InvalidRequest");
        // A noncurrent version is still copyable while a marker hides the key.
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").sourceVersionId(v2).destinationBucket(bucket).destinationKey("x"));
        assertThat(get(bucket, "x")).isEqualTo("two");
    }

    @Test
    void deleteObjectsReportsVersionIdsAndDeleteMarkers() {
        String bucket = bucket("vmulti", true);
        String x1 = put(bucket, "x", "x1").versionId();
        String x2 = put(bucket, "x", "x2").versionId();
        String y1 = put(bucket, "y", "y1").versionId();
        String ym = s3.deleteObject(b -> b.bucket(bucket).key("y")).versionId();

        DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("x").versionId(x1).build(),
                ObjectIdentifier.builder().key("y").versionId(ym).build(),
                ObjectIdentifier.builder().key("z").build())));
        assertThat(r.errors()).isEmpty();
        Map<String, DeletedObject> byKey = new TreeMap<>();
        r.deleted().forEach(d -> byKey.put(d.key(), d));
        assertThat(byKey).containsOnlyKeys("x", "y", "z");

        DeletedObject x = byKey.get("x");
        assertThat(x.versionId()).isEqualTo(x1);
        assertThat(x.deleteMarker()).as("x: a version, not a marker").isNotEqualTo(Boolean.TRUE);
        assertThat(x.deleteMarkerVersionId()).isNull();

        DeletedObject y = byKey.get("y");
        assertThat(y.versionId()).isEqualTo(ym);
        assertThat(y.deleteMarker()).as("y: the version deleted was a marker").isTrue();
        assertThat(y.deleteMarkerVersionId()).as("y: the marker deleted").isEqualTo(ym);

        DeletedObject z = byKey.get("z");
        assertThat(z.versionId()).as("z: a simple delete names no version").isNull();
        assertThat(z.deleteMarker()).as("z: a simple delete adds a marker").isTrue();
        assertThat(z.deleteMarkerVersionId()).as("z: the new marker's id").isNotBlank().isNotEqualTo("null");

        assertThat(stack(bucket, "x")).containsExactly("V " + x2 + "*");
        assertThat(stack(bucket, "y")).containsExactly("V " + y1 + "*");
        assertThat(stack(bucket, "z")).containsExactly("M " + z.deleteMarkerVersionId() + "*");
        assertThat(get(bucket, "y")).isEqualTo("y1");

        // Quiet mode reports nothing on success, but still does it.
        DeleteObjectsResponse quiet = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.quiet(true)
                .objects(ObjectIdentifier.builder().key("x").versionId(x2).build())));
        assertThat(quiet.deleted()).isEmpty();
        assertThat(quiet.errors()).isEmpty();
        assertThat(stack(bucket, "x")).isEmpty();
    }

    @Test
    void taggingAddressesASpecificVersion() {
        String bucket = bucket("vtag", true);
        String v1 = put(bucket, "k", "one").versionId();
        String v2 = put(bucket, "k", "two").versionId();

        var putOld = s3.putObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1)
                .tagging(t -> t.tagSet(Tag.builder().key("env").value("old").build())));
        assertThat(putOld.versionId()).isEqualTo(v1);
        var gotOld = s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1));
        assertThat(gotOld.versionId()).isEqualTo(v1);
        assertThat(gotOld.tagSet()).extracting(Tag::key, Tag::value).containsExactly(tuple("env", "old"));
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k")).tagSet()).as("the current version's tags").isEmpty();

        var putCurrent = s3.putObjectTagging(b -> b.bucket(bucket).key("k")
                .tagging(t -> t.tagSet(Tag.builder().key("env").value("new").build())));
        assertThat(putCurrent.versionId()).as("tagging without a version id tags the current version").isEqualTo(v2);
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(v2)).tagSet()).extracting(Tag::value)
                .containsExactly("new");
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1)).tagSet()).extracting(Tag::value)
                .containsExactly("old");
        GetObjectResponse head = s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(v1)).response();
        assertThat(head.tagCount()).isEqualTo(1);

        var deleted = s3.deleteObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1));
        assertThat(deleted.versionId()).isEqualTo(v1);
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(v1)).tagSet()).isEmpty();
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(v2)).tagSet()).hasSize(1);
        assertS3Error(() -> s3.getObjectTagging(b -> b.bucket(bucket).key("k").versionId(wellFormedUnknownVersionId())),
                404, "NoSuchVersion");
    }

    @Test
    void aBucketHoldingOnlyNoncurrentVersionsOrDeleteMarkersIsNotEmpty() {
        String bucket = bucket("vnotempty", true);
        String v1 = put(bucket, "k", "x").versionId();
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("k")).versionId();
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).keyCount()).isZero();
        assertS3Error(() -> s3.deleteBucket(b -> b.bucket(bucket)), 409, "BucketNotEmpty");
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v1));
        // Only a delete marker left: still not empty.
        assertS3Error(() -> s3.deleteBucket(b -> b.bucket(bucket)), 409, "BucketNotEmpty");
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker));
        s3.deleteBucket(b -> b.bucket(bucket));
        assertS3Error(() -> s3.headBucket(b -> b.bucket(bucket)), 404, null);

        // A marker for a key that never existed also keeps the bucket.
        String ghosts = bucket("vghost", true);
        String ghost = s3.deleteObject(b -> b.bucket(ghosts).key("never-existed")).versionId();
        assertThat(ghost).isNotBlank();
        assertThat(stack(ghosts, "never-existed")).containsExactly("M " + ghost + "*");
        assertS3Error(() -> s3.deleteBucket(b -> b.bucket(ghosts)), 409, "BucketNotEmpty");
        s3.deleteObject(b -> b.bucket(ghosts).key("never-existed").versionId(ghost));
        s3.deleteBucket(b -> b.bucket(ghosts));
    }

    @Test
    void completingAMultipartUploadInAVersionedBucketReturnsAVersionId() {
        String bucket = bucket("vmpu", true);
        Random random = new Random(seed ^ 0x3b);
        List<String> ids = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            byte[] data = randomBytes(random, 100 * 1024 + i);
            String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp")).uploadId();
            String etag = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(1), RequestBody.fromBytes(data))
                    .eTag();
            CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(upload)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(etag).build())));
            assertThat(done.versionId()).as("x-amz-version-id of CompleteMultipartUpload").isNotBlank().isNotEqualTo("null");
            ids.add(done.versionId());
            bodies.add(data);
        }
        assertThat(ids.get(1)).isNotEqualTo(ids.get(0));
        assertThat(stack(bucket, "mp")).containsExactly("V " + ids.get(1) + "*", "V " + ids.get(0));
        for (int i = 0; i < 2; i++) {
            String id = ids.get(i);
            S3Assert.assertSameBytes(s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp").versionId(id)).asByteArray(),
                    bodies.get(i), "multipart version " + i);
        }
    }
}
