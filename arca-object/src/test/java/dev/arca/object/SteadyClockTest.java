package dev.arca.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class SteadyClockTest {
    @Test
    void aWallClockJumpingForwardIsCappedByMonotonicTime() {
        AtomicLong wall = new AtomicLong(1_000_000);
        AtomicLong nanos = new AtomicLong(0);
        SteadyClock clock = new SteadyClock(() -> Instant.ofEpochMilli(wall.get()), nanos::get);
        wall.addAndGet(1_000);
        nanos.addAndGet(1_000_000_000L);
        assertThat(clock.millis()).isEqualTo(1_001_000); // normal progress
        wall.addAndGet(Duration.ofDays(365).toMillis()); // someone sets the clock a year ahead
        assertThat(clock.millis()).isEqualTo(1_001_000 + SteadyClock.MAX_AHEAD.toMillis());
        nanos.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(clock.millis()).isEqualTo(1_001_000 + Duration.ofHours(1).toMillis() + SteadyClock.MAX_AHEAD.toMillis());
    }

    @Test
    void smallForwardStepsAndBackwardStepsPassThrough() {
        AtomicLong wall = new AtomicLong(5_000_000);
        AtomicLong nanos = new AtomicLong(42);
        InstantSource source = () -> Instant.ofEpochMilli(wall.get());
        SteadyClock clock = new SteadyClock(source, nanos::get);
        wall.addAndGet(30_000); // an NTP step of 30 s
        assertThat(clock.millis()).isEqualTo(5_030_000);
        wall.addAndGet(-60_000); // backwards: the metadata machine's high-water mark handles it
        assertThat(clock.millis()).isEqualTo(4_970_000);
    }
}
