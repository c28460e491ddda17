package dev.arca.meta.kv;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Buffers puts and deletes over a base {@link KvReader} so that a sequence of commands can read
 * its own writes before they are committed: reads see the buffered ops first (a buffered delete
 * hides the base's entry), and {@link #toBatch()} gives their net effect for one atomic
 * {@link Kv#write}.
 *
 * <p>Copy-free: the overlay keeps the arrays handed in and may return them from reads, so neither
 * side may mutate them. Not thread-safe. A cursor sees the overlay as of {@link #scan} (writing to
 * the overlay while a cursor is open is allowed and invisible to that cursor); what it sees of the
 * base is what the base's cursor sees.
 */
public final class KvOverlay implements KvReader {
    private final KvReader base;
    // The last op per key; a Delete hides the base's entry.
    private final TreeMap<byte[], KvOp> pending = new TreeMap<>(Bytes.COMPARATOR);

    public KvOverlay(KvReader base) {
        this.base = Objects.requireNonNull(base, "base");
    }

    /** Buffers a put; it replaces any earlier buffered op on the same key. */
    public void put(byte[] key, byte[] value) {
        pending.put(key, new KvOp.Put(key, value));
    }

    /** Buffers a delete; it replaces any earlier buffered op on the same key. */
    public void delete(byte[] key) {
        pending.put(key, new KvOp.Delete(key));
    }

    @Override
    public byte[] get(byte[] key) {
        return switch (pending.get(key)) {
            case null -> base.get(key);
            case KvOp.Put put -> put.value();
            case KvOp.Delete _ -> null;
        };
    }

    @Override
    public KvCursor scan(byte[] from, byte[] to) {
        Objects.requireNonNull(from, "from");
        NavigableMap<byte[], KvOp> range;
        if (to == null) {
            range = pending.tailMap(from, true);
        } else if (Bytes.compare(from, to) < 0) {
            range = pending.subMap(from, true, to, false);
        } else {
            range = new TreeMap<>(Bytes.COMPARATOR);
        }
        // Copy the range so that the overlay may change under an open cursor.
        return new MergedCursor(base.scan(from, to), new ArrayList<>(range.values()));
    }

    /** The net effect of the buffered ops, one op per key in key order. */
    public KvBatch toBatch() {
        KvBatch batch = new KvBatch();
        for (KvOp op : pending.values()) {
            switch (op) {
                case KvOp.Put(byte[] key, byte[] value) -> batch.put(key, value);
                case KvOp.Delete(byte[] key) -> batch.delete(key);
            }
        }
        return batch;
    }

    /** Whether no op is buffered. */
    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** The number of keys with a buffered op. */
    public int size() {
        return pending.size();
    }

    /** Drops every buffered op. */
    public void clear() {
        pending.clear();
    }

    /** Merges the base cursor with a sorted copy of the buffered ops; the buffered op wins a tie. */
    private static final class MergedCursor implements KvCursor {
        private final KvCursor base;
        private final List<KvOp> ops;
        private int opIndex;
        private boolean baseStarted;
        private boolean baseValid;
        private byte[] key;
        private byte[] value;
        private boolean closed;

        MergedCursor(KvCursor base, List<KvOp> ops) {
            this.base = base;
            this.ops = ops;
        }

        @Override
        public boolean next() {
            if (closed) {
                throw new IllegalStateException("cursor is closed");
            }
            if (!baseStarted) {
                baseStarted = true;
                baseValid = base.next();
            }
            while (true) {
                KvOp op = opIndex < ops.size() ? ops.get(opIndex) : null;
                if (op == null && !baseValid) {
                    key = null;
                    value = null;
                    return false;
                }
                int order = op == null ? 1 : !baseValid ? -1 : Bytes.compare(op.key(), base.key());
                if (order > 0) {
                    key = base.key();
                    value = base.value();
                    baseValid = base.next();
                    return true;
                }
                opIndex++;
                if (order == 0) {
                    baseValid = base.next();
                }
                if (op instanceof KvOp.Put(byte[] k, byte[] v)) {
                    key = k;
                    value = v;
                    return true;
                }
            }
        }

        @Override
        public byte[] key() {
            if (key == null) {
                throw new IllegalStateException("no current entry");
            }
            return key;
        }

        @Override
        public byte[] value() {
            if (key == null) {
                throw new IllegalStateException("no current entry");
            }
            return value;
        }

        @Override
        public void close() {
            closed = true;
            key = null;
            value = null;
            base.close();
        }
    }
}
