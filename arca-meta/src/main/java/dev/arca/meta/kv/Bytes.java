package dev.arca.meta.kv;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/** Static helpers for byte-array keys in the store's order: unsigned lexicographic. */
public final class Bytes {
    /** The empty key: the smallest key. */
    public static final byte[] EMPTY = new byte[0];

    /** Orders keys as {@link #compare} does. */
    public static final Comparator<byte[]> COMPARATOR = Bytes::compare;

    private Bytes() {}

    /** Compares as unsigned bytes, lexicographically; a proper prefix sorts first. */
    public static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** The parts joined into one new array. */
    public static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length = Math.addExact(length, part.length);
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /**
     * The smallest key greater than every key that starts with {@code prefix}, for use as the
     * exclusive end of a prefix scan; null when there is none (the prefix is empty or all 0xFF),
     * which {@link KvReader#scan} reads as "to the end".
     */
    public static byte[] prefixEnd(byte[] prefix) {
        int last = prefix.length - 1;
        while (last >= 0 && prefix[last] == (byte) 0xFF) {
            last--;
        }
        if (last < 0) {
            return null;
        }
        byte[] end = Arrays.copyOf(prefix, last + 1);
        end[last]++;
        return end;
    }

    /** Whether {@code key} begins with {@code prefix} (every key begins with the empty prefix). */
    public static boolean startsWith(byte[] key, byte[] prefix) {
        Objects.requireNonNull(key, "key");
        return key.length >= prefix.length
                && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
