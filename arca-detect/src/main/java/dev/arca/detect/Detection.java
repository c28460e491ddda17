package dev.arca.detect;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One finding of a detector, with its evidence.
 *
 * @param id          unique within this server run ("det-TIME-SEQ")
 * @param scope       what was counted: a principal, a bucket, or a source address
 * @param subject     the counted principal ARN, bucket name or address
 * @param principal   the principal whose request crossed the threshold ("anonymous"; null when unauthenticated)
 * @param accessKeyId the access key that request was signed with, or null
 * @param accountId   that principal's account, or null
 * @param sourceIp    that request's source address
 * @param bucket      that request's bucket, or null
 * @param requestId   that request's id
 * @param count       events counted in the window when it fired
 * @param threshold   the threshold it reached
 * @param window      the rule's window
 * @param sampleKeys  up to {@link #MAX_SAMPLES} "bucket/key" (or other evidence) items, most recent last
 * @param buckets     up to {@link #MAX_SAMPLES} buckets the counted events touched
 * @param reason      what was seen, in words
 */
public record Detection(String id, Rule rule, Scope scope, String subject, String principal, String accessKeyId,
        String accountId, String sourceIp, String bucket, String requestId, long count, long threshold, Duration window,
        List<String> sampleKeys, List<String> buckets, long timeMillis, String reason) {
    /** Sample keys and buckets kept as evidence, at most. */
    public static final int MAX_SAMPLES = 10;

    public Detection {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(subject, "subject");
        sampleKeys = List.copyOf(sampleKeys.subList(Math.max(0, sampleKeys.size() - MAX_SAMPLES), sampleKeys.size()));
        buckets = List.copyOf(buckets.subList(0, Math.min(MAX_SAMPLES, buckets.size())));
        Objects.requireNonNull(reason, "reason");
    }

    /** The evidence as flat audit-record details (null values left out; samples as sample.0..). */
    public Map<String, String> evidence() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("detection", id);
        d.put("rule", rule.id());
        d.put("scope", scope.id());
        d.put("subject", subject);
        put(d, "accessKeyId", accessKeyId);
        put(d, "bucket", bucket);
        d.put("count", Long.toString(count));
        d.put("threshold", Long.toString(threshold));
        d.put("windowMillis", Long.toString(window.toMillis()));
        d.put("reason", reason);
        d.put("time", Instant.ofEpochMilli(timeMillis).toString());
        for (int i = 0; i < sampleKeys.size(); i++) {
            d.put("sample." + i, sampleKeys.get(i));
        }
        if (!buckets.isEmpty()) {
            d.put("buckets", String.join(",", buckets));
        }
        return d;
    }

    /** One JSON object (for the admin API and the alert webhook). */
    public String toJson() {
        return new Json().object()
                .field("id", id).field("rule", rule.id()).field("scope", scope.id()).field("subject", subject)
                .field("principal", principal).field("accessKeyId", accessKeyId).field("account", accountId)
                .field("sourceIp", sourceIp).field("bucket", bucket).field("requestId", requestId).field("count", count)
                .field("threshold", threshold).field("windowMillis", window.toMillis())
                .field("time", Instant.ofEpochMilli(timeMillis).toString()).field("reason", reason)
                .strings("sampleKeys", sampleKeys).strings("buckets", buckets).end().toString();
    }

    private static void put(Map<String, String> d, String k, String v) {
        if (v != null) {
            d.put(k, v);
        }
    }
}
