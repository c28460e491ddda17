package dev.arca.meta.kv;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An ordered list of puts and deletes that {@link Kv#write} applies atomically; when several ops
 * name the same key, the later one wins. Copy-free: the batch keeps the caller's arrays, so the
 * caller must not mutate a key or value after handing it in. Not thread-safe.
 */
public final class KvBatch implements Iterable<KvOp> {
    private final List<KvOp> ops = new ArrayList<>();
    private long byteSize;

    /** Appends a put of {@code value} under {@code key}; returns this batch. */
    public KvBatch put(byte[] key, byte[] value) {
        ops.add(new KvOp.Put(key, value));
        byteSize += key.length + (long) value.length;
        return this;
    }

    /** Appends a delete of {@code key}; returns this batch. */
    public KvBatch delete(byte[] key) {
        ops.add(new KvOp.Delete(key));
        byteSize += key.length;
        return this;
    }

    /** The number of ops, counting repeated keys once per op. */
    public int size() {
        return ops.size();
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** The total length of every key and value handed in: a measure of the batch's weight. */
    public long byteSize() {
        return byteSize;
    }

    /** The ops in the order they were added, as an unmodifiable view. */
    public List<KvOp> ops() {
        return Collections.unmodifiableList(ops);
    }

    @Override
    public Iterator<KvOp> iterator() {
        return ops().iterator();
    }

    @Override
    public String toString() {
        return "KvBatch[" + ops.size() + " ops, " + byteSize + " bytes]";
    }
}
