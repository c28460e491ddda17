package dev.arca.s3;

import java.util.List;

/**
 * Which IAM actions an S3 request needs, named as in AWS's "Actions defined by Amazon S3". A
 * request that names a version needs the …Version action, as S3 does it; a write that sets tags,
 * retention or a legal hold needs those actions too.
 */
final class S3Access {
    private S3Access() {}

    /** A permission a request needs: an action on a resource ARN (null key: the bucket itself). */
    record Need(String action, String bucket, String key) {
        String resource() {
            if (bucket == null) {
                return "*";
            }
            return key == null ? "arn:aws:s3:::" + bucket : "arn:aws:s3:::" + bucket + "/" + key;
        }
    }

    /** The permissions {@code r} needs on its own bucket and key (copy sources are checked separately). */
    static List<Need> needs(S3Request r) {
        String b = r.bucket() == null ? null : r.bucket().value();
        String k = r.key() == null ? null : r.key().value();
        boolean version = r.query().get("versionId") != null;
        return switch (r.operation()) {
            case LIST_BUCKETS -> List.of(new Need("s3:ListAllMyBuckets", null, null));
            case CREATE_BUCKET -> "true".equalsIgnoreCase(r.header("x-amz-bucket-object-lock-enabled"))
                    ? List.of(bucket("s3:CreateBucket", b), bucket("s3:PutBucketObjectLockConfiguration", b),
                            bucket("s3:PutBucketVersioning", b))
                    : List.of(bucket("s3:CreateBucket", b));
            case DELETE_BUCKET -> List.of(bucket("s3:DeleteBucket", b));
            case HEAD_BUCKET, LIST_OBJECTS, LIST_OBJECTS_V2 -> List.of(bucket("s3:ListBucket", b));
            case GET_BUCKET_LOCATION -> List.of(bucket("s3:GetBucketLocation", b));
            case GET_BUCKET_VERSIONING -> List.of(bucket("s3:GetBucketVersioning", b));
            case PUT_BUCKET_VERSIONING -> List.of(bucket("s3:PutBucketVersioning", b));
            case GET_BUCKET_ACL -> List.of(bucket("s3:GetBucketAcl", b));
            case PUT_BUCKET_ACL -> List.of(bucket("s3:PutBucketAcl", b));
            case LIST_OBJECT_VERSIONS -> List.of(bucket("s3:ListBucketVersions", b));
            case LIST_MULTIPART_UPLOADS -> List.of(bucket("s3:ListBucketMultipartUploads", b));
            case GET_OBJECT_LOCK_CONFIGURATION -> List.of(bucket("s3:GetBucketObjectLockConfiguration", b));
            case PUT_OBJECT_LOCK_CONFIGURATION -> List.of(bucket("s3:PutBucketObjectLockConfiguration", b));
            case GET_BUCKET_LIFECYCLE -> List.of(bucket("s3:GetLifecycleConfiguration", b));
            case GET_BUCKET_ENCRYPTION -> List.of(bucket("s3:GetEncryptionConfiguration", b));
            case PUT_BUCKET_ENCRYPTION, DELETE_BUCKET_ENCRYPTION -> List.of(bucket("s3:PutEncryptionConfiguration", b));
            case PUT_BUCKET_LIFECYCLE, DELETE_BUCKET_LIFECYCLE -> List.of(bucket("s3:PutLifecycleConfiguration", b));
            case GET_BUCKET_POLICY -> List.of(bucket("s3:GetBucketPolicy", b));
            case PUT_BUCKET_POLICY -> List.of(bucket("s3:PutBucketPolicy", b));
            case DELETE_BUCKET_POLICY -> List.of(bucket("s3:DeleteBucketPolicy", b));
            case GET_BUCKET_POLICY_STATUS -> List.of(bucket("s3:GetBucketPolicyStatus", b));
            case GET_PUBLIC_ACCESS_BLOCK -> List.of(bucket("s3:GetBucketPublicAccessBlock", b));
            case PUT_PUBLIC_ACCESS_BLOCK, DELETE_PUBLIC_ACCESS_BLOCK -> List.of(bucket("s3:PutBucketPublicAccessBlock", b));
            // DeleteObjects is authorized per key (s3:DeleteObject / s3:DeleteObjectVersion) by the handler.
            case DELETE_OBJECTS -> List.of();
            // Batch GET needs nothing for the POST itself: each entry needs s3:GetObject(Version), checked per key.
            case BATCH_GET -> List.of();
            case PUT_OBJECT, COPY_OBJECT, CREATE_MULTIPART_UPLOAD -> writeNeeds(r, b, k);
            case UPLOAD_PART, UPLOAD_PART_COPY, COMPLETE_MULTIPART_UPLOAD -> List.of(new Need("s3:PutObject", b, k));
            case GET_OBJECT, HEAD_OBJECT -> List.of(new Need(version ? "s3:GetObjectVersion" : "s3:GetObject", b, k));
            case DELETE_OBJECT -> List.of(new Need(version ? "s3:DeleteObjectVersion" : "s3:DeleteObject", b, k));
            case GET_OBJECT_TAGGING -> List.of(new Need(version ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging", b, k));
            case PUT_OBJECT_TAGGING -> List.of(new Need(version ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging", b, k));
            case DELETE_OBJECT_TAGGING ->
                    List.of(new Need(version ? "s3:DeleteObjectVersionTagging" : "s3:DeleteObjectTagging", b, k));
            case GET_OBJECT_ACL -> List.of(new Need(version ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl", b, k));
            case PUT_OBJECT_ACL -> List.of(new Need(version ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl", b, k));
            case ABORT_MULTIPART_UPLOAD -> List.of(new Need("s3:AbortMultipartUpload", b, k));
            case LIST_PARTS -> List.of(new Need("s3:ListMultipartUploadParts", b, k));
            case GET_OBJECT_RETENTION -> List.of(new Need("s3:GetObjectRetention", b, k));
            case PUT_OBJECT_RETENTION -> List.of(new Need("s3:PutObjectRetention", b, k));
            case GET_OBJECT_LEGAL_HOLD -> List.of(new Need("s3:GetObjectLegalHold", b, k));
            case PUT_OBJECT_LEGAL_HOLD -> List.of(new Need("s3:PutObjectLegalHold", b, k));
        };
    }

    private static Need bucket(String action, String bucket) {
        return new Need(action, bucket, null);
    }

    private static List<Need> writeNeeds(S3Request r, String b, String k) {
        java.util.ArrayList<Need> needs = new java.util.ArrayList<>(List.of(new Need("s3:PutObject", b, k)));
        if (r.header("x-amz-tagging") != null) {
            needs.add(new Need("s3:PutObjectTagging", b, k));
        }
        if (r.header(RequestHeaders.LOCK_MODE) != null || r.header(RequestHeaders.LOCK_RETAIN_UNTIL) != null) {
            needs.add(new Need("s3:PutObjectRetention", b, k));
        }
        if (r.header(RequestHeaders.LOCK_LEGAL_HOLD) != null) {
            needs.add(new Need("s3:PutObjectLegalHold", b, k));
        }
        return needs;
    }

    /** The read permission a copy needs on its source. */
    static Need copySource(String bucket, String key, String versionId) {
        return new Need(versionId == null ? "s3:GetObject" : "s3:GetObjectVersion", bucket, key);
    }
}
