package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * Batch GET ({@code POST /bucket?batchGet}): an ordered tar stream of the requested objects, with
 * per-object authorization — a key the caller may not read, a missing key or a bad entry is an
 * in-band {@code <key>.error.json} member, never the object's bytes — and request-level limits.
 */
class BatchGetTest {
    @TempDir
    static Path tmp;

    static final String BUCKET = "batch";
    static final int SMALL = 500;
    static final int SMALL_SIZE = 10 * 1024;

    static ArcaTestServer server;
    static Tenancy.Account account;
    static S3Client root;
    static IamClient iam;
    static RawS3 raw;
    static final Map<String, byte[]> objects = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(tmp.resolve("data"), "--sse-c-over-http", "on");
        account = Tenancy.createAccount(server, "batch-tenant");
        root = Tenancy.s3(server, account.credentials());
        iam = Tenancy.iam(server, account.credentials());
        raw = new RawS3(server, account.accessKeyId(), account.secretAccessKey());
        root.createBucket(b -> b.bucket(BUCKET));
        Random random = new Random(2024);
        for (int i = 0; i < SMALL; i++) {
            objects.put(String.format("public/small-%04d", i), bytes(random, SMALL_SIZE));
        }
        objects.put("public/large-1", bytes(random, 1536 * 1024));
        objects.put("public/large-2", bytes(random, 3 * 1024 * 1024 + 7));
        objects.put("public/" + "long-".repeat(30) + "name", bytes(random, 321));
        objects.put("public/unicode-données-日本.bin", bytes(random, 99));
        objects.put("public/empty", new byte[0]);
        objects.put("private/secret", "top secret".getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, byte[]> o : objects.entrySet()) {
            root.putObject(b -> b.bucket(BUCKET).key(o.getKey()), RequestBody.fromBytes(o.getValue()));
        }
    }

    @AfterAll
    static void stop() {
        if (root != null) {
            root.close();
            iam.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** One entry of the request body; null fields are left out. */
    static String entry(String key, String versionId, String range) {
        StringBuilder s = new StringBuilder("{\"key\":").append(json(key));
        if (versionId != null) {
            s.append(",\"versionId\":").append(json(versionId));
        }
        if (range != null) {
            s.append(",\"range\":").append(json(range));
        }
        return s.append('}').toString();
    }

    static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static byte[] body(List<String> entries) {
        return ("{\"objects\":[" + String.join(",", entries) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    static RawS3.Response batch(RawS3 client, String bucket, byte[] body) {
        return client.signed("POST", "/" + bucket, "batchGet", client.headers("content-type", "application/json"), body);
    }

    static List<TarStreamReader.Member> okBatch(RawS3 client, List<String> entries) {
        RawS3.Response r = batch(client, BUCKET, body(entries)).assertStatus(200);
        assertThat(r.header("content-type")).isEqualTo("application/x-tar");
        assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(r.header("content-length")).isNull();
        return TarStreamReader.read(r.body());
    }

    static void assertError(TarStreamReader.Member m, String key, String code) {
        assertThat(m.name()).isEqualTo(key + ".error.json");
        Map<String, Object> doc = ErasureAdmin.object(ErasureAdmin.Json.parse(m.text()));
        assertThat(doc).containsEntry("key", key).containsEntry("code", code).containsKey("message").containsKey("status");
    }

    static byte[] slice(byte[] data, int first, int lastInclusive) {
        return Arrays.copyOfRange(data, first, lastInclusive + 1);
    }

    @Test
    void membersComeInRequestOrderWithExactBytesRangesAndInBandErrors() {
        List<String> keys = new ArrayList<>(objects.keySet());
        Collections.shuffle(keys, new Random(5));
        List<String> entries = new ArrayList<>();
        for (String k : keys) {
            entries.add(entry(k, null, null));
        }
        byte[] large2 = objects.get("public/large-2");
        byte[] small7 = objects.get("public/small-0007");
        entries.add(entry("public/large-2", null, "bytes=1048000-1049999")); // crosses a 1 MiB stripe
        entries.add(entry("public/small-0007", null, "bytes=100-199"));
        entries.add(entry("public/small-0007", null, "bytes=-10"));
        entries.add(entry("public/large-1", null, "bytes=1572000-"));
        entries.add(entry("public/missing", null, null));
        entries.add(entry("public/small-0001", null, "bytes=99999999-"));
        entries.add(entry("public/small-0002", null, "lines=1-2"));
        entries.add(entry("public/small-0003", "not-a-version", null));

        List<TarStreamReader.Member> members = okBatch(raw, entries);
        assertThat(members).hasSize(keys.size() + 8);
        for (int i = 0; i < keys.size(); i++) {
            assertThat(members.get(i).name()).isEqualTo(keys.get(i));
            assertThat(members.get(i).data()).as(keys.get(i)).isEqualTo(objects.get(keys.get(i)));
        }
        int n = keys.size();
        assertThat(members.get(n).name()).isEqualTo("public/large-2");
        assertThat(members.get(n).data()).isEqualTo(slice(large2, 1048000, 1049999));
        assertThat(members.get(n + 1).data()).isEqualTo(slice(small7, 100, 199));
        assertThat(members.get(n + 2).data()).isEqualTo(slice(small7, SMALL_SIZE - 10, SMALL_SIZE - 1));
        byte[] large1 = objects.get("public/large-1");
        assertThat(members.get(n + 3).data()).isEqualTo(slice(large1, 1572000, large1.length - 1));
        assertError(members.get(n + 4), "public/missing", "NoSuchKey");
        assertError(members.get(n + 5), "public/small-0001", "InvalidRange");
        assertError(members.get(n + 6), "public/small-0002", "InvalidArgument");
        assertError(members.get(n + 7), "public/small-0003", "InvalidArgument");
    }

    @Test
    void systemTarReadsTheStream() throws Exception {
        List<String> keys = List.of("public/small-0010", "public/large-1", "public/" + "long-".repeat(30) + "name",
                "public/unicode-données-日本.bin", "public/empty", "public/nope");
        List<String> entries = keys.stream().map(k -> entry(k, null, null)).toList();
        RawS3.Response r = batch(raw, BUCKET, body(entries)).assertStatus(200);
        Path tar = tmp.resolve("batch.tar");
        Files.write(tar, r.body());
        List<String> expectedNames = new ArrayList<>(keys.subList(0, keys.size() - 1));
        expectedNames.add("public/nope.error.json");
        assertThat(run(tmp, "tar", "-tf", tar.toString())).containsExactlyElementsOf(expectedNames);
        Path out = Files.createDirectories(tmp.resolve("extracted"));
        run(out, "tar", "-xf", tar.toString());
        for (String k : keys.subList(0, keys.size() - 1)) {
            assertThat(Files.readAllBytes(out.resolve(k))).as(k).isEqualTo(objects.get(k));
        }
        assertThat(Files.readString(out.resolve("public/nope.error.json"))).contains("\"code\":\"NoSuchKey\"");
    }

    @Test
    void aKeyTheCallerMayNotReadIsReportedInBandAndNeverServed() {
        String policy = Tenancy.policy(Tenancy.allow("s3:GetObject", "arn:aws:s3:::" + BUCKET + "/public/*"));
        iam.createUser(b -> b.userName("reader"));
        iam.putUserPolicy(b -> b.userName("reader").policyName("public-only").policyDocument(policy));
        AccessKey key = iam.createAccessKey(b -> b.userName("reader")).accessKey();
        RawS3 reader = new RawS3(server, key.accessKeyId(), key.secretAccessKey());

        List<TarStreamReader.Member> members = okBatch(reader, List.of(
                entry("public/small-0001", null, null),
                entry("private/secret", null, null),
                entry("private/does-not-exist", null, null),
                entry("public/small-0002", null, null),
                entry("public/small-0003", "null", null))); // a version id needs s3:GetObjectVersion
        assertThat(members).extracting(TarStreamReader.Member::name).containsExactly("public/small-0001",
                "private/secret.error.json", "private/does-not-exist.error.json", "public/small-0002",
                "public/small-0003.error.json");
        assertThat(members.get(0).data()).isEqualTo(objects.get("public/small-0001"));
        assertError(members.get(1), "private/secret", "AccessDenied");
        // Denied before existence is looked at: a missing private key looks exactly like an existing one.
        assertError(members.get(2), "private/does-not-exist", "AccessDenied");
        assertThat(members.get(3).data()).isEqualTo(objects.get("public/small-0002"));
        assertError(members.get(4), "public/small-0003", "AccessDenied");
        for (TarStreamReader.Member m : members) {
            assertThat(new String(m.data(), StandardCharsets.ISO_8859_1)).doesNotContain("top secret");
        }

        // An anonymous caller gets a 200 whose every entry is denied.
        RawS3.Response anonymous = new RawS3(server).send("POST", "/" + BUCKET + "?batchGet", new RawS3(server).headers(),
                body(List.of(entry("public/small-0001", null, null))));
        assertThat(anonymous.status()).isEqualTo(200);
        List<TarStreamReader.Member> denied = TarStreamReader.read(anonymous.body());
        assertError(denied.getFirst(), "public/small-0001", "AccessDenied");
    }

    @Test
    void theBucketPolicyDecidesEachKeyOfAnotherAccountsBatch() {
        // The bucket's policy is looked up once per batch; every key is still decided against it.
        Tenancy.Account other = Tenancy.createAccount(server, "batch-other");
        RawS3 stranger = new RawS3(server, other.accessKeyId(), other.secretAccessKey());
        List<String> entries = List.of(entry("public/small-0001", null, null), entry("public/small-0002", null, null),
                entry("private/secret", null, null));
        assertThat(okBatch(stranger, entries)).allSatisfy(m -> assertThat(m.name()).endsWith(".error.json"));
        root.putBucketPolicy(b -> b.bucket(BUCKET).policy(Tenancy.policy(
                Tenancy.principalStatement("Allow", other.rootArn(), List.of("s3:GetObject"),
                        List.of("arn:aws:s3:::" + BUCKET + "/public/*")),
                Tenancy.principalStatement("Deny", "*", List.of("s3:GetObject"),
                        List.of("arn:aws:s3:::" + BUCKET + "/public/small-0002")))));
        try {
            List<TarStreamReader.Member> members = okBatch(stranger, entries);
            assertThat(members).extracting(TarStreamReader.Member::name).containsExactly("public/small-0001",
                    "public/small-0002.error.json", "private/secret.error.json");
            assertThat(members.get(0).data()).isEqualTo(objects.get("public/small-0001"));
            assertError(members.get(1), "public/small-0002", "AccessDenied");
            assertError(members.get(2), "private/secret", "AccessDenied");
            // The explicit Deny binds the bucket's own account too; its other keys stay readable.
            List<TarStreamReader.Member> own = okBatch(raw, entries);
            assertError(own.get(1), "public/small-0002", "AccessDenied");
            assertThat(own.get(2).data()).isEqualTo(objects.get("private/secret"));
        } finally {
            root.deleteBucketPolicy(b -> b.bucket(BUCKET));
        }
        assertThat(okBatch(stranger, entries)).allSatisfy(m -> assertThat(m.name()).endsWith(".error.json"));
        assertThat(okBatch(raw, entries)).extracting(TarStreamReader.Member::name)
                .containsExactly("public/small-0001", "public/small-0002", "private/secret");
    }

    @Test
    void versionsAndSseCObjects() throws Exception {
        String versioned = "batch-versions";
        root.createBucket(b -> b.bucket(versioned));
        root.putBucketVersioning(b -> b.bucket(versioned).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        String v1 = root.putObject(b -> b.bucket(versioned).key("k"), RequestBody.fromString("one")).versionId();
        root.putObject(b -> b.bucket(versioned).key("k"), RequestBody.fromString("two, longer"));
        byte[] customerKey = new byte[32];
        new Random(9).nextBytes(customerKey);
        String keyB64 = Base64.getEncoder().encodeToString(customerKey);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(customerKey));
        root.putObject(b -> b.bucket(versioned).key("ssec").sseCustomerAlgorithm("AES256").sseCustomerKey(keyB64)
                .sseCustomerKeyMD5(md5), RequestBody.fromString("customer-sealed"));
        root.deleteObject(b -> b.bucket(versioned).key("gone"));

        RawS3.Response r = batch(raw, versioned, body(List.of(entry("k", v1, null), entry("k", null, null),
                entry("k", v1, "bytes=1-"), entry("ssec", null, null), entry("gone", null, null))))
                .assertStatus(200);
        List<TarStreamReader.Member> members = TarStreamReader.read(r.body());
        assertThat(members.get(0).text()).isEqualTo("one");
        assertThat(members.get(1).text()).isEqualTo("two, longer");
        assertThat(members.get(2).text()).isEqualTo("ne");
        assertError(members.get(3), "ssec", "InvalidRequest"); // no SSE-C key in a batch
        assertThat(members.get(3).text()).contains("Server Side Encryption").doesNotContain("customer-sealed");
        assertError(members.get(4), "gone", "NoSuchKey");
    }

    @Test
    void requestLimitsAndMalformedBodiesAreRequestErrors() {
        // More than 1 MiB of body.
        List<String> big = new ArrayList<>();
        String longKey = "k".repeat(1000);
        for (int i = 0; i < 1100; i++) {
            big.add(entry(longKey, null, null));
        }
        batch(raw, BUCKET, body(big)).assertError(400, "MaxMessageLengthExceeded");
        // More than 10,000 entries in less than 1 MiB.
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 10_001; i++) {
            many.add("{\"key\":\"k\"}");
        }
        batch(raw, BUCKET, body(many)).assertError(400, "InvalidRequest");
        // Exactly 10,000 is fine (each a missing key, reported in-band).
        RawS3.Response tenThousand = batch(raw, BUCKET, body(many.subList(0, 10_000))).assertStatus(200);
        assertThat(TarStreamReader.read(tenThousand.body())).hasSize(10_000);

        for (String bad : List.of("", "{", "[]", "{\"objects\":[]}", "{\"objects\":[{\"Key\":\"a\"}]}",
                "{\"objects\":[{\"key\":1}]}", "{\"objects\":[{\"key\":\"a\",\"key\":\"b\"}]}",
                "{\"objects\":[{\"key\":\"a\"}]} trailing", "{\"objects\":[{\"key\":\"a\"},]}", "{\"other\":1}")) {
            batch(raw, BUCKET, bad.getBytes(StandardCharsets.UTF_8)).assertError(400, "MalformedJSON");
        }
        batch(raw, BUCKET, new byte[] {'{', (byte) 0xC3, '}'}).assertError(400, "MalformedJSON");

        batch(raw, "no-such-batch-bucket", body(List.of(entry("a", null, null)))).assertError(404, "NoSuchBucket");
        raw.signed("GET", "/" + BUCKET, "batchGet", raw.headers(), new byte[0]).assertError(405, "MethodNotAllowed");
        raw.signed("PUT", "/" + BUCKET, "batchGet", raw.headers(), new byte[0]).assertError(405, "MethodNotAllowed");
        raw.signed("DELETE", "/" + BUCKET, "batchGet", raw.headers(), new byte[0]).assertError(405, "MethodNotAllowed");
    }

    @Test
    void theAuditRecordCountsRequestedAuthorizedAndRejectedEntries() throws Exception {
        Path data = tmp.resolve("audited");
        try (ArcaTestServer audited = ArcaTestServer.start(data); S3Client s3 = Clients.pathStyle(audited)) {
            s3.createBucket(b -> b.bucket("audited"));
            s3.putObject(b -> b.bucket("audited").key("a"), RequestBody.fromString("a"));
            s3.putObject(b -> b.bucket("audited").key("b"), RequestBody.fromString("b"));
            batch(new RawS3(audited), "audited", body(List.of(entry("a", null, null), entry("missing", null, null),
                    entry("b", null, null), entry("a", null, "bad-range")))).assertStatus(200);
        }
        List<dev.arca.audit.AuditRecord> records = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(data.resolve("audit"))) {
            for (Path segment : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                for (String line : Files.readAllLines(segment, StandardCharsets.UTF_8)) {
                    if (line.startsWith("R ")) {
                        records.add(dev.arca.audit.AuditRecord.fromJson(line.substring(line.indexOf('{'))));
                    }
                }
            }
        }
        dev.arca.audit.AuditRecord batch = records.stream().filter(r -> "BatchGetObjects".equals(r.operation()))
                .findFirst().orElseThrow(() -> new AssertionError("no BatchGetObjects in " + records));
        assertThat(batch.bucket()).isEqualTo("audited");
        // The record is cut when the response starts: "missing" is authorized, and found missing only in-band.
        assertThat(batch.details()).containsEntry("batchObjects", "4").containsEntry("batchAuthorized", "3")
                .containsEntry("batchFailed", "1").containsEntry("batchDenied", "0");
    }

    static List<String> run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        byte[] stderr = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + new String(stderr, StandardCharsets.UTF_8)).isZero();
        return new String(stdout, StandardCharsets.UTF_8).lines().filter(l -> !l.isEmpty()).toList();
    }
}
