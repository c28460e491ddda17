package dev.arca.s3.auth;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small LRU of derived signing keys. Deriving one costs four HMACs; a key is valid for one
 * (secret, date, region), so a handful of active users reuse a few entries all day.
 */
final class SigningKeyCache {
    /** Enough for many concurrently active access keys across a date change; each entry is ~100 bytes. */
    static final int MAX_ENTRIES = 1024;

    private record Key(String secretKey, String date, String region, String service) {
        @Override
        public String toString() {
            return "Key[date=" + date + ", region=" + region + ", service=" + service + "]";
        }
    }

    private final Map<Key, byte[]> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, byte[]> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    /** The signing key; callers must not modify the returned array. */
    byte[] get(String secretKey, String date, String region) {
        return get(secretKey, date, region, SigV4.SERVICE);
    }

    /** The signing key for a service; callers must not modify the returned array. */
    byte[] get(String secretKey, String date, String region, String service) {
        Key key = new Key(secretKey, date, region, service);
        synchronized (entries) {
            byte[] cached = entries.get(key);
            if (cached != null) {
                return cached;
            }
        }
        // Derive outside the lock; a race derives twice, harmlessly.
        byte[] derived = SigV4.deriveSigningKey(secretKey, date, region, service);
        synchronized (entries) {
            entries.put(key, derived);
        }
        return derived;
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
