package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

/**
 * Retention expiry against an injected object clock (requests are still signed with the real one).
 * A retention protects a version while now &lt; retain-until and no longer at now &gt;= retain-until
 * (AWS: the version is locked "until" the date). The server's lock decisions never see time run
 * backwards: once its clock has been past a date, moving the clock back does not revive a retention
 * that had expired, nor make a past date acceptable again.
 *
 * <p>Each test gets its own server, because what the server has seen of the clock is state.
 */
class LockClockTest {
    @TempDir
    Path dir;

    Versioned.MutableClock clock;
    ArcaTestServer server;
    S3Client s3;
    Instant t0;

    @BeforeEach
    void start() {
        t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        clock = new Versioned.MutableClock(t0);
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        s3 = Clients.pathStyle(server);
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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void assertProtected(String bucket, String key, String versionId, String when) {
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(versionId)), 403, "AccessDenied");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asUtf8String())
                .as("%s@%s %s", key, versionId, when).isEqualTo(key);
    }

    void assertDeletable(String bucket, String key, String versionId) {
        var r = s3.deleteObject(b -> b.bucket(bucket).key(key).versionId(versionId));
        assertThat(r.versionId()).isEqualTo(versionId);
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)), 404, "NoSuchVersion");
    }

    @Test
    void aRetentionProtectsUntilItsDateAndNotAtIt() {
        String bucket = Locking.createLockBucket(s3, "clock");
        Instant t = t0.plus(Duration.ofHours(1));
        String c = Locking.put(s3, bucket, "compliance", bytes("compliance"), ObjectLockMode.COMPLIANCE, t, null);
        String g = Locking.put(s3, bucket, "governance", bytes("governance"), ObjectLockMode.GOVERNANCE, t, null);
        String h = Locking.put(s3, bucket, "held", bytes("held"), ObjectLockMode.COMPLIANCE, t, Boolean.TRUE);
        assertProtected(bucket, "compliance", c, "at t0");

        clock.set(t.minusMillis(1));
        assertProtected(bucket, "compliance", c, "1 ms before retain-until");
        assertProtected(bucket, "governance", g, "1 ms before retain-until");
        assertProtected(bucket, "held", h, "1 ms before retain-until");

        // Back two hours: nothing gets less protected.
        clock.set(t.minus(Duration.ofHours(2)));
        assertProtected(bucket, "compliance", c, "after the clock went back");

        // At exactly retain-until the retention no longer protects.
        clock.set(t);
        assertDeletable(bucket, "compliance", c);
        assertDeletable(bucket, "governance", g);
        // A legal hold has no date: still protected until it is lifted.
        assertProtected(bucket, "held", h, "at retain-until, with a legal hold");
        Locking.setLegalHold(s3, bucket, "held", h, false);
        assertDeletable(bucket, "held", h);
    }

    @Test
    void aClockThatGoesBackNeverRevivesAnExpiredRetention() {
        String bucket = Locking.createLockBucket(s3, "clockback");
        Instant t2 = t0.plus(Duration.ofMinutes(10));
        String a = Locking.put(s3, bucket, "a", bytes("a"), ObjectLockMode.COMPLIANCE, t2, null);
        String b = Locking.put(s3, bucket, "b", bytes("b"), ObjectLockMode.COMPLIANCE, t2.plus(Duration.ofHours(1)), null);

        // The server sees T2 + 1 ms: a write commits at that time (and a lock decision is made then).
        clock.set(t2.plusMillis(1));
        s3.putObject(r -> r.bucket(bucket).key("tick"), RequestBody.fromString("tick"));
        assertProtected(bucket, "b", b, "at T2 + 1 ms");

        // The clock goes back an hour: for lock decisions time stays at T2 + 1 ms.
        clock.set(t2.minus(Duration.ofHours(1)));
        assertProtected(bucket, "b", b, "after the clock went back");
        // A retain-until date the server has already passed is in the past, whatever the clock says now.
        assertS3Error(() -> Locking.put(s3, bucket, "late", bytes("late"), ObjectLockMode.COMPLIANCE, t2, null),
                400, "InvalidArgument");
        // a's retention (until T2) expired and stays expired.
        assertDeletable(bucket, "a", a);
    }

    @Test
    void retainUntilDatesAreJudgedByTheObjectClock() {
        String bucket = Locking.createLockBucket(s3, "clockjudge");
        clock.set(t0.plus(Duration.ofDays(10)));
        // Tomorrow by the real clock, but nine days ago by the object clock: refused.
        assertS3Error(() -> Locking.put(s3, bucket, "k", bytes("k"), ObjectLockMode.COMPLIANCE, t0.plus(Duration.ofDays(1)), null),
                400, "InvalidArgument");
        String v = Locking.put(s3, bucket, "k", bytes("k"), ObjectLockMode.COMPLIANCE, t0.plus(Duration.ofDays(11)), null);
        assertProtected(bucket, "k", v, "a day before retain-until by the object clock");
        clock.set(t0.plus(Duration.ofDays(11)));
        assertDeletable(bucket, "k", v);
    }
}
