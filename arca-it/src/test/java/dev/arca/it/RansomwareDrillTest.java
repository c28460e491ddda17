package dev.arca.it;

import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * The ransomware drill, through the real S3 API with the server's default detection: an application
 * writes N objects (some under GOVERNANCE retention) into an Object Lock bucket; an attacker with the
 * application's stolen key overwrites objects with random bytes, deletes others, tries to suspend
 * versioning and to shorten retention. The drill reports how many malicious operations ran before
 * containment, whether quarantine fired by itself, how many malicious requests succeeded after it,
 * and — after {@code restore --to <before the attack>} through the admin API — the fraction of
 * objects byte-identical to their pre-attack state. Goals: ≤ 100 operations, quarantine automatic,
 * 0 successes after it, 100 % restored. N is 2,000 in CI; {@code -Darca.drill.objects=10000} runs
 * the documented longer drill.
 */
final class RansomwareDrillTest {
    private static final String BUCKET = "finance";
    /** Malicious requests sent after containment, to count what still gets through. */
    private static final int AFTER_CONTAINMENT = 200;
    /** Malicious requests the attacker sends at most before the drill gives up waiting for containment. */
    private static final int MAX_ATTACK = 2_000;

    @TempDir
    Path dir;

    @Test
    void attackIsContainedAndRestoreBringsBackEveryObject() throws Exception {
        long seed = S3Assert.seed(RansomwareDrillTest.class);
        Random random = new Random(seed);
        int objects = Integer.getInteger("arca.drill.objects", 2_000);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--detect", "on")) {
            Tenancy.Account acme = Tenancy.createAccount(server, "acme");
            try (S3Client owner = Tenancy.s3(server, acme.credentials());
                    IamClient iam = Tenancy.iam(server, acme.credentials())) {
                owner.createBucket(b -> b.bucket(BUCKET).objectLockEnabledForBucket(true));
                iam.createUser(r -> r.userName("app"));
                iam.putUserPolicy(r -> r.userName("app").policyName("app").policyDocument(policy(statement("Allow",
                        List.of("s3:*"), List.of("arn:aws:s3:::" + BUCKET, "arn:aws:s3:::" + BUCKET + "/*")))));
                AccessKey key = iam.createAccessKey(r -> r.userName("app")).accessKey();

                // 1. The normal workload: the application writes N documents; every 10th is retained a day.
                Map<String, String> truth = new ConcurrentHashMap<>();
                long start = System.nanoTime();
                try (S3Client app = Tenancy.s3(server, Tenancy.basic(key))) {
                    parallel(objects, i -> {
                        byte[] body = document(i);
                        String k = "ledger/" + i + ".csv";
                        if (i % 10 == 0) {
                            app.putObject(b -> b.bucket(BUCKET).key(k).objectLockMode(software.amazon.awssdk.services.s3.model.ObjectLockMode.GOVERNANCE)
                                    .objectLockRetainUntilDate(Instant.now().plus(1, ChronoUnit.DAYS)), RequestBody.fromBytes(body));
                        } else {
                            app.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(body));
                        }
                        truth.put(k, sha256(body));
                    });
                }
                System.out.printf("drill: %d objects written in %.1f s%n", objects, (System.nanoTime() - start) / 1e9);
                Thread.sleep(20);
                Instant beforeAttack = Instant.now();
                Thread.sleep(20);

                // 2. The attack, with the application's stolen key.
                int sent = 0;
                int succeeded = 0;
                int containedAfter = -1;
                try (S3Client attacker = Tenancy.s3(server, Tenancy.basic(key))) {
                    while (containedAfter < 0 && sent < MAX_ATTACK) {
                        Outcome o = malicious(attacker, random, objects);
                        sent++;
                        if (o == Outcome.SUCCEEDED) {
                            succeeded++;
                        } else if (o == Outcome.QUARANTINED) {
                            containedAfter = sent - 1;
                        }
                    }
                    assertThat(containedAfter).as("the attack was contained within %d requests", MAX_ATTACK).isNotNegative();
                    int afterwards = 0;
                    for (int i = 0; i < AFTER_CONTAINMENT; i++) {
                        if (malicious(attacker, random, objects) == Outcome.SUCCEEDED) {
                            afterwards++;
                        }
                    }
                    List<String> quarantined = quarantined(server);
                    assertThat(quarantined).as("quarantine fired by itself").contains(acme.userArn("app"));
                    System.out.printf("drill: malicious operations until containment: %d (%d of them succeeded); "
                            + "quarantine automatic: %b; malicious requests that succeeded after it: %d of %d%n",
                            containedAfter, succeeded, !quarantined.isEmpty(), afterwards, AFTER_CONTAINMENT);
                    assertThat(containedAfter).as("malicious operations before containment").isLessThanOrEqualTo(100);
                    assertThat(afterwards).as("malicious requests that succeeded after quarantine").isZero();
                }

                // 3. Recovery: restore the bucket to its state before the attack, then compare every object.
                ErasureAdmin admin = new ErasureAdmin(server);
                String to = URLEncoder.encode(beforeAttack.toString(), StandardCharsets.UTF_8);
                long restoreStart = System.nanoTime();
                RawS3.Response started = admin.send("POST", "/_arca/admin/restore", "bucket=" + BUCKET + "&to=" + to);
                assertThat(started.status()).as(started.text()).isEqualTo(200);
                String job = (String) ErasureAdmin.object(ErasureAdmin.Json.parse(started.text())).get("job");
                Map<String, Object> done = awaitRestore(admin, job);
                System.out.printf("drill: restore %s in %.1f s%n", done, (System.nanoTime() - restoreStart) / 1e9);
                int identical = 0;
                for (Map.Entry<String, String> e : truth.entrySet()) {
                    byte[] now = owner.getObjectAsBytes(b -> b.bucket(BUCKET).key(e.getKey())).asByteArray();
                    if (sha256(now).equals(e.getValue())) {
                        identical++;
                    }
                }
                System.out.printf("drill: %d of %d objects byte-identical to the pre-attack state (%.1f %%); seed %d%n",
                        identical, truth.size(), 100.0 * identical / truth.size(), seed);
                assertThat(identical).as("objects restored byte-identical").isEqualTo(objects);
                assertThat(owner.listObjectsV2(b -> b.bucket(BUCKET).maxKeys(1000)).keyCount()).isEqualTo(Math.min(objects, 1000));
                // Versioning stayed on and retention was never shortened.
                assertThat(owner.getBucketVersioning(b -> b.bucket(BUCKET)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
            }
        }
    }

    private enum Outcome { SUCCEEDED, REFUSED, QUARANTINED }

    /** One malicious request: mostly overwrites with random bytes and deletes, sometimes config tampering. */
    private static Outcome malicious(S3Client s3, Random random, int objects) {
        String k = "ledger/" + random.nextInt(objects) + ".csv";
        int dice = random.nextInt(100);
        try {
            if (dice < 48) {
                byte[] junk = new byte[6000];
                random.nextBytes(junk);
                s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(junk));
            } else if (dice < 96) {
                s3.deleteObject(b -> b.bucket(BUCKET).key(k));
            } else if (dice < 98) {
                s3.putBucketVersioning(b -> b.bucket(BUCKET).versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)));
            } else {
                s3.putObjectRetention(b -> b.bucket(BUCKET).key("ledger/0.csv").bypassGovernanceRetention(true)
                        .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(Instant.now().plusSeconds(5))));
            }
            return Outcome.SUCCEEDED;
        } catch (AwsServiceException e) {
            String message = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorMessage());
            return e.statusCode() == 403 && message.contains("quarantined") ? Outcome.QUARANTINED : Outcome.REFUSED;
        }
    }

    /** About 6 KB of CSV: low entropy, like the files ransomware goes for. */
    private static byte[] document(int i) {
        StringBuilder s = new StringBuilder("date,account,amount,memo\n");
        for (int line = 0; s.length() < 6000; line++) {
            s.append("2026-11-").append(10 + line % 18).append(",ACC-").append(1000 + (i * 7 + line) % 900)
                    .append(',').append((i * 31 + line * 17) % 100000 / 100.0).append(",invoice ").append(i).append('-')
                    .append(line).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void parallel(int n, java.util.function.IntConsumer task) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                done.add(pool.submit(() -> task.accept(index)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static List<String> quarantined(ArcaTestServer server) {
        Map<String, Object> json = ErasureAdmin.object(ErasureAdmin.Json.parse(
                new ErasureAdmin(server).send("GET", "/_arca/admin/quarantine", "").assertStatus(200).text()));
        return ErasureAdmin.list(json.get("quarantined")).stream().map(o -> (String) ErasureAdmin.object(o).get("principal")).toList();
    }

    private static Map<String, Object> awaitRestore(ErasureAdmin admin, String job) {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (true) {
            Map<String, Object> s = ErasureAdmin.object(ErasureAdmin.Json.parse(
                    admin.send("GET", "/_arca/admin/restore", "job=" + job).assertStatus(200).text()));
            if (Boolean.TRUE.equals(s.get("done"))) {
                assertThat(s.get("state")).as("%s", s).isEqualTo("done");
                return s;
            }
            assertThat(System.nanoTime()).as("restore job %s: %s", job, s).isLessThan(deadline);
            ErasureAdmin.sleep(50);
        }
    }
}
