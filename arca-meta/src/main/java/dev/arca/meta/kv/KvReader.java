package dev.arca.meta.kv;

/**
 * Reads from an ordered key-value store. Keys and values are byte arrays; keys order as unsigned
 * bytes ({@link Bytes#compare}); the empty key is the smallest key.
 *
 * <p>Arrays handed in must not be mutated afterwards; arrays handed out must not be mutated by the
 * caller (implementations that keep them may return them without a copy).
 */
public interface KvReader {
    /** The value stored under {@code key}, or null when there is none. */
    byte[] get(byte[] key);

    /**
     * A cursor over the entries with {@code from <= key < to} (unsigned lexicographic order),
     * ascending. {@code to} may be null for "to the end"; {@code from} may not be null (the empty
     * key is the start). An empty range ({@code to <= from}) yields no entries. The cursor reads a
     * consistent view as of this call: writes made after it are not seen. The caller must close it.
     */
    KvCursor scan(byte[] from, byte[] to);
}
