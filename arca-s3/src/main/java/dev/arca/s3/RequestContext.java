package dev.arca.s3;

import dev.arca.iam.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is known about one request as it is served: filled in by the handler (who, what, where) and by
 * the operation (notes for detectors), then turned into a {@link RequestEvent}. Confined to the
 * request's thread.
 */
public final class RequestContext {
    /** Note: "true" when a write replaced a current object version (an overwrite). */
    public static final String OVERWRITE = "overwrite";
    /** Note: the version id that was current before a write or delete replaced it (versioned buckets). */
    public static final String PREVIOUS_VERSION_ID = "previousVersionId";
    /** Note: sampled Shannon entropy of the written payload in bits per byte ("7.99"). */
    public static final String ENTROPY = "entropy";
    /** Note: "SSE-C" / "SSE-KMS" / "SSE-S3" for writes that asked for encryption explicitly. */
    public static final String SSE = "sse";
    /** Note: how many objects a DeleteObjects request deleted. */
    public static final String DELETED = "deleted";
    /** Note: "true" for a DeleteObject of a key (a delete marker or removal), set on success. */
    public static final String DELETE = "delete";
    /** Note: the attempted change a detector watches (versioning status, retention mode and date...). */
    public static final String CHANGE = "change";
    /** Note: the tar member a GetObject/HeadObject with ?archpath= asked for. */
    public static final String ARCHPATH = "archpath";
    /** Note: how many entries a batch GET asked for. */
    public static final String BATCH_OBJECTS = "batchObjects";
    /** Note: how many batch GET entries passed syntax and permission checks and are read as the body streams. */
    public static final String BATCH_AUTHORIZED = "batchAuthorized";
    /** Note: how many batch GET entries were rejected before reading (bad syntax, or denied), reported in-band. */
    public static final String BATCH_FAILED = "batchFailed";
    /** Note: how many batch GET entries the caller was not allowed to read (AccessDenied in-band). */
    public static final String BATCH_DENIED = "batchDenied";

    private final String requestId;
    private final long startNanos;
    private final long timeMillis;
    private final String sourceIp;
    private final boolean tls;
    private final Map<String, String> notes = new LinkedHashMap<>();
    private Principal principal;
    private String accessKeyId;
    private String operation = "unknown";
    private String bucket;
    private String key;
    private String versionId;

    RequestContext(String requestId, long startNanos, long timeMillis, String sourceIp, boolean tls) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.timeMillis = timeMillis;
        this.sourceIp = sourceIp;
        this.tls = tls;
    }

    /** Records a note for detectors and the audit record. */
    public void note(String name, String value) {
        if (value != null) {
            notes.put(name, value);
        }
    }

    public Principal principal() {
        return principal;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public String operation() {
        return operation;
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    public String sourceIp() {
        return sourceIp;
    }

    public String requestId() {
        return requestId;
    }

    void caller(Principal p, String accessKey) {
        this.principal = p;
        this.accessKeyId = accessKey;
    }

    void target(String op, String bucketName, String objectKey) {
        this.operation = op;
        this.bucket = bucketName;
        this.key = objectKey;
    }

    void versionId(String id) {
        this.versionId = id;
    }

    RequestEvent event(int status, String errorCode, long bytesIn, long bytesOut, long nowNanos) {
        String who = principal == null ? null : principal.kind() == Principal.Kind.ANONYMOUS ? "anonymous" : principal.arn();
        String account = principal == null || principal.kind() == Principal.Kind.ANONYMOUS ? null : principal.accountId();
        return new RequestEvent(timeMillis, requestId, operation, who, account, accessKeyId, sourceIp, bucket, key,
                versionId, status, errorCode, bytesIn, bytesOut, tls, nowNanos - startNanos, notes);
    }
}
