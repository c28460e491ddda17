package dev.arca.detect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What the detectors remember about one subject (a principal, a bucket or a source address): per
 * rule a sliding window, when it last fired, recent sample keys and buckets; for principals also
 * the access keys seen and the read-rate baseline. Memory per subject is bounded by the number of
 * rules and {@link Detection#MAX_SAMPLES}. Thread-safe (each call holds the subject's monitor).
 */
final class Track {
    /** Never fired yet. */
    private static final long NEVER = Long.MIN_VALUE;
    /** Finished windows folded into the read baseline at most after a quiet spell (0.9^64 ≈ 0.1%: gone). */
    static final int MAX_IDLE_WINDOWS = 64;

    /** A crossing of a threshold: what the window held when it fired. */
    record Fired(long count, long threshold, List<String> samples, List<String> buckets, List<String> accessKeys,
            String note) {}

    private static final class Window {
        final long windowMillis;
        final SlidingCounter counter;
        long lastFired = NEVER;
        /** Most recent evidence items with their times, oldest first. */
        final ArrayDeque<Map.Entry<String, Long>> samples = new ArrayDeque<>();
        /** Buckets touched, with when last seen; at most MAX_SAMPLES, least recently seen dropped. */
        final LinkedHashMap<String, Long> buckets = new LinkedHashMap<>(16, 0.75f, true);

        Window(long windowMillis) {
            this.windowMillis = windowMillis;
            this.counter = new SlidingCounter(windowMillis);
        }

        void remember(long now, String sample, String bucket) {
            if (sample != null) {
                if (samples.size() == Detection.MAX_SAMPLES) {
                    samples.removeFirst();
                }
                samples.addLast(Map.entry(sample, now));
            }
            if (bucket != null) {
                buckets.put(bucket, now);
                if (buckets.size() > Detection.MAX_SAMPLES) {
                    Iterator<String> eldest = buckets.keySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
            }
        }

        /** Whether a detection may fire now: one per window at most. */
        boolean mayFire(long now) {
            return lastFired == NEVER || now - lastFired >= windowMillis || now < lastFired;
        }

        Fired fire(long now, long count, long threshold, List<String> keys, String note) {
            lastFired = now;
            long since = now - windowMillis;
            List<String> s = samples.stream().filter(e -> e.getValue() > since).map(Map.Entry::getKey).toList();
            List<String> b = buckets.entrySet().stream().filter(e -> e.getValue() > since).map(Map.Entry::getKey).toList();
            return new Fired(count, threshold, s, b, keys, note);
        }
    }

    /** Read rate of a principal: the current window and the EWMA baseline of finished ones. */
    private static final class Reads {
        final long windowMillis;
        final SlidingCounter requests;
        final SlidingCounter bytes;
        long period = NEVER;
        long periodRequests;
        long periodBytes;
        boolean warm;
        double baseRequests;
        double baseBytes;

        Reads(long windowMillis) {
            this.windowMillis = windowMillis;
            this.requests = new SlidingCounter(windowMillis);
            this.bytes = new SlidingCounter(windowMillis);
        }

        /** Folds finished fixed windows into the baseline when {@code now} is in a later one. */
        void roll(long now, double weight) {
            long p = Math.floorDiv(now, windowMillis);
            if (p == period) {
                return;
            }
            if (period != NEVER && p > period) {
                fold(periodRequests, periodBytes, weight);
                long idle = Math.min(p - period - 1, MAX_IDLE_WINDOWS);
                for (long i = 0; i < idle; i++) {
                    fold(0, 0, weight);
                }
            }
            period = p;
            periodRequests = 0;
            periodBytes = 0;
        }

        private void fold(long r, long b, double weight) {
            if (!warm) {
                baseRequests = r;
                baseBytes = b;
                warm = true;
            } else {
                baseRequests += weight * (r - baseRequests);
                baseBytes += weight * (b - baseBytes);
            }
        }
    }

    private final EnumMap<Rule, Window> windows = new EnumMap<>(Rule.class);
    private final LinkedHashSet<String> accessKeys = new LinkedHashSet<>();
    private Reads reads;

    /**
     * Counts {@code n} events of {@code rule} at {@code now}; returns what the window held if the
     * count reached {@code threshold} and the rule has not fired for this subject within its window.
     */
    synchronized Fired add(Rule rule, long windowMillis, long threshold, long now, long n, String sample, String bucket,
            String accessKeyId) {
        Window w = window(rule, windowMillis);
        long count = w.counter.add(now, n);
        w.remember(now, sample, bucket);
        rememberKey(accessKeyId);
        if (count >= threshold && w.mayFire(now)) {
            return w.fire(now, count, threshold, List.copyOf(accessKeys), "");
        }
        return null;
    }

    /**
     * Counts one read of {@code bytesOut} bytes (exfiltration rule); fires when the reads or bytes in
     * the window reach max(floor, multiplier × baseline).
     */
    synchronized Fired read(DetectorSettings.RuleSettings rule, DetectorSettings.ExfiltrationSettings x, long now,
            long bytesOut, String sample, String bucket, String accessKeyId) {
        return read(rule, x, now, 1, bytesOut, sample, bucket, accessKeyId);
    }

    /** {@link #read} of {@code count} objects at once (a batch GET serves many in one request). */
    synchronized Fired read(DetectorSettings.RuleSettings rule, DetectorSettings.ExfiltrationSettings x, long now,
            long count, long bytesOut, String sample, String bucket, String accessKeyId) {
        long windowMillis = rule.window().toMillis();
        if (reads == null || reads.windowMillis != windowMillis) {
            reads = new Reads(windowMillis);
        }
        reads.roll(now, x.baselineWeight());
        reads.periodRequests += count;
        reads.periodBytes += Math.max(0, bytesOut);
        long requests = reads.requests.add(now, count);
        long bytes = reads.bytes.add(now, Math.max(0, bytesOut));
        Window w = window(Rule.EXFILTRATION, windowMillis);
        w.remember(now, sample, bucket);
        rememberKey(accessKeyId);
        double requestLimit = Math.max(rule.threshold(), x.multiplier() * reads.baseRequests);
        double byteLimit = Math.max(x.bytesFloor(), x.multiplier() * reads.baseBytes);
        boolean high = requests >= requestLimit || bytes >= byteLimit;
        if (high && w.mayFire(now)) {
            String note = String.format(java.util.Locale.ROOT, "%d reads and %d bytes in the window; limits %.0f reads, "
                    + "%.0f bytes (baseline %.1f reads, %.0f bytes per window)", requests, bytes, requestLimit, byteLimit,
                    reads.baseRequests, reads.baseBytes);
            return w.fire(now, requests, (long) Math.ceil(requestLimit), List.copyOf(accessKeys), note);
        }
        return null;
    }

    /** The current read baseline (requests, bytes per window); for tests and the admin API. */
    synchronized double[] readBaseline() {
        return reads == null ? new double[] {0, 0} : new double[] {reads.baseRequests, reads.baseBytes};
    }

    private Window window(Rule rule, long windowMillis) {
        Window w = windows.get(rule);
        if (w == null || w.windowMillis != windowMillis) {
            w = new Window(windowMillis);
            windows.put(rule, w);
        }
        return w;
    }

    private void rememberKey(String accessKeyId) {
        if (accessKeyId != null && accessKeys.size() < Containment.MAX_KEYS_PER_PRINCIPAL) {
            accessKeys.add(accessKeyId);
        }
    }

    /** The access keys seen, in first-seen order. */
    synchronized List<String> accessKeys() {
        return new ArrayList<>(accessKeys);
    }
}
