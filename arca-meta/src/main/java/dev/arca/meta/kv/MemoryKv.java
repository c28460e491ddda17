package dev.arca.meta.kv;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The in-memory twin of {@link RocksKv} for tests, with the same semantics as seen through
 * {@link Kv}: unsigned key order, batches visible atomically, cursors reading a snapshot as of
 * their creation, arrays copied in and out. Nothing is durable; {@code sync} is ignored.
 *
 * <p>The state is an immutable (persistent) treap behind one volatile reference: a write copies
 * the O(log n) nodes on each changed path and publishes the new root at once, so a reader or a
 * cursor holding an old root keeps a consistent snapshot for free. Writes are serialized.
 */
public final class MemoryKv implements Kv {
    // Priorities only shape the tree; a fixed seed keeps runs reproducible.
    private static final long PRIORITY_SEED = 0x5EED_CAFEL;

    private final Object writeLock = new Object();
    private final SplittableRandom priorities = new SplittableRandom(PRIORITY_SEED); // guarded by writeLock
    private volatile Node root;
    private volatile boolean closed;

    public MemoryKv() {}

    @Override
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        checkOpen();
        Node n = root;
        while (n != null) {
            int order = Bytes.compare(key, n.key);
            if (order == 0) {
                return n.value.clone();
            }
            n = order < 0 ? n.left : n.right;
        }
        return null;
    }

    @Override
    public KvCursor scan(byte[] from, byte[] to) {
        Objects.requireNonNull(from, "from");
        checkOpen();
        return new TreeCursor(root, from, to == null ? null : to.clone());
    }

    @Override
    public void write(KvBatch batch, boolean sync) {
        Objects.requireNonNull(batch, "batch");
        synchronized (writeLock) {
            checkOpen();
            Node next = root;
            for (KvOp op : batch) {
                next = switch (op) {
                    case KvOp.Put(byte[] key, byte[] value) ->
                            insert(next, key.clone(), value.clone(), priorities.nextInt());
                    case KvOp.Delete(byte[] key) -> delete(next, key);
                };
            }
            root = next;
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("store is closed");
        }
    }

    /** An immutable treap node: a search tree by key and a max-heap by priority. */
    private record Node(byte[] key, byte[] value, int priority, Node left, Node right) {
        Node withChildren(Node newLeft, Node newRight) {
            return new Node(key, value, priority, newLeft, newRight);
        }
    }

    private static Node insert(Node n, byte[] key, byte[] value, int priority) {
        if (n == null) {
            return new Node(key, value, priority, null, null);
        }
        int order = Bytes.compare(key, n.key);
        if (order == 0) {
            return new Node(n.key, value, n.priority, n.left, n.right);
        }
        if (order < 0) {
            Node left = insert(n.left, key, value, priority);
            return left.priority > n.priority
                    ? left.withChildren(left.left, n.withChildren(left.right, n.right)) // rotate right
                    : n.withChildren(left, n.right);
        }
        Node right = insert(n.right, key, value, priority);
        return right.priority > n.priority
                ? right.withChildren(n.withChildren(n.left, right.left), right.right) // rotate left
                : n.withChildren(n.left, right);
    }

    private static Node delete(Node n, byte[] key) {
        if (n == null) {
            return null;
        }
        int order = Bytes.compare(key, n.key);
        if (order == 0) {
            return merge(n.left, n.right);
        }
        if (order < 0) {
            Node left = delete(n.left, key);
            return left == n.left ? n : n.withChildren(left, n.right);
        }
        Node right = delete(n.right, key);
        return right == n.right ? n : n.withChildren(n.left, right);
    }

    /** Joins two treaps where every key of {@code a} is below every key of {@code b}. */
    private static Node merge(Node a, Node b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.priority > b.priority
                ? a.withChildren(a.left, merge(a.right, b))
                : b.withChildren(merge(a, b.left), b.right);
    }

    /** In-order walk of one root (the snapshot) from a lower bound, with an explicit stack. */
    private final class TreeCursor implements KvCursor {
        private final byte[] to;
        // The nodes still to visit, next on top: ancestors whose left side the walk is in.
        private final ArrayDeque<Node> pending = new ArrayDeque<>();
        private Node current;
        private boolean closed;

        TreeCursor(Node snapshot, byte[] from, byte[] to) {
            this.to = to;
            Node n = snapshot;
            while (n != null) {
                if (Bytes.compare(n.key, from) >= 0) {
                    pending.push(n);
                    n = n.left;
                } else {
                    n = n.right;
                }
            }
        }

        @Override
        public boolean next() {
            if (closed) {
                throw new IllegalStateException("cursor is closed");
            }
            checkOpen();
            Node n = pending.poll();
            if (n == null || (to != null && Bytes.compare(n.key, to) >= 0)) {
                pending.clear();
                current = null;
                return false;
            }
            for (Node child = n.right; child != null; child = child.left) {
                pending.push(child);
            }
            current = n;
            return true;
        }

        @Override
        public byte[] key() {
            return entry().key.clone();
        }

        @Override
        public byte[] value() {
            return entry().value.clone();
        }

        private Node entry() {
            if (current == null) {
                throw new IllegalStateException("no current entry");
            }
            return current;
        }

        @Override
        public void close() {
            closed = true;
            current = null;
            pending.clear();
        }
    }
}
