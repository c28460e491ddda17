package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;

/**
 * The one place where failures become S3 errors: HTTP status and S3 error code per
 * {@link FailureKind}, as AWS S3 documents them ("Error responses", "List of error codes").
 */
public final class S3Errors {
    private S3Errors() {}

    /** An S3 error code with its HTTP status. */
    public record S3Error(int status, String code) {}

    public static S3Error of(Failure failure) {
        return of(failure.kind());
    }

    public static S3Error of(FailureKind kind) {
        return switch (kind) {
            case ACCESS_CONTROL_LIST_NOT_SUPPORTED -> new S3Error(400, "AccessControlListNotSupported");
            case ACCESS_DENIED -> new S3Error(403, "AccessDenied");
            case AUTHORIZATION_HEADER_MALFORMED -> new S3Error(400, "AuthorizationHeaderMalformed");
            case AUTHORIZATION_QUERY_PARAMETERS_ERROR -> new S3Error(400, "AuthorizationQueryParametersError");
            case BAD_DIGEST -> new S3Error(400, "BadDigest");
            case BUCKET_ALREADY_EXISTS -> new S3Error(409, "BucketAlreadyExists");
            case BUCKET_ALREADY_OWNED_BY_YOU -> new S3Error(409, "BucketAlreadyOwnedByYou");
            case BUCKET_NOT_EMPTY -> new S3Error(409, "BucketNotEmpty");
            case CONDITIONAL_REQUEST_CONFLICT -> new S3Error(409, "ConditionalRequestConflict");
            case DELETE_CONFLICT -> new S3Error(409, "DeleteConflict");
            case ENTITY_ALREADY_EXISTS -> new S3Error(409, "EntityAlreadyExists");
            case ENTITY_TOO_LARGE -> new S3Error(400, "EntityTooLarge");
            case ENTITY_TOO_SMALL -> new S3Error(400, "EntityTooSmall");
            case EXPIRED_PRESIGNED_REQUEST -> new S3Error(403, "AccessDenied");
            case EXPIRED_TOKEN -> new S3Error(400, "ExpiredToken");
            case ILLEGAL_LOCATION_CONSTRAINT -> new S3Error(400, "IllegalLocationConstraintException");
            case INCOMPLETE_BODY -> new S3Error(400, "IncompleteBody");
            case INVALID_ACCESS_KEY_ID -> new S3Error(403, "InvalidAccessKeyId");
            case INVALID_ARGUMENT -> new S3Error(400, "InvalidArgument");
            case INVALID_BUCKET_NAME -> new S3Error(400, "InvalidBucketName");
            case INVALID_BUCKET_STATE -> new S3Error(409, "InvalidBucketState");
            case INVALID_CLIENT_TOKEN_ID -> new S3Error(403, "InvalidClientTokenId");
            case INVALID_DIGEST -> new S3Error(400, "InvalidDigest");
            case INVALID_ENCRYPTION_ALGORITHM -> new S3Error(400, "InvalidEncryptionAlgorithmError");
            case INVALID_LOCATION_CONSTRAINT -> new S3Error(400, "InvalidLocationConstraint");
            case INVALID_PART -> new S3Error(400, "InvalidPart");
            case INVALID_PART_NUMBER -> new S3Error(416, "InvalidPartNumber");
            case INVALID_PART_ORDER -> new S3Error(400, "InvalidPartOrder");
            case INVALID_RANGE -> new S3Error(416, "InvalidRange");
            case INVALID_REQUEST -> new S3Error(400, "InvalidRequest");
            case INVALID_STORAGE_CLASS -> new S3Error(400, "InvalidStorageClass");
            case INVALID_TAG -> new S3Error(400, "InvalidTag");
            case INVALID_TOKEN -> new S3Error(400, "InvalidToken");
            case INVALID_URI -> new S3Error(400, "InvalidURI");
            case KEY_TOO_LONG -> new S3Error(400, "KeyTooLongError");
            case KMS_DISABLED -> new S3Error(400, "KMS.DisabledException");
            case KMS_NOT_FOUND -> new S3Error(400, "KMS.NotFoundException");
            case LIMIT_EXCEEDED -> new S3Error(409, "LimitExceeded");
            case MALFORMED_POLICY -> new S3Error(400, "MalformedPolicy");
            case MALFORMED_POLICY_DOCUMENT -> new S3Error(400, "MalformedPolicyDocument");
            case MALFORMED_XML -> new S3Error(400, "MalformedXML");
            case MALFORMED_JSON -> new S3Error(400, "MalformedJSON");
            case MAX_MESSAGE_LENGTH_EXCEEDED -> new S3Error(400, "MaxMessageLengthExceeded");
            case METADATA_TOO_LARGE -> new S3Error(400, "MetadataTooLarge");
            case METHOD_NOT_ALLOWED -> new S3Error(405, "MethodNotAllowed");
            case MISSING_CONTENT_LENGTH -> new S3Error(411, "MissingContentLength");
            case MISSING_REQUEST_BODY -> new S3Error(400, "MissingRequestBodyError");
            case MISSING_SECURITY_HEADER -> new S3Error(400, "MissingSecurityHeader");
            case NO_SUCH_BUCKET -> new S3Error(404, "NoSuchBucket");
            case SERVER_SIDE_ENCRYPTION_CONFIGURATION_NOT_FOUND -> new S3Error(404, "ServerSideEncryptionConfigurationNotFoundError");
            case NO_SUCH_BUCKET_POLICY -> new S3Error(404, "NoSuchBucketPolicy");
            case NO_SUCH_ENTITY -> new S3Error(404, "NoSuchEntity");
            case NO_SUCH_KEY -> new S3Error(404, "NoSuchKey");
            case NO_SUCH_LIFECYCLE_CONFIGURATION -> new S3Error(404, "NoSuchLifecycleConfiguration");
            case NO_SUCH_OBJECT_LOCK_CONFIGURATION -> new S3Error(404, "NoSuchObjectLockConfiguration");
            case NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION -> new S3Error(404, "NoSuchPublicAccessBlockConfiguration");
            case NO_SUCH_TAG_SET -> new S3Error(404, "NoSuchTagSet");
            case NO_SUCH_UPLOAD -> new S3Error(404, "NoSuchUpload");
            case NO_SUCH_VERSION -> new S3Error(404, "NoSuchVersion");
            case NOT_MODIFIED -> new S3Error(304, "NotModified");
            case OBJECT_LOCK_CONFIGURATION_NOT_FOUND -> new S3Error(404, "ObjectLockConfigurationNotFoundError");
            case PRECONDITION_FAILED -> new S3Error(412, "PreconditionFailed");
            case REQUEST_TIME_TOO_SKEWED -> new S3Error(403, "RequestTimeTooSkewed");
            case REQUEST_TIMEOUT -> new S3Error(400, "RequestTimeout");
            case SIGNATURE_DOES_NOT_MATCH -> new S3Error(403, "SignatureDoesNotMatch");
            case TOO_MANY_BUCKETS -> new S3Error(400, "TooManyBuckets");
            case VALIDATION_ERROR -> new S3Error(400, "ValidationError");
            case X_AMZ_CONTENT_SHA256_MISMATCH -> new S3Error(400, "XAmzContentSHA256Mismatch");
            case INTERNAL_ERROR -> new S3Error(500, "InternalError");
            case NOT_IMPLEMENTED -> new S3Error(501, "NotImplemented");
            case SERVICE_UNAVAILABLE -> new S3Error(503, "ServiceUnavailable");
            case SLOW_DOWN -> new S3Error(503, "SlowDown");
        };
    }
}
