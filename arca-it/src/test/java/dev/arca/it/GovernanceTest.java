package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.principalStatement;
import static dev.arca.it.Tenancy.statement;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * GOVERNANCE retention: it protects a version from anyone who does not send
 * x-amz-bypass-governance-retention (and hold s3:BypassGovernanceRetention, which the root account
 * does); shortening or removing it needs the header too, extending never does. Also the Object Lock
 * request checks AWS documents (a lock bucket is needed; a retain-until date must be in the future).
 * For IAM users of a tenant account, the bypass needs both the header and s3:BypassGovernanceRetention
 * in the user's policy; an explicit Deny of s3:BypassGovernanceRetention in the bucket policy stops
 * even the account's root user.
 */
class GovernanceTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;
    /** A tenant account, its root user's clients and its IAM client. */
    static Tenancy.Account tenant;
    static S3Client owner;
    static RawS3 ownerRaw;
    static IamClient iam;
    static final List<AutoCloseable> closeables = new ArrayList<>();

    /** An IAM user of the tenant account: SDK and raw clients with its key. */
    record User(S3Client s3, RawS3 raw) {}

    /** What a user needs to work with versions and their retention, except s3:BypassGovernanceRetention. */
    static final List<String> VERSION_ACTIONS = List.of("s3:PutObject", "s3:GetObject", "s3:GetObjectVersion",
            "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:GetObjectRetention");

    @BeforeAll
    static void start() {
        server = ArcaTestServer.start(dir);
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
        tenant = Tenancy.createAccount(server, "gov-tenant");
        owner = track(Tenancy.s3(server, tenant.credentials()));
        ownerRaw = new RawS3(server, tenant.accessKeyId(), tenant.secretAccessKey());
        iam = track(Tenancy.iam(server, tenant.credentials()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static Instant inDays(double days) {
        return Instant.now().plus(Duration.ofSeconds((long) (days * 86400))).truncatedTo(ChronoUnit.SECONDS);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String get(String bucket, String key, String versionId) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    static <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    /** Creates an IAM user of the tenant account with this identity policy and an access key. */
    static User user(String name, String... statements) {
        iam.createUser(r -> r.userName(name));
        iam.putUserPolicy(r -> r.userName(name).policyName("identity").policyDocument(policy(statements)));
        AccessKey key = iam.createAccessKey(r -> r.userName(name)).accessKey();
        return new User(track(Tenancy.s3(server, Tenancy.basic(key))), new RawS3(server, key.accessKeyId(), key.secretAccessKey()));
    }

    static String objects(String bucket) {
        return "arn:aws:s3:::" + bucket + "/*";
    }

    static String read(S3Client client, String bucket, String key, String versionId) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asUtf8String();
    }

    /** DeleteObjects of one version (with or without the bypass header) must delete nothing and report AccessDenied for it. */
    static void assertBatchRefused(S3Client client, String bucket, String key, String versionId, boolean bypass) {
        DeleteObjectsResponse r = client.deleteObjects(b -> b.bucket(bucket).bypassGovernanceRetention(bypass ? Boolean.TRUE : null)
                .delete(d -> d.objects(ObjectIdentifier.builder().key(key).versionId(versionId).build())));
        assertThat(r.deleted()).as("DeleteObjects%s of %s@%s: Deleted", bypass ? " +bypass" : "", key, versionId).isEmpty();
        assertThat(r.errors()).as("DeleteObjects%s of %s@%s: Errors", bypass ? " +bypass" : "", key, versionId)
                .extracting(e -> e.key() + "@" + e.versionId() + " " + e.code())
                .containsExactly(key + "@" + versionId + " AccessDenied");
    }

    /**
     * Every way to bypass the GOVERNANCE retention (until {@code until}) of {@code bucket/key@v},
     * each sent with x-amz-bypass-governance-retention: true, is refused with 403 AccessDenied and
     * changes nothing; {@code reader} is the root user of the bucket's account.
     */
    static void assertBypassRefused(S3Client client, RawS3 clientRaw, S3Client reader, String bucket, String key, String v,
            String body, Instant until) {
        assertS3Error(() -> client.deleteObject(b -> b.bucket(bucket).key(key).versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        assertBatchRefused(client, bucket, key, v, true);
        Instant shorter = inDays(0.5);
        assertS3Error(() -> client.putObjectRetention(b -> b.bucket(bucket).key(key).versionId(v).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(shorter))), 403, "AccessDenied");
        Locking.removeRetention(clientRaw, bucket, key, v, true).assertError(403, "AccessDenied");
        // The version, as its account's root user sees it: the same bytes, the same retention.
        assertThat(read(reader, bucket, key, v)).as("bytes of %s@%s", key, v).isEqualTo(body);
        assertThat(Locking.retention(reader, bucket, key, v)).as("retention of %s@%s", key, v)
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, until));
    }

    @Test
    void aGovernedVersionIsDeletedOnlyWithTheBypassHeader() {
        String bucket = Locking.createLockBucket(s3, "gov-delete");
        String v = Locking.put(s3, bucket, "k", bytes("governed"), ObjectLockMode.GOVERNANCE, inDays(1), null);

        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v)), 403, "AccessDenied");
        DeleteObjectsResponse batch = s3.deleteObjects(b -> b.bucket(bucket)
                .delete(d -> d.objects(ObjectIdentifier.builder().key("k").versionId(v).build())));
        assertThat(batch.deleted()).isEmpty();
        assertThat(batch.errors()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("k");
            assertThat(e.versionId()).isEqualTo(v);
            assertThat(e.code()).isEqualTo("AccessDenied");
        });
        assertThat(get(bucket, "k", v)).isEqualTo("governed");

        // A simple DELETE only adds a delete marker: allowed, the governed version stays.
        String marker = s3.deleteObject(b -> b.bucket(bucket).key("k")).versionId();
        assertThat(get(bucket, "k", v)).isEqualTo("governed");
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(marker));

        // With x-amz-bypass-governance-retention: true, the root account may delete it.
        var deleted = s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true));
        assertThat(deleted.versionId()).isEqualTo(v);
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(v)), 404, "NoSuchVersion");

        // The same in a batch.
        String v2 = Locking.put(s3, bucket, "k2", bytes("governed 2"), ObjectLockMode.GOVERNANCE, inDays(1), null);
        DeleteObjectsResponse bypassed = s3.deleteObjects(b -> b.bucket(bucket).bypassGovernanceRetention(true)
                .delete(d -> d.objects(ObjectIdentifier.builder().key("k2").versionId(v2).build())));
        assertThat(bypassed.errors()).isEmpty();
        assertThat(bypassed.deleted()).singleElement().satisfies(d -> {
            assertThat(d.key()).isEqualTo("k2");
            assertThat(d.versionId()).isEqualTo(v2);
        });
        assertThat(Versioned.versionsOf(raw, bucket, "k2")).isEmpty();
    }

    @Test
    void aBatchDeletesWhatIsNotLockedAndReportsWhatIs() {
        String bucket = Locking.createLockBucket(s3, "gov-batch");
        String free = s3.putObject(b -> b.bucket(bucket).key("free"), RequestBody.fromString("free")).versionId();
        String governed = Locking.put(s3, bucket, "governed", bytes("g"), ObjectLockMode.GOVERNANCE, inDays(1), null);
        String compliant = Locking.put(s3, bucket, "compliant", bytes("c"), ObjectLockMode.COMPLIANCE, inDays(1), null);
        DeleteObjectsResponse r = s3.deleteObjects(b -> b.bucket(bucket).bypassGovernanceRetention(true).delete(d -> d.objects(
                ObjectIdentifier.builder().key("free").versionId(free).build(),
                ObjectIdentifier.builder().key("governed").versionId(governed).build(),
                ObjectIdentifier.builder().key("compliant").versionId(compliant).build())));
        assertThat(r.deleted()).extracting(d -> d.key() + "@" + d.versionId())
                .containsExactlyInAnyOrder("free@" + free, "governed@" + governed);
        assertThat(r.errors()).extracting(e -> e.key() + "@" + e.versionId() + " " + e.code())
                .containsExactly("compliant@" + compliant + " AccessDenied");
        assertThat(get(bucket, "compliant", compliant)).isEqualTo("c");
        assertThat(Versioned.versionsOf(raw, bucket, "free")).isEmpty();
        assertThat(Versioned.versionsOf(raw, bucket, "governed")).isEmpty();
    }

    @Test
    void shorteningAGovernanceRetentionNeedsTheBypassHeaderExtendingNeverDoes() {
        String bucket = Locking.createLockBucket(s3, "gov-shorten");
        Instant two = inDays(2);
        String v = Locking.put(s3, bucket, "k", bytes("x"), ObjectLockMode.GOVERNANCE, two, null);
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, two));

        Instant three = inDays(3);
        var extended = s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(three)));
        assertThat(extended.sdkHttpResponse().isSuccessful()).isTrue();
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, three));

        Instant one = inDays(1);
        assertS3Error(() -> s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(one))), 403, "AccessDenied");
        assertThat(Locking.retention(s3, bucket, "k", v)).as("unchanged after the refusal")
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, three));

        s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(one)));
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, one));
        // Still protected: shortened is not removed.
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v)), 403, "AccessDenied");

        // Removing it (an empty Retention) is the ultimate shortening: bypass needed.
        Locking.removeRetention(raw, bucket, "k", v, false).assertError(403, "AccessDenied");
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, one));
        Locking.removeRetention(raw, bucket, "k", v, true).assertStatus(200);
        assertThat(Locking.retention(s3, bucket, "k", v)).as("GetObjectRetention of a version without one")
                .isEqualTo("none (404 NoSuchObjectLockConfiguration)");
        // Nothing protects it now.
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v));
        assertThat(Versioned.versionsOf(raw, bucket, "k")).isEmpty();
    }

    @Test
    void upgradingGovernanceToComplianceNeedsTheBypassHeader() {
        String bucket = Locking.createLockBucket(s3, "gov-upgrade");
        Instant one = inDays(1);
        String v = Locking.put(s3, bucket, "k", bytes("x"), ObjectLockMode.GOVERNANCE, one, null);

        // A mode change of an active GOVERNANCE retention is a change S3 guards with the bypass
        // header, even when it makes the retention stronger (COMPLIANCE, a later date).
        Instant two = inDays(2);
        assertS3Error(() -> s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(two))), 403, "AccessDenied");
        assertThat(Locking.retention(s3, bucket, "k", v)).as("unchanged after the refusal")
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, one));

        s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(two)));
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, two));
        // Now COMPLIANCE: the bypass header no longer helps.
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
    }

    @Test
    void aLegalHoldIsNotBypassable() {
        String bucket = Locking.createLockBucket(s3, "gov-hold");
        String v = Locking.put(s3, bucket, "k", bytes("held"), ObjectLockMode.GOVERNANCE, inDays(1), Boolean.TRUE);
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").versionId(v));
        assertThat(head.objectLockLegalHoldStatus()).isEqualTo(ObjectLockLegalHoldStatus.ON);
        assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.GOVERNANCE);

        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        assertThat(get(bucket, "k", v)).isEqualTo("held");
        Locking.setLegalHold(s3, bucket, "k", v, false);
        assertThat(Locking.legalHold(s3, bucket, "k", v)).isEqualTo("OFF");
        // The retention still needs the header; with it, the version goes.
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v)), 403, "AccessDenied");
        s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true));
        assertThat(Versioned.versionsOf(raw, bucket, "k")).isEmpty();

        // A legal hold alone (no retention) is lifted without any bypass.
        String h = Locking.put(s3, bucket, "h", bytes("hold only"), null, null, Boolean.TRUE);
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("h").versionId(h)), 403, "AccessDenied");
        Locking.setLegalHold(s3, bucket, "h", h, false);
        s3.deleteObject(b -> b.bucket(bucket).key("h").versionId(h));
        assertThat(Versioned.versionsOf(raw, bucket, "h")).isEmpty();
    }

    @Test
    void complianceIsNotBypassableButCanBeExtended() {
        String bucket = Locking.createLockBucket(s3, "gov-compliance");
        Instant one = inDays(1);
        String v = Locking.put(s3, bucket, "k", bytes("c"), ObjectLockMode.COMPLIANCE, one, null);
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        Instant two = inDays(2);
        s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(two)));
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, two));
        assertS3Error(() -> s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(one))), 403, "AccessDenied");
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, two));
    }

    @Test
    void multipartUploadsAndCopiesCarryLockSettingsOnlyWhenAsked() {
        String bucket = Locking.createLockBucket(s3, "gov-mpu-copy");
        Instant until = inDays(1);
        // Lock settings given at CreateMultipartUpload apply to the completed object.
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp").objectLockMode(ObjectLockMode.COMPLIANCE)
                .objectLockRetainUntilDate(until).objectLockLegalHoldStatus(ObjectLockLegalHoldStatus.ON)).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(upload).partNumber(1), RequestBody.fromString("parts"))
                .eTag();
        String mp = s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(upload).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(etag).build()))).versionId();
        assertThat(Locking.retention(s3, bucket, "mp", mp)).isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, until));
        assertThat(Locking.legalHold(s3, bucket, "mp", mp)).isEqualTo("ON");
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("mp").versionId(mp).bypassGovernanceRetention(true)),
                403, "AccessDenied");

        // A copy does not inherit the source's lock (the bucket has no default here) ...
        var plainCopy = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("mp").sourceVersionId(mp)
                .destinationBucket(bucket).destinationKey("copy"));
        assertThat(Locking.retention(s3, bucket, "copy", plainCopy.versionId())).startsWith("none");
        assertThat(Locking.legalHold(s3, bucket, "copy", plainCopy.versionId())).isNotEqualTo("ON");
        s3.deleteObject(b -> b.bucket(bucket).key("copy").versionId(plainCopy.versionId()));
        // ... but takes the lock settings sent with it.
        var lockedCopy = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("mp").sourceVersionId(mp)
                .destinationBucket(bucket).destinationKey("copy").objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(until));
        assertThat(Locking.retention(s3, bucket, "copy", lockedCopy.versionId()))
                .isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, until));
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("copy").versionId(lockedCopy.versionId())), 403, "AccessDenied");

        // An overwrite is a new, unlocked version; the locked one keeps its settings.
        String over = s3.putObject(b -> b.bucket(bucket).key("mp"), RequestBody.fromString("over")).versionId();
        assertThat(Locking.retention(s3, bucket, "mp", over)).startsWith("none");
        assertThat(Locking.legalHold(s3, bucket, "mp", over)).isNotEqualTo("ON");
        assertThat(Locking.retention(s3, bucket, "mp", mp)).isEqualTo(Locking.retention(ObjectLockRetentionMode.COMPLIANCE, until));
        s3.deleteObject(b -> b.bucket(bucket).key("mp").versionId(over));
    }

    @Test
    void objectLockRequestsAreChecked() {
        // A bucket without Object Lock: lock settings are refused, nothing is stored.
        s3.createBucket(b -> b.bucket("gov-plain"));
        Versioned.enableVersioning(s3, "gov-plain");
        assertS3Error(() -> Locking.put(s3, "gov-plain", "k", bytes("x"), ObjectLockMode.GOVERNANCE, inDays(1), null),
                400, "InvalidRequest");
        assertS3Error(() -> Locking.put(s3, "gov-plain", "k", bytes("x"), null, null, Boolean.TRUE), 400, "InvalidRequest");
        assertThat(Versioned.versionsOf(raw, "gov-plain", "k")).isEmpty();
        String plain = s3.putObject(b -> b.bucket("gov-plain").key("k"), RequestBody.fromString("x")).versionId();
        assertS3Error(() -> s3.putObjectRetention(b -> b.bucket("gov-plain").key("k").versionId(plain)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(inDays(1)))), 400, "InvalidRequest");
        assertS3Error(() -> Locking.setLegalHold(s3, "gov-plain", "k", plain, true), 400, "InvalidRequest");
        assertS3Error(() -> s3.getObjectLockConfiguration(b -> b.bucket("gov-plain")), 404, "ObjectLockConfigurationNotFoundError");

        // A lock bucket: versioned from birth, Object Lock enabled, no default rule.
        String bucket = Locking.createLockBucket(s3, "gov-checks");
        assertThat(s3.getBucketVersioning(b -> b.bucket(bucket)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        var config = s3.getObjectLockConfiguration(b -> b.bucket(bucket)).objectLockConfiguration();
        assertThat(config.objectLockEnabled()).isEqualTo(ObjectLockEnabled.ENABLED);
        assertThat(config.rule()).isNull();
        // A retain-until date in the past, or a mode without a date (and the reverse): InvalidArgument.
        assertS3Error(() -> Locking.put(s3, bucket, "k", bytes("x"), ObjectLockMode.COMPLIANCE,
                Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS), null), 400, "InvalidArgument");
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("k").objectLockMode(ObjectLockMode.COMPLIANCE),
                RequestBody.fromString("x")), 400, "InvalidArgument");
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("k").objectLockRetainUntilDate(inDays(1)),
                RequestBody.fromString("x")), 400, "InvalidArgument");
        assertThat(Versioned.versionsOf(raw, bucket, "k")).as("nothing stored by the refused PUTs").isEmpty();
        // A version without retention or hold.
        String v = s3.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromString("x")).versionId();
        assertThat(Locking.retention(s3, bucket, "k", v)).isEqualTo("none (404 NoSuchObjectLockConfiguration)");
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("k").versionId(v));
        assertThat(head.objectLockMode()).isNull();
        assertThat(head.objectLockRetainUntilDate()).isNull();
        // Retention set afterwards by PutObjectRetention protects like one set at PUT time.
        Instant until = inDays(1);
        s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until)));
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("k").versionId(v)), 403, "AccessDenied");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("k").versionId(v)).objectLockRetainUntilDate()).isEqualTo(until);
        // A retention on a version that does not exist.
        assertS3Error(() -> s3.putObjectRetention(b -> b.bucket(bucket).key("k").versionId(dev.arca.meta.VersionIds.of(0x0fedcba987654321L))
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until))), 404, "NoSuchVersion");
    }

    @Test
    void aUserWithoutBypassGovernanceRetentionCannotBypassEvenWithTheHeader() {
        String bucket = Locking.createLockBucket(owner, "gov-user-no-bypass");
        User clerk = user("clerk", statement("Allow", VERSION_ACTIONS, List.of(objects(bucket))));
        Instant two = inDays(2);
        String v = Locking.put(owner, bucket, "k", bytes("governed"), ObjectLockMode.GOVERNANCE, two, null);

        // The clerk's permissions are real: it deletes an unlocked version by id, and extends a retention.
        String free = clerk.s3().putObject(b -> b.bucket(bucket).key("free"), RequestBody.fromString("free")).versionId();
        clerk.s3().deleteObject(b -> b.bucket(bucket).key("free").versionId(free));
        assertS3Error(() -> owner.getObjectAsBytes(b -> b.bucket(bucket).key("free").versionId(free)), 404, "NoSuchVersion");
        Instant three = inDays(3);
        clerk.s3().putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(three)));
        assertThat(Locking.retention(owner, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, three));

        // Without the header: refused, as for anyone.
        assertS3Error(() -> clerk.s3().deleteObject(b -> b.bucket(bucket).key("k").versionId(v)), 403, "AccessDenied");
        assertBatchRefused(clerk.s3(), bucket, "k", v, false);
        // With the header but without s3:BypassGovernanceRetention: refused all the same.
        assertBypassRefused(clerk.s3(), clerk.raw(), owner, bucket, "k", v, "governed", three);
        // Re-moding needs the bypass too (even to COMPLIANCE, a stronger lock).
        assertS3Error(() -> clerk.s3().putObjectRetention(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(three))), 403, "AccessDenied");
        assertThat(Locking.retention(owner, bucket, "k", v)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, three));
        assertThat(read(owner, bucket, "k", v)).isEqualTo("governed");
    }

    @Test
    void aUserWithBypassGovernanceRetentionBypassesOnlyWithTheHeader() {
        String bucket = Locking.createLockBucket(owner, "gov-user-bypass");
        List<String> actions = new ArrayList<>(VERSION_ACTIONS);
        actions.add("s3:BypassGovernanceRetention");
        User officer = user("officer", statement("Allow", actions, List.of(objects(bucket))));
        Instant two = inDays(2);
        String v1 = Locking.put(owner, bucket, "k1", bytes("one"), ObjectLockMode.GOVERNANCE, two, null);
        String v2 = Locking.put(owner, bucket, "k2", bytes("two"), ObjectLockMode.GOVERNANCE, two, null);
        String v3 = Locking.put(owner, bucket, "k3", bytes("three"), ObjectLockMode.GOVERNANCE, two, null);

        // The permission without the header: refused.
        assertS3Error(() -> officer.s3().deleteObject(b -> b.bucket(bucket).key("k1").versionId(v1)), 403, "AccessDenied");
        assertBatchRefused(officer.s3(), bucket, "k2", v2, false);
        Instant one = inDays(1);
        assertS3Error(() -> officer.s3().putObjectRetention(b -> b.bucket(bucket).key("k3").versionId(v3)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(one))), 403, "AccessDenied");
        Locking.removeRetention(officer.raw(), bucket, "k3", v3, false).assertError(403, "AccessDenied");
        assertThat(read(owner, bucket, "k1", v1)).isEqualTo("one");
        assertThat(read(owner, bucket, "k2", v2)).isEqualTo("two");
        assertThat(read(owner, bucket, "k3", v3)).isEqualTo("three");
        assertThat(Locking.retention(owner, bucket, "k3", v3)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, two));

        // The permission and the header: bypassed.
        var deleted = officer.s3().deleteObject(b -> b.bucket(bucket).key("k1").versionId(v1).bypassGovernanceRetention(true));
        assertThat(deleted.versionId()).isEqualTo(v1);
        assertS3Error(() -> owner.getObjectAsBytes(b -> b.bucket(bucket).key("k1").versionId(v1)), 404, "NoSuchVersion");
        DeleteObjectsResponse batch = officer.s3().deleteObjects(b -> b.bucket(bucket).bypassGovernanceRetention(true)
                .delete(d -> d.objects(ObjectIdentifier.builder().key("k2").versionId(v2).build())));
        assertThat(batch.errors()).isEmpty();
        assertThat(batch.deleted()).extracting(d -> d.key() + "@" + d.versionId()).containsExactly("k2@" + v2);
        assertS3Error(() -> owner.getObjectAsBytes(b -> b.bucket(bucket).key("k2").versionId(v2)), 404, "NoSuchVersion");
        officer.s3().putObjectRetention(b -> b.bucket(bucket).key("k3").versionId(v3).bypassGovernanceRetention(true)
                .retention(r -> r.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(one)));
        assertThat(Locking.retention(owner, bucket, "k3", v3)).isEqualTo(Locking.retention(ObjectLockRetentionMode.GOVERNANCE, one));
        Locking.removeRetention(officer.raw(), bucket, "k3", v3, true).assertStatus(200);
        assertThat(Locking.retention(owner, bucket, "k3", v3)).isEqualTo("none (404 NoSuchObjectLockConfiguration)");

        // The permission does not reach COMPLIANCE.
        String c = Locking.put(owner, bucket, "c", bytes("compliant"), ObjectLockMode.COMPLIANCE, two, null);
        assertS3Error(() -> officer.s3().deleteObject(b -> b.bucket(bucket).key("c").versionId(c).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        assertThat(read(owner, bucket, "c", c)).isEqualTo("compliant");
    }

    @Test
    void anExplicitDenyOfBypassInTheBucketPolicyStopsEvenTheAccountRoot() {
        record Root(String name, S3Client s3, RawS3 raw, String bucket, String principal) {}
        for (Root root : List.of(new Root("system root", s3, raw, "gov-deny-system", "*"),
                new Root("tenant account root", owner, ownerRaw, "gov-deny-tenant", tenant.rootArn()))) {
            String bucket = Locking.createLockBucket(root.s3(), root.bucket());
            Instant two = inDays(2);
            String v = Locking.put(root.s3(), bucket, "k", bytes("governed"), ObjectLockMode.GOVERNANCE, two, null);
            root.s3().putBucketPolicy(b -> b.bucket(bucket).policy(policy(principalStatement("Deny", root.principal(),
                    List.of("s3:BypassGovernanceRetention"), List.of(objects(bucket))))));

            assertBypassRefused(root.s3(), root.raw(), root.s3(), bucket, "k", v, "governed", two);

            // Without the Deny, the same root bypasses with the header: the Deny was what stopped it.
            root.s3().deleteBucketPolicy(b -> b.bucket(bucket));
            root.s3().deleteObject(b -> b.bucket(bucket).key("k").versionId(v).bypassGovernanceRetention(true));
            assertS3Error(() -> root.s3().getObjectAsBytes(b -> b.bucket(bucket).key("k").versionId(v)), 404, "NoSuchVersion");
        }
    }
}
