package dev.arca.object;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs that readers are using. The collector never deletes a leased blob, so a GET that leased
 * its blobs (and then confirmed its record is still current) can stream to the end even if the
 * object is overwritten meanwhile.
 */
final class BlobLeases {
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    void acquire(List<String> blobIds) {
        for (String id : blobIds) {
            counts.merge(id, 1, Integer::sum);
        }
    }

    void release(List<String> blobIds) {
        for (String id : blobIds) {
            counts.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    boolean isLeased(String blobId) {
        return counts.containsKey(blobId);
    }
}
