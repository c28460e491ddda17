package dev.arca.s3;

/** Every S3 operation the router can name, with AWS's operation names (used in logs, audit and metrics). */
public enum S3Operation {
    LIST_BUCKETS("ListBuckets"),
    CREATE_BUCKET("CreateBucket"),
    DELETE_BUCKET("DeleteBucket"),
    HEAD_BUCKET("HeadBucket"),
    GET_BUCKET_LOCATION("GetBucketLocation"),
    GET_BUCKET_VERSIONING("GetBucketVersioning"),
    PUT_BUCKET_VERSIONING("PutBucketVersioning"),
    GET_OBJECT_LOCK_CONFIGURATION("GetObjectLockConfiguration"),
    PUT_OBJECT_LOCK_CONFIGURATION("PutObjectLockConfiguration"),
    GET_BUCKET_ENCRYPTION("GetBucketEncryption"),
    PUT_BUCKET_ENCRYPTION("PutBucketEncryption"),
    DELETE_BUCKET_ENCRYPTION("DeleteBucketEncryption"),
    GET_BUCKET_LIFECYCLE("GetBucketLifecycleConfiguration"),
    PUT_BUCKET_LIFECYCLE("PutBucketLifecycleConfiguration"),
    DELETE_BUCKET_LIFECYCLE("DeleteBucketLifecycle"),
    GET_BUCKET_ACL("GetBucketAcl"),
    PUT_BUCKET_ACL("PutBucketAcl"),
    LIST_OBJECTS("ListObjects"),
    LIST_OBJECTS_V2("ListObjectsV2"),
    LIST_OBJECT_VERSIONS("ListObjectVersions"),
    LIST_MULTIPART_UPLOADS("ListMultipartUploads"),
    DELETE_OBJECTS("DeleteObjects"),
    PUT_OBJECT("PutObject"),
    COPY_OBJECT("CopyObject"),
    GET_OBJECT("GetObject"),
    HEAD_OBJECT("HeadObject"),
    DELETE_OBJECT("DeleteObject"),
    GET_OBJECT_TAGGING("GetObjectTagging"),
    PUT_OBJECT_TAGGING("PutObjectTagging"),
    DELETE_OBJECT_TAGGING("DeleteObjectTagging"),
    GET_OBJECT_ACL("GetObjectAcl"),
    PUT_OBJECT_ACL("PutObjectAcl"),
    GET_OBJECT_RETENTION("GetObjectRetention"),
    PUT_OBJECT_RETENTION("PutObjectRetention"),
    GET_OBJECT_LEGAL_HOLD("GetObjectLegalHold"),
    PUT_OBJECT_LEGAL_HOLD("PutObjectLegalHold"),
    CREATE_MULTIPART_UPLOAD("CreateMultipartUpload"),
    UPLOAD_PART("UploadPart"),
    UPLOAD_PART_COPY("UploadPartCopy"),
    COMPLETE_MULTIPART_UPLOAD("CompleteMultipartUpload"),
    ABORT_MULTIPART_UPLOAD("AbortMultipartUpload"),
    LIST_PARTS("ListParts"),
    GET_BUCKET_POLICY("GetBucketPolicy"),
    PUT_BUCKET_POLICY("PutBucketPolicy"),
    DELETE_BUCKET_POLICY("DeleteBucketPolicy"),
    GET_BUCKET_POLICY_STATUS("GetBucketPolicyStatus"),
    GET_PUBLIC_ACCESS_BLOCK("GetPublicAccessBlock"),
    PUT_PUBLIC_ACCESS_BLOCK("PutPublicAccessBlock"),
    DELETE_PUBLIC_ACCESS_BLOCK("DeletePublicAccessBlock"),
    /** Arca's batch GET ({@code POST /bucket?batchGet}): many objects as one tar stream. */
    BATCH_GET("BatchGetObjects");

    private final String awsName;

    S3Operation(String awsName) {
        this.awsName = awsName;
    }

    public String awsName() {
        return awsName;
    }
}
