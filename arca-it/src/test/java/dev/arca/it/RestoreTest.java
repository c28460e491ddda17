package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.client.admin.RestoreCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Point-in-time restore end to end: objects written and attacked through the AWS SDK v2, restored
 * through the admin API ({@code /_arca/admin/restore}) and the {@code arca restore} command (run
 * in-process), with an injected object clock so "before T" and "after T" are exact.
 */
class RestoreTest {
    static final String RESTORE = "/_arca/admin/restore";
    static final String BUCKET = "pitr";
    static final int MIB = 1 << 20;

    @TempDir
    Path dir;
    Versioned.MutableClock clock;
    ArcaTestServer server;
    S3Client s3;
    ErasureAdmin admin;

    @BeforeEach
    void start() {
        clock = new Versioned.MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(1)));
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        s3 = Clients.pathStyle(server);
        admin = new ErasureAdmin(server);
        s3.createBucket(b -> b.bucket(BUCKET));
        Versioned.enableVersioning(s3, BUCKET);
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

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void put(String key, byte[] data) {
        clock.advance(Duration.ofSeconds(1));
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
    }

    private void delete(String key) {
        clock.advance(Duration.ofSeconds(1));
        s3.deleteObject(b -> b.bucket(BUCKET).key(key));
    }

    /** A two-part object; returns its ETag. */
    private String putMultipart(String key, byte[] one, byte[] two) {
        clock.advance(Duration.ofSeconds(1));
        String id = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        byte[][] bodies = {one, two};
        for (int i = 0; i < bodies.length; i++) {
            int n = i + 1;
            String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(n),
                    RequestBody.fromBytes(bodies[i])).eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
        }
        return s3.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(id)
                .multipartUpload(m -> m.parts(parts))).eTag();
    }

    private byte[] get(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray();
    }

    private static String query(String... nameValues) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < nameValues.length; i += 2) {
            q.append(q.isEmpty() ? "" : "&").append(nameValues[i]).append('=')
                    .append(URLEncoder.encode(nameValues[i + 1], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return q.toString();
    }

    private Map<String, Object> post(String query) {
        RawS3.Response r = admin.send("POST", RESTORE, query);
        assertThat(r.status()).as("POST %s?%s: %s", RESTORE, query, r.text()).isEqualTo(200);
        return ErasureAdmin.object(ErasureAdmin.Json.parse(r.text()));
    }

    /** Polls the job until it is done; asserts it finished without failing. */
    private Map<String, Object> await(String job) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            RawS3.Response r = admin.send("GET", RESTORE, "job=" + job).assertStatus(200);
            Map<String, Object> s = ErasureAdmin.object(ErasureAdmin.Json.parse(r.text()));
            if (Boolean.TRUE.equals(s.get("done"))) {
                assertThat(s.get("state")).as("%s", s).isEqualTo("done");
                return s;
            }
            assertThat(System.nanoTime()).as("restore job %s not done: %s", job, s).isLessThan(deadline);
            ErasureAdmin.sleep(20);
        }
    }

    private int versionCount() {
        return Versioned.allVersions(admin.raw(), BUCKET, "").size();
    }

    private static long n(Map<String, Object> json, String name) {
        return ErasureAdmin.number(json, name);
    }

    private static final List<String> RESTORED = List.of("docs/a", "docs/b", "docs/c", "docs/mp");
    private static final List<String> HIDDEN = List.of("docs/deleted-before", "docs/new");

    @Test
    void aRestoreBringsEveryKeyBackByteForByteAndADryRunChangesNothing() {
        Map<String, byte[]> atT = new LinkedHashMap<>();
        atT.put("docs/a", "alpha".getBytes(StandardCharsets.UTF_8));
        atT.put("docs/b", random(300_000, 2));
        atT.put("docs/c", random(1000, 3));
        atT.forEach(this::put);
        byte[] one = random(5 * MIB, 4);
        byte[] two = random(MIB + 17, 5);
        String mpEtag = putMultipart("docs/mp", one, two);
        byte[] mp = new byte[one.length + two.length];
        System.arraycopy(one, 0, mp, 0, one.length);
        System.arraycopy(two, 0, mp, one.length, two.length);
        atT.put("docs/mp", mp);
        put("docs/deleted-before", random(10, 6));
        delete("docs/deleted-before");
        put("out/x", random(100, 7));
        clock.advance(Duration.ofSeconds(1));
        Instant t = clock.instant();
        clock.advance(Duration.ofSeconds(1));

        // The attack: overwrites, a delete, new keys, a recreated key; outside the prefix too.
        put("docs/a", "encrypted!".getBytes(StandardCharsets.UTF_8));
        delete("docs/b");
        put("docs/mp", random(64, 8));
        put("docs/mp", random(65, 9));
        put("docs/new", random(100, 10));
        put("docs/deleted-before", random(100, 11));
        put("out/x", random(100, 12));
        clock.advance(Duration.ofSeconds(1));
        Instant attacked = clock.instant();
        clock.advance(Duration.ofSeconds(1));

        // A dry run answers with its plan and writes nothing.
        int before = versionCount();
        Map<String, Object> dry = post(query("bucket", BUCKET, "prefix", "docs/", "to", t.toString(), "dry-run", "true"));
        assertThat(dry.get("done")).as("%s", dry).isEqualTo(true);
        Map<String, Object> plan = ErasureAdmin.object(dry.get("plan"));
        assertThat(List.of(n(plan, "keysExamined"), n(plan, "toRestore"), n(plan, "toHide"), n(plan, "unchanged"),
                n(plan, "skipped"), n(plan, "bytesToCopy")))
                .containsExactly(6L, 3L, 2L, 1L, 0L, (long) ("alpha".length() + 300_000 + mp.length));
        assertThat(versionCount()).isEqualTo(before);
        assertThat(get("docs/a")).isEqualTo("encrypted!".getBytes(StandardCharsets.UTF_8));

        // The restore itself.
        Map<String, Object> started = post(query("bucket", BUCKET, "prefix", "docs/", "to", t.toString()));
        Map<String, Object> done = await((String) started.get("job"));
        assertThat(List.of(n(done, "keysExamined"), n(done, "restored"), n(done, "hidden"), n(done, "unchanged"),
                n(done, "changedDuringRestore"), n(done, "failed"))).as("%s", done)
                .containsExactly(6L, 3L, 2L, 1L, 0L, 0L);
        assertThat(done.get("complete")).isEqualTo(true);
        assertThat(done.get("lastKey")).isEqualTo("docs/new");
        atT.forEach((key, data) -> assertThat(get(key)).as(key).isEqualTo(data));
        for (String key : HIDDEN) {
            assertS3Error(() -> get(key), 404, "NoSuchKey");
        }
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("docs/mp")).eTag()).isEqualTo(mpEtag);
        assertThat(get("out/x")).as("outside the prefix").isEqualTo(random(100, 12));
        // Nothing was removed: 3 copies and 2 delete markers were added.
        assertThat(versionCount()).isEqualTo(before + 5);

        // A second dry run finds nothing left to do.
        Map<String, Object> again = ErasureAdmin.object(
                post(query("bucket", BUCKET, "prefix", "docs/", "to", t.toString(), "dry-run", "")).get("plan"));
        assertThat(n(again, "unchanged")).isEqualTo(6);

        // Undo through the CLI: restoring to just before the restore brings the attacked state back.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = RestoreCommand.run(List.of("--bucket", BUCKET, "--prefix", "docs/", "--to", attacked.toString(),
                "--endpoint", server.endpoint(), "--access-key", ArcaTestServer.ACCESS_KEY,
                "--secret-key", ArcaTestServer.SECRET_KEY), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(rc).as("stdout %s stderr %s", printed, err).isZero();
        assertThat(printed).contains("restore of s3://pitr/docs/ to " + attacked + ": done")
                .containsPattern("restored +4").containsPattern("hidden +1").containsPattern("unchanged +1");
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("restore job ");
        assertThat(get("docs/a")).isEqualTo("encrypted!".getBytes(StandardCharsets.UTF_8));
        assertThat(get("docs/new")).isEqualTo(random(100, 10));
        assertS3Error(() -> get("docs/b"), 404, "NoSuchKey");
        for (String key : RESTORED) {
            assertThat(s3.listObjectVersions(b -> b.bucket(BUCKET).prefix(key)).versions()).isNotEmpty();
        }
    }

    @Test
    void badRequestsAreRefusedWithTheirS3Errors() {
        String t = clock.instant().minusSeconds(10).toString();
        admin.send("POST", RESTORE, query("to", t)).assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", BUCKET)).assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", BUCKET, "to", "yesterday")).assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", BUCKET, "to", "2026-01-01T00:00:00")).assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", BUCKET, "to", clock.instant().plusSeconds(60).toString()))
                .assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", BUCKET, "to", t, "dry-run", "maybe")).assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, query("bucket", "no-such-bucket", "to", t)).assertError(404, "NoSuchBucket");
        s3.createBucket(b -> b.bucket("plain"));
        admin.send("POST", RESTORE, query("bucket", "plain", "to", t)).assertError(400, "InvalidRequest");
        admin.send("GET", RESTORE, "job=nope").assertError(400, "InvalidArgument");
        admin.send("POST", RESTORE, "resume=nope").assertError(400, "InvalidArgument");
        admin.send("DELETE", RESTORE, "").assertError(405, "MethodNotAllowed");
        // An offset time is the same instant as its UTC form.
        Instant local = clock.instant().minusSeconds(10);
        Map<String, Object> ok = post(query("bucket", BUCKET, "to",
                local.atOffset(java.time.ZoneOffset.ofHours(2)).toString(), "dry-run", "true"));
        assertThat(ok.get("to")).isEqualTo(local.toString());
        // The CLI checks its arguments before it calls the server.
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(RestoreCommand.run(List.of("--bucket", BUCKET), Map.of(), o, e)).isEqualTo(2);
        assertThat(RestoreCommand.run(List.of("--bucket", BUCKET, "--to", "noon"), Map.of(), o, e)).isEqualTo(2);
        assertThat(RestoreCommand.run(List.of("--bucket", "plain", "--to", t, "--endpoint", server.endpoint(),
                "--access-key", ArcaTestServer.ACCESS_KEY, "--secret-key", ArcaTestServer.SECRET_KEY), Map.of(), o, e))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--bucket and --to are required")
                .contains("ISO-8601").contains("InvalidRequest");
    }
}
