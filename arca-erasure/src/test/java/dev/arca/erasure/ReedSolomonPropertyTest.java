package dev.arca.erasure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.erasure.ErasureCoders.Implementation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random codes, lengths, data and erasure patterns: every available implementation encodes the
 * scalar reference's parity and rebuilds the original shards. Replay with -Darca.seed=N.
 */
class ReedSolomonPropertyTest {
    private static final int CASES = 300;
    private static final int MAX_K = 12;
    private static final int MAX_M = 4;
    private static final int MAX_TOTAL = 16;
    private static final int MAX_LENGTH = 256 * 1024;
    /** Codes up to this many shards get every erasure pattern of at most m shards. */
    private static final int EXHAUSTIVE_TOTAL = 6;
    /** ... when their shards are at most this long (keeps the run short). */
    private static final int EXHAUSTIVE_LENGTH = 8 * 1024;
    private static final int RANDOM_PATTERNS = 3;

    @Test
    void everyImplementationRebuildsWhatItEncoded() {
        long seed = TestSupport.seed("everyImplementationRebuildsWhatItEncoded");
        Random random = new Random(seed);
        List<Implementation> implementations = TestSupport.implementations();
        int reconstructions = 0;
        for (int c = 0; c < CASES; c++) {
            int k = 1 + random.nextInt(MAX_K);
            int m = random.nextInt(Math.min(MAX_M, MAX_TOTAL - k) + 1);
            int length = randomLength(random);
            boolean nativeShards = random.nextBoolean();
            String context = String.format("seed %d, case %d: %d+%d, length %d, %s shards",
                    seed, c, k, m, length, nativeShards ? "native" : "heap");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment[] original = new MemorySegment[k + m];
                for (int i = 0; i < k + m; i++) {
                    original[i] = i < k
                            ? TestSupport.randomShard(random, arena, nativeShards, length)
                            : TestSupport.shard(arena, nativeShards, length);
                }
                ErasureCoders.create(k, m, Implementation.JAVA_SCALAR).encode(original, length);
                List<boolean[]> patterns = patterns(random, k + m, m, length);
                for (Implementation implementation : implementations) {
                    ErasureCoder coder = ErasureCoders.create(k, m, implementation);
                    MemorySegment[] encoded = TestSupport.copies(original, arena, nativeShards, length);
                    for (int i = k; i < k + m; i++) {
                        encoded[i].fill((byte) 0x5a);
                    }
                    coder.encode(encoded, length);
                    assertThat(TestSupport.firstDifferentShard(original, encoded, length))
                            .as("%s: %s parity differs from the scalar reference", context, coder.name())
                            .isEqualTo(-1);
                    for (boolean[] present : patterns) {
                        MemorySegment[] shards = TestSupport.copies(original, arena, nativeShards, length);
                        for (int i = 0; i < k + m; i++) {
                            if (!present[i]) {
                                shards[i].fill((byte) random.nextInt());
                            }
                        }
                        coder.reconstruct(shards, present, length);
                        reconstructions++;
                        assertThat(TestSupport.firstDifferentShard(original, shards, length))
                                .as("%s: %s with shards %s lost", context, coder.name(), TestSupport.lost(present))
                                .isEqualTo(-1);
                    }
                }
            }
        }
        assertThat(reconstructions).isGreaterThan(CASES);
    }

    /** Mostly small, always some empty, single-byte, vector-boundary and large shards. */
    private static int randomLength(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> random.nextInt(3); // 0, 1, 2
            case 1, 2 -> 3 + random.nextInt(200);
            case 3 -> 64 * (1 + random.nextInt(8)) + random.nextInt(3) - 1; // around vector widths
            case 4, 5, 6 -> random.nextInt(8 * 1024);
            case 7, 8 -> random.nextInt(64 * 1024);
            default -> random.nextInt(MAX_LENGTH + 1);
        };
    }

    /** All patterns of 0..m lost shards for small codes; else a few random ones of 1..m. */
    private static List<boolean[]> patterns(Random random, int n, int m, int length) {
        List<boolean[]> patterns = new ArrayList<>();
        if (n <= EXHAUSTIVE_TOTAL && length <= EXHAUSTIVE_LENGTH) {
            for (int mask = 0; mask < 1 << n; mask++) {
                if (Integer.bitCount(mask) <= m) {
                    boolean[] present = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        present[i] = (mask & (1 << i)) == 0;
                    }
                    patterns.add(present);
                }
            }
            return patterns;
        }
        for (int p = 0; p < RANDOM_PATTERNS && m > 0; p++) {
            boolean[] present = new boolean[n];
            java.util.Arrays.fill(present, true);
            int lose = 1 + random.nextInt(m);
            for (int lost = 0; lost < lose; ) {
                int i = random.nextInt(n);
                if (present[i]) {
                    present[i] = false;
                    lost++;
                }
            }
            patterns.add(present);
        }
        return patterns;
    }
}
