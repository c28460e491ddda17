package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.deny;
import static dev.arca.it.Tenancy.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectLockConfiguration;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The WORM requirement, attacked: versions under COMPLIANCE retention, GOVERNANCE retention, a
 * legal hold, or a bucket's default retention, then every way a principal might destroy or unlock
 * them — by version id, in a batch, with the governance bypass header, by shortening, re-moding or
 * removing the retention, by deleting or un-versioning the bucket, by a lifecycle rule run two days
 * later, and through the admin API. Each destructive attempt must be refused with AWS's error, and
 * afterwards every protected version must still read back byte-for-byte (SHA-256). Non-destructive
 * operations AWS allows (overwrite, delete marker, lifting a legal hold while a retention remains)
 * must be allowed and must not touch the protected versions.
 *
 * <p>The same attacks are made by every principal, each on its own account's lock buckets: the
 * system root (on the system account's buckets), and, on a tenant account's buckets, that account's
 * root user (the account owner), an IAM user of the account allowed "s3:*" on "*" (which includes
 * s3:BypassGovernanceRetention), and an IAM user allowed "s3:*" but denied
 * s3:BypassGovernanceRetention, for whom GOVERNANCE-locked versions are as unbypassable as
 * COMPLIANCE ones. Only the system root may use the admin API; the others are refused there with
 * 403 AccessDenied.
 */
class WormAttackTest {
    static final String LIFECYCLE = "/_arca/admin/lifecycle";

    @TempDir
    static Path dir;

    static Versioned.MutableClock clock;
    static ArcaTestServer server;
    static S3Client root;
    static RawS3 rootRaw;
    static ErasureAdmin admin;
    static Random random;
    static Tenancy.Account tenant;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    /**
     * Someone who attacks the versions of {@code scene}: a name, an SDK client and a raw client with
     * that principal's keys; {@code systemRoot}: may use the admin API; {@code mayBypass}: holds
     * s3:BypassGovernanceRetention.
     */
    record Principal(String name, Scene scene, S3Client s3, RawS3 raw, boolean systemRoot, boolean mayBypass) {}

    /**
     * An account's two lock buckets (one with a default COMPLIANCE retention of a day) and the
     * versions protected in them; {@code owner} is the account's root user, who sets them up and
     * reads them back.
     */
    static final class Scene {
        final String account;
        final S3Client owner;
        final String worm;
        final String defaulted;
        final List<Target> targets = new ArrayList<>();
        /** The first version of the unlocked key "control", which the lifecycle run must expire. */
        String control1;

        Scene(String account, S3Client owner, String worm, String defaulted) {
            this.account = account;
            this.owner = owner;
            this.worm = worm;
            this.defaulted = defaulted;
        }

        List<String> buckets() {
            return List.of(worm, defaulted);
        }

        Target target(String key) {
            return targets.stream().filter(t -> t.key.equals(key)).findFirst().orElseThrow();
        }
    }

    /** A protected version: what protects it now, and the bytes it must keep. */
    static final class Target {
        final S3Client owner;
        final String bucket;
        final String key;
        final String versionId;
        final String sha256;
        ObjectLockRetentionMode mode;
        Instant until;
        boolean hold;

        Target(S3Client owner, String bucket, String key, String versionId, String sha256, ObjectLockRetentionMode mode,
                Instant until, boolean hold) {
            this.owner = owner;
            this.bucket = bucket;
            this.key = key;
            this.versionId = versionId;
            this.sha256 = sha256;
            this.mode = mode;
            this.until = until;
            this.hold = hold;
        }

        boolean compliance() {
            return mode == ObjectLockRetentionMode.COMPLIANCE;
        }

        boolean retainedAt(Instant now) {
            return mode != null && until.isAfter(now);
        }

        boolean protectedAt(Instant now) {
            return hold || retainedAt(now);
        }

        /** Protected even from a principal that may bypass governance retention. */
        boolean unbypassableAt(Instant now) {
            return hold || (compliance() && retainedAt(now));
        }

        /** Protected from this principal, with or without the bypass header. */
        boolean unbypassableBy(Principal p, Instant now) {
            return p.mayBypass() ? unbypassableAt(now) : protectedAt(now);
        }

        /** Stable name of the version (toString also shows its current protection). */
        String id() {
            return bucket + "/" + key + "@" + versionId;
        }

        @Override
        public String toString() {
            return bucket + "/" + key + "@" + versionId + " [" + (mode == null ? "" : mode + " until " + until)
                    + (hold ? " +legal hold" : "") + "]";
        }
    }

    /** Counts attempts and refusals; collects what went wrong instead of stopping at the first. */
    static final class Tally {
        int attempts;
        int refused;
        final List<String> failures = new ArrayList<>();
        final List<String> allowed = new ArrayList<>();
        final Set<String> lost = new LinkedHashSet<>();

        /** An SDK call that must fail with this status and error code. */
        void refused(String what, int status, String code, ThrowingCallable call) {
            attempts++;
            Throwable t = catchThrowable(call);
            if (t == null) {
                failures.add(what + ": NOT refused (it succeeded)");
            } else if (t instanceof S3Exception e) {
                refused++;
                if (e.statusCode() != status || !code.equals(e.awsErrorDetails().errorCode())) {
                    failures.add(what + ": refused with " + e.statusCode() + " " + e.awsErrorDetails().errorCode()
                            + ", AWS answers " + status + " " + code);
                }
            } else {
                failures.add(what + ": unexpected " + t);
            }
        }

        /** A raw request that must fail with this status and (unless null) this error code. */
        void refusedRaw(String what, int status, String code, RawS3.Response r) {
            attempts++;
            if (r.status() / 100 == 2) {
                failures.add(what + ": NOT refused (" + r.status() + ")");
                return;
            }
            refused++;
            if (r.status() != status || (code != null && !code.equals(r.xml("Code")))) {
                failures.add(what + ": refused with " + r.status() + " " + r.xml("Code") + ", expected " + status + " " + code);
            }
        }

        /** A raw request that must be refused with some 4xx. */
        void refused4xx(String what, RawS3.Response r) {
            attempts++;
            if (r.status() >= 400 && r.status() < 500) {
                refused++;
            } else {
                failures.add(what + ": answered " + r.status() + " (expected a 4xx refusal): " + r.text());
            }
        }

        /** DeleteObjects of one protected version: 200 with a per-key AccessDenied Error, nothing Deleted. */
        void batchRefused(String what, Target t, S3Client s3, boolean bypass) {
            attempts++;
            DeleteObjectsResponse r;
            try {
                r = s3.deleteObjects(b -> b.bucket(t.bucket).bypassGovernanceRetention(bypass ? Boolean.TRUE : null)
                        .delete(d -> d.objects(ObjectIdentifier.builder().key(t.key).versionId(t.versionId).build())));
            } catch (S3Exception e) {
                refused++;
                failures.add(what + ": the whole request failed with " + e.statusCode() + " " + e.awsErrorDetails().errorCode()
                        + "; AWS answers 200 with a per-key AccessDenied Error");
                return;
            }
            if (!r.deleted().isEmpty()) {
                failures.add(what + ": NOT refused, Deleted " + r.deleted());
                return;
            }
            refused++;
            List<S3Error> errors = r.errors();
            if (errors.size() != 1 || !"AccessDenied".equals(errors.getFirst().code()) || !t.key.equals(errors.getFirst().key())
                    || !t.versionId.equals(errors.getFirst().versionId())) {
                failures.add(what + ": expected one Error {Key " + t.key + ", VersionId " + t.versionId
                        + ", Code AccessDenied}, got " + errors);
            }
        }

        void allowed(String what, ThrowingCallable call) {
            Throwable t = catchThrowable(call);
            if (t != null) {
                failures.add(what + ": AWS allows this, but it failed: " + t);
            } else {
                allowed.add(what);
            }
        }
    }


    @BeforeAll
    static void start() {
        random = new Random(S3Assert.seed(WormAttackTest.class));
        clock = new Versioned.MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        root = Clients.pathStyle(server);
        rootRaw = new RawS3(server);
        admin = new ErasureAdmin(server);
        tenant = Tenancy.createAccount(server, "worm-tenant");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (root != null) {
            root.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    /** An IAM user of the tenant account with this identity policy, as a principal attacking {@code scene}. */
    private static Principal user(IamClient iam, String name, String userName, Scene scene, boolean mayBypass,
            String... statements) {
        iam.createUser(r -> r.userName(userName));
        iam.putUserPolicy(r -> r.userName(userName).policyName("worm-attacker").policyDocument(policy(statements)));
        AccessKey key = iam.createAccessKey(r -> r.userName(userName)).accessKey();
        return new Principal(name, scene, track(Tenancy.s3(server, Tenancy.basic(key))),
                new RawS3(server, key.accessKeyId(), key.secretAccessKey()), false, mayBypass);
    }

    private static Target lock(S3Client owner, String bucket, String key, int size, ObjectLockMode mode, Instant until,
            boolean hold) {
        byte[] data = S3Assert.randomBytes(random, size);
        String id = Locking.put(owner, bucket, key, data, mode, until, hold ? Boolean.TRUE : null);
        assertThat(id).as("version id of %s", key).isNotBlank().isNotEqualTo("null");
        return new Target(owner, bucket, key, id, Versioned.sha256(data),
                mode == null ? null : ObjectLockRetentionMode.fromValue(mode.toString()), until, hold);
    }

    @Test
    void everyAttackOnALockedVersionIsRefusedAndNoVersionIsLost() {
        Instant t0 = clock.instant();
        Scene system = setUp(new Scene("system", root, "worm", "worm-default"), t0);
        S3Client owner = track(Tenancy.s3(server, tenant.credentials()));
        Scene tenantScene = setUp(new Scene(tenant.name(), owner, "worm-tenant", "worm-tenant-default"), t0);
        List<Scene> scenes = List.of(system, tenantScene);

        IamClient iam = track(Tenancy.iam(server, tenant.credentials()));
        List<Principal> principals = List.of(
                new Principal("root", system, root, rootRaw, true, true),
                new Principal("account owner", tenantScene, owner,
                        new RawS3(server, tenant.accessKeyId(), tenant.secretAccessKey()), false, true),
                user(iam, "user with s3:*", "worm-s3-all", tenantScene, true, allow("s3:*", "*")),
                user(iam, "user with s3:* but BypassGovernanceRetention denied", "worm-no-bypass", tenantScene, false,
                        allow("s3:*", "*"), deny("s3:BypassGovernanceRetention", "*")));
        List<String> names = principals.stream().map(Principal::name).toList();
        System.out.println("WORM attack suite: principals " + names + "; object clock starts at " + t0);

        Tally tally = new Tally();
        // ------------------------------------------------ attacks, per principal, on its own account's versions
        for (Principal p : principals) {
            attack(tally, p);
        }

        // ------------------------------------------------ what AWS allows must be allowed, and harmless
        for (Scene s : scenes) {
            allowedOperations(tally, s);
        }

        // ------------------------------------------------ lifecycle, two days later
        for (Scene s : scenes) {
            tally.allowed(s.account + ": PutBucketLifecycleConfiguration on " + s.worm
                    + " (Expiration 1 day, NoncurrentVersionExpiration 1 day)",
                    () -> s.owner.putBucketLifecycleConfiguration(b -> b.bucket(s.worm).lifecycleConfiguration(c -> c.rules(
                            LifecycleRule.builder().id("expire-everything").status(ExpirationStatus.ENABLED)
                                    .filter(LifecycleRuleFilter.builder().prefix("").build())
                                    .expiration(e -> e.days(1))
                                    .noncurrentVersionExpiration(n -> n.noncurrentDays(1))
                                    .build()))));
        }
        clock.advance(Duration.ofDays(3));
        Instant later = clock.instant();
        RawS3.Response run = admin.send("POST", LIFECYCLE, "");
        System.out.println("WORM attack suite: lifecycle run at " + later + ": " + run.status() + " " + run.text());
        tally.attempts++;
        if (run.status() / 100 != 2) {
            tally.failures.add("POST " + LIFECYCLE + " answered " + run.status() + ": " + run.text());
        }
        int lostBefore = tally.lost.size();
        scenes.forEach(s -> s.targets.forEach(t -> checkIntact(tally, t)));
        if (tally.lost.size() == lostBefore) {
            tally.refused++;
        }
        // Positive control: the run did expire each unlocked noncurrent version, so it had teeth.
        for (Scene s : scenes) {
            Throwable controlGone = catchThrowable(
                    () -> s.owner.getObjectAsBytes(b -> b.bucket(s.worm).key("control").versionId(s.control1)));
            if (!(controlGone instanceof S3Exception e && e.statusCode() == 404)) {
                tally.failures.add("lifecycle control: the unlocked noncurrent version " + s.worm + "/control@" + s.control1
                        + " survived NoncurrentVersionExpiration (1 day) three days later, so the run proved nothing: "
                        + controlGone);
            }
        }

        // Still protected three days on: attack those once more.
        for (Principal p : principals) {
            for (Target t : p.scene().targets) {
                if (t.protectedAt(later)) {
                    tally.refused(p.name() + " (+3 days): DeleteObject " + t, 403, "AccessDenied",
                            () -> p.s3().deleteObject(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId)));
                    checkIntact(tally, t);
                }
            }
        }

        // ------------------------------------------------ the verdict
        for (Scene s : scenes) {
            for (Target t : s.targets) {
                checkIntact(tally, t);
                if (!tally.lost.contains(t.id())) {
                    if (t.mode != null) {
                        String now = Locking.retention(s.owner, t.bucket, t.key, t.versionId);
                        if (!now.equals(Locking.retention(t.mode, t.until))) {
                            tally.failures.add("retention of " + t + " changed to " + now);
                        }
                    }
                    String hold = Locking.legalHold(s.owner, t.bucket, t.key, t.versionId);
                    if (t.hold != "ON".equals(hold)) {
                        tally.failures.add("legal hold of " + t + " is " + hold);
                    }
                }
            }
        }
        System.out.println("WORM attack suite: allowed (as in AWS): " + tally.allowed.size() + " operations");
        tally.failures.forEach(f -> System.out.println("WORM attack suite problem: " + f));
        System.out.printf("WORM attack suite: principals %s; %d attempts, %d refused, %d versions lost%n", names,
                tally.attempts, tally.refused, tally.lost.size());
        assertThat(tally.lost).as("protected versions lost").isEmpty();
        assertThat(tally.failures).as("problems").isEmpty();
        assertThat(tally.refused).as("refused attempts").isEqualTo(tally.attempts);
    }

    /**
     * Creates the scene's lock buckets (one with a default COMPLIANCE retention of a day) as its
     * owner, and the protected versions in them, and checks that each version reports its lock.
     */
    private static Scene setUp(Scene s, Instant t0) {
        S3Client s3 = s.owner;
        Locking.createLockBucket(s3, s.worm);
        Locking.createLockBucket(s3, s.defaulted);
        for (String b : s.buckets()) {
            assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).as("an Object Lock bucket is versioned")
                    .isEqualTo(BucketVersioningStatus.ENABLED);
            assertThat(s3.getObjectLockConfiguration(r -> r.bucket(b)).objectLockConfiguration().objectLockEnabled())
                    .isEqualTo(ObjectLockEnabled.ENABLED);
        }
        s3.putObjectLockConfiguration(r -> r.bucket(s.defaulted).objectLockConfiguration(c -> c
                .objectLockEnabled(ObjectLockEnabled.ENABLED)
                .rule(rule -> rule.defaultRetention(d -> d.mode(ObjectLockRetentionMode.COMPLIANCE).days(1)))));
        ObjectLockConfiguration defaults = s3.getObjectLockConfiguration(r -> r.bucket(s.defaulted)).objectLockConfiguration();
        assertThat(defaults.rule().defaultRetention().mode()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(defaults.rule().defaultRetention().days()).isEqualTo(1);

        Instant month = t0.plus(Duration.ofDays(30));
        List<Target> targets = s.targets;
        // Sizes on both sides of the inline limit (128 KiB): metadata-only and erasure-coded versions.
        targets.add(lock(s3, s.worm, "compliance", 300 * 1024, ObjectLockMode.COMPLIANCE, month, false));
        targets.add(lock(s3, s.worm, "compliance-small", 700, ObjectLockMode.COMPLIANCE, month, false));
        targets.add(lock(s3, s.worm, "governance", 1024, ObjectLockMode.GOVERNANCE, month, false));
        targets.add(lock(s3, s.worm, "held", 200 * 1024, null, null, true));
        targets.add(lock(s3, s.worm, "held-compliance", 2048, ObjectLockMode.COMPLIANCE, month, true));
        targets.add(lock(s3, s.worm, "held-governance", 150 * 1024, ObjectLockMode.GOVERNANCE, month, true));
        // An unlocked key in the same bucket: the lifecycle run's positive control.
        s.control1 = s3.putObject(b -> b.bucket(s.worm).key("control"), RequestBody.fromString("control v1")).versionId();
        s3.putObject(b -> b.bucket(s.worm).key("control"), RequestBody.fromString("control v2"));

        // Bucket default retention: a version PUT without lock headers gets COMPLIANCE for one day.
        byte[] plain = S3Assert.randomBytes(random, 4096);
        String defaultedId = s3.putObject(b -> b.bucket(s.defaulted).key("defaulted"), RequestBody.fromBytes(plain)).versionId();
        var retention = s3.getObjectRetention(r -> r.bucket(s.defaulted).key("defaulted").versionId(defaultedId)).retention();
        assertThat(retention.mode()).as("default retention mode").isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(retention.retainUntilDate()).as("default retention: one day after the PUT")
                .isBetween(t0.plus(Duration.ofDays(1)).minusSeconds(2), t0.plus(Duration.ofDays(1)).plusSeconds(2));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(s.defaulted).key("defaulted").versionId(defaultedId));
        assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.COMPLIANCE);
        assertThat(head.objectLockRetainUntilDate()).isEqualTo(retention.retainUntilDate());
        targets.add(new Target(s3, s.defaulted, "defaulted", defaultedId, Versioned.sha256(plain),
                ObjectLockRetentionMode.COMPLIANCE, retention.retainUntilDate(), false));
        // Explicit settings on the PUT win over the bucket default.
        targets.add(lock(s3, s.defaulted, "explicit", 512, ObjectLockMode.GOVERNANCE, t0.plus(Duration.ofDays(2)), false));

        for (Target t : targets) {
            String r = Locking.retention(s3, t.bucket, t.key, t.versionId);
            if (t.mode == null) {
                assertThat(r).as("%s has no retention", t).startsWith("none");
            } else {
                assertThat(r).as("retention of %s", t).isEqualTo(Locking.retention(t.mode, t.until));
            }
            if (t.hold) {
                assertThat(Locking.legalHold(s3, t.bucket, t.key, t.versionId)).as("legal hold of %s", t).isEqualTo("ON");
            }
            HeadObjectResponse h = s3.headObject(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId));
            if (t.mode != null) {
                assertThat(h.objectLockModeAsString()).as("x-amz-object-lock-mode of %s", t).isEqualTo(t.mode.toString());
                assertThat(h.objectLockRetainUntilDate()).as("x-amz-object-lock-retain-until-date of %s", t).isEqualTo(t.until);
            }
            if (t.hold) {
                assertThat(h.objectLockLegalHoldStatus()).as("x-amz-object-lock-legal-hold of %s", t)
                        .isEqualTo(ObjectLockLegalHoldStatus.ON);
            }
        }
        return s;
    }

    /** Every attack of the suite, as principal {@code p}, on the versions and buckets of its scene. */
    private static void attack(Tally tally, Principal p) {
        S3Client s3 = p.s3();
        Scene scene = p.scene();
        String who = p.name() + ": ";
        for (Target t : scene.targets) {
            attackVersion(tally, p, t);
            checkIntact(tally, t);
        }
        // A legal hold can be lifted (AWS allows it to anyone with s3:PutObjectLegalHold), but a retention still protects.
        Target heldCompliance = scene.target("held-compliance");
        tally.allowed(who + "PutObjectLegalHold OFF on " + heldCompliance,
                () -> Locking.setLegalHold(s3, heldCompliance.bucket, heldCompliance.key, heldCompliance.versionId, false));
        heldCompliance.hold = false;
        attackVersion(tally, p, heldCompliance);
        checkIntact(tally, heldCompliance);
        tally.allowed(who + "PutObjectLegalHold ON again on " + heldCompliance,
                () -> Locking.setLegalHold(s3, heldCompliance.bucket, heldCompliance.key, heldCompliance.versionId, true));
        heldCompliance.hold = true;

        // The permission to bypass is real where the principal is said to hold it, so the refusals
        // above are WORM's doing: a fresh GOVERNANCE version goes with the header.
        if (p.mayBypass()) {
            String key = "bypass-control-" + p.name().replaceAll("[^A-Za-z0-9]+", "-");
            String v = Locking.put(scene.owner, scene.worm, key, Tenancy.utf8("governed"),
                    ObjectLockMode.GOVERNANCE, clock.instant().plus(Duration.ofDays(30)), null);
            tally.allowed(who + "DeleteObject +bypass-governance of the unheld GOVERNANCE version " + scene.worm + "/" + key
                    + "@" + v, () -> s3.deleteObject(b -> b.bucket(scene.worm).key(key).versionId(v).bypassGovernanceRetention(true)));
        }

        // Bucket-level attacks.
        for (String b : scene.buckets()) {
            tally.refused(who + "DeleteBucket " + b, 409, "BucketNotEmpty", () -> s3.deleteBucket(r -> r.bucket(b)));
            tally.refused(who + "PutBucketVersioning Suspended on " + b, 409, "InvalidBucketState",
                    () -> Versioned.suspendVersioning(s3, b));
            assertThat(scene.owner.getBucketVersioning(r -> r.bucket(b)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        }

        // The admin API has no verb that deletes data, and only the system root may use it at all.
        Target c = scene.targets.getFirst();
        String vq = "versionId=" + c.versionId;
        List<String[]> adminAttempts = new ArrayList<>(List.of(
                new String[] {"DELETE", "/_arca/admin/storage", ""},
                new String[] {"DELETE", "/_arca/admin/heal", ""},
                new String[] {"DELETE", LIFECYCLE, ""},
                new String[] {"DELETE", LIFECYCLE, "bucket=" + c.bucket},
                new String[] {"DELETE", "/_arca/admin/", ""},
                new String[] {"DELETE", "/_arca/admin/" + c.bucket, ""},
                new String[] {"DELETE", "/_arca/admin/" + c.bucket + "/" + c.key, vq},
                new String[] {"DELETE", "/_arca/admin/buckets/" + c.bucket, ""},
                new String[] {"DELETE", "/_arca/admin/objects/" + c.bucket + "/" + c.key, vq},
                new String[] {"DELETE", "/_arca/admin/versions/" + c.bucket + "/" + c.key, vq},
                new String[] {"POST", "/_arca/admin/delete", "bucket=" + c.bucket + "&key=" + c.key + "&" + vq},
                new String[] {"PUT", LIFECYCLE, "bucket=" + c.bucket},
                // The tenant account owns lock buckets: it cannot be deleted from under them.
                new String[] {"DELETE", Tenancy.ACCOUNTS, "id=" + tenant.accountId()}));
        if (!p.systemRoot()) {
            // Verbs that work for the system root are still refused to anyone else.
            adminAttempts.add(new String[] {"POST", LIFECYCLE, ""});
            adminAttempts.add(new String[] {"GET", Tenancy.ACCOUNTS, ""});
        }
        for (String[] a : adminAttempts) {
            String what = who + "admin " + a[0] + " " + a[1] + (a[2].isEmpty() ? "" : "?" + a[2]);
            RawS3.Response r = p.raw().signed(a[0], a[1], a[2], p.raw().headers(), new byte[0]);
            if (p.systemRoot()) {
                tally.refused4xx(what, r);
            } else {
                tally.refusedRaw(what, 403, "AccessDenied", r);
            }
        }
        // Anonymous requests are not even authenticated.
        tally.refusedRaw("anonymous DELETE of " + c, 403, "AccessDenied",
                p.raw().send("DELETE", "/" + c.bucket + "/" + c.key + "?" + vq, p.raw().headers(), new byte[0]));
        scene.targets.forEach(t -> checkIntact(tally, t));
    }

    /** Overwrites, delete markers and extensions: allowed to the scene's owner, and harmless. */
    private static void allowedOperations(Tally tally, Scene s) {
        for (Target t : s.targets) {
            String[] newId = new String[1];
            tally.allowed(s.account + ": overwrite " + t.bucket + "/" + t.key + " (a new version)", () -> newId[0] =
                    s.owner.putObject(b -> b.bucket(t.bucket).key(t.key), RequestBody.fromString("overwrite of " + t.key))
                            .versionId());
            assertThat(newId[0]).as("the overwrite's version id").isNotEqualTo(t.versionId);
            assertThat(s.owner.getObjectAsBytes(b -> b.bucket(t.bucket).key(t.key)).asUtf8String())
                    .isEqualTo("overwrite of " + t.key);
            checkIntact(tally, t);
        }
        Target first = s.targets.getFirst();
        String[] marker = new String[1];
        tally.allowed(s.account + ": simple DELETE of " + first.key + " (a delete marker)",
                () -> marker[0] = s.owner.deleteObject(b -> b.bucket(first.bucket).key(first.key)).versionId());
        checkIntact(tally, first);
        tally.allowed(s.account + ": DELETE of that delete marker by id",
                () -> s.owner.deleteObject(b -> b.bucket(first.bucket).key(first.key).versionId(marker[0])));
        tally.allowed(s.account + ": extend the COMPLIANCE retention of " + first, () -> s.owner.putObjectRetention(b -> b
                .bucket(first.bucket).key(first.key).versionId(first.versionId)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(first.until.plus(Duration.ofDays(1))))));
        first.until = first.until.plus(Duration.ofDays(1));
        checkIntact(tally, first);
    }

    /** Every version-level attack that applies to {@code t}, as principal {@code p}. */
    private static void attackVersion(Tally tally, Principal p, Target t) {
        S3Client s3 = p.s3();
        Instant now = clock.instant();
        String who = p.name() + ": ";
        tally.refused(who + "DeleteObject " + t, 403, "AccessDenied",
                () -> s3.deleteObject(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId)));
        tally.batchRefused(who + "DeleteObjects " + t, t, s3, false);
        if (t.unbypassableBy(p, now)) {
            tally.refused(who + "DeleteObject +bypass-governance " + t, 403, "AccessDenied",
                    () -> s3.deleteObject(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId).bypassGovernanceRetention(true)));
            tally.batchRefused(who + "DeleteObjects +bypass-governance " + t, t, s3, true);
        }
        if (!t.retainedAt(now)) {
            return;
        }
        // Shortened, but still in the future.
        Instant shorter = now.plus(Duration.between(now, t.until).dividedBy(2)).truncatedTo(ChronoUnit.SECONDS);
        tally.refused(who + "PutObjectRetention shorten to " + shorter + " " + t, 403, "AccessDenied",
                () -> s3.putObjectRetention(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId)
                        .retention(r -> r.mode(t.mode).retainUntilDate(shorter))));
        RawS3.Response remove = Locking.removeRetention(p.raw(), t.bucket, t.key, t.versionId, false);
        tally.refusedRaw(who + "PutObjectRetention empty (remove) " + t, 403, "AccessDenied", remove);
        if (t.compliance() || !p.mayBypass()) {
            // The bypass header changes nothing for a COMPLIANCE retention, nor for a principal without the permission.
            tally.refused(who + "PutObjectRetention shorten +bypass-governance " + t, 403, "AccessDenied",
                    () -> s3.putObjectRetention(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId).bypassGovernanceRetention(true)
                            .retention(r -> r.mode(t.mode).retainUntilDate(shorter))));
            tally.refusedRaw(who + "PutObjectRetention empty (remove) +bypass-governance " + t, 403, "AccessDenied",
                    Locking.removeRetention(p.raw(), t.bucket, t.key, t.versionId, true));
        }
        if (t.compliance()) {
            tally.refused(who + "PutObjectRetention COMPLIANCE->GOVERNANCE " + t, 403, "AccessDenied",
                    () -> s3.putObjectRetention(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId)
                            .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(t.until))));
            tally.refused(who + "PutObjectRetention COMPLIANCE->GOVERNANCE +bypass-governance " + t, 403, "AccessDenied",
                    () -> s3.putObjectRetention(b -> b.bucket(t.bucket).key(t.key).versionId(t.versionId).bypassGovernanceRetention(true)
                            .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(t.until.plus(Duration.ofDays(1))))));
        }
    }

    /** GET the version by id, as its account's root user, and compare its SHA-256; a version that is gone or changed is lost. */
    private static void checkIntact(Tally tally, Target t) {
        if (tally.lost.contains(t.id())) {
            return;
        }
        try {
            String sha = Versioned.sha256Of(t.owner, t.bucket, t.key, t.versionId);
            if (!sha.equals(t.sha256)) {
                tally.lost.add(t.id());
                tally.failures.add("LOST: " + t + " reads back with SHA-256 " + sha + ", was " + t.sha256);
            }
        } catch (S3Exception e) {
            tally.lost.add(t.id());
            tally.failures.add("LOST: " + t + ": GET by version id fails with " + e.statusCode() + " "
                    + e.awsErrorDetails().errorCode());
        }
    }
}
