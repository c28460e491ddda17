package dev.arca.client.loader;

import java.util.SplittableRandom;

/** Derives independent, reproducible random streams from one user seed (per epoch, per worker). */
final class Seeds {

    /** The 64-bit golden ratio: consecutive inputs land far apart before SplittableRandom mixes them. */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** A generator for {@code (seed, a, b)}; equal inputs give equal streams. */
    static SplittableRandom random(long seed, long a, long b) {
        long s = new SplittableRandom(seed).nextLong() + a * GOLDEN;
        s = new SplittableRandom(s).nextLong() + b * GOLDEN;
        return new SplittableRandom(s);
    }
}
