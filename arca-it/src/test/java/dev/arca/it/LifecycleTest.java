package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.arca.it.Versioned.Entry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Lifecycle rules run by the admin endpoint ({@code POST /_arca/admin/lifecycle}) against an
 * injected object clock, checked against AWS's documented semantics: a rule's due time is the
 * object's creation (or, for NoncurrentVersionExpiration, the time it became noncurrent) plus the
 * days, rounded up to the next midnight UTC; Expiration adds a delete marker in a versioned bucket
 * and removes the object in an unversioned one; ExpiredObjectDeleteMarker removes only lone
 * markers; AbortIncompleteMultipartUpload aborts old uploads; prefixes and disabled rules are honoured.
 */
class LifecycleTest {
    static final String RUN = "/_arca/admin/lifecycle";

    @TempDir
    Path dir;

    Versioned.MutableClock clock;
    ArcaTestServer server;
    S3Client s3;
    RawS3 raw;
    ErasureAdmin admin;
    /** Midnight UTC of the day the test starts on (by the object clock). */
    Instant day0;
    /** 10:30 UTC that day: when the test's first objects are written. */
    Instant t0;

    @BeforeEach
    void start() {
        day0 = Instant.now().truncatedTo(ChronoUnit.DAYS);
        t0 = day0.plus(Duration.ofHours(10).plusMinutes(30));
        clock = new Versioned.MutableClock(t0);
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
        admin = new ErasureAdmin(server);
    }

    @AfterEach
    void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    Instant midnight(int days) {
        return day0.plus(Duration.ofDays(days));
    }

    void runLifecycleAt(Instant when) {
        clock.set(when);
        RawS3.Response r = admin.send("POST", RUN, "");
        assertThat(r.status()).as("POST %s: %s", RUN, r.text()).isEqualTo(200);
    }

    void put(String bucket, String key, String body) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    static LifecycleRule.Builder rule(String id, String prefix) {
        return LifecycleRule.builder().id(id).status(ExpirationStatus.ENABLED).filter(LifecycleRuleFilter.builder().prefix(prefix).build());
    }

    void lifecycle(String bucket, LifecycleRule... rules) {
        s3.putBucketLifecycleConfiguration(b -> b.bucket(bucket).lifecycleConfiguration(c -> c.rules(rules)));
    }

    @Test
    void expirationInAVersionedBucketAddsADeleteMarkerFromTheNextMidnightOn() {
        s3.createBucket(b -> b.bucket("lc-versioned"));
        Versioned.enableVersioning(s3, "lc-versioned");
        put("lc-versioned", "logs/a", "a");
        put("lc-versioned", "keep/b", "b");
        lifecycle("lc-versioned", rule("logs", "logs/").expiration(e -> e.days(1)).build());

        // Written day 0 at 10:30 + 1 day = day 1 10:30, rounded up to day 2 00:00.
        runLifecycleAt(midnight(2).minusSeconds(1));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lc-versioned").key("logs/a")).asUtf8String()).as("not due yet").isEqualTo("a");

        runLifecycleAt(midnight(2));
        S3Exception e = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket("lc-versioned").key("logs/a")), 404, "NoSuchKey");
        assertThat(Versioned.header(e, "x-amz-delete-marker")).hasValue("true");
        List<Entry> stack = Versioned.versionsOf(raw, "lc-versioned", "logs/a");
        assertThat(stack).extracting(Entry::deleteMarker).containsExactly(true, false);
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lc-versioned").key("keep/b")).asUtf8String()).as("outside the prefix").isEqualTo("b");

        // A marker over a noncurrent version is left alone; no second marker is stacked on it.
        runLifecycleAt(midnight(5));
        assertThat(Versioned.versionsOf(raw, "lc-versioned", "logs/a")).isEqualTo(stack);
    }

    @Test
    void noncurrentVersionExpirationCountsFromWhenTheVersionBecameNoncurrent() {
        s3.createBucket(b -> b.bucket("lc-noncurrent"));
        Versioned.enableVersioning(s3, "lc-noncurrent");
        String v1 = s3.putObject(b -> b.bucket("lc-noncurrent").key("k"), RequestBody.fromString("v1")).versionId();
        lifecycle("lc-noncurrent", rule("noncurrent", "").noncurrentVersionExpiration(n -> n.noncurrentDays(1)).build());
        // v1 becomes noncurrent on day 2 at 10:30: due day 3 10:30, rounded up to day 4 00:00
        // (counting from its creation instead would make it due on day 2 00:00).
        clock.set(t0.plus(Duration.ofDays(2)));
        String v2 = s3.putObject(b -> b.bucket("lc-noncurrent").key("k"), RequestBody.fromString("v2")).versionId();

        runLifecycleAt(midnight(4).minusSeconds(1));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lc-noncurrent").key("k").versionId(v1)).asUtf8String()).isEqualTo("v1");

        runLifecycleAt(midnight(4));
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket("lc-noncurrent").key("k").versionId(v1)), 404, "NoSuchVersion");
        assertThat(Versioned.versionsOf(raw, "lc-noncurrent", "k")).extracting(Entry::versionId, Entry::latest)
                .containsExactly(tuple(v2, true));
    }

    @Test
    void expiredObjectDeleteMarkerRemovesOnlyLoneMarkers() {
        s3.createBucket(b -> b.bucket("lc-markers"));
        Versioned.enableVersioning(s3, "lc-markers");
        String lone = s3.putObject(b -> b.bucket("lc-markers").key("lone"), RequestBody.fromString("x")).versionId();
        s3.deleteObject(b -> b.bucket("lc-markers").key("lone"));
        s3.deleteObject(b -> b.bucket("lc-markers").key("lone").versionId(lone));
        put("lc-markers", "covered", "y");
        s3.deleteObject(b -> b.bucket("lc-markers").key("covered"));
        assertThat(Versioned.versionsOf(raw, "lc-markers", "lone")).extracting(Entry::deleteMarker).containsExactly(true);

        lifecycle("lc-markers", rule("markers", "").expiration(e -> e.expiredObjectDeleteMarker(true)).build());
        runLifecycleAt(midnight(3));
        assertThat(Versioned.versionsOf(raw, "lc-markers", "lone")).as("a marker with no versions under it").isEmpty();
        assertThat(Versioned.versionsOf(raw, "lc-markers", "covered")).extracting(Entry::deleteMarker).containsExactly(true, false);
    }

    @Test
    void expirationInAnUnversionedBucketRemovesTheObjectAndDisabledRulesDoNothing() {
        s3.createBucket(b -> b.bucket("lc-plain"));
        assertS3Error(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket("lc-plain")), 404, "NoSuchLifecycleConfiguration");
        put("lc-plain", "tmp/x", "x");
        put("lc-plain", "data/y", "y");
        lifecycle("lc-plain", rule("tmp", "tmp/").expiration(e -> e.days(1)).build(),
                rule("data", "data/").status(ExpirationStatus.DISABLED).expiration(e -> e.days(1)).build());
        var got = s3.getBucketLifecycleConfiguration(b -> b.bucket("lc-plain")).rules();
        assertThat(got).extracting(LifecycleRule::id).containsExactly("tmp", "data");
        assertThat(got.get(0).filter().prefix()).isEqualTo("tmp/");
        assertThat(got.get(0).expiration().days()).isEqualTo(1);
        assertThat(got.get(1).status()).isEqualTo(ExpirationStatus.DISABLED);

        runLifecycleAt(midnight(3));
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket("lc-plain").key("tmp/x")), 404, "NoSuchKey");
        assertThat(Versioned.versionsOf(raw, "lc-plain", "tmp/x")).as("removed, no marker").isEmpty();
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lc-plain").key("data/y")).asUtf8String()).isEqualTo("y");

        s3.deleteBucketLifecycle(b -> b.bucket("lc-plain"));
        assertS3Error(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket("lc-plain")), 404, "NoSuchLifecycleConfiguration");
        put("lc-plain", "tmp/z", "z");
        runLifecycleAt(midnight(30));
        assertThat(s3.getObjectAsBytes(b -> b.bucket("lc-plain").key("tmp/z")).asUtf8String()).as("no rules any more").isEqualTo("z");
    }

    @Test
    void abortIncompleteMultipartUploadAbortsOnlyOldUploads() {
        s3.createBucket(b -> b.bucket("lc-uploads"));
        String old = s3.createMultipartUpload(b -> b.bucket("lc-uploads").key("big")).uploadId();
        s3.uploadPart(b -> b.bucket("lc-uploads").key("big").uploadId(old).partNumber(1), RequestBody.fromString("part"));
        lifecycle("lc-uploads", rule("abort", "").abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(1)).build());
        clock.set(midnight(3));
        String recent = s3.createMultipartUpload(b -> b.bucket("lc-uploads").key("big")).uploadId();

        runLifecycleAt(midnight(3).plusSeconds(1));
        assertThat(s3.listMultipartUploads(b -> b.bucket("lc-uploads")).uploads()).extracting(MultipartUpload::uploadId)
                .containsExactly(recent);
        assertS3Error(() -> s3.uploadPart(b -> b.bucket("lc-uploads").key("big").uploadId(old).partNumber(2),
                RequestBody.fromString("late")), 404, "NoSuchUpload");
    }
}
