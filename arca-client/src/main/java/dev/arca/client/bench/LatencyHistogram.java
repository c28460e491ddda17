package dev.arca.client.bench;

/**
 * Log-linear histogram of latencies in nanoseconds: exact below 128 ns, then 64 buckets per
 * power of two, so any reported percentile is within 1.6 % of the truth. Fixed memory however
 * long the run, which per-request arrays of a 600 s small-object phase would not be. One
 * instance per thread; {@link #add} merges.
 */
public final class LatencyHistogram {

    /** Bits of resolution per power of two, counting the leading one. */
    private static final int PRECISION_BITS = 7;
    private static final int EXACT_LIMIT = 1 << PRECISION_BITS;
    private static final int HALF = EXACT_LIMIT / 2;
    /** Values at or above 2^42 ns (73 minutes) share the last bucket. */
    private static final int MAX_MAGNITUDE_BITS = 42;
    private static final long MAX_VALUE = (1L << MAX_MAGNITUDE_BITS) - 1;
    private static final int BUCKETS = index(MAX_VALUE) + 1;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long max;

    /** Records one latency. */
    public void record(long nanos) {
        long v = Math.clamp(nanos, 0, MAX_VALUE);
        counts[index(v)]++;
        total++;
        max = Math.max(max, v);
    }

    /** Adds another histogram's counts to this one. */
    public void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            counts[i] += other.counts[i];
        }
        total += other.total;
        max = Math.max(max, other.max);
    }

    /** Values recorded. */
    public long count() {
        return total;
    }

    /** The largest recorded value, exact. */
    public long max() {
        return max;
    }

    /**
     * The value at quantile {@code q} (0..1]: the middle of the bucket holding the
     * {@code ceil(q * count)}-th smallest value, or 0 when empty.
     */
    public long quantile(double q) {
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(q * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(max, lowerBound(i) + (bucketWidth(i) - 1) / 2);
            }
        }
        return max;
    }

    static int index(long v) {
        if (v < EXACT_LIMIT) {
            return (int) v;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(v);
        int shift = magnitude - PRECISION_BITS + 1;
        int mantissa = (int) (v >>> shift);
        return EXACT_LIMIT + (magnitude - PRECISION_BITS) * HALF + (mantissa - HALF);
    }

    static long lowerBound(int index) {
        if (index < EXACT_LIMIT) {
            return index;
        }
        int octave = (index - EXACT_LIMIT) / HALF;
        long mantissa = HALF + (index - EXACT_LIMIT) % HALF;
        return mantissa << (octave + 1);
    }

    static long bucketWidth(int index) {
        return index < EXACT_LIMIT ? 1 : 1L << ((index - EXACT_LIMIT) / HALF + 1);
    }
}
