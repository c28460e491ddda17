package dev.arca.storage;

import java.util.SplittableRandom;

/** Seeded randomness for tests: prints the seed; replay with {@code -Darca.test.seed=<seed>}. */
final class TestSeed {
    static final String PROPERTY = "arca.test.seed";

    private TestSeed() {}

    static long seed(String test) {
        String fixed = System.getProperty(PROPERTY);
        long seed = fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
        System.out.println(test + " seed=" + seed + " (replay: -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }

    static SplittableRandom random(String test) {
        return new SplittableRandom(seed(test));
    }

    static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** A random blob id: 32 lower-case hex characters. */
    static String blobId(SplittableRandom random) {
        return java.util.HexFormat.of().formatHex(bytes(random, 16));
    }
}
