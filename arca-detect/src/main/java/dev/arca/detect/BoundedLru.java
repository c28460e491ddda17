package dev.arca.detect;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A map of at most {@code capacity} entries that evicts the least recently used one to admit a new
 * one (and counts evictions): bounded memory for per-subject state however many principals, buckets
 * or addresses are seen. Thread-safe; the lock is held only for the lookup.
 */
final class BoundedLru<K, V> {
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong evictions = new AtomicLong();
    private final LinkedHashMap<K, V> map;

    BoundedLru(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                if (size() > BoundedLru.this.capacity) {
                    evictions.incrementAndGet();
                    return true;
                }
                return false;
            }
        };
    }

    /** The entry for {@code key}, created by {@code create} if absent (and marked most recently used). */
    V get(K key, Function<K, V> create) {
        lock.lock();
        try {
            return map.computeIfAbsent(key, create);
        } finally {
            lock.unlock();
        }
    }

    /** The entry for {@code key}, or null (marked most recently used when present). */
    V find(K key) {
        lock.lock();
        try {
            return map.get(key);
        } finally {
            lock.unlock();
        }
    }

    void put(K key, V value) {
        lock.lock();
        try {
            map.put(key, value);
        } finally {
            lock.unlock();
        }
    }

    void remove(K key) {
        lock.lock();
        try {
            map.remove(key);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return map.size();
        } finally {
            lock.unlock();
        }
    }

    long evictions() {
        return evictions.get();
    }
}
