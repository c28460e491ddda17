package dev.arca.meta.kv;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared test helpers: seeded randomness, byte literals, cursor dumps. */
final class KvTesting {
    /** Replay a randomized test with {@code -Dkv.seed=<seed>}. */
    static final String SEED_PROPERTY = "kv.seed";

    private KvTesting() {}

    /** The seed to use: {@code -Dkv.seed} if set, else a fresh one; printed either way. */
    static long seed(String test) {
        String fixed = System.getProperty(SEED_PROPERTY);
        long seed = fixed != null ? Long.parseLong(fixed) : new SplittableRandom().nextLong();
        System.out.println(test + " seed=" + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes from unsigned ints, e.g. {@code b(0x80, 0xFF)}. */
    static byte[] b(int... unsigned) {
        byte[] out = new byte[unsigned.length];
        for (int i = 0; i < unsigned.length; i++) {
            out[i] = (byte) unsigned[i];
        }
        return out;
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "null" : HexFormat.of().formatHex(bytes);
    }

    /** Drains and closes the cursor as "key=value" hex lines, in cursor order. */
    static List<String> dump(KvCursor cursor) {
        List<String> out = new ArrayList<>();
        try (cursor) {
            while (cursor.next()) {
                out.add(hex(cursor.key()) + "=" + hex(cursor.value()));
            }
        }
        return out;
    }

    /** The same lines for a reference map. */
    static List<String> dump(Map<byte[], byte[]> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach((k, v) -> out.add(hex(k) + "=" + hex(v)));
        return out;
    }

    /** Drains and closes the cursor, returning only keys. */
    static List<String> keys(KvCursor cursor) {
        List<String> out = new ArrayList<>();
        try (cursor) {
            while (cursor.next()) {
                out.add(hex(cursor.key()));
            }
        }
        return out;
    }
}
