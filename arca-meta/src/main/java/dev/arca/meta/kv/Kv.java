package dev.arca.meta.kv;

/**
 * An ordered key-value store with atomic batches. Implementations: {@link RocksKv} (durable) and
 * {@link MemoryKv} (tests); both pass the same contract tests. Thread-safe: reads may run
 * concurrently with a write; a batch is applied atomically (a reader or a cursor sees all of it or
 * none of it). Operating errors (disk full, I/O error, corruption) surface as {@link KvException};
 * using a closed store throws {@link IllegalStateException}.
 */
public interface Kv extends KvReader, AutoCloseable {
    /**
     * Applies {@code batch} atomically, ops in order (a later op on a key wins). With {@code sync},
     * the batch and every write before it are durable (survive a crash or power loss) when this
     * returns; without it, a crash may lose them (for {@link RocksKv}, a machine crash or power
     * loss; a process crash does not, since the write-ahead log is already in the OS).
     */
    void write(KvBatch batch, boolean sync);

    /** Releases every resource, closing open cursors. Idempotent. */
    @Override
    void close();
}
