package dev.arca.client.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * WebDataset's streaming shuffle: holds up to {@code capacity} items; once full, each new item
 * evicts a uniformly chosen resident, which is emitted. At the end the residents come out in
 * random order. With the same seed and input the output order is the same. A capacity of 0 or 1
 * keeps the input order. Memory: {@code capacity} items. Not thread-safe.
 */
public final class ShuffleBuffer<T> {

    /** A sanity bound; memory is {@code capacity} samples. */
    public static final int MAX_CAPACITY = 1 << 20;

    private final int capacity;
    private final RandomGenerator random;
    private final List<T> items;

    /** A buffer of {@code capacity} items drawing from {@code random}. */
    public ShuffleBuffer(int capacity, RandomGenerator random) {
        if (capacity < 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be 0.." + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        this.random = random;
        this.items = new ArrayList<>(Math.min(capacity, 1024));
    }

    /** Adds {@code item}; returns the item to emit now, or null while the buffer is filling. */
    public T offer(T item) {
        if (capacity == 0) {
            return item;
        }
        if (items.size() < capacity) {
            items.add(item);
            return null;
        }
        int i = capacity == 1 ? 0 : random.nextInt(capacity);
        T out = items.get(i);
        items.set(i, item);
        return out;
    }

    /** Removes and returns a random resident (for draining at the end), or null when empty. */
    public T poll() {
        if (items.isEmpty()) {
            return null;
        }
        // Capacity 1 drains in order, so the output keeps the input order.
        int i = capacity <= 1 ? 0 : random.nextInt(items.size());
        T out = items.get(i);
        T last = items.removeLast();
        if (i < items.size()) {
            items.set(i, last);
        }
        return out;
    }

    /** Items held. */
    public int size() {
        return items.size();
    }
}
