package dev.arca.s3;

import java.util.Map;

/**
 * What one request did, as the audit log, metrics and detectors see it. Built once per request, after
 * the response is chosen (before its body is streamed).
 *
 * @param operation     the S3 operation's AWS name (e.g. "PutObject"), "iam:ACTION"/"sts:ACTION" for the
 *                      query APIs, "admin:PATH" for the admin API, "health" for probes, or "unknown" when
 *                      the request failed before it was routed
 * @param principal     the caller's ARN, "anonymous", or null when authentication failed
 * @param accountId     the caller's account, or null
 * @param accessKeyId   the access key the request was signed with, or null
 * @param sourceIp      the peer address
 * @param bucket        the bucket, or null
 * @param key           the object key, or null
 * @param versionId     the version read, written or removed, where known, else null
 * @param status        the HTTP status answered
 * @param errorCode     the S3 error code, or null on success
 * @param bytesIn       request body bytes (declared), 0 if none
 * @param bytesOut      response body bytes (declared), 0 if none
 * @param tls           whether the request came over TLS
 * @param durationNanos time from arrival until the response was chosen
 * @param details       what the operation noted for detectors (see {@link RequestContext} constants)
 */
public record RequestEvent(long timeMillis, String requestId, String operation, String principal, String accountId,
        String accessKeyId, String sourceIp, String bucket, String key, String versionId, int status, String errorCode,
        long bytesIn, long bytesOut, boolean tls, long durationNanos, Map<String, String> details) {
    public RequestEvent {
        details = Map.copyOf(details);
    }

    public boolean succeeded() {
        return status < 300;
    }
}
