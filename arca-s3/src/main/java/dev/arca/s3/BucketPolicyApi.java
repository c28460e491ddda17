package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.policy.Policy;
import dev.arca.iam.policy.PolicyException;
import dev.arca.iam.policy.PolicyKind;
import dev.arca.object.Buckets;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Bucket policies and public access blocks on the wire: Put/Get/DeleteBucketPolicy,
 * GetBucketPolicyStatus, Put/Get/DeletePublicAccessBlock. A policy is validated completely
 * (grammar, actions, principals, 20 KB) before anything is stored.
 */
final class BucketPolicyApi {
    /** AWS's bucket policy size limit. */
    static final int MAX_POLICY_BYTES = 20 * 1024;
    /** Largest PublicAccessBlockConfiguration body. */
    static final int MAX_PUBLIC_ACCESS_BLOCK_BYTES = 4 * 1024;

    private final Buckets buckets;
    private final S3Authorizer authorizer;
    private final PrincipalDirectory principals;

    /** Whether the account principals a policy names exist (AWS refuses policies naming unknown principals). */
    interface PrincipalDirectory {
        /** The first principal the policy names that does not exist, if any. */
        java.util.Optional<String> unknownPrincipal(Policy policy);
    }

    BucketPolicyApi(Buckets buckets, S3Authorizer authorizer, PrincipalDirectory principals) {
        this.buckets = buckets;
        this.authorizer = authorizer;
        this.principals = principals;
    }

    HttpResponse put(S3Request r) {
        buckets.get(r.bucket());
        byte[] body;
        try {
            body = Bodies.read(r, MAX_POLICY_BYTES);
        } catch (StoreException e) {
            if (e.kind() == FailureKind.MAX_MESSAGE_LENGTH_EXCEEDED) {
                throw malformed("Policies must be no larger than 20 KB (" + MAX_POLICY_BYTES + " bytes)");
            }
            throw e;
        }
        if (body.length == 0) {
            throw StoreException.of(FailureKind.MISSING_REQUEST_BODY, "Request Body is empty");
        }
        String text = new String(body, StandardCharsets.UTF_8);
        Policy policy;
        try {
            policy = Policy.parse(text, PolicyKind.BUCKET);
        } catch (PolicyException e) {
            throw malformed(e.getMessage());
        }
        principals.unknownPrincipal(policy).ifPresent(p -> {
            throw malformed("Invalid principal in policy: " + p);
        });
        if (policy.isPublic() && authorizer.publicAccessBlock(r.bucket().value()).blockPublicPolicy()) {
            throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied: BlockPublicPolicy is on and this policy is public");
        }
        buckets.putConfig(r.bucket(), S3Authorizer.POLICY_CONFIG, body);
        authorizer.invalidate(r.bucket().value());
        return Responses.empty(204);
    }

    HttpResponse get(S3Request r) {
        byte[] raw = buckets.config(r.bucket(), S3Authorizer.POLICY_CONFIG).orElseThrow(() -> new StoreException(
                new Failure(FailureKind.NO_SUCH_BUCKET_POLICY, "The bucket policy does not exist", r.bucket().value(),
                        Map.of("BucketName", r.bucket().value()))));
        Headers h = new Headers().set("content-type", "application/json");
        return new HttpResponse(200, h, new HttpResponse.Bytes(raw));
    }

    HttpResponse delete(S3Request r) {
        buckets.get(r.bucket());
        buckets.putConfig(r.bucket(), S3Authorizer.POLICY_CONFIG, null);
        authorizer.invalidate(r.bucket().value());
        return Responses.empty(204);
    }

    HttpResponse status(S3Request r) {
        byte[] raw = buckets.config(r.bucket(), S3Authorizer.POLICY_CONFIG).orElseThrow(() -> new StoreException(
                new Failure(FailureKind.NO_SUCH_BUCKET_POLICY, "The bucket policy does not exist", r.bucket().value(),
                        Map.of("BucketName", r.bucket().value()))));
        boolean isPublic = Policy.parse(new String(raw, StandardCharsets.UTF_8), PolicyKind.BUCKET).isPublic();
        return Responses.xml(200, new XmlWriter().root("PolicyStatus").element("IsPublic", isPublic).end());
    }

    HttpResponse putPublicAccessBlock(S3Request r) {
        buckets.get(r.bucket());
        PublicAccessBlock block = PublicAccessBlock.parse(
                Bodies.xml(r, MAX_PUBLIC_ACCESS_BLOCK_BYTES, "PublicAccessBlockConfiguration"));
        buckets.putConfig(r.bucket(), S3Authorizer.PUBLIC_ACCESS_BLOCK_CONFIG, block.encode());
        authorizer.invalidate(r.bucket().value());
        return Responses.empty(200);
    }

    HttpResponse getPublicAccessBlock(S3Request r) {
        byte[] raw = buckets.config(r.bucket(), S3Authorizer.PUBLIC_ACCESS_BLOCK_CONFIG).orElseThrow(() ->
                new StoreException(new Failure(FailureKind.NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION,
                        "The public access block configuration was not found", r.bucket().value(),
                        Map.of("BucketName", r.bucket().value()))));
        return Responses.xml(200, PublicAccessBlock.decode(raw).render());
    }

    HttpResponse deletePublicAccessBlock(S3Request r) {
        buckets.get(r.bucket());
        buckets.putConfig(r.bucket(), S3Authorizer.PUBLIC_ACCESS_BLOCK_CONFIG, null);
        authorizer.invalidate(r.bucket().value());
        return Responses.empty(204);
    }

    private static StoreException malformed(String message) {
        return StoreException.of(FailureKind.MALFORMED_POLICY, message);
    }
}
