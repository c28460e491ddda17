package dev.arca.client.loader;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often and how patiently a ranged GET is retried after a retryable failure: 500, 502, 503
 * (including SlowDown), 504, 429, a timeout or a broken connection. Other statuses fail at once.
 * Delays grow exponentially and are jittered ("equal jitter": half fixed, half random) so that
 * many readers throttled together do not come back together.
 *
 * @param maxAttempts attempts per request, the first included (1 = no retry)
 * @param baseDelay the delay cap before the second attempt; doubles per attempt
 * @param maxDelay no delay is longer than this
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {

    /** Attempts per request when nothing else is configured. */
    public static final int DEFAULT_MAX_ATTEMPTS = 6;
    /** Cap of the first backoff delay. */
    public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(50);
    /** Cap of any backoff delay. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(2);
    /** A bound on attempts so a misconfiguration cannot retry forever. */
    public static final int MAX_ATTEMPTS_LIMIT = 100;
    /** 6 attempts, 50 ms doubling up to 2 s: about 1.5 s of patience for a brief overload. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
    /** Doubling stops here; 2^20 times any sane base exceeds any sane cap. */
    private static final int MAX_DOUBLINGS = 20;

    /** Validates the bounds. */
    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT + ": " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= baseDelay <= maxDelay");
        }
    }

    /** Whether an HTTP status is worth another attempt. */
    public static boolean retryable(int status) {
        return status == 500 || status == 502 || status == 503 || status == 504 || status == 429;
    }

    /**
     * The pause before attempt {@code attempt} (2 for the first retry): a cap of
     * {@code min(maxDelay, baseDelay * 2^(attempt-2))}, of which half is always waited and half
     * drawn uniformly.
     */
    public Duration delayBefore(int attempt, RandomGenerator random) {
        int doublings = Math.clamp(attempt - 2, 0, MAX_DOUBLINGS);
        long capNanos = Math.min(maxDelay.toNanos(), saturatedShift(baseDelay.toNanos(), doublings));
        long half = capNanos / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }

    private static long saturatedShift(long value, int bits) {
        return value > (Long.MAX_VALUE >> bits) ? Long.MAX_VALUE : value << bits;
    }
}
