package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The admin API under {@code /_arca/admin/}: the storage report's JSON, the heal job lifecycle and
 * its scoping to a bucket and prefix, refusal of bad input, and that only the signed root account
 * may use it.
 */
final class AdminApiTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static ErasureAdmin admin;
    static Random random;

    /** Counters the storage report must carry. */
    static final List<String> STATS = List.of("corruptChunks", "missingShards", "stripesReconstructed", "writeShardFailures",
            "writeQuorumFailures", "healsQueued", "healsDropped", "blobsHealed", "shardsRebuilt", "unrecoverableBlobs",
            "danglingRemoved", "scrubbedBytes", "scrubbedBlobs", "scrubPasses", "drivesFormatted", "tombstonesWritten",
            "deletedLeftoversRemoved");

    @BeforeAll
    static void start() {
        random = new Random(S3Assert.seed(AdminApiTest.class));
        // No scrubber: these tests damage files on purpose and check who repairs them.
        server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
        s3 = ErasureDrives.client(server);
        admin = new ErasureAdmin(server);
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

    @Test
    void storageReportsDrivesGeometryCoderAndCounters() {
        RawS3.Response r = admin.send("GET", ErasureAdmin.STORAGE, "").assertStatus(200);
        assertThat(r.header("content-type")).startsWith("application/json");
        Map<String, Object> storage = ErasureAdmin.object(ErasureAdmin.Json.parse(r.text()));
        assertThat(storage).containsKeys("deploymentId", "dataShards", "parityShards", "coder", "pendingHeals", "drives", "stats");
        assertThat((String) storage.get("deploymentId")).matches("[0-9a-f]{32}");
        assertThat(ErasureAdmin.number(storage, "dataShards")).isEqualTo(2);
        assertThat(ErasureAdmin.number(storage, "parityShards")).isEqualTo(2);
        assertThat((String) storage.get("coder")).isNotBlank();
        assertThat(ErasureAdmin.number(storage, "pendingHeals")).isNotNegative();
        List<Object> drives = ErasureAdmin.list(storage.get("drives"));
        assertThat(drives).hasSize(4);
        for (int i = 0; i < 4; i++) {
            Map<String, Object> d = ErasureAdmin.object(drives.get(i));
            assertThat(ErasureAdmin.number(d, "number")).isEqualTo(i + 1);
            assertThat(Path.of((String) d.get("path"))).isEqualTo(ErasureDrives.drive(server, i + 1).toAbsolutePath());
            assertThat(d.get("state")).isEqualTo("online");
        }
        Map<String, Object> stats = ErasureAdmin.object(storage.get("stats"));
        for (String name : STATS) {
            assertThat(ErasureAdmin.number(stats, name)).as(name).isNotNegative();
        }
        // The same deployment id every time, and the one the store reports.
        assertThat(admin.storage().get("deploymentId")).isEqualTo(storage.get("deploymentId"))
                .isEqualTo(server.server().blobStore().deploymentId());
    }

    @Test
    void aHealJobIsAcceptedThenReportsItsSummaryWhenDone() {
        String bucket = "lifecycle";
        s3.createBucket(b -> b.bucket(bucket));
        ErasureDrives.put(s3, bucket, "a", S3Assert.randomBytes(random, 200 * KIB));
        RawS3.Response started = admin.send("POST", ErasureAdmin.HEAL, "bucket=" + bucket).assertStatus(202);
        assertThat(started.header("content-type")).startsWith("application/json");
        Map<String, Object> job = ErasureAdmin.object(ErasureAdmin.Json.parse(started.text()));
        assertThat(job).containsKeys("job", "scope", "done", "scanned", "healthy", "healed", "degraded", "unrecoverable",
                "danglingRemoved", "shardsRebuilt", "bytesVerified");
        assertThat(job.get("done")).isInstanceOf(Boolean.class);
        assertThat((String) job.get("scope")).contains(bucket);
        Map<String, Object> done = admin.awaitHeal((String) job.get("job"), Duration.ofSeconds(30));
        assertThat(done.get("scope")).isEqualTo(job.get("scope"));
        assertThat(ErasureAdmin.number(done, "scanned")).isEqualTo(1);
        assertThat(ErasureAdmin.number(done, "healthy")).isEqualTo(1);
        for (String zero : List.of("healed", "degraded", "unrecoverable", "danglingRemoved", "shardsRebuilt")) {
            assertThat(ErasureAdmin.number(done, zero)).as(zero).isZero();
        }
        // A deep heal (the default without a drive) reads every shard: 4 shards of half the sealed object
        // (200 KiB of data plus a 16-byte tag per 64 KiB chunk, SSE-S3 being the default).
        assertThat(ErasureAdmin.number(done, "bytesVerified"))
                .isEqualTo(4 * dev.arca.crypto.ObjectCipher.sealedLength(200 * KIB) / 2);
        // A finished job can still be asked about.
        assertThat(admin.awaitHeal((String) job.get("job"), Duration.ofSeconds(1))).isEqualTo(done);
    }

    @Test
    void aHealScopedToABucketAndPrefixTouchesOnlyThoseBlobs() {
        String bucket = "scoped";
        String other = "scoped-other";
        s3.createBucket(b -> b.bucket(bucket));
        s3.createBucket(b -> b.bucket(other));
        for (String key : List.of("p/1", "p/2", "p/deeper/3", "q/1", "q/2")) {
            ErasureDrives.put(s3, bucket, key, S3Assert.randomBytes(random, 128 * KIB + random.nextInt(512 * KIB)));
        }
        // Inline objects have no blobs, so the scope has nothing to heal for them.
        ErasureDrives.put(s3, bucket, "p/small", S3Assert.randomBytes(random, 10 * KIB));
        String rotten = ErasureDrives.newBlobs(server, 4,
                () -> ErasureDrives.put(s3, other, "p/1", S3Assert.randomBytes(random, 300 * KIB))).first();
        // Rot in the other bucket, in a parity shard so that nothing but a heal can notice.
        Path parity = ErasureDrives.shardsOf(server, 4, rotten).get(3);
        byte[] pristine = ErasureDrives.read(parity);
        ErasureDrives.flip(parity, ErasureDrives.HEADER_BYTES + random.nextInt(100 * KIB), 0x40);

        Map<String, Object> prefix = admin.heal("bucket=" + bucket + "&prefix=p%2F&deep=true");
        assertThat((String) prefix.get("scope")).contains(bucket).contains("p/");
        assertThat(ErasureAdmin.number(prefix, "scanned")).as("blobs under %s/p/: %s", bucket, prefix).isEqualTo(3);
        assertThat(ErasureAdmin.number(prefix, "healthy")).isEqualTo(3);
        Map<String, Object> whole = admin.heal("bucket=" + bucket);
        assertThat(ErasureAdmin.number(whole, "scanned")).as("blobs in %s: %s", bucket, whole).isEqualTo(5);
        assertThat(ErasureAdmin.number(whole, "healed")).isZero();
        assertThat(ErasureDrives.read(parity)).as("the other bucket's damaged shard, untouched").isNotEqualTo(pristine);

        Map<String, Object> otherHeal = admin.heal("bucket=" + other + "&prefix=p%2F");
        assertThat(ErasureAdmin.number(otherHeal, "scanned")).isEqualTo(1);
        assertThat(ErasureAdmin.number(otherHeal, "healed")).as("%s", otherHeal).isEqualTo(1);
        assertThat(ErasureAdmin.number(otherHeal, "shardsRebuilt")).isEqualTo(1);
        S3Assert.assertSameBytes(ErasureDrives.read(parity), pristine, "healed parity shard");
    }

    @Test
    void badInputIsRefused() {
        s3.createBucket(b -> b.bucket("bad-input"));
        admin.send("POST", ErasureAdmin.HEAL, "bucket=no-such-bucket").assertError(404, "NoSuchBucket");
        admin.send("POST", ErasureAdmin.HEAL, "drive=0").assertError(400, "InvalidArgument");
        admin.send("POST", ErasureAdmin.HEAL, "drive=one").assertError(400, "InvalidArgument");
        admin.send("POST", ErasureAdmin.HEAL, "deep=maybe").assertError(400, "InvalidArgument");
        admin.send("POST", ErasureAdmin.HEAL, "prefix=p%2F").assertError(400, "InvalidArgument");
        admin.send("GET", ErasureAdmin.HEAL, "").assertError(400, "InvalidArgument");
        RawS3.Response unknownJob = admin.send("GET", ErasureAdmin.HEAL, "job=NOSUCHJOB");
        assertThat(unknownJob.status()).as(unknownJob.text()).isIn(400, 404);
        admin.send("GET", "/_arca/admin/nope", "").assertError(400, "InvalidRequest");
        admin.send("GET", "/_arca/admin/", "").assertError(400, "InvalidRequest");
        admin.send("PUT", ErasureAdmin.STORAGE, "").assertError(405, "MethodNotAllowed");
        admin.send("DELETE", ErasureAdmin.HEAL, "").assertError(405, "MethodNotAllowed");
        // A valid drive number is accepted.
        RawS3.Response drive = admin.send("POST", ErasureAdmin.HEAL, "drive=4&deep=false").assertStatus(202);
        Map<String, Object> job = ErasureAdmin.object(ErasureAdmin.Json.parse(drive.text()));
        assertThat((String) job.get("scope")).contains("drive 4");
        assertThat(job.get("deep")).isEqualTo(false);
        assertThat(ErasureAdmin.number(admin.awaitHeal((String) job.get("job"), Duration.ofSeconds(30)), "unrecoverable")).isZero();
        // Beyond the last drive (4): an error, not silently drive 4.
        admin.send("POST", ErasureAdmin.HEAL, "drive=9").assertError(400, "InvalidArgument");
    }

    @Test
    void onlyTheSignedRootAccountMayUseIt() {
        long healsBefore = server.server().blobStore().stats().blobsHealed();
        admin.unsigned("GET", ErasureAdmin.STORAGE, "").assertError(403, "AccessDenied");
        admin.unsigned("POST", ErasureAdmin.HEAL, "").assertError(403, "AccessDenied");
        admin.unsigned("GET", ErasureAdmin.HEAL, "job=x").assertError(403, "AccessDenied");
        RawS3 unknownKey = new RawS3(server, "AKIAUNKNOWNKEY000001", ArcaTestServer.SECRET_KEY);
        RawS3 wrongSecret = new RawS3(server, ArcaTestServer.ACCESS_KEY, "not-the-secret-key-0123456789abcdefghijk");
        for (RawS3 raw : List.of(unknownKey, wrongSecret)) {
            for (String[] request : List.of(new String[] {"GET", ErasureAdmin.STORAGE}, new String[] {"POST", ErasureAdmin.HEAL})) {
                RawS3.Response r = raw.signed(request[0], request[1], "", raw.headers(), new byte[0]);
                assertThat(r.status()).as("%s %s: %s", request[0], request[1], r.text()).isEqualTo(403);
                assertThat(r.xml("Code")).isIn(Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"));
                assertThat(r.text()).doesNotContain("deploymentId");
            }
        }
        // Virtual-hosted style, the path is an object key of that bucket, never the admin API.
        RawS3 raw = admin.raw();
        RawS3.Response vhost = raw.signed("GET", ErasureAdmin.STORAGE, "",
                raw.headers().set("host", "somebucket." + ArcaTestServer.DOMAIN + ":" + server.port()), new byte[0]);
        vhost.assertError(404, "NoSuchBucket");
        assertThat(server.server().blobStore().stats().blobsHealed()).isEqualTo(healsBefore);
    }
}
