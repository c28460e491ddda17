package dev.arca.object;

import java.time.Duration;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * The object layer's clock (last-modified times, Object Lock and lifecycle decisions): the wall
 * clock, but never more than {@link #MAX_AHEAD} ahead of the time the monotonic clock says has
 * passed since start. A wall clock set forward while the server runs (by an attacker hoping to
 * expire retention early, or by a bad time source) is therefore ignored beyond that slack; a clock
 * set back is handled by the metadata machine's high-water mark, which never lets lock decisions
 * go back in time. Across a restart the wall clock is trusted again (see docs/ARCHITECTURE.md).
 */
public final class SteadyClock implements InstantSource {
    /** How far the wall clock may run ahead of the monotonic clock (NTP steps are far smaller). */
    public static final Duration MAX_AHEAD = Duration.ofMinutes(5);
    private static final System.Logger LOG = System.getLogger(SteadyClock.class.getName());

    private final InstantSource wall;
    private final LongSupplier nanoTime;
    private final long startWallMillis;
    private final long startNanos;
    private volatile boolean warned;

    public SteadyClock(InstantSource wall, LongSupplier nanoTime) {
        this.wall = wall;
        this.nanoTime = nanoTime;
        this.startWallMillis = wall.millis();
        this.startNanos = nanoTime.getAsLong();
    }

    public static SteadyClock system() {
        return new SteadyClock(InstantSource.system(), System::nanoTime);
    }

    @Override
    public long millis() {
        long wallNow = wall.millis();
        long limit = startWallMillis + (nanoTime.getAsLong() - startNanos) / 1_000_000 + MAX_AHEAD.toMillis();
        if (wallNow > limit) {
            if (!warned) {
                warned = true;
                LOG.log(System.Logger.Level.WARNING, "The system clock jumped {0} ms ahead of the monotonic clock; "
                        + "Arca keeps using monotonic time for retention and lifecycle until restart", wallNow - limit);
            }
            return limit;
        }
        return wallNow;
    }

    @Override
    public java.time.Instant instant() {
        return java.time.Instant.ofEpochMilli(millis());
    }
}
