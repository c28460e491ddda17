package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pacing with a fake clock: sleeping advances it, so every wait is exact and the test takes no time. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long RATE = 1000;

    /** A clock that only sleeping moves (or the test, to model idle time). */
    private static final class FakeTime {
        long now = 123 * SECOND;
        final List<Long> sleeps = new ArrayList<>();

        RateLimiter limiter(long bytesPerSecond) {
            return new RateLimiter(bytesPerSecond, () -> now, ns -> {
                sleeps.add(ns);
                now += ns;
            });
        }

        long slept() {
            return sleeps.stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void aBurstOfOneSecondThenTheRate() {
        FakeTime time = new FakeTime();
        RateLimiter limiter = time.limiter(RATE);
        limiter.acquire(RATE / 2);
        limiter.acquire(RATE / 2);
        assertThat(time.sleeps).as("the first second's worth is free").isEmpty();
        limiter.acquire(RATE / 4);
        assertThat(time.sleeps).containsExactly(SECOND / 4);
        // Steady state: 100 bytes take 100 ms, whatever the piece size.
        for (int i = 0; i < 100; i++) {
            limiter.acquire(RATE / 10);
        }
        assertThat(time.slept()).isEqualTo(SECOND / 4 + 10 * SECOND);
        assertThat(time.sleeps).hasSize(101).allMatch(ns -> ns > 0);
    }

    @Test
    void overAnyLongRunTheRateHolds() {
        FakeTime time = new FakeTime();
        RateLimiter limiter = time.limiter(RATE);
        long start = time.now;
        long bytes = 0;
        int[] pieces = {1, 7, 333, 999, 1000, 1001, 2500, 64};
        for (int i = 0; i < 1000; i++) {
            int n = pieces[i % pieces.length];
            limiter.acquire(n);
            bytes += n;
            // Never more than one second's worth ahead of the rate.
            assertThat(bytes * SECOND / RATE).isLessThanOrEqualTo(time.now - start + SECOND + SECOND / RATE);
        }
        assertThat(time.now - start).isBetween((bytes - RATE) * SECOND / RATE - SECOND / RATE, (bytes - RATE) * SECOND / RATE);
    }

    @Test
    void idleTimeEarnsAtMostOneSecondOfBurst() {
        FakeTime time = new FakeTime();
        RateLimiter limiter = time.limiter(RATE);
        limiter.acquire(2 * RATE);
        assertThat(time.slept()).isEqualTo(SECOND);
        time.now += 3600 * SECOND; // an hour idle
        time.sleeps.clear();
        limiter.acquire(RATE);
        assertThat(time.sleeps).isEmpty();
        limiter.acquire(RATE / 2);
        assertThat(time.sleeps).containsExactly(SECOND / 2);
        // Half a second idle pays back half a second.
        time.now += SECOND / 2;
        time.sleeps.clear();
        limiter.acquire(RATE / 2);
        assertThat(time.sleeps).isEmpty();
        limiter.acquire(RATE / 2);
        assertThat(time.sleeps).containsExactly(SECOND / 2);
    }

    @Test
    void zeroRateAndZeroBytesNeverWait() {
        FakeTime time = new FakeTime();
        RateLimiter unlimited = time.limiter(0);
        for (int i = 0; i < 10; i++) {
            unlimited.acquire(ShardFormat.MAX_CHUNK_BYTES);
        }
        RateLimiter limited = time.limiter(1);
        limited.acquire(0);
        limited.acquire(-5);
        assertThat(time.sleeps).isEmpty();
        RateLimiter.UNLIMITED.acquire(Long.MAX_VALUE / 2);
    }

    @Test
    void anInterruptedSleepEndsTheWaitAndKeepsTheInterrupt() {
        RateLimiter limiter = new RateLimiter(RATE, () -> 0, ns -> {
            throw new InterruptedException("stop");
        });
        limiter.acquire(RATE);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        limiter.acquire(RATE);
        assertThat(Thread.interrupted()).as("interrupt flag restored (and cleared here)").isTrue();
    }

    @Test
    void theRealClockSleeps() {
        RateLimiter limiter = RateLimiter.perSecond(100 * RATE);
        long start = System.nanoTime();
        limiter.acquire(100 * RATE); // the free burst
        limiter.acquire(5 * RATE); // 50 ms
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(SECOND / 20);
    }
}
