package dev.arca.it;

import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.arca.s3.http.UriEncoding;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;

/**
 * Ransomware detection and containment end to end, through the AWS SDK v2: attackers with stolen
 * IAM keys (s3:* on a victim bucket) encrypt, delete, suspend versioning and re-encrypt under SSE-C;
 * each is detected within a bounded number of operations, quarantined (every later request refused),
 * and the bucket protected (deletes and overwrites refused, reads allowed) until an admin releases
 * them. A burst of wrong-secret requests alerts. A bulk delete by an exempt job and a nightly overwrite
 * of low-entropy files are not contained. Containment survives a restart. Default thresholds; the
 * rules file only names an alert webhook.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DetectionTest {
    @TempDir
    static Path tmp;

    static ArcaTestServer server;
    static HttpServer webhook;
    static final List<String> alerts = new CopyOnWriteArrayList<>();
    static Tenancy.Account acme;
    static S3Client owner;
    static IamClient iam;
    static String[] flags;
    static final List<AutoCloseable> closeables = new ArrayList<>();
    static final SplittableRandom random = new SplittableRandom(20300101);

    @BeforeAll
    static void start() throws IOException {
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/alerts", exchange -> {
            alerts.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        webhook.start();
        Path rules = tmp.resolve("detect.rules");
        Files.writeString(rules, "# defaults everywhere; alerts go to the test's webhook\nalert.webhook = http://127.0.0.1:"
                + webhook.getAddress().getPort() + "/alerts\n");
        flags = new String[] {"--detect", "on", "--detect-rules", rules.toString(), "--sse-c-over-http", "on"};
        server = ArcaTestServer.start(tmp.resolve("data"), flags);
        acme = Tenancy.createAccount(server, "acme");
        owner = track(Tenancy.s3(server, acme.credentials()));
        iam = track(Tenancy.iam(server, acme.credentials()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
    }

    static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    // ---------------------------------------------------------------- (e) credential probing

    @Test
    @Order(1)
    void aBurstOfWrongSecretsAlerts() {
        owner.createBucket(b -> b.bucket("probe"));
        S3Client guesser = track(Tenancy.s3(server, Tenancy.basic(acme.accessKeyId(), "not-the-secret-0123456789abcdefghij")));
        int until = -1;
        for (int i = 1; i <= 30; i++) {
            assertThat(attempt(null, () -> guesser.getObject(b -> b.bucket("probe").key("payroll.csv")), "SignatureDoesNotMatch"))
                    .isZero();
            if (until < 0 && detected("access-denied", "source-ip", "127.0.0.1")) {
                until = i;
            }
        }
        System.out.println("access-denied (wrong secret): operations until detection: " + until);
        assertThat(until).as("the 20th refusal within 30 s alerts").isEqualTo(20);
        assertThat(quarantined()).as("an alert, not a quarantine").isEmpty();
        awaitAlert("\"rule\":\"access-denied\"");
    }

    // ---------------------------------------------------------------- (a) encryption by overwrite

    @Test
    @Order(2)
    void overwritingWithEncryptedBytesIsDetectedAndContained() {
        String bucket = "victim-a";
        populate(bucket, 300, true);
        Attacker mallory = attacker("mallory", bucket);
        int ops = 0;
        while (ops < 100 && attempt(null, overwrite(mallory.s3, bucket, "doc-" + ops, randomBytes(8192)), null) == 1) {
            ops++;
        }
        System.out.println("entropy-overwrite: operations until detection: " + ops);
        assertThat(ops).as("quarantined within 100 malicious operations").isBetween(10, 100);
        assertThat(quarantined()).contains(mallory.arn);
        assertThat(protectedBuckets()).contains(bucket);
        assertThat(detected("entropy-overwrite", "principal", mallory.arn)).isTrue();

        int succeeded = everyKind(mallory.s3, bucket, 50, "quarantined");
        System.out.println("entropy-overwrite: requests succeeding after quarantine: " + succeeded + " of 250");
        assertThat(succeeded).isZero();
        // Any key of the principal: a fresh one made by the account's root is refused too.
        AccessKey second = iam.createAccessKey(r -> r.userName("mallory")).accessKey();
        S3Client other = track(Tenancy.s3(server, Tenancy.basic(second)));
        assertThat(attempt("quarantined", () -> other.getObject(b -> b.bucket(bucket).key("doc-200")), null)).isZero();

        // Protected mode: no overwrite or delete by anyone; new keys and reads are fine.
        assertThat(attempt("protected", overwrite(owner, bucket, "doc-250", text(250, "fixed")), null)).isZero();
        assertThat(attempt("protected", () -> owner.deleteObject(b -> b.bucket(bucket).key("doc-250")), null)).isZero();
        assertThat(attempt(null, overwrite(owner, bucket, "brand-new", text(1, "new")), null)).isEqualTo(1);
        assertThat(Tenancy.get(owner, bucket, "doc-250")).startsWith("record 00250");
        assertThat(owner.listObjectsV2(b -> b.bucket(bucket)).keyCount()).isPositive();
        // Nothing was lost: the encrypted overwrites sit on top of the owner's versions.
        assertThat(owner.listObjectVersions(b -> b.bucket(bucket).prefix("doc-0")).versions()).hasSizeGreaterThanOrEqualTo(2);

        // Release: the principal works again; the bucket takes overwrites again once released too.
        admin("POST", "quarantine", "release=" + enc(mallory.arn)).assertStatus(200);
        assertThat(quarantined()).doesNotContain(mallory.arn);
        assertThat(Tenancy.get(mallory.s3, bucket, "doc-260")).startsWith("record 00260");
        assertThat(attempt(null, overwrite(mallory.s3, bucket, "mallory-notes.txt", text(3, "notes")), null)).isEqualTo(1);
        admin("POST", "protect", "release=" + bucket).assertStatus(200);
        assertThat(attempt(null, overwrite(owner, bucket, "doc-250", text(250, "restored")), null)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- (b) mass deletes

    @Test
    @Order(3)
    void massDeletesAreDetectedAndContained() {
        String bucket = "victim-b";
        populate(bucket, 150, true);
        Attacker eve = attacker("eve", bucket);
        int ops = 0;
        while (ops < 150 && attempt(null, deleteOf(eve.s3, bucket, "doc-" + ops), null) == 1) {
            ops++;
        }
        System.out.println("mass-delete: operations until detection: " + ops);
        assertThat(ops).isLessThanOrEqualTo(100);
        assertThat(quarantined()).contains(eve.arn);
        assertThat(protectedBuckets()).contains(bucket);
        int succeeded = everyKind(eve.s3, bucket, 50, "quarantined");
        System.out.println("mass-delete: requests succeeding after quarantine: " + succeeded + " of 250");
        assertThat(succeeded).isZero();
        assertThat(attempt("protected", () -> owner.deleteObject(b -> b.bucket(bucket).key("doc-140")), null)).isZero();
        assertThat(Tenancy.get(owner, bucket, "doc-140")).startsWith("record 00140");
    }

    // ---------------------------------------------------------------- (c) versioning suspended

    @Test
    @Order(4)
    void suspendingVersioningQuarantinesAtOnce() {
        String bucket = "victim-c";
        populate(bucket, 5, true);
        Attacker trudy = attacker("trudy", bucket);
        int ops = 0;
        if (attempt(null, () -> trudy.s3.putBucketVersioning(b -> b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED))), null) == 1) {
            ops++;
        }
        while (ops < 100 && attempt(null, () -> trudy.s3.getObject(b -> b.bucket(bucket).key("doc-1")), null) == 1) {
            ops++;
        }
        System.out.println("config-tamper (suspend versioning): operations until detection: " + ops);
        assertThat(ops).isEqualTo(1);
        assertThat(quarantined()).contains(trudy.arn);
        assertThat(everyKind(trudy.s3, bucket, 10, "quarantined")).isZero();
        // The owner puts it back; containment stopped the principal, not the bucket.
        owner.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
    }

    // ---------------------------------------------------------------- (d) SSE-C re-encryption

    @Test
    @Order(5)
    void reencryptingUnderACustomerKeyIsDetected() throws Exception {
        String bucket = "victim-d";
        populate(bucket, 20, true);
        Attacker oscar = attacker("oscar", bucket);
        byte[] key = new byte[32];
        random.nextBytes(key);
        String keyB64 = Base64.getEncoder().encodeToString(key);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(key));
        int ops = 0;
        while (ops < 20) {
            String k = "doc-" + ops;
            if (attempt(null, () -> oscar.s3.putObject(b -> b.bucket(bucket).key(k).sseCustomerAlgorithm("AES256")
                    .sseCustomerKey(keyB64).sseCustomerKeyMD5(md5), RequestBody.fromString(text(0, "ransom"))), null) == 0) {
                break;
            }
            ops++;
        }
        System.out.println("sse-c-reencryption: operations until detection: " + ops);
        assertThat(ops).isEqualTo(5);
        assertThat(detected("sse-c-reencryption", "principal", oscar.arn)).isTrue();
        assertThat(quarantined()).contains(oscar.arn);
        assertThat(protectedBuckets()).contains(bucket);
        assertThat(everyKind(oscar.s3, bucket, 10, "quarantined")).isZero();
    }

    // ---------------------------------------------------------------- (f) benign bulk work

    @Test
    @Order(6)
    void benignBulkWorkIsNotContained() {
        String archive = "archive";
        populate(archive, 300, true);
        // The owner marks itself as a bulk job for an hour, then deletes 300 objects.
        String until = Instant.now().plusSeconds(3600).toString();
        admin("POST", "detect", "exempt=" + enc(acme.rootArn()) + "&until=" + enc(until)).assertStatus(200);
        parallel(300, i -> owner.deleteObject(b -> b.bucket(archive).key("doc-" + i)));
        assertThat(owner.listObjectsV2(b -> b.bucket(archive)).keyCount()).isZero();

        // A nightly job rewrites 300 low-entropy reports.
        String reports = "reports";
        populate(reports, 300, false);
        Attacker nightly = attacker("nightly", reports);
        int ok = 0;
        for (int i = 0; i < 300; i++) {
            ok += attempt(null, overwrite(nightly.s3, reports, "doc-" + i, text(i, "nightly run")), null);
        }
        System.out.println("benign: bulk deletes by an exempt job 300, nightly low-entropy overwrites succeeded " + ok
                + " of 300");
        assertThat(ok).isEqualTo(300);
        assertThat(quarantined()).doesNotContain(acme.rootArn(), nightly.arn);
        assertThat(protectedBuckets()).doesNotContain(archive, reports);
        assertThat(detected("mass-delete", "principal", acme.rootArn())).isFalse();
        assertThat(detected("mass-delete", "bucket", archive)).isFalse();
        assertThat(detected("mass-overwrite", "principal", nightly.arn)).as("an alert is fine").isTrue();
        assertThat(detected("entropy-overwrite", "principal", nightly.arn)).isFalse();
        admin("POST", "detect", "unexempt=" + enc(acme.rootArn())).assertStatus(200);
    }

    // ---------------------------------------------------------------- (g) restart

    @Test
    @Order(7)
    void containmentSurvivesARestart() {
        List<String> before = quarantined();
        assertThat(before).hasSize(3);
        populate("victim-g", 40, true);
        server.close();
        // Detections, the responses to them and the releases are in the audit chain.
        String audit = auditText();
        for (String op : List.of("detect:access-denied", "detect:entropy-overwrite", "respond:alert", "respond:quarantine",
                "respond:protect", "detect:mass-delete", "detect:config-tamper", "detect:sse-c-reencryption",
                "detect:mass-overwrite", "containment:release-quarantine", "containment:release-protection",
                "containment:exempt")) {
            assertThat(audit).as("audit log has %s", op).contains("\"operation\":\"" + op + "\"");
        }
        server = ArcaTestServer.start(tmp.resolve("data"), flags);
        iam = track(Tenancy.iam(server, acme.credentials()));
        assertThat(quarantined()).containsExactlyInAnyOrderElementsOf(before);
        assertThat(protectedBuckets()).contains("victim-b", "victim-d").doesNotContain("victim-a");
        S3Client ownerNow = track(Tenancy.s3(server, acme.credentials()));
        for (String user : List.of("eve", "trudy", "oscar")) {
            S3Client s3 = track(Tenancy.s3(server, credentials.get(user)));
            assertThat(attempt("quarantined", () -> s3.listObjectsV2(b -> b.bucket("victim-b")), null)).as(user).isZero();
        }
        S3Client mallory = track(Tenancy.s3(server, credentials.get("mallory")));
        assertThat(Tenancy.get(mallory, "victim-a", "doc-270")).startsWith("record 00270");
        assertThat(attempt("protected", () -> ownerNow.deleteObject(b -> b.bucket("victim-b").key("doc-120")), null)).isZero();
        assertThat(Tenancy.get(ownerNow, "victim-b", "doc-120")).startsWith("record 00120");

        // After a restart the detectors know no payload entropies: the replaced versions are read back
        // (first 64 KiB, on the background sampler) to judge the overwrites.
        Attacker zed = attacker("zed", "victim-g");
        int ops = 0;
        while (ops < 40 && attempt(null, overwrite(zed.s3, "victim-g", "doc-" + ops, randomBytes(16384)), null) == 1) {
            ops++;
        }
        System.out.println("entropy-overwrite (previous versions read from storage after a restart): operations until "
                + "detection: " + ops);
        assertThat(ops).isBetween(10, 40);
        assertThat(quarantined()).contains(zed.arn);
    }

    // ---------------------------------------------------------------- helpers

    record Attacker(String arn, S3Client s3) {}

    static final Map<String, AwsCredentials> credentials = new java.util.concurrent.ConcurrentHashMap<>();

    /** An IAM user of acme with s3:* on {@code bucket}, and a client signed with its key. */
    static Attacker attacker(String name, String bucket) {
        iam.createUser(r -> r.userName(name));
        iam.putUserPolicy(r -> r.userName(name).policyName("s3-all").policyDocument(policy(statement("Allow", List.of("s3:*"),
                List.of("arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*")))));
        AccessKey key = iam.createAccessKey(r -> r.userName(name)).accessKey();
        credentials.put(name, Tenancy.basic(key));
        return new Attacker(acme.userArn(name), track(Tenancy.s3(server, Tenancy.basic(key))));
    }

    /** A bucket of {@code n} small text files doc-0..doc-(n-1) written by the owner. */
    static void populate(String bucket, int n, boolean versioned) {
        owner.createBucket(b -> b.bucket(bucket));
        if (versioned) {
            owner.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        parallel(n, i -> Tenancy.put(owner, bucket, "doc-" + i, text(i, "original")));
    }

    static void parallel(int n, IntConsumer task) {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> task.accept(index)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** About 5 KiB of log-like text: ~4.5 bits per byte. */
    static String text(int i, String tag) {
        StringBuilder s = new StringBuilder();
        for (int line = 0; s.length() < 5_000; line++) {
            s.append(String.format("record %05d line %03d: %s; the quick brown fox jumps over the lazy dog; status=ok%n",
                    i, line, tag));
        }
        return s.toString();
    }

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static Runnable overwrite(S3Client s3, String bucket, String key, String body) {
        return () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(body));
    }

    static Runnable overwrite(S3Client s3, String bucket, String key, byte[] body) {
        return () -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
    }

    static Runnable deleteOf(S3Client s3, String bucket, String key) {
        return () -> s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /**
     * 1 if {@code call} succeeded; 0 if it was refused with 403 {@code code} (AccessDenied by default),
     * whose message contains {@code why} when given.
     */
    static int attempt(String why, Runnable call, String code) {
        try {
            call.run();
            return 1;
        } catch (AwsServiceException e) {
            assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(403);
            assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code == null ? "AccessDenied" : code);
            if (why != null) {
                assertThat(e.awsErrorDetails().errorMessage()).contains(why);
            }
            return 0;
        }
    }

    /** {@code n} requests of each kind (overwrite, new key, read, delete, list); returns how many succeeded. */
    static int everyKind(S3Client s3, String bucket, int n, String why) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            String k = "doc-" + (i % 5);
            ok += attempt(why, overwrite(s3, bucket, k, randomBytes(4096)), null);
            ok += attempt(why, overwrite(s3, bucket, "planted-" + i, text(i, "planted")), null);
            ok += attempt(why, () -> s3.getObject(b -> b.bucket(bucket).key(k)), null);
            ok += attempt(why, deleteOf(s3, bucket, k), null);
            ok += attempt(why, () -> s3.listObjectsV2(b -> b.bucket(bucket)), null);
        }
        return ok;
    }

    static RawS3.Response admin(String method, String resource, String query) {
        return new ErasureAdmin(server).send(method, "/_arca/admin/" + resource, query);
    }

    static String enc(String s) {
        return UriEncoding.encode(s, true);
    }

    static List<String> quarantined() {
        Map<String, Object> json = ErasureAdmin.object(ErasureAdmin.Json.parse(admin("GET", "quarantine", "").assertStatus(200).text()));
        return ErasureAdmin.list(json.get("quarantined")).stream().map(o -> (String) ErasureAdmin.object(o).get("principal")).toList();
    }

    static List<String> protectedBuckets() {
        Map<String, Object> json = ErasureAdmin.object(ErasureAdmin.Json.parse(admin("GET", "protect", "").assertStatus(200).text()));
        return ErasureAdmin.list(json.get("protected")).stream().map(o -> (String) ErasureAdmin.object(o).get("bucket")).toList();
    }

    /** Whether GET detect lists a detection of {@code rule} for this scope and subject. */
    static boolean detected(String rule, String scope, String subject) {
        String status = admin("GET", "detect", "limit=1000").assertStatus(200).text();
        return status.contains("\"rule\":\"" + rule + "\",\"scope\":\"" + scope + "\",\"subject\":\"" + subject + "\"");
    }

    /** Every line of the audit log's segments. */
    static String auditText() {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(tmp.resolve("data").resolve("audit"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                all.append(Files.readString(f));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return all.toString();
    }

    static void awaitAlert(String fragment) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alerts.stream().noneMatch(a -> a.contains(fragment))) {
            assertThat(System.nanoTime() - deadline).as("an alert with %s reached the webhook: %s", fragment, alerts).isNegative();
            ErasureAdmin.sleep(50);
        }
    }
}
