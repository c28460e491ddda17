package dev.arca.core;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/** Source of randomness, injected so tests can be replayed from a seed. */
public interface Entropy {
    void nextBytes(byte[] into);

    /** Cryptographically strong randomness for production: ids, credentials. */
    static Entropy secure() {
        SecureRandom random = new SecureRandom();
        return random::nextBytes;
    }

    /** Deterministic randomness for tests: the same seed gives the same bytes. Not thread-safe. */
    static Entropy seeded(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return into -> random.nextBytes(into);
    }
}
