package dev.arca.server.metrics;

import java.util.Map;

/**
 * What the detectors and containment have seen and done, as {@link Metrics} exports it. Read once per
 * scrape; implementations must be thread-safe and cheap (no I/O).
 */
public interface SecuritySignals {
    /** No detectors: nothing detected, nothing contained. */
    SecuritySignals NONE = new SecuritySignals() {
        @Override
        public Map<String, Long> detections() {
            return Map.of();
        }

        @Override
        public long quarantinedPrincipals() {
            return 0;
        }

        @Override
        public long protectedBuckets() {
            return 0;
        }

        @Override
        public long responses() {
            return 0;
        }
    };

    /** Detections so far by rule name (monotonic counts; rule names are a small fixed set). */
    Map<String, Long> detections();

    /** Principals whose keys are quarantined now. */
    long quarantinedPrincipals();

    /** Buckets in protected mode (no deletes, no overwrites) now. */
    long protectedBuckets();

    /** Responses taken so far (alerts, quarantines, protections): a monotonic count. */
    long responses();
}
