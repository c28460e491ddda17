package dev.arca.it;

import static dev.arca.it.Tenancy.allow;
import static dev.arca.it.Tenancy.policy;
import static dev.arca.it.Tenancy.principalStatement;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectLockEnabled;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Issue 4, "must show" 1: a generated isolation matrix of every S3 operation Arca supports against
 * five principals. Account A owns the buckets; the principals are A's root user (the owner), an IAM
 * user of A without any policy, an IAM user of account B whose identity policy allows s3:* on *, an
 * anonymous client, and A's role session (s3:* allowed) after the object clock passed its expiry.
 *
 * <p>Only the owner's cells succeed; every other cell is refused (403 AccessDenied, or 400
 * ExpiredToken for the expired session) and changes nothing: after every refused attempt the whole
 * observable state of A's buckets (versions and their bytes, tags, retention, legal holds, uploads
 * and parts, ACLs, versioning, lifecycle, policy, public access block, lock configuration) and the
 * bucket lists of A and B are compared with the state before. The owner's cells run for real, and a
 * mutating operation must visibly change that state (which shows the comparison would notice it).
 *
 * <p>Two cells are not refusals by AWS's rules, and the test holds them to what AWS does instead:
 * B's user may ListBuckets and CreateBucket within its own account B, so those cells must succeed
 * inside B, show nothing of A, and leave A unchanged.
 */
class IsolationMatrixTest {
    @TempDir
    static Path dir;

    static final String ISO = "iso-a";
    static final String LOCK = "iso-a-lock";
    static final String DOOMED = "iso-a-doomed";
    static final String B_OWN = "iso-b";
    static final String OBJ = "obj";

    static Versioned.MutableClock clock;
    static ArcaTestServer server;
    static Tenancy.Account a;
    static Tenancy.Account b;
    static final Map<Who, S3Client> clients = new EnumMap<>(Who.class);
    static S3Client owner;
    static S3Client bRoot;
    static IamClient iamA;
    static IamClient iamB;
    static StsClient stsAssumer;

    static String uploadForParts;
    static String uploadToComplete;
    static String uploadToAbort;
    static String completePartEtag;
    static String lockedVersion;

    /** The principals of the matrix. */
    enum Who {
        OWNER("owner (A root)"),
        SAME_ACCOUNT("A/nobody (no policy)"),
        OTHER_ACCOUNT("B/mallory (s3:* on *)"),
        ANONYMOUS("anonymous"),
        EXPIRED_STS("expired STS (A role, s3:*)");

        final String label;

        Who(String label) {
            this.label = label;
        }

        String slug() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** What a cell must do. */
    enum Expect { SUCCEED, ACCESS_DENIED, EXPIRED_TOKEN, SUCCEED_IN_OWN_ACCOUNT }

    /**
     * One S3 operation: the call (given the principal's client and who it is), whether it is a HEAD
     * (no error body), whether the owner's call must change the observable state, an optional check
     * of the cell that succeeds inside the caller's own account, and an optional extra check after a
     * refusal (null when all is well) for effects the state comparison cannot see.
     */
    record Op(String name, BiFunction<S3Client, Who, Object> call, boolean head, boolean mutates,
            BiFunction<Object, Who, String> ownAccountCheck, Function<Who, String> afterRefusal) {
        static Op read(String name, BiFunction<S3Client, Who, Object> call) {
            return new Op(name, call, false, false, null, null);
        }

        static Op write(String name, BiFunction<S3Client, Who, Object> call) {
            return new Op(name, call, false, true, null, null);
        }

        /** A write whose only successful form changes nothing observable (Arca's ACLs are always the owner's). */
        static Op idempotentWrite(String name, BiFunction<S3Client, Who, Object> call) {
            return new Op(name, call, false, false, null, null);
        }

        static Op head(String name, BiFunction<S3Client, Who, Object> call) {
            return new Op(name, call, true, false, null, null);
        }

        Expect expect(Who who) {
            return switch (who) {
                case OWNER -> Expect.SUCCEED;
                case EXPIRED_STS -> Expect.EXPIRED_TOKEN;
                case OTHER_ACCOUNT -> ownAccountCheck != null ? Expect.SUCCEED_IN_OWN_ACCOUNT : Expect.ACCESS_DENIED;
                default -> Expect.ACCESS_DENIED;
            };
        }
    }

    /** DeleteObjects refused key by key (HTTP 200 with an AccessDenied Error for every key), as S3 may answer. */
    static final class PerKeyAccessDenied extends RuntimeException {
        PerKeyAccessDenied(String message) {
            super(message);
        }
    }

    @BeforeAll
    static void start() {
        clock = new Versioned.MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        server = ArcaTestServer.start(dir.resolve("data"), clock);
        a = Tenancy.createAccount(server, "iso-tenant-a");
        b = Tenancy.createAccount(server, "iso-tenant-b");
        owner = Tenancy.s3(server, a.credentials());
        bRoot = Tenancy.s3(server, b.credentials());
        iamA = Tenancy.iam(server, a.credentials());
        iamB = Tenancy.iam(server, b.credentials());

        // A/nobody: a user of A with a key and no policy at all.
        iamA.createUser(r -> r.userName("nobody"));
        var nobodyKey = iamA.createAccessKey(r -> r.userName("nobody")).accessKey();
        // B/mallory: s3:* on everything, by her own account's identity policy.
        iamB.createUser(r -> r.userName("mallory"));
        iamB.putUserPolicy(r -> r.userName("mallory").policyName("s3-everything").policyDocument(policy(allow("s3:*", "*"))));
        var malloryKey = iamB.createAccessKey(r -> r.userName("mallory")).accessKey();
        // A role with s3:* that A/assumer may assume.
        iamA.createUser(r -> r.userName("assumer"));
        iamA.putUserPolicy(r -> r.userName("assumer").policyName("assume")
                .policyDocument(policy(allow("sts:AssumeRole", a.roleArn("iso-s3-all")))));
        var assumerKey = iamA.createAccessKey(r -> r.userName("assumer")).accessKey();
        iamA.createRole(r -> r.roleName("iso-s3-all").assumeRolePolicyDocument(Tenancy.trust(a.userArn("assumer"))));
        iamA.putRolePolicy(r -> r.roleName("iso-s3-all").policyName("s3-everything").policyDocument(policy(allow("s3:*", "*"))));

        owner.createBucket(r -> r.bucket(ISO));
        Versioned.enableVersioning(owner, ISO);
        Tenancy.put(owner, ISO, OBJ, "the object of the matrix");

        S3Client nobody = Tenancy.s3(server, Tenancy.basic(nobodyKey));
        S3Client mallory = Tenancy.s3(server, Tenancy.basic(malloryKey));
        stsAssumer = Tenancy.sts(server, Tenancy.basic(assumerKey));
        Credentials session = stsAssumer.assumeRole(r -> r.roleArn(a.roleArn("iso-s3-all")).roleSessionName("matrix")
                .durationSeconds(900)).credentials();
        S3Client expired = Tenancy.s3(server, Tenancy.session(session));

        // Sanity before the matrix: every principal's credentials are good, so that a refusal in a
        // cell is authorization (or expiry), never a broken key.
        assertThat(Tenancy.get(expired, ISO, OBJ)).as("the role session reads A's object before it expires")
                .isEqualTo("the object of the matrix");
        mallory.createBucket(r -> r.bucket(B_OWN));
        Tenancy.put(mallory, B_OWN, "b-object", "B's own object");
        Tenancy.assertAwsError(() -> nobody.listBuckets(), 403, "AccessDenied");

        // Expire the session on the object clock (signing keeps the real clock).
        Instant expiry = session.expiration();
        clock.set((expiry.isAfter(clock.instant()) ? expiry : clock.instant()).plus(Duration.ofHours(1)));
        Tenancy.assertAwsError(() -> expired.getObject(r -> r.bucket(ISO).key(OBJ)), 400, "ExpiredToken");

        clients.put(Who.OWNER, owner);
        clients.put(Who.SAME_ACCOUNT, nobody);
        clients.put(Who.OTHER_ACCOUNT, mallory);
        clients.put(Who.ANONYMOUS, Tenancy.s3(server, null));
        clients.put(Who.EXPIRED_STS, expired);

        // The rest of A's state, dated on the (advanced) object clock.
        owner.putObjectTagging(r -> r.bucket(ISO).key(OBJ).tagging(t -> t.tagSet(Tag.builder().key("k").value("v").build())));
        for (String key : List.of("del-one", "del-many-1", "del-many-2")) {
            Tenancy.put(owner, ISO, key, "to be deleted: " + key);
        }
        owner.putObject(r -> r.bucket(ISO).key("tagged").tagging("colour=blue"), RequestBody.fromString("tagged"));
        uploadForParts = owner.createMultipartUpload(r -> r.bucket(ISO).key("mpu/parts")).uploadId();
        owner.uploadPart(r -> r.bucket(ISO).key("mpu/parts").uploadId(uploadForParts).partNumber(1),
                RequestBody.fromString("part one"));
        uploadToComplete = owner.createMultipartUpload(r -> r.bucket(ISO).key("mpu/complete")).uploadId();
        completePartEtag = owner.uploadPart(r -> r.bucket(ISO).key("mpu/complete").uploadId(uploadToComplete).partNumber(1),
                RequestBody.fromString("the only part")).eTag();
        uploadToAbort = owner.createMultipartUpload(r -> r.bucket(ISO).key("mpu/abort")).uploadId();
        owner.putBucketLifecycleConfiguration(r -> r.bucket(ISO).lifecycleConfiguration(l -> l.rules(rule("r1"))));
        owner.putBucketPolicy(r -> r.bucket(ISO).policy(policy(principalStatement("Allow", a.rootArn(),
                List.of("s3:GetObject"), List.of("arn:aws:s3:::" + ISO + "/policy-demo/*")))));
        owner.putPublicAccessBlock(r -> r.bucket(ISO).publicAccessBlockConfiguration(p -> p.blockPublicAcls(true)
                .ignorePublicAcls(false).blockPublicPolicy(false).restrictPublicBuckets(false)));
        Locking.createLockBucket(owner, LOCK);
        lockedVersion = Locking.put(owner, LOCK, "locked", Tenancy.utf8("locked"), ObjectLockMode.GOVERNANCE,
                clock.instant().plus(Duration.ofDays(2)), null);
        owner.createBucket(r -> r.bucket(DOOMED));
    }

    @AfterAll
    static void stop() {
        for (S3Client c : clients.values()) {
            c.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {bRoot, iamA, iamB, stsAssumer, server}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing
                }
            }
        }
    }

    static LifecycleRule rule(String id) {
        return LifecycleRule.builder().id(id).filter(f -> f.prefix("never/" + id + "/")).status(ExpirationStatus.ENABLED)
                .expiration(e -> e.days(3650)).build();
    }

    // ---------------------------------------------------------------- the operations

    static List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("ListBuckets", (c, w) -> c.listBuckets(), false, false, (result, w) -> {
            Set<String> seen = names(((software.amazon.awssdk.services.s3.model.ListBucketsResponse) result).buckets());
            Set<String> aBuckets = names(owner.listBuckets().buckets());
            Set<String> shown = new LinkedHashSet<>(seen);
            shown.retainAll(aBuckets);
            if (!shown.isEmpty()) {
                return "B's ListBuckets shows A's buckets " + shown;
            }
            return seen.contains(B_OWN) ? null : "B's ListBuckets lacks B's own bucket " + B_OWN + ": " + seen;
        }, null));
        ops.add(new Op("CreateBucket", (c, w) -> c.createBucket(r -> r.bucket("iso-new-" + w.slug())), false, true,
                (result, w) -> {
                    String name = "iso-new-" + w.slug();
                    String problem = null;
                    if (names(owner.listBuckets().buckets()).contains(name)) {
                        problem = "B's new bucket " + name + " is listed by A";
                    } else if (!names(bRoot.listBuckets().buckets()).contains(name)) {
                        problem = "B's new bucket " + name + " is not listed by B's root";
                    } else if (status(() -> owner.headBucket(r -> r.bucket(name))) != 403) {
                        problem = "A's root may HeadBucket B's new bucket " + name;
                    }
                    bRoot.deleteBucket(r -> r.bucket(name));
                    return problem;
                }, w -> {
                    // A bucket created for nobody's account would be in neither list: the name must still be free.
                    String name = "iso-new-" + w.slug();
                    int head = status(() -> owner.headBucket(r -> r.bucket(name)));
                    return head == 404 ? null : "LEAK: bucket " + name + " exists after the refusal (A's HeadBucket: " + head + ")";
                }));
        ops.add(Op.write("DeleteBucket", (c, w) -> c.deleteBucket(r -> r.bucket(DOOMED))));
        ops.add(Op.head("HeadBucket", (c, w) -> c.headBucket(r -> r.bucket(ISO))));
        ops.add(Op.read("GetBucketLocation", (c, w) -> c.getBucketLocation(r -> r.bucket(ISO))));
        ops.add(Op.read("GetBucketVersioning", (c, w) -> c.getBucketVersioning(r -> r.bucket(ISO))));
        ops.add(Op.write("PutBucketVersioning", (c, w) -> c.putBucketVersioning(r -> r.bucket(ISO)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.SUSPENDED)))));
        ops.add(Op.read("GetBucketAcl", (c, w) -> c.getBucketAcl(r -> r.bucket(ISO))));
        // Arca has no grants beyond the owner's, so a private canned ACL is the one PutBucketAcl that succeeds.
        ops.add(Op.idempotentWrite("PutBucketAcl", (c, w) -> c.putBucketAcl(r -> r.bucket(ISO).acl(BucketCannedACL.PRIVATE))));
        ops.add(Op.read("ListObjects", (c, w) -> c.listObjects(r -> r.bucket(ISO))));
        ops.add(Op.read("ListObjectsV2", (c, w) -> c.listObjectsV2(r -> r.bucket(ISO))));
        ops.add(Op.read("ListObjectVersions", (c, w) -> c.listObjectVersions(r -> r.bucket(ISO))));
        ops.add(Op.read("ListMultipartUploads", (c, w) -> c.listMultipartUploads(r -> r.bucket(ISO))));
        ops.add(Op.write("DeleteObjects", (c, w) -> {
            DeleteObjectsResponse r = c.deleteObjects(d -> d.bucket(ISO).delete(del -> del.objects(
                    ObjectIdentifier.builder().key("del-many-1").build(), ObjectIdentifier.builder().key("del-many-2").build())));
            if (!r.errors().isEmpty()) {
                boolean allDenied = r.deleted().isEmpty() && r.errors().size() == 2
                        && r.errors().stream().allMatch(e -> "AccessDenied".equals(e.code()));
                if (allDenied) {
                    throw new PerKeyAccessDenied(r.errors().toString());
                }
                throw new AssertionError("DeleteObjects answered 200 with deleted=" + r.deleted() + " errors=" + r.errors());
            }
            return r;
        }));
        ops.add(Op.write("PutObject", (c, w) -> c.putObject(r -> r.bucket(ISO).key("put-new"),
                RequestBody.fromString("written by " + w))));
        ops.add(Op.write("CopyObject", (c, w) -> c.copyObject(r -> r.sourceBucket(ISO).sourceKey(OBJ)
                .destinationBucket(ISO).destinationKey("copied"))));
        ops.add(Op.read("GetObject", (c, w) -> c.getObjectAsBytes(r -> r.bucket(ISO).key(OBJ)).asUtf8String()));
        ops.add(Op.head("HeadObject", (c, w) -> c.headObject(r -> r.bucket(ISO).key(OBJ))));
        ops.add(Op.write("DeleteObject", (c, w) -> c.deleteObject(r -> r.bucket(ISO).key("del-one"))));
        ops.add(Op.read("GetObjectTagging", (c, w) -> c.getObjectTagging(r -> r.bucket(ISO).key(OBJ))));
        ops.add(Op.write("PutObjectTagging", (c, w) -> c.putObjectTagging(r -> r.bucket(ISO).key(OBJ)
                .tagging(t -> t.tagSet(Tag.builder().key("k").value("changed").build())))));
        ops.add(Op.write("DeleteObjectTagging", (c, w) -> c.deleteObjectTagging(r -> r.bucket(ISO).key("tagged"))));
        ops.add(Op.read("GetObjectAcl", (c, w) -> c.getObjectAcl(r -> r.bucket(ISO).key(OBJ))));
        ops.add(Op.idempotentWrite("PutObjectAcl", (c, w) -> c.putObjectAcl(r -> r.bucket(ISO).key(OBJ).acl(ObjectCannedACL.PRIVATE))));
        ops.add(Op.write("CreateMultipartUpload", (c, w) -> c.createMultipartUpload(r -> r.bucket(ISO).key("mpu/new"))));
        ops.add(Op.write("UploadPart", (c, w) -> c.uploadPart(r -> r.bucket(ISO).key("mpu/parts").uploadId(uploadForParts)
                .partNumber(2), RequestBody.fromString("part two by " + w))));
        ops.add(Op.write("UploadPartCopy", (c, w) -> c.uploadPartCopy(r -> r.sourceBucket(ISO).sourceKey(OBJ)
                .destinationBucket(ISO).destinationKey("mpu/parts").uploadId(uploadForParts).partNumber(3))));
        ops.add(Op.write("CompleteMultipartUpload", (c, w) -> c.completeMultipartUpload(r -> r.bucket(ISO).key("mpu/complete")
                .uploadId(uploadToComplete)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(completePartEtag).build())))));
        ops.add(Op.write("AbortMultipartUpload", (c, w) -> c.abortMultipartUpload(r -> r.bucket(ISO).key("mpu/abort")
                .uploadId(uploadToAbort))));
        ops.add(Op.read("ListParts", (c, w) -> c.listParts(r -> r.bucket(ISO).key("mpu/parts").uploadId(uploadForParts))));
        ops.add(Op.read("GetObjectLockConfiguration", (c, w) -> c.getObjectLockConfiguration(r -> r.bucket(LOCK))));
        ops.add(Op.write("PutObjectLockConfiguration", (c, w) -> c.putObjectLockConfiguration(r -> r.bucket(LOCK)
                .objectLockConfiguration(l -> l.objectLockEnabled(ObjectLockEnabled.ENABLED)
                        .rule(rule -> rule.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE).days(1)))))));
        ops.add(Op.read("GetObjectRetention", (c, w) -> c.getObjectRetention(r -> r.bucket(LOCK).key("locked")
                .versionId(lockedVersion))));
        ops.add(Op.write("PutObjectRetention", (c, w) -> c.putObjectRetention(r -> r.bucket(LOCK).key("locked")
                .versionId(lockedVersion).retention(t -> t.mode(ObjectLockRetentionMode.GOVERNANCE)
                        .retainUntilDate(clock.instant().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.SECONDS))))));
        ops.add(Op.read("GetObjectLegalHold", (c, w) -> c.getObjectLegalHold(r -> r.bucket(LOCK).key("locked")
                .versionId(lockedVersion))));
        ops.add(Op.write("PutObjectLegalHold", (c, w) -> c.putObjectLegalHold(r -> r.bucket(LOCK).key("locked")
                .versionId(lockedVersion).legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON)))));
        ops.add(Op.read("GetBucketLifecycleConfiguration", (c, w) -> c.getBucketLifecycleConfiguration(r -> r.bucket(ISO))));
        ops.add(Op.write("PutBucketLifecycleConfiguration", (c, w) -> c.putBucketLifecycleConfiguration(r -> r.bucket(ISO)
                .lifecycleConfiguration(l -> l.rules(rule("r2-" + w.slug()))))));
        ops.add(Op.write("DeleteBucketLifecycle", (c, w) -> c.deleteBucketLifecycle(r -> r.bucket(ISO))));
        ops.add(Op.read("GetBucketPolicy", (c, w) -> c.getBucketPolicy(r -> r.bucket(ISO))));
        ops.add(Op.read("GetBucketPolicyStatus", (c, w) -> c.getBucketPolicyStatus(r -> r.bucket(ISO))));
        ops.add(Op.write("PutBucketPolicy", (c, w) -> c.putBucketPolicy(r -> r.bucket(ISO).policy(policy(principalStatement(
                "Allow", "*", List.of("s3:GetObject", "s3:PutObject"), List.of("arn:aws:s3:::" + ISO + "/*")))))));
        ops.add(Op.write("DeleteBucketPolicy", (c, w) -> c.deleteBucketPolicy(r -> r.bucket(ISO))));
        ops.add(Op.read("GetPublicAccessBlock", (c, w) -> c.getPublicAccessBlock(r -> r.bucket(ISO))));
        ops.add(Op.write("PutPublicAccessBlock", (c, w) -> c.putPublicAccessBlock(r -> r.bucket(ISO)
                .publicAccessBlockConfiguration(p -> p.blockPublicAcls(false).ignorePublicAcls(false)
                        .blockPublicPolicy(false).restrictPublicBuckets(false)))));
        ops.add(Op.write("DeletePublicAccessBlock", (c, w) -> c.deletePublicAccessBlock(r -> r.bucket(ISO))));
        return ops;
    }

    // ---------------------------------------------------------------- the matrix

    record Cell(Op op, Who who, Expect expect, String outcome, boolean passed) {}

    @Test
    void onlyTheOwnersCellsSucceedAndRefusedCellsChangeNothing() {
        long started = System.nanoTime();
        List<Op> ops = operations();
        List<Cell> cells = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> baseline = snapshot();
        for (Op op : ops) {
            // Everyone else first, against the same state; then the owner, for real.
            for (Who who : List.of(Who.SAME_ACCOUNT, Who.OTHER_ACCOUNT, Who.ANONYMOUS, Who.EXPIRED_STS, Who.OWNER)) {
                Expect expect = op.expect(who);
                Attempt attempt = attempt(op, who);
                String problem = judge(op, who, expect, attempt);
                if (problem == null && op.afterRefusal() != null
                        && (expect == Expect.ACCESS_DENIED || expect == Expect.EXPIRED_TOKEN)) {
                    problem = op.afterRefusal().apply(who);
                }
                List<String> after = snapshot();
                if (expect == Expect.SUCCEED) {
                    if (problem == null && op.mutates() && after.equals(baseline)) {
                        problem = "the owner's " + op.name() + " changed nothing observable (the state check is blind to it)";
                    }
                    baseline = after;
                } else if (!after.equals(baseline)) {
                    problem = (problem == null ? "" : problem + "; ") + "LEAK: state changed: " + diff(baseline, after);
                    baseline = after;
                }
                if (problem != null) {
                    problems.add(op.name() + " as " + who.label + ": " + problem);
                }
                cells.add(new Cell(op, who, expect, attempt.describe(), problem == null));
            }
        }
        print(ops, cells, problems, (System.nanoTime() - started) / 1_000_000_000.0);
        assertThat(problems).as("cells that did not behave as AWS requires").isEmpty();
    }

    /** The outcome of one call: its result, or the AWS error (status, code), or another failure. */
    record Attempt(Object result, int status, String code, String message, boolean perKeyDenied) {
        boolean succeeded() {
            return status == 0 && message == null;
        }

        String describe() {
            if (succeeded()) {
                return "ok";
            }
            if (perKeyDenied) {
                return "200+AccessDenied per key";
            }
            return status == 0 ? "client error: " + message : status + (code == null ? "" : " " + code);
        }
    }

    static Attempt attempt(Op op, Who who) {
        try {
            return new Attempt(op.call().apply(clients.get(who), who), 0, null, null, false);
        } catch (PerKeyAccessDenied e) {
            return new Attempt(null, 200, "AccessDenied", e.getMessage(), true);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            return new Attempt(null, e.statusCode(), code, e.getMessage(), false);
        } catch (RuntimeException | AssertionError e) {
            return new Attempt(null, 0, null, e.toString(), false);
        }
    }

    /** Null when the cell did what it must, else what went wrong. */
    static String judge(Op op, Who who, Expect expect, Attempt attempt) {
        return switch (expect) {
            case SUCCEED -> attempt.succeeded() ? null : "the owner's call failed: " + attempt.describe() + " " + attempt.message();
            case SUCCEED_IN_OWN_ACCOUNT -> attempt.succeeded() ? op.ownAccountCheck().apply(attempt.result(), who)
                    : "must succeed inside the caller's own account but failed: " + attempt.describe() + " " + attempt.message();
            case ACCESS_DENIED -> refusal(op, attempt, 403, "AccessDenied");
            case EXPIRED_TOKEN -> refusal(op, attempt, 400, "ExpiredToken");
        };
    }

    static String refusal(Op op, Attempt attempt, int status, String code) {
        if (attempt.succeeded()) {
            return "LEAK: the call succeeded (expected " + status + " " + code + "): " + abbreviate(String.valueOf(attempt.result()));
        }
        if (attempt.perKeyDenied() && code.equals("AccessDenied")) {
            return null;
        }
        boolean statusOk = attempt.status() == status;
        boolean codeOk = op.head() || code.equals(attempt.code());
        if (statusOk && codeOk) {
            return null;
        }
        return "expected " + status + " " + code + " but got " + attempt.describe() + " (" + abbreviate(attempt.message()) + ")";
    }

    static void print(List<Op> ops, List<Cell> cells, List<String> problems, double seconds) {
        StringBuilder s = new StringBuilder("\n");
        s.append(String.format("%-32s", "operation"));
        for (Who w : Who.values()) {
            s.append(String.format(" | %-26s", w.label));
        }
        s.append('\n');
        for (Op op : ops) {
            s.append(String.format("%-32s", op.name()));
            for (Who w : Who.values()) {
                Cell c = cells.stream().filter(x -> x.op() == op && x.who() == w).findFirst().orElseThrow();
                String mark = (c.passed() ? "" : "FAIL ") + c.outcome() + (c.expect() == Expect.SUCCEED_IN_OWN_ACCOUNT ? " (in B)" : "");
                s.append(String.format(" | %-26s", abbreviate(mark, 26)));
            }
            s.append('\n');
        }
        long allowed = cells.stream().filter(c -> c.passed() && (c.expect() == Expect.SUCCEED
                || c.expect() == Expect.SUCCEED_IN_OWN_ACCOUNT)).count();
        long ownAccount = cells.stream().filter(c -> c.passed() && c.expect() == Expect.SUCCEED_IN_OWN_ACCOUNT).count();
        long denied = cells.stream().filter(c -> c.passed() && (c.expect() == Expect.ACCESS_DENIED
                || c.expect() == Expect.EXPIRED_TOKEN)).count();
        long leaks = problems.stream().filter(p -> p.contains("LEAK")).count();
        s.append(String.format("isolation matrix: %d operations x %d principals = %d cells, %d allowed (%d of them inside"
                + " the caller's own account B), %d denied, %d leaks, %d other failures (%.1f s)%n", ops.size(),
                Who.values().length, cells.size(), allowed, ownAccount, denied, leaks, problems.size() - leaks, seconds));
        for (String p : problems) {
            s.append("  FAIL ").append(p).append('\n');
        }
        System.out.println(s);
    }

    // ---------------------------------------------------------------- observable state

    /** Everything a refused request could have changed, one line per fact, as A's and B's roots see it. */
    static List<String> snapshot() {
        List<String> s = new ArrayList<>();
        s.add("A buckets " + names(owner.listBuckets().buckets()));
        s.add("B buckets " + names(bRoot.listBuckets().buckets()));
        for (String bucket : List.of(ISO, LOCK, DOOMED)) {
            bucketState(owner, bucket, s);
        }
        bucketState(bRoot, B_OWN, s);
        return s;
    }

    static void bucketState(S3Client c, String bucket, List<String> s) {
        int head = status(() -> c.headBucket(r -> r.bucket(bucket)));
        if (head != 0) {
            s.add(bucket + " HeadBucket " + head);
            return;
        }
        s.add(bucket + " versioning " + quiet(() -> c.getBucketVersioning(r -> r.bucket(bucket)).statusAsString()));
        s.add(bucket + " acl " + quiet(() -> c.getBucketAcl(r -> r.bucket(bucket)).grants()));
        s.add(bucket + " lifecycle " + quiet(() -> c.getBucketLifecycleConfiguration(r -> r.bucket(bucket)).rules()));
        s.add(bucket + " policy " + quiet(() -> c.getBucketPolicy(r -> r.bucket(bucket)).policy()));
        s.add(bucket + " public access block " + quiet(() -> c.getPublicAccessBlock(r -> r.bucket(bucket))
                .publicAccessBlockConfiguration()));
        s.add(bucket + " lock configuration " + quiet(() -> c.getObjectLockConfiguration(r -> r.bucket(bucket))
                .objectLockConfiguration()));
        for (ListObjectVersionsResponse page : c.listObjectVersionsPaginator(r -> r.bucket(bucket))) {
            for (ObjectVersion v : page.versions()) {
                String vid = v.versionId();
                String line = bucket + " version " + v.key() + " " + vid + " etag=" + v.eTag() + " size=" + v.size()
                        + " latest=" + v.isLatest()
                        + " sha256=" + quiet(() -> sha256(c.getObjectAsBytes(r -> r.bucket(bucket).key(v.key()).versionId(vid))
                                .asByteArray()))
                        + " tags=" + quiet(() -> c.getObjectTagging(r -> r.bucket(bucket).key(v.key()).versionId(vid)).tagSet());
                if (bucket.equals(LOCK)) {
                    line += " retention=" + Locking.retention(c, bucket, v.key(), vid)
                            + " hold=" + Locking.legalHold(c, bucket, v.key(), vid);
                }
                s.add(line);
            }
            page.deleteMarkers().forEach(m -> s.add(bucket + " delete marker " + m.key() + " " + m.versionId()
                    + " latest=" + m.isLatest()));
        }
        if (bucket.equals(ISO)) {
            s.add(bucket + " object acl " + quiet(() -> c.getObjectAcl(r -> r.bucket(bucket).key(OBJ)).grants()));
        }
        for (MultipartUpload u : c.listMultipartUploads(r -> r.bucket(bucket)).uploads()) {
            ListPartsResponse parts = c.listParts(r -> r.bucket(bucket).key(u.key()).uploadId(u.uploadId()));
            s.add(bucket + " upload " + u.key() + " " + u.uploadId() + " parts " + parts.parts().stream()
                    .map(Part::toString).collect(Collectors.joining(", ")));
        }
    }

    static Set<String> names(List<Bucket> buckets) {
        return buckets.stream().map(Bucket::name).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** HTTP status of a failed call, 0 if it succeeded. */
    static int status(Runnable call) {
        try {
            call.run();
            return 0;
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }

    static String quiet(Supplier<Object> read) {
        try {
            return String.valueOf(read.get());
        } catch (S3Exception e) {
            return "error " + e.statusCode() + " " + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode());
        }
    }

    static String diff(List<String> before, List<String> after) {
        List<String> gone = new ArrayList<>(before);
        gone.removeAll(after);
        List<String> added = new ArrayList<>(after);
        added.removeAll(before);
        return "before-only " + gone + " after-only " + added;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String abbreviate(String s) {
        return abbreviate(s, 300);
    }

    static String abbreviate(String s, int max) {
        if (s == null) {
            return "null";
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
