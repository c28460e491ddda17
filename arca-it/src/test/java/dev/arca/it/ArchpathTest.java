package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.http.UriEncoding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * {@code GET /bucket/shard.tar?archpath=member}: exactly one member's bytes from a tar object made
 * by the system tar (GNU long names, pax), served by a ranged read through an index built on the
 * first request; never stale after an overwrite; errors for a missing member and for an object
 * that is not a tar.
 */
class ArchpathTest {
    @TempDir
    static Path tmp;

    static final String BUCKET = "shards";
    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(tmp.resolve("data"));
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
        s3.createBucket(b -> b.bucket(BUCKET));
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

    static final String LONG_NAME = "samples/" + "deeply-nested-directory-name/".repeat(4) + "sample-000001.jpg";

    /** Files of random bytes under a fresh directory, including a long name and a large member. */
    static Map<String, byte[]> files(Path root, long seed, int largeSize) throws Exception {
        Random random = new Random(seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            files.put(String.format("samples/%06d.cls", i), bytes(random, 1 + random.nextInt(3000)));
        }
        files.put(LONG_NAME, bytes(random, 70_000));
        files.put("samples/über-größe.txt", bytes(random, 123));
        files.put("samples/empty", new byte[0]);
        files.put("big/tensor.bin", bytes(random, largeSize));
        files.put("samples/after-big", bytes(random, 600));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        return files;
    }

    static byte[] tar(Path root, Map<String, byte[]> files, String format) throws Exception {
        Path tar = root.resolveSibling(root.getFileName() + "-" + format + ".tar");
        List<String> command = new java.util.ArrayList<>(List.of("tar", "--format=" + format, "-cf", tar.toString()));
        command.addAll(files.keySet());
        BatchGetTest.run(root, command.toArray(String[]::new));
        return Files.readAllBytes(tar);
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static String query(String member) {
        return "archpath=" + UriEncoding.encode(member, true);
    }

    static RawS3.Response member(String method, String key, String member, String... headers) {
        return raw.signed(method, "/" + BUCKET + "/" + UriEncoding.encode(key, false), query(member), raw.headers(headers),
                new byte[0]);
    }

    static void put(String key, byte[] data) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(data));
    }

    @Test
    void everyMemberOfGnuAndPaxArchivesComesBackExactly() throws Exception {
        for (String format : List.of("gnu", "pax")) {
            Path root = Files.createDirectories(tmp.resolve("tree-" + format));
            Map<String, byte[]> files = files(root, format.hashCode(), 3 * 1024 * 1024 + 5);
            String key = "shard-" + format + ".tar";
            put(key, tar(root, files, format));
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                RawS3.Response r = member("GET", key, f.getKey()).assertStatus(200);
                assertThat(r.body()).as(format + " " + f.getKey()).isEqualTo(f.getValue());
                assertThat(r.header("content-length")).isEqualTo(Integer.toString(f.getValue().length));
                assertThat(r.header("content-type")).isEqualTo("application/octet-stream");
            }
            // A Range applies to the member's bytes.
            byte[] big = files.get("big/tensor.bin");
            RawS3.Response ranged = member("GET", key, "big/tensor.bin", "range", "bytes=1048570-1048585").assertStatus(206);
            assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(big, 1048570, 1048586));
            assertThat(ranged.header("content-range")).isEqualTo("bytes 1048570-1048585/" + big.length);
            member("GET", key, "samples/000001.cls", "range", "bytes=999999-").assertError(416, "InvalidRange");
            // HEAD tells the member's size.
            RawS3.Response head = member("HEAD", key, LONG_NAME).assertStatus(200);
            assertThat(head.header("content-length")).isEqualTo("70000");
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void aSmallInlineArchiveWorksToo() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("small"));
        Map<String, byte[]> files = Map.of("a.txt", "alpha".getBytes(StandardCharsets.UTF_8),
                "b/c.txt", "charlie".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.createDirectories(root.resolve(f.getKey()).getParent());
            Files.write(root.resolve(f.getKey()), f.getValue());
        }
        put("small.tar", tar(root, files, "ustar"));
        assertThat(member("GET", "small.tar", "b/c.txt").assertStatus(200).text()).isEqualTo("charlie");
        assertThat(member("GET", "small.tar", "./a.txt").assertStatus(200).text()).isEqualTo("alpha");
    }

    @Test
    void missingMembersNonTarObjectsAndWritesAreErrors() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("errors"));
        Map<String, byte[]> files = files(root, 1, 1000);
        put("errors.tar", tar(root, files, "gnu"));
        RawS3.Response missing = member("GET", "errors.tar", "samples/nope").assertError(404, "NoSuchKey");
        assertThat(missing.xml("Message")).contains("samples/nope");
        member("GET", "errors.tar", "samples").assertError(404, "NoSuchKey"); // a directory is not a file
        member("GET", "errors.tar", "").assertError(400, "InvalidArgument");
        member("GET", "no-such.tar", "a").assertError(404, "NoSuchKey");

        put("not-a.tar", bytes(new Random(3), 200_000));
        member("GET", "not-a.tar", "a").assertError(400, "InvalidRequest");
        put("tiny", "hello".getBytes(StandardCharsets.UTF_8));
        member("GET", "tiny", "a").assertError(400, "InvalidRequest");

        // archpath never turns a write or a delete into one on the whole archive.
        raw.signed("PUT", "/" + BUCKET + "/errors.tar", query("x"), raw.headers(), new byte[] {1})
                .assertError(405, "MethodNotAllowed");
        raw.signed("DELETE", "/" + BUCKET + "/errors.tar", query("x"), raw.headers(), new byte[0])
                .assertError(405, "MethodNotAllowed");
        assertThat(member("GET", "errors.tar", "samples/after-big").assertStatus(200).body())
                .isEqualTo(files.get("samples/after-big"));

        // The archive's own permission applies: an anonymous caller is denied.
        new RawS3(server).send("GET", "/" + BUCKET + "/errors.tar?" + query("samples/empty"), raw.headers(), new byte[0])
                .assertError(403, "AccessDenied");
    }

    @Test
    void anOverwrittenArchiveIsIndexedAfresh() throws Exception {
        Path first = Files.createDirectories(tmp.resolve("v1"));
        Map<String, byte[]> one = files(first, 100, 2 * 1024 * 1024);
        put("moving.tar", tar(first, one, "gnu"));
        assertThat(member("GET", "moving.tar", "samples/000003.cls").assertStatus(200).body())
                .isEqualTo(one.get("samples/000003.cls"));
        // Same names, other sizes and bytes, so the old index would point at wrong offsets.
        Path second = Files.createDirectories(tmp.resolve("v2"));
        Map<String, byte[]> two = files(second, 200, 1024 * 1024);
        put("moving.tar", tar(second, two, "gnu"));
        for (String name : List.of("samples/000003.cls", "samples/after-big", LONG_NAME)) {
            assertThat(member("GET", "moving.tar", name).assertStatus(200).body()).as(name).isEqualTo(two.get(name));
        }
    }

    @Test
    void anOlderVersionOfAnArchiveIsReadByVersionId() throws Exception {
        String bucket = "shards-versioned";
        s3.createBucket(b -> b.bucket(bucket));
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        Path first = Files.createDirectories(tmp.resolve("ver1"));
        Map<String, byte[]> one = files(first, 300, 5000);
        String v1 = s3.putObject(b -> b.bucket(bucket).key("s.tar"), RequestBody.fromBytes(tar(first, one, "pax"))).versionId();
        Path second = Files.createDirectories(tmp.resolve("ver2"));
        Map<String, byte[]> two = files(second, 400, 5000);
        s3.putObject(b -> b.bucket(bucket).key("s.tar"), RequestBody.fromBytes(tar(second, two, "pax")));
        RawS3.Response old = raw.signed("GET", "/" + bucket + "/s.tar", query("samples/000002.cls") + "&versionId=" + v1,
                raw.headers(), new byte[0]).assertStatus(200);
        assertThat(old.body()).isEqualTo(one.get("samples/000002.cls"));
        assertThat(old.header("x-amz-version-id")).isEqualTo(v1);
        RawS3.Response current = raw.signed("GET", "/" + bucket + "/s.tar", query("samples/000002.cls"), raw.headers(),
                new byte[0]).assertStatus(200);
        assertThat(current.body()).isEqualTo(two.get("samples/000002.cls"));
    }
}
