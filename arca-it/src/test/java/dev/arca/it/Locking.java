package dev.arca.it;

import dev.arca.s3.http.UriEncoding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetention;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Object Lock helpers shared by the WORM, governance, clock and crash tests. */
final class Locking {
    private Locking() {}

    /** CreateBucket with x-amz-bucket-object-lock-enabled: true. */
    static String createLockBucket(S3Client s3, String bucket) {
        s3.createBucket(b -> b.bucket(bucket).objectLockEnabledForBucket(true));
        return bucket;
    }

    /**
     * PUTs {@code data} with these lock settings (mode null: no retention headers; hold null: no
     * legal-hold header) and returns the new version id.
     */
    static String put(S3Client s3, String bucket, String key, byte[] data, ObjectLockMode mode, Instant retainUntil,
            Boolean legalHold) {
        PutObjectRequest.Builder b = PutObjectRequest.builder().bucket(bucket).key(key);
        if (mode != null) {
            b.objectLockMode(mode).objectLockRetainUntilDate(retainUntil);
        }
        if (legalHold != null) {
            b.objectLockLegalHoldStatus(legalHold ? ObjectLockLegalHoldStatus.ON : ObjectLockLegalHoldStatus.OFF);
        }
        return s3.putObject(b.build(), RequestBody.fromBytes(data)).versionId();
    }

    /** The version's retention as "MODE until INSTANT", or "none (ErrorCode)" when GetObjectRetention fails. */
    static String retention(S3Client s3, String bucket, String key, String versionId) {
        try {
            ObjectLockRetention r = s3.getObjectRetention(b -> b.bucket(bucket).key(key).versionId(versionId)).retention();
            return r.modeAsString() + " until " + r.retainUntilDate();
        } catch (S3Exception e) {
            return "none (" + e.statusCode() + " " + e.awsErrorDetails().errorCode() + ")";
        }
    }

    static String retention(ObjectLockRetentionMode mode, Instant until) {
        return mode + " until " + until;
    }

    /** The version's legal hold status ("ON"/"OFF"), or "none (ErrorCode)" when GetObjectLegalHold fails. */
    static String legalHold(S3Client s3, String bucket, String key, String versionId) {
        try {
            return s3.getObjectLegalHold(b -> b.bucket(bucket).key(key).versionId(versionId)).legalHold().statusAsString();
        } catch (S3Exception e) {
            return "none (" + e.statusCode() + " " + e.awsErrorDetails().errorCode() + ")";
        }
    }

    static void setLegalHold(S3Client s3, String bucket, String key, String versionId, boolean on) {
        s3.putObjectLegalHold(b -> b.bucket(bucket).key(key).versionId(versionId)
                .legalHold(h -> h.status(on ? ObjectLockLegalHoldStatus.ON : ObjectLockLegalHoldStatus.OFF)));
    }

    /** The XML body of PutObjectRetention that removes a retention: an empty Retention element. */
    static final byte[] EMPTY_RETENTION =
            "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></Retention>".getBytes(StandardCharsets.UTF_8);

    /**
     * PutObjectRetention with an empty Retention element (raw: exactly these bytes), with or without
     * x-amz-bypass-governance-retention.
     */
    static RawS3.Response removeRetention(RawS3 raw, String bucket, String key, String versionId, boolean bypass) {
        var h = raw.headers("content-type", "application/xml", "content-md5", contentMd5(EMPTY_RETENTION));
        if (bypass) {
            h.set("x-amz-bypass-governance-retention", "true");
        }
        return raw.signed("PUT", "/" + bucket + "/" + RawS3.encodeKey(key),
                "retention&versionId=" + UriEncoding.encode(versionId, true), h, EMPTY_RETENTION);
    }

    static String contentMd5(byte[] body) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
