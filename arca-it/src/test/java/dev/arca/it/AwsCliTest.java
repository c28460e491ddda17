package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The AWS CLI v2 (Debian package, /usr/bin/aws) as a second real client: high-level {@code aws s3}
 * commands (multipart cp, sync with --delete, ls, rm, mb/rb) and a few {@code aws s3api} calls.
 * Results are checked with the SDK client where the CLI's output is not enough.
 *
 * <p>Without /usr/bin/aws the test is skipped, unless ARCA_REQUIRE_AWSCLI=1 (CI) makes that a
 * failure. The {@code aws} first on PATH may be a pip-installed v1: only /usr/bin/aws is used.
 */
class AwsCliTest {
    static final Path AWS = Path.of("/usr/bin/aws");
    static final long CALL_TIMEOUT_SECONDS = 120;
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path tmp;
    static ArcaTestServer server;
    static S3Client sdk;
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        requireTool(Files.isExecutable(AWS), "ARCA_REQUIRE_AWSCLI", "the AWS CLI v2 at " + AWS + " (Debian package awscli)");
        server = ArcaTestServer.start(tmp.resolve("data"));
        sdk = Clients.pathStyle(server);
        home = Files.createDirectories(tmp.resolve("home"));
        // A private config file, written by the CLI itself: 8 MiB parts; path-style addressing.
        aws("configure", "set", "default.s3.multipart_chunksize", "8MB");
        aws("configure", "set", "default.s3.addressing_style", "path");
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Skips when a client tool is missing, or fails when {@code requireEnv}=1 says it must be there. */
    static void requireTool(boolean present, String requireEnv, String what) {
        if (!present) {
            String message = what + " is not installed";
            if ("1".equals(System.getenv(requireEnv))) {
                throw new AssertionError(message + ", and " + requireEnv + "=1 requires it");
            }
            Assumptions.abort(message + "; skipping (set " + requireEnv + "=1 to make this a failure)");
        }
    }

    @Test
    void multipartCopyUpAndDownListAndRemoveBucket() throws Exception {
        Path big = tmp.resolve("big.bin");
        Files.write(big, randomBytes(1, 40 * MIB));
        aws("s3", "mb", "s3://cli-big");
        aws("s3", "cp", big.toString(), "s3://cli-big/dir/big.bin");
        // 40 MiB in 8 MiB parts: a 5-part multipart upload, as the ETag says.
        assertThat(sdk.headObject(b -> b.bucket("cli-big").key("dir/big.bin")).eTag()).endsWith("-5\"");

        Path down = tmp.resolve("big.down");
        aws("s3", "cp", "s3://cli-big/dir/big.bin", down.toString());
        assertThat(Files.mismatch(big, down)).as("downloaded copy differs at byte").isEqualTo(-1L);

        assertThat(aws("s3", "ls").stdout()).contains("cli-big");
        assertThat(aws("s3", "ls", "s3://cli-big/").stdout()).contains("PRE dir/");
        assertThat(aws("s3", "ls", "s3://cli-big/dir/").stdout()).containsPattern("41943040 big\\.bin");

        aws("s3", "rm", "s3://cli-big/dir/big.bin");
        aws("s3", "rb", "s3://cli-big");
        assertThatThrownBy(() -> sdk.headBucket(b -> b.bucket("cli-big"))).isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void syncTreeWithDeleteListAndRecursiveRemove() throws Exception {
        // Unicode names need a UTF-8 file-name encoding in this JVM (LANG=C.UTF-8 or similar).
        boolean unicode = "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
        String unicodeName = unicode ? "ünïcödé файл ☃.txt" : "unicode-skipped.txt";
        Path local = tmp.resolve("tree");
        Map<String, byte[]> tree = new TreeMap<>();
        tree.put("a.txt", "alpha\n".getBytes(StandardCharsets.UTF_8));
        tree.put("empty.txt", new byte[0]);
        tree.put("nested/deep/er/b.bin", randomBytes(2, 300_000));
        tree.put("nested/" + unicodeName, "unicode\n".getBytes(StandardCharsets.UTF_8));
        tree.put("with space/c d.txt", "spaces\n".getBytes(StandardCharsets.UTF_8));
        tree.put("with space/plus+and=equals&.txt", "punctuation\n".getBytes(StandardCharsets.UTF_8));
        writeTree(local, tree);

        aws("s3", "mb", "s3://cli-sync");
        aws("s3", "sync", local.toString(), "s3://cli-sync/tree");
        assertBucketHolds("cli-sync", "tree/", tree);

        // Change one file (new size), add one, delete one: sync --delete mirrors all three.
        tree.put("a.txt", "alpha, changed\n".getBytes(StandardCharsets.UTF_8));
        tree.put("nested/new file.txt", "new\n".getBytes(StandardCharsets.UTF_8));
        tree.remove("with space/c d.txt");
        Files.delete(local.resolve("with space/c d.txt"));
        writeTree(local, tree);
        CliResult second = aws("s3", "sync", "--delete", local.toString(), "s3://cli-sync/tree");
        assertThat(second.stdout()).as("second sync's work").contains("upload: ", "a.txt", "new file.txt", "delete: s3://cli-sync/tree/with space/c d.txt")
                .doesNotContain("b.bin");
        assertBucketHolds("cli-sync", "tree/", tree);

        // Back down into an empty directory: the CLI's own listing (EncodingType=url) and GETs.
        Path back = tmp.resolve("tree-back");
        aws("s3", "sync", "s3://cli-sync/tree", back.toString());
        assertThat(readTree(back)).containsOnlyKeys(tree.keySet());
        tree.forEach((name, bytes) -> assertThat(readTree(back).get(name)).as(name).isEqualTo(bytes));

        String top = aws("s3", "ls", "s3://cli-sync/tree/").stdout();
        assertThat(top).contains("PRE nested/", "PRE with space/", " a.txt", " empty.txt").doesNotContain("b.bin");
        String all = aws("s3", "ls", "--recursive", "s3://cli-sync").stdout();
        for (String name : tree.keySet()) {
            assertThat(all).contains("tree/" + name);
        }

        aws("s3", "rm", "--recursive", "s3://cli-sync");
        assertThat(sdk.listObjectsV2(b -> b.bucket("cli-sync")).contents()).isEmpty();
        assertThat(aws("s3", "ls", "--recursive", "s3://cli-sync").stdout()).isBlank();
        aws("s3", "rb", "s3://cli-sync");
        assertThat(sdk.listBuckets().buckets()).noneMatch(b -> b.name().equals("cli-sync"));
    }

    @Test
    void s3apiMetadataTaggingAndListing() throws Exception {
        Path body = tmp.resolve("meta.txt");
        byte[] bytes = "object with metadata\n".getBytes(StandardCharsets.UTF_8);
        Files.write(body, bytes);
        String md5 = HexFormat.of().formatHex(md5(bytes));
        aws("s3api", "create-bucket", "--bucket", "cli-api");

        String put = aws("s3api", "put-object", "--bucket", "cli-api", "--key", "docs/meta.txt", "--body", body.toString(),
                "--metadata", "color=blue,owner=team-a", "--tagging", "project=arca&tier=gold", "--content-type", "text/plain").stdout();
        assertThat(jsonString(put, "ETag")).isEqualTo("\"" + md5 + "\"");

        String head = aws("s3api", "head-object", "--bucket", "cli-api", "--key", "docs/meta.txt").stdout();
        assertThat(jsonString(head, "ETag")).as(head).isEqualTo("\"" + md5 + "\"");
        assertThat(jsonString(head, "ContentType")).as(head).isEqualTo("text/plain");
        assertThat(head).containsPattern("\"ContentLength\":\\s*" + bytes.length);
        String metadata = jsonObject(head, "Metadata");
        assertThat(jsonString(metadata, "color")).as(head).isEqualTo("blue");
        assertThat(jsonString(metadata, "owner")).as(head).isEqualTo("team-a");

        String tags = aws("s3api", "get-object-tagging", "--bucket", "cli-api", "--key", "docs/meta.txt").stdout();
        assertThat(tags).containsPattern("\"Key\":\\s*\"project\",\\s*\"Value\":\\s*\"arca\"")
                .containsPattern("\"Key\":\\s*\"tier\",\\s*\"Value\":\\s*\"gold\"");

        for (int i = 0; i < 5; i++) {
            aws("s3api", "put-object", "--bucket", "cli-api", "--key", "list/k" + i, "--body", body.toString());
        }
        // --page-size 2: ListObjectsV2 pages of two keys; the CLI follows the continuation tokens.
        String listed = aws("s3api", "list-objects-v2", "--bucket", "cli-api", "--prefix", "list/", "--page-size", "2").stdout();
        List<String> keys = new ArrayList<>();
        Matcher m = Pattern.compile("\"Key\":\\s*\"([^\"]*)\"").matcher(listed);
        while (m.find()) {
            keys.add(m.group(1));
        }
        assertThat(keys).as(listed).containsExactly("list/k0", "list/k1", "list/k2", "list/k3", "list/k4");
        String text = aws("s3api", "list-objects-v2", "--bucket", "cli-api", "--query", "Contents[].Key", "--output", "text").stdout();
        assertThat(text.trim().split("\\s+")).containsExactly("docs/meta.txt", "list/k0", "list/k1", "list/k2", "list/k3", "list/k4");

        CliResult missing = awsMayFail("s3api", "head-object", "--bucket", "cli-api", "--key", "nope");
        assertThat(missing.rc()).as(missing.toString()).isNotZero();
        assertThat(missing.stderr()).as(missing.toString()).contains("404");
    }

    /**
     * botocore sends {@code Expect: 100-continue} even with an empty body; if the final response
     * comes without a 100 Continue first, it parses the NEXT response on that pooled connection
     * against the stale status line (boto/botocore#3755): a 60 s stall, then a silent retry. With
     * one connection, no retries and a short read timeout, that stall is a failure here.
     */
    @Test
    void emptyFilesDoNotStallTheNextRequestOnTheirConnection() throws Exception {
        Path local = tmp.resolve("empties");
        Map<String, byte[]> files = new TreeMap<>();
        for (int i = 0; i < 6; i++) {
            files.put(i + (i % 2 == 0 ? "-empty.txt" : "-data.txt"), i % 2 == 0 ? new byte[0] : randomBytes(i, 1000 * i));
        }
        writeTree(local, files);
        Path serial = home.resolve("serial-config");
        Files.writeString(serial, "[default]\nmax_attempts = 1\ns3 =\n    max_concurrent_requests = 1\n    addressing_style = path\n");
        Map<String, String> env = Map.of("AWS_CONFIG_FILE", serial.toString());
        aws(env, "s3", "mb", "s3://cli-empty");
        aws(env, "s3", "sync", "--cli-read-timeout", "20", local.toString(), "s3://cli-empty");
        assertBucketHolds("cli-empty", "", files);
        aws(env, "s3", "rb", "--force", "s3://cli-empty");
    }

    /**
     * Versioning through s3api: two PUTs make two versions, a plain delete adds a delete marker, an
     * old version is still readable by its id, and deleting the marker by its id brings the key back.
     */
    @Test
    void s3apiVersioningVersionsDeleteMarkersAndOldVersions() throws Exception {
        String bucket = "cli-versions";
        Path first = tmp.resolve("v1.txt");
        Path second = tmp.resolve("v2.txt");
        Files.writeString(first, "first version\n");
        Files.writeString(second, "second version, longer\n");
        aws("s3api", "create-bucket", "--bucket", bucket);
        aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled");
        assertThat(jsonString(aws("s3api", "get-bucket-versioning", "--bucket", bucket).stdout(), "Status")).isEqualTo("Enabled");

        String v1 = jsonString(aws("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", first.toString()).stdout(),
                "VersionId");
        String v2 = jsonString(aws("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", second.toString()).stdout(),
                "VersionId");
        assertThat(v1).isNotBlank().isNotEqualTo("null");
        assertThat(v2).isNotBlank().isNotEqualTo("null").isNotEqualTo(v1);
        assertThat(versions(bucket)).isEqualTo("[[[\"doc.txt\",\"" + v2 + "\",true,23],[\"doc.txt\",\"" + v1 + "\",false,14]],null]");

        String deleted = aws("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt").stdout();
        assertThat(deleted).as(deleted).containsPattern("\"DeleteMarker\":\\s*true");
        String marker = jsonString(deleted, "VersionId");
        assertThat(marker).isNotBlank().isNotIn("null", v1, v2);
        assertThat(versions(bucket)).isEqualTo("[[[\"doc.txt\",\"" + v2 + "\",false,23],[\"doc.txt\",\"" + v1 + "\",false,14]],"
                + "[[\"doc.txt\",\"" + marker + "\",true]]]");
        assertThatThrownBy(() -> sdk.getObjectAsBytes(b -> b.bucket(bucket).key("doc.txt"))).isInstanceOf(NoSuchKeyException.class);

        Path old = tmp.resolve("old.txt");
        String got = aws("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v1, old.toString()).stdout();
        assertThat(jsonString(got, "VersionId")).as(got).isEqualTo(v1);
        assertThat(Files.readString(old)).isEqualTo("first version\n");

        String unmarked = aws("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", marker).stdout();
        assertThat(unmarked).as(unmarked).containsPattern("\"DeleteMarker\":\\s*true");
        assertThat(jsonString(unmarked, "VersionId")).as(unmarked).isEqualTo(marker);
        assertThat(versions(bucket)).isEqualTo("[[[\"doc.txt\",\"" + v2 + "\",true,23],[\"doc.txt\",\"" + v1 + "\",false,14]],null]");
        var current = sdk.getObjectAsBytes(b -> b.bucket(bucket).key("doc.txt"));
        assertThat(current.response().versionId()).isEqualTo(v2);
        assertThat(current.asUtf8String()).isEqualTo("second version, longer\n");
    }

    /** ListObjectVersions as compact JSON: [[[key, id, latest, size]...] or null, [[key, id, latest]...] or null]. */
    private static String versions(String bucket) throws IOException, InterruptedException {
        return aws("s3api", "list-object-versions", "--bucket", bucket, "--query",
                "[Versions[].[Key,VersionId,IsLatest,Size], DeleteMarkers[].[Key,VersionId,IsLatest]]").stdout().replaceAll("\\s", "");
    }

    /**
     * Object Lock through s3api: a lock bucket with a 1-day COMPLIANCE default; the version a plain
     * put-object writes is protected from everyone, bypass header or not; a legal hold goes on it.
     */
    @Test
    void s3apiObjectLockComplianceDefaultAndLegalHold() throws Exception {
        String bucket = "cli-vault";
        Path body = tmp.resolve("vault.txt");
        Files.writeString(body, "kept for a day\n");
        aws("s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket");
        assertThat(sdk.getBucketVersioning(b -> b.bucket(bucket)).statusAsString()).as("a lock bucket is versioned").isEqualTo("Enabled");
        aws("s3api", "put-object-lock-configuration", "--bucket", bucket, "--object-lock-configuration",
                "{\"ObjectLockEnabled\":\"Enabled\",\"Rule\":{\"DefaultRetention\":{\"Mode\":\"COMPLIANCE\",\"Days\":1}}}");
        String config = aws("s3api", "get-object-lock-configuration", "--bucket", bucket).stdout().replaceAll("\\s", "");
        assertThat(config).isEqualTo("{\"ObjectLockConfiguration\":{\"ObjectLockEnabled\":\"Enabled\","
                + "\"Rule\":{\"DefaultRetention\":{\"Mode\":\"COMPLIANCE\",\"Days\":1}}}}");

        Instant before = Instant.now();
        String v = jsonString(aws("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", body.toString()).stdout(),
                "VersionId");
        Instant after = Instant.now();
        String retention = aws("s3api", "get-object-retention", "--bucket", bucket, "--key", "doc.txt", "--version-id", v).stdout();
        assertThat(jsonString(retention, "Mode")).as(retention).isEqualTo("COMPLIANCE");
        Instant until = OffsetDateTime.parse(jsonString(retention, "RetainUntilDate")).toInstant();
        assertThat(until).as(retention).isBetween(before.plus(Duration.ofDays(1)).minusSeconds(2), after.plus(Duration.ofDays(1)).plusSeconds(2));
        String head = aws("s3api", "head-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v).stdout();
        assertThat(jsonString(head, "ObjectLockMode")).as(head).isEqualTo("COMPLIANCE");

        for (List<String> extra : List.of(List.<String>of(), List.of("--bypass-governance-retention"))) {
            List<String> args = new ArrayList<>(List.of("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v));
            args.addAll(extra);
            CliResult refused = awsMayFail(args.toArray(String[]::new));
            assertThat(refused.rc()).as(refused.toString()).isNotZero();
            assertThat(refused.stderr()).as(refused.toString()).contains("AccessDenied");
        }
        assertThat(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("doc.txt").versionId(v)).asUtf8String()).isEqualTo("kept for a day\n");

        aws("s3api", "put-object-legal-hold", "--bucket", bucket, "--key", "doc.txt", "--version-id", v, "--legal-hold", "Status=ON");
        String hold = aws("s3api", "get-object-legal-hold", "--bucket", bucket, "--key", "doc.txt", "--version-id", v).stdout();
        assertThat(jsonString(jsonObject(hold, "LegalHold"), "Status")).as(hold).isEqualTo("ON");
        CliResult held = awsMayFail("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v);
        assertThat(held.rc()).as(held.toString()).isNotZero();
        assertThat(held.stderr()).as(held.toString()).contains("AccessDenied");
    }

    /** Lifecycle through s3api: put one rule, read it back, delete it, then NoSuchLifecycleConfiguration. */
    @Test
    void s3apiLifecyclePutGetDelete() throws Exception {
        String bucket = "cli-lifecycle";
        sdk.createBucket(b -> b.bucket(bucket));
        String rule = "{\"ID\":\"expire-logs\",\"Filter\":{\"Prefix\":\"logs/\"},\"Status\":\"Enabled\",\"Expiration\":{\"Days\":30}}";
        aws("s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", "{\"Rules\":[" + rule + "]}");
        String got = aws("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket, "--query", "Rules[]").stdout();
        String compact = got.replaceAll("\\s", "");
        assertThat(compact).as(got).startsWith("[{").endsWith("}]").doesNotContain("},{")
                .contains("\"ID\":\"expire-logs\"", "\"Filter\":{\"Prefix\":\"logs/\"}", "\"Status\":\"Enabled\"",
                        "\"Expiration\":{\"Days\":30}");

        aws("s3api", "delete-bucket-lifecycle", "--bucket", bucket);
        CliResult none = awsMayFail("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket);
        assertThat(none.rc()).as(none.toString()).isNotZero();
        assertThat(none.stderr()).as(none.toString()).contains("NoSuchLifecycleConfiguration");
        aws("s3api", "delete-bucket", "--bucket", bucket);
    }

    // ---- helpers ----

    record CliResult(List<String> command, int rc, String stdout, String stderr) {
        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + rc + "\n--- stdout:\n" + stdout + "\n--- stderr:\n" + stderr;
        }
    }

    /** Runs /usr/bin/aws against the test server and requires exit status 0. */
    static CliResult aws(String... args) throws IOException, InterruptedException {
        return aws(Map.of(), args);
    }

    static CliResult aws(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        CliResult r = awsMayFail(extraEnv, args);
        assertThat(r.rc()).as("%s", r).isZero();
        return r;
    }

    /**
     * Runs /usr/bin/aws against the test server with a private HOME and config file, the test
     * credentials, and nothing from this machine's AWS or Python environment.
     */
    static CliResult awsMayFail(String... args) throws IOException, InterruptedException {
        return awsMayFail(Map.of(), args);
    }

    static CliResult awsMayFail(Map<String, String> extraEnv, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(AWS.toString()));
        command.addAll(List.of(args));
        if (!args[0].equals("configure")) {
            command.addAll(List.of("--endpoint-url", server.endpoint()));
            if (args[0].equals("s3") && List.of("cp", "mv", "sync").contains(args[1])) {
                command.add("--no-progress");
            }
            if (args[0].equals("s3api") && !List.of(args).contains("--output")) {
                command.addAll(List.of("--output", "json"));
            }
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PYTHON") || k.startsWith("BOTO"));
        env.put("HOME", home.toString());
        env.put("AWS_CONFIG_FILE", home.resolve("aws-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("aws-credentials").toString());
        env.put("AWS_ACCESS_KEY_ID", ArcaTestServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", ArcaTestServer.SECRET_KEY);
        env.put("AWS_DEFAULT_REGION", ArcaTestServer.REGION);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_PAGER", "");
        env.put("PYTHONNOUSERSITE", "1");
        env.put("LC_ALL", "C.UTF-8");
        env.putAll(extraEnv);
        return runProcess(pb, home);
    }

    /** Runs a process with output in files (never blocks on a full pipe) and a time limit. */
    static CliResult runProcess(ProcessBuilder pb, Path scratch) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        List<String> shown = List.copyOf(pb.command());
        long start = System.nanoTime();
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(shown + " did not finish within " + CALL_TIMEOUT_SECONDS + " s\n--- stdout:\n"
                    + Files.readString(out) + "\n--- stderr:\n" + Files.readString(err));
        }
        CliResult r = new CliResult(shown, p.exitValue(), Files.readString(out), Files.readString(err));
        System.out.printf("%.1f s: %s -> %d%n", (System.nanoTime() - start) / 1e9, String.join(" ", shown), r.rc());
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /** The string value of {@code "name": "..."} in JSON output (CLI JSON escapes only quotes and backslashes here). */
    static String jsonString(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        assertThat(m.find()).as("no string field %s in %s", name, json).isTrue();
        return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
    }

    /** The text of a flat nested object {@code "name": {...}}. */
    static String jsonObject(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":\\s*(\\{[^{}]*\\})").matcher(json);
        assertThat(m.find()).as("no object field %s in %s", name, json).isTrue();
        return m.group(1);
    }

    private void assertBucketHolds(String bucket, String prefix, Map<String, byte[]> expected) {
        List<String> keys = new ArrayList<>();
        for (S3Object o : sdk.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            keys.add(o.key().substring(prefix.length()));
        }
        assertThat(keys).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((name, bytes) -> assertThat(sdk.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + name)).asByteArray())
                .as(name).isEqualTo(bytes));
    }

    private static void writeTree(Path root, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path file = root.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            if (!Files.exists(file) || !java.util.Arrays.equals(Files.readAllBytes(file), e.getValue())) {
                Files.write(file, e.getValue());
            }
        }
    }

    private static Map<String, byte[]> readTree(Path root) {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    static byte[] randomBytes(long seed, int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
