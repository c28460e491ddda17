package dev.arca.detect;

import java.util.Map;

/**
 * Counters for metrics, read at any time (a consistent-enough snapshot: each number is exact, the set
 * is not taken atomically).
 *
 * @param detectionsByRule detections since start, per {@link Rule#id()} (every rule present)
 * @param quarantined      principals quarantined now
 * @param protectedBuckets buckets in protected mode now
 * @param responses        automatic responses carried out since start (alerts, quarantines, protections)
 * @param alerts           alert responses since start
 * @param refused          requests refused by containment since start
 * @param samplesDropped   entropy comparisons skipped because the background queue was full
 * @param webhookDropped   alerts the webhook could not deliver (queue full, connection or HTTP failure)
 * @param evictions        tracked principals, buckets and addresses evicted to stay within the limits
 */
public record DetectionStats(Map<String, Long> detectionsByRule, long quarantined, long protectedBuckets, long responses,
        long alerts, long refused, long samplesDropped, long webhookDropped, long evictions) {
    public DetectionStats {
        detectionsByRule = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(detectionsByRule));
    }

    /** Detections of every rule together. */
    public long detections() {
        return detectionsByRule.values().stream().mapToLong(Long::longValue).sum();
    }
}
