package dev.arca.s3;

import dev.arca.meta.ObjectRecord;
import dev.arca.s3.tar.TarIndex;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Tar indexes of archive versions, least recently used evicted first, bounded by the total number
 * of members held ({@link #MAX_CACHED_MEMBERS}) and of archives ({@link #MAX_CACHED_ARCHIVES}).
 * An index is built at most once at a time per version: concurrent first requests wait for the
 * one build. In memory only: a restart rebuilds indexes on demand.
 */
final class TarIndexCache {
    /** Members kept over all cached indexes (roughly 100 bytes each plus the name). */
    static final int MAX_CACHED_MEMBERS = 1_000_000;
    /** Archives kept, however small. */
    static final int MAX_CACHED_ARCHIVES = 4096;

    /**
     * One archive version. An overwrite gives a new ETag and last-modified time (and, in a
     * versioned bucket, a new version id), so it never finds the old version's index.
     */
    record Key(String bucket, String key, String versionId, String etag, long lastModifiedMillis, long size) {
        static Key of(String bucket, String key, ObjectRecord record) {
            return new Key(bucket, key, record.versionId(), record.etag(), record.lastModifiedMillis(), record.size());
        }
    }

    private final int maxMembers;
    private final int maxArchives;
    /** Access-ordered; guarded by itself. */
    private final LinkedHashMap<Key, TarIndex> lru = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, CompletableFuture<TarIndex>> building = new ConcurrentHashMap<>();
    private long members;

    TarIndexCache() {
        this(MAX_CACHED_MEMBERS, MAX_CACHED_ARCHIVES);
    }

    TarIndexCache(int maxMembers, int maxArchives) {
        this.maxMembers = maxMembers;
        this.maxArchives = maxArchives;
    }

    /** The cached index of {@code key}, or the one {@code build} makes (on this thread); build failures are rethrown. */
    TarIndex get(Key key, Supplier<TarIndex> build) {
        synchronized (lru) {
            TarIndex cached = lru.get(key);
            if (cached != null) {
                return cached;
            }
        }
        CompletableFuture<TarIndex> mine = new CompletableFuture<>();
        CompletableFuture<TarIndex> theirs = building.putIfAbsent(key, mine);
        if (theirs != null) {
            return await(theirs, key, build);
        }
        try {
            TarIndex index = build.get();
            put(key, index);
            mine.complete(index);
            return index;
        } catch (RuntimeException | Error e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            building.remove(key, mine);
        }
    }

    /** Waits for another request's build; if it failed, this request tries itself (its failure may differ). */
    private TarIndex await(CompletableFuture<TarIndex> theirs, Key key, Supplier<TarIndex> build) {
        try {
            return theirs.get();
        } catch (ExecutionException e) {
            return build.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return build.get();
        }
    }

    private void put(Key key, TarIndex index) {
        synchronized (lru) {
            TarIndex old = lru.put(key, index);
            members += index.size() - (old == null ? 0 : old.size());
            Iterator<Map.Entry<Key, TarIndex>> eldest = lru.entrySet().iterator();
            while ((members > maxMembers || lru.size() > maxArchives) && eldest.hasNext()) {
                Map.Entry<Key, TarIndex> e = eldest.next();
                if (e.getKey().equals(key) && lru.size() == 1) {
                    break; // an index larger than the whole budget is still served, and evicted by the next one
                }
                members -= e.getValue().size();
                eldest.remove();
            }
        }
    }

    /** Indexes currently cached (for tests). */
    int archives() {
        synchronized (lru) {
            return lru.size();
        }
    }
}
