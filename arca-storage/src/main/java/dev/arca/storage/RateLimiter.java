package dev.arca.storage;

import java.util.function.LongSupplier;

/**
 * Paces background reads to a byte rate: {@link #acquire} sleeps long enough that, over time,
 * no more than {@code bytesPerSecond} pass. Bursts up to one second's worth are allowed. Not
 * thread-safe: one per scrubbing thread.
 */
final class RateLimiter {
    static final RateLimiter UNLIMITED = new RateLimiter(0, System::nanoTime, ns -> {});

    /** Sleeps for a number of nanoseconds (injected for tests). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos) throws InterruptedException;
    }

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private final long bytesPerSecond;
    private final LongSupplier nanoTime;
    private final Sleeper sleeper;
    /** The time at which the bytes acquired so far are "paid for". */
    private long paidUntil;
    private boolean started;

    /** {@code bytesPerSecond} &le; 0 means unlimited. */
    RateLimiter(long bytesPerSecond, LongSupplier nanoTime, Sleeper sleeper) {
        this.bytesPerSecond = bytesPerSecond;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    static RateLimiter perSecond(long bytesPerSecond) {
        return new RateLimiter(bytesPerSecond, System::nanoTime, ns -> Thread.sleep(ns / 1_000_000, (int) (ns % 1_000_000)));
    }

    void acquire(long bytes) {
        if (bytesPerSecond <= 0 || bytes <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (!started || paidUntil < now - NANOS_PER_SECOND) {
            // Idle time earns at most a one-second burst.
            paidUntil = now - NANOS_PER_SECOND;
            started = true;
        }
        // Callers acquire one chunk at a time (at most MAX_CHUNK_BYTES): the product cannot overflow.
        paidUntil += Math.multiplyExact(bytes, NANOS_PER_SECOND) / bytesPerSecond;
        long wait = paidUntil - now;
        if (wait > 0) {
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
