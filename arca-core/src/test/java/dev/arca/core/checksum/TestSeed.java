package dev.arca.core.checksum;

import java.util.SplittableRandom;

/** Seeded randomness for tests: prints the seed; replay with {@code -Darca.test.seed=<seed>}. */
final class TestSeed {
    static final String PROPERTY = "arca.test.seed";

    private TestSeed() {}

    static SplittableRandom random(String test) {
        String fixed = System.getProperty(PROPERTY);
        long seed = fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
        System.out.println(test + " seed=" + seed + " (replay: -D" + PROPERTY + "=" + seed + ")");
        return new SplittableRandom(seed);
    }

    static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
