package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Versions, delete markers, null versions, retentions, legal holds and bucket versioning/lock
 * configuration survive SIGKILL: a child server is killed right after its last acknowledged
 * request, restarted on the same data directory, and everything the clients saw must be the same,
 * locked versions still undeletable. Two rounds, the second mutating what the first wrote.
 */
class VersionCrashTest {
    static final String VERSIONED = "vcrash";
    static final String SUSPENDED = "vcrash-susp";
    static final String LOCKED = "vcrash-lock";
    static final List<String> BUCKETS = List.of(VERSIONED, SUSPENDED, LOCKED);

    @TempDir
    Path dir;

    /** Ids the test needs across rounds. */
    final Map<String, String> ids = new LinkedHashMap<>();

    @Test
    void versionsMarkersAndLocksSurviveSigkill() throws Exception {
        long seed = S3Assert.seed(VersionCrashTest.class);
        Random random = new Random(seed);
        Path data = dir.resolve("data");
        Path logs = Path.of("target", "crash-test");
        Files.createDirectories(logs);
        Instant until = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);

        for (int round = 1; round <= 2; round++) {
            Map<String, Object> before;
            try (ChildServer child = ChildServer.start(data, logs.resolve("version-crash-" + seed + "-round" + round + "-a.log"));
                    S3Client s3 = Clients.builder(child.endpoint, true).build()) {
                if (round == 1) {
                    writeRoundOne(s3, random, until);
                } else {
                    writeRoundTwo(s3, random, until);
                }
                before = snapshot(s3);
                checkSnapshot(before, round, until);
                System.out.println("VersionCrashTest round " + round + ": " + before.size() + " observations before SIGKILL");
                child.kill();
            }
            try (ChildServer child = ChildServer.start(data, logs.resolve("version-crash-" + seed + "-round" + round + "-b.log"));
                    S3Client s3 = Clients.builder(child.endpoint, true).build()) {
                System.out.println("VersionCrashTest round " + round + ": restart: " + child.recoveryLine);
                Map<String, Object> after = snapshot(s3);
                for (String k : before.keySet()) {
                    assertThat(after.get(k)).as("round %d, after SIGKILL and restart: %s", round, k).isEqualTo(before.get(k));
                }
                assertThat(after.keySet()).isEqualTo(before.keySet());
                // Still locked.
                String c = ids.get("c");
                assertS3Error(() -> s3.deleteObject(b -> b.bucket(LOCKED).key("c").versionId(c).bypassGovernanceRetention(true)),
                        403, "AccessDenied");
                String h = ids.get("h");
                assertS3Error(() -> s3.deleteObject(b -> b.bucket(LOCKED).key("h").versionId(h).bypassGovernanceRetention(true)),
                        403, "AccessDenied");
                String g = ids.get("g");
                assertS3Error(() -> s3.deleteObject(b -> b.bucket(LOCKED).key("g").versionId(g)), 403, "AccessDenied");
                assertS3Error(() -> Versioned.suspendVersioning(s3, LOCKED), 409, "InvalidBucketState");
                assertThat(snapshot(s3)).as("refused requests changed nothing").isEqualTo(after);
                child.stopGracefully("round " + round);
            }
        }
    }

    private void writeRoundOne(S3Client s3, Random random, Instant until) {
        s3.createBucket(b -> b.bucket(VERSIONED));
        Versioned.enableVersioning(s3, VERSIONED);
        for (int i = 0; i < 3; i++) {
            put(s3, VERSIONED, "k1", random, i == 1 ? 200 * 1024 : 100 + i);
        }
        s3.deleteObject(b -> b.bucket(VERSIONED).key("k1"));
        String k2a = put(s3, VERSIONED, "k2", random, 50);
        put(s3, VERSIONED, "k2", random, 60);
        s3.deleteObject(b -> b.bucket(VERSIONED).key("k2").versionId(k2a));
        ids.put("k2a", k2a);
        String marker = s3.deleteObject(b -> b.bucket(VERSIONED).key("k3")).versionId();
        ids.put("k3-marker", marker);
        String tagged = put(s3, VERSIONED, "dir/tagged", random, 70);
        put(s3, VERSIONED, "dir/tagged", random, 80);
        s3.putObjectTagging(b -> b.bucket(VERSIONED).key("dir/tagged").versionId(tagged)
                .tagging(t -> t.tagSet(Tag.builder().key("round").value("1").build())));
        ids.put("tagged", tagged);

        s3.createBucket(b -> b.bucket(SUSPENDED));
        put(s3, SUSPENDED, "n", random, 10); // null version, from before versioning
        Versioned.enableVersioning(s3, SUSPENDED);
        put(s3, SUSPENDED, "n", random, 20);
        Versioned.suspendVersioning(s3, SUSPENDED);
        put(s3, SUSPENDED, "n", random, 30); // replaces the null version
        put(s3, SUSPENDED, "m", random, 40);
        s3.deleteObject(b -> b.bucket(SUSPENDED).key("m")); // null delete marker replaces m's null version

        Locking.createLockBucket(s3, LOCKED);
        ids.put("c", Locking.put(s3, LOCKED, "c", S3Assert.randomBytes(random, 300 * 1024), ObjectLockMode.COMPLIANCE, until, null));
        ids.put("g", Locking.put(s3, LOCKED, "g", S3Assert.randomBytes(random, 1000), ObjectLockMode.GOVERNANCE, until, null));
        ids.put("h", Locking.put(s3, LOCKED, "h", S3Assert.randomBytes(random, 2000), null, null, Boolean.TRUE));
        put(s3, LOCKED, "c", random, 10); // an unlocked newer version on top
        s3.deleteObject(b -> b.bucket(LOCKED).key("g")); // a delete marker on top of a governed version
        s3.putObjectLockConfiguration(b -> b.bucket(LOCKED).objectLockConfiguration(c -> c.objectLockEnabled(ObjectLockEnabled.ENABLED)
                .rule(r -> r.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE).days(2)))));
        ids.put("d", put(s3, LOCKED, "d", random, 500)); // gets the default retention
    }

    private void writeRoundTwo(S3Client s3, Random random, Instant until) {
        // Undo a marker, add versions, change retention and holds.
        s3.deleteObject(b -> b.bucket(VERSIONED).key("k3").versionId(ids.get("k3-marker")));
        put(s3, VERSIONED, "k1", random, 90);
        s3.deleteObjectTagging(b -> b.bucket(VERSIONED).key("dir/tagged").versionId(ids.get("tagged")));
        Versioned.enableVersioning(s3, SUSPENDED);
        put(s3, SUSPENDED, "m", random, 15);
        s3.putObjectRetention(b -> b.bucket(LOCKED).key("c").versionId(ids.get("c"))
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until.plus(Duration.ofDays(1)))));
        Locking.setLegalHold(s3, LOCKED, "h", ids.get("h"), true);
        String g = ids.get("g");
        Locking.setLegalHold(s3, LOCKED, "g", g, true);
        Locking.setLegalHold(s3, LOCKED, "g", g, false);
        s3.putObjectLockConfiguration(b -> b.bucket(LOCKED).objectLockConfiguration(c -> c.objectLockEnabled(ObjectLockEnabled.ENABLED)
                .rule(r -> r.defaultRetention(d -> d.mode(ObjectLockRetentionMode.COMPLIANCE).days(1)))));
        put(s3, LOCKED, "d", random, 600);
    }

    /** The snapshot holds what was written (so that comparing two of them is not vacuous). */
    private void checkSnapshot(Map<String, Object> s, int round, Instant until) {
        assertThat(s.get(VERSIONED + " versioning")).isEqualTo("Enabled");
        assertThat(s.get(SUSPENDED + " versioning")).isEqualTo(round == 1 ? "Suspended" : "Enabled");
        assertThat(s.get(LOCKED + " versioning")).isEqualTo("Enabled");
        assertThat((String) s.get(LOCKED + " lock")).contains("ObjectLockEnabled=Enabled").contains(round == 1 ? "Mode=GOVERNANCE, Days=2" : "Mode=COMPLIANCE, Days=1");
        assertThat(s.get(LOCKED + "/c@" + ids.get("c") + " retention"))
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, round == 1 ? until : until.plus(Duration.ofDays(1))));
        assertThat(s.get(LOCKED + "/g@" + ids.get("g") + " retention"))
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, until));
        assertThat(s.get(LOCKED + "/h@" + ids.get("h") + " legal hold")).isEqualTo("ON");
        assertThat((String) s.get(LOCKED + "/d@" + ids.get("d") + " retention")).startsWith("GOVERNANCE until");
        assertThat(s.get(VERSIONED + "/dir/tagged@" + ids.get("tagged") + " tags").toString()).contains(round == 1 ? "round" : "[]");
        @SuppressWarnings("unchecked")
        List<String> suspended = (List<String>) s.get(SUSPENDED + " versions");
        assertThat(suspended).anySatisfy(e -> assertThat(e).startsWith("M m@null"));
        assertThat(suspended).filteredOn(e -> e.startsWith("V n@null")).hasSize(1);
        @SuppressWarnings("unchecked")
        List<String> versioned = (List<String>) s.get(VERSIONED + " versions");
        assertThat(versioned).filteredOn(e -> e.startsWith("V k1@")).hasSize(round == 1 ? 3 : 4);
        assertThat(versioned).filteredOn(e -> e.startsWith("M k3@")).hasSize(round == 1 ? 1 : 0);
    }

    private static String put(S3Client s3, String bucket, String key, Random random, int size) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(S3Assert.randomBytes(random, size))).versionId();
    }

    /**
     * Everything a client can observe about the three buckets: versioning state, lock configuration,
     * every version and marker (ListObjectVersions), each version's SHA-256, tags, retention and
     * legal hold.
     */
    private static Map<String, Object> snapshot(S3Client s3) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String bucket : BUCKETS) {
            s.put(bucket + " versioning", s3.getBucketVersioning(b -> b.bucket(bucket)).statusAsString());
            try {
                s.put(bucket + " lock", s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration().toString());
            } catch (S3Exception e) {
                s.put(bucket + " lock", "none (" + e.awsErrorDetails().errorCode() + ")");
            }
            List<String> listing = new ArrayList<>();
            for (ListObjectVersionsResponse page : s3.listObjectVersionsPaginator(b -> b.bucket(bucket).maxKeys(3))) {
                listing.addAll(Versioned.describe(page));
                for (ObjectVersion v : page.versions()) {
                    String id = bucket + "/" + v.key() + "@" + v.versionId();
                    s.put(id + " sha256", Versioned.sha256Of(s3, bucket, v.key(), v.versionId()));
                    s.put(id + " tags", s3.getObjectTagging(b -> b.bucket(bucket).key(v.key()).versionId(v.versionId())).tagSet()
                            .toString());
                    if (bucket.equals(LOCKED)) {
                        s.put(id + " retention", Locking.retention(s3, bucket, v.key(), v.versionId()));
                        s.put(id + " legal hold", Locking.legalHold(s3, bucket, v.key(), v.versionId()));
                    }
                }
            }
            s.put(bucket + " versions", listing);
        }
        return s;
    }
}
