package dev.arca.erasure;

import static org.junit.jupiter.api.Assertions.fail;

import dev.arca.erasure.ErasureCoders.Implementation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeds, available implementations and shard helpers shared by the tests. */
final class TestSupport {
    private TestSupport() {}

    /** System property that replays a randomized test: -Darca.seed=N. */
    static final String SEED_PROPERTY = "arca.seed";
    /** CI sets this to 1 where libisal2 is installed: a missing ISA-L then fails instead of skipping. */
    static final String REQUIRE_ISAL_ENV = "ARCA_REQUIRE_ISAL";

    /** The seed for one randomized test, printed so a failure can be replayed. */
    static long seed(String test) {
        Long fixed = Long.getLong(SEED_PROPERTY);
        long seed = fixed != null ? fixed : new Random().nextLong();
        System.out.println(test + ": seed " + seed + " (replay with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    static boolean isalRequired() {
        return "1".equals(System.getenv(REQUIRE_ISAL_ENV));
    }

    /** Fails the test if ISA-L is required here but missing; otherwise says whether it is usable. */
    static boolean isalUsable() {
        if (!ErasureCoders.isalAvailable() && isalRequired()) {
            fail(REQUIRE_ISAL_ENV + "=1 but ISA-L is not usable: " + ErasureCoders.availability());
        }
        return ErasureCoders.isalAvailable();
    }

    /** Every implementation this JVM can run, scalar first. */
    static List<Implementation> implementations() {
        List<Implementation> result = new ArrayList<>(List.of(Implementation.JAVA_SCALAR));
        if (ErasureCoders.vectorAvailable()) {
            result.add(Implementation.JAVA_VECTOR);
        }
        if (isalUsable()) {
            result.add(Implementation.ISAL);
        }
        return result;
    }

    /** A shard of {@code size} bytes, native (in {@code arena}) or heap. */
    static MemorySegment shard(Arena arena, boolean nativeMemory, long size) {
        return nativeMemory ? arena.allocate(Math.max(size, 1)) : MemorySegment.ofArray(new byte[(int) size]);
    }

    static MemorySegment randomShard(Random random, Arena arena, boolean nativeMemory, int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        MemorySegment shard = shard(arena, nativeMemory, size);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, shard, 0, size);
        return shard;
    }

    /** Copies of the shards, each the same kind (heap or native) as the original unless {@code toNative} says. */
    static MemorySegment[] copies(MemorySegment[] shards, Arena arena, boolean toNative, int length) {
        MemorySegment[] copy = new MemorySegment[shards.length];
        for (int i = 0; i < shards.length; i++) {
            copy[i] = shard(arena, toNative, length);
            MemorySegment.copy(shards[i], 0, copy[i], 0, length);
        }
        return copy;
    }

    static List<Integer> lost(boolean[] present) {
        List<Integer> lost = new ArrayList<>();
        for (int i = 0; i < present.length; i++) {
            if (!present[i]) {
                lost.add(i);
            }
        }
        return lost;
    }

    /** Index of the first shard whose first {@code length} bytes differ, or -1. */
    static int firstDifferentShard(MemorySegment[] expected, MemorySegment[] actual, int length) {
        for (int i = 0; i < expected.length; i++) {
            if (MemorySegment.mismatch(expected[i], 0, length, actual[i], 0, length) != -1) {
                return i;
            }
        }
        return -1;
    }
}
