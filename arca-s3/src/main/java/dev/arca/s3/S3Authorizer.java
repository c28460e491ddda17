package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.AuthorizationListener;
import dev.arca.iam.Authorizer;
import dev.arca.iam.Principal;
import dev.arca.iam.policy.ConditionKeys;
import dev.arca.iam.policy.Decision;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.PolicyKind;
import dev.arca.meta.BucketRecord;
import dev.arca.object.Buckets;
import dev.arca.object.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Authorizes S3 requests as AWS does: the principal's identity policies, the bucket policy and the
 * bucket's account, evaluated by {@link Authorizer}. Bucket policies are compiled once and cached
 * (this node is the only writer of them); every decision goes to the {@link AuthorizationListener}.
 */
final class S3Authorizer {
    /** Bucket config names (documents stored with the bucket). */
    static final String POLICY_CONFIG = "policy";
    static final String PUBLIC_ACCESS_BLOCK_CONFIG = "public-access-block";

    /** What authorization needs from the identity store. */
    interface Identities {
        List<Policy> identityPolicies(Principal principal);

        /** The account id of an account's canonical id (the owner id buckets carry). */
        Optional<String> accountIdOf(String canonicalId);
    }

    private record BucketAccess(Optional<Policy> policy, PublicAccessBlock block) {}

    private final Identities identities;
    private final Buckets buckets;
    private final ObjectStore objects;
    private final AuthorizationListener listener;
    private final InstantSource clock;
    private final Map<String, BucketAccess> cache = new ConcurrentHashMap<>();

    S3Authorizer(Identities identities, Buckets buckets, ObjectStore objects, AuthorizationListener listener,
            InstantSource clock) {
        this.identities = identities;
        this.buckets = buckets;
        this.objects = objects;
        this.listener = listener;
        this.clock = clock;
    }

    /** Checks every permission {@code r} needs (and read access to a copy source); AccessDenied otherwise. */
    void authorize(S3Request r) {
        for (S3Access.Need need : S3Access.needs(r)) {
            require(r, need);
        }
        if (r.operation() == S3Operation.COPY_OBJECT || r.operation() == S3Operation.UPLOAD_PART_COPY) {
            dev.arca.object.CopySource source = CopySources.parse(r.headers());
            require(r, S3Access.copySource(source.bucket().value(), source.key().value(), source.versionId()));
        }
    }

    void require(S3Request r, S3Access.Need need) {
        if (!allowed(r, need)) {
            throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied");
        }
    }

    /** Whether {@code r}'s principal may do {@code need}; the decision is reported to the listener. */
    boolean allowed(S3Request r, S3Access.Need need) {
        if (need.bucket() == null || r.operation() == S3Operation.CREATE_BUCKET) {
            Principal principal = r.principal();
            return decide(r, need, principal.isAnonymous() ? null : principal.accountId(), null,
                    identityPolicies(principal));
        }
        return allowedOn(r, need.bucket()).test(need);
    }

    /**
     * Decides needs on {@code bucket} exactly as {@link #allowed} does, but looks the bucket's record,
     * account and policy and the principal's identity policies up once for them all: for a request
     * that checks many keys of one bucket at one moment (a batch GET's entries). Each need is still
     * decided, and reported to the listener, on its own. For one request's use, on one thread.
     */
    Predicate<S3Access.Need> allowedOn(S3Request r, String bucket) {
        Optional<BucketRecord> record = buckets.find(bucket);
        if (record.isEmpty()) {
            // The operation answers NoSuchBucket; there is nothing to protect.
            return need -> true;
        }
        return new BucketDecisions(r, bucket, identities.accountIdOf(record.get().ownerId()).orElse(""));
    }

    /** Decisions on one existing bucket; the policies are looked up on first need of them. */
    private final class BucketDecisions implements Predicate<S3Access.Need> {
        private final S3Request r;
        private final String bucket;
        private final String resourceAccount;
        private final boolean ownerRoot;
        private boolean policyLooked;
        private Policy resourcePolicy;
        private List<Policy> identityPolicies;

        BucketDecisions(S3Request r, String bucket, String resourceAccount) {
            this.r = r;
            this.bucket = bucket;
            this.resourceAccount = resourceAccount;
            Principal principal = r.principal();
            this.ownerRoot = principal.kind() == Principal.Kind.ACCOUNT_ROOT && principal.accountId().equals(resourceAccount);
        }

        @Override
        public boolean test(S3Access.Need need) {
            if (!bucket.equals(need.bucket()) || r.operation() == S3Operation.CREATE_BUCKET) {
                throw new IllegalArgumentException("not a need on the existing bucket " + bucket);
            }
            Principal principal = r.principal();
            if (ownerRoot && isPolicyAction(need.action())) {
                // As in S3, the bucket account's root user can always manage the policy, so a policy can't lock it out.
                report(principal, need, Decision.ALLOW, "bucket account root manages the bucket policy");
                return true;
            }
            if (!policyLooked) {
                BucketAccess access = access(bucket);
                resourcePolicy = access.policy().orElse(null);
                if (resourcePolicy != null && access.block().restrictPublicBuckets() && resourcePolicy.isPublic()
                        && (principal.isAnonymous() || !principal.accountId().equals(resourceAccount))) {
                    // RestrictPublicBuckets: a public policy grants nothing outside the bucket's account.
                    resourcePolicy = null;
                }
                identityPolicies = identityPolicies(principal);
                policyLooked = true;
            }
            return decide(r, need, resourceAccount, resourcePolicy, identityPolicies);
        }
    }

    private List<Policy> identityPolicies(Principal principal) {
        return principal.isAnonymous() ? List.of() : identities.identityPolicies(principal);
    }

    /** Evaluates one need against the looked-up policies and reports the decision. */
    private boolean decide(S3Request r, S3Access.Need need, String resourceAccount, Policy resourcePolicy,
            List<Policy> identityPolicies) {
        Principal principal = r.principal();
        Authorizer.Authorization decision = Authorizer.authorize(new Authorizer.AuthorizationRequest(principal,
                need.action(), need.resource(), resourceAccount, identityPolicies, resourcePolicy, keys(r, need)));
        report(principal, need, decision.decision(), decision.reason());
        return decision.decision().allowed();
    }

    private void report(Principal principal, S3Access.Need need, Decision decision, String reason) {
        listener.decided(principal, need.action(), need.resource(), decision, reason);
    }

    private static boolean isPolicyAction(String action) {
        return action.equals("s3:GetBucketPolicy") || action.equals("s3:PutBucketPolicy")
                || action.equals("s3:DeleteBucketPolicy");
    }

    /** The bucket's compiled policy and public access block, cached until changed through this node. */
    private BucketAccess access(String bucket) {
        return cache.computeIfAbsent(bucket, b -> {
            Optional<Policy> policy = buckets.find(b).isEmpty() ? Optional.empty()
                    : buckets.config(new dev.arca.core.BucketName(b), POLICY_CONFIG)
                            .map(raw -> Policy.parse(new String(raw, StandardCharsets.UTF_8), PolicyKind.BUCKET));
            PublicAccessBlock block = buckets.find(b).isEmpty() ? PublicAccessBlock.NONE
                    : buckets.config(new dev.arca.core.BucketName(b), PUBLIC_ACCESS_BLOCK_CONFIG)
                            .map(PublicAccessBlock::decode).orElse(PublicAccessBlock.NONE);
            return new BucketAccess(policy, block);
        });
    }

    /** Forgets a bucket's cached policy and public access block (after they change, or the bucket goes). */
    void invalidate(String bucket) {
        cache.remove(bucket);
    }

    /** The public access block in force for a bucket. */
    PublicAccessBlock publicAccessBlock(String bucket) {
        return access(bucket).block();
    }

    /** Condition key values for one need of a request; object tags are read only if a policy asks. */
    private ConditionKeys keys(S3Request r, S3Access.Need need) {
        return key -> switch (key.toLowerCase(Locale.ROOT)) {
            case "aws:sourceip" -> List.of(r.http().remoteAddress().getAddress().getHostAddress());
            case "aws:securetransport" -> List.of(Boolean.toString(r.http().secure()));
            case "aws:currenttime" -> List.of(Instant.ofEpochMilli(clock.millis()).toString());
            case "aws:epochtime" -> List.of(Long.toString(clock.millis() / 1000));
            case "s3:prefix" -> listParam(r, "prefix");
            case "s3:delimiter" -> listParam(r, "delimiter");
            case "s3:max-keys" -> listParam(r, "max-keys");
            case "s3:versionid" -> optional(r.query().get("versionId"));
            case "s3:x-amz-server-side-encryption" -> optional(r.header("x-amz-server-side-encryption"));
            case "s3:x-amz-acl" -> optional(r.header("x-amz-acl"));
            case "s3:x-amz-copy-source" -> optional(r.header("x-amz-copy-source"));
            case "s3:object-lock-mode" -> optional(r.header(RequestHeaders.LOCK_MODE));
            case "s3:object-lock-retain-until-date" -> optional(r.header(RequestHeaders.LOCK_RETAIN_UNTIL));
            case "s3:object-lock-legal-hold" -> optional(r.header(RequestHeaders.LOCK_LEGAL_HOLD));
            case "s3:signatureversion" -> r.principal().isAnonymous() ? List.of() : List.of("AWS4-HMAC-SHA256");
            case "s3:authtype" -> r.principal().isAnonymous() ? List.of()
                    : List.of(r.auth().presigned() ? "REST-QUERY-STRING" : "REST-HEADER");
            default -> key.toLowerCase(Locale.ROOT).startsWith("s3:existingobjecttag/")
                    ? existingTag(need, key.substring("s3:ExistingObjectTag/".length()), r.query().get("versionId"))
                    : List.of();
        };
    }

    private static List<String> listParam(S3Request r, String name) {
        boolean list = r.operation() == S3Operation.LIST_OBJECTS || r.operation() == S3Operation.LIST_OBJECTS_V2
                || r.operation() == S3Operation.LIST_OBJECT_VERSIONS;
        return list ? optional(r.query().get(name)) : List.of();
    }

    private static List<String> optional(String value) {
        return value == null ? List.of() : List.of(value);
    }

    private List<String> existingTag(S3Access.Need need, String tag, String versionId) {
        if (need.key() == null) {
            return List.of();
        }
        try {
            String v = objects.getTags(new dev.arca.core.BucketName(need.bucket()), new dev.arca.core.ObjectKey(need.key()),
                    versionId).tags().get(tag);
            return optional(v);
        } catch (StoreException e) {
            return List.of();
        }
    }
}
