package dev.arca.meta.kv;

/**
 * An ascending cursor. Call {@link #next()} before the first {@link #key()}; {@link #key()} and
 * {@link #value()} throw {@link IllegalStateException} unless the last {@link #next()} returned
 * true. Not thread-safe. {@link #close()} is idempotent and releases what the cursor pins (for
 * RocksDB, a snapshot of the database); using a cursor after its store closed throws
 * {@link IllegalStateException}.
 */
public interface KvCursor extends AutoCloseable {
    /** Advances to the next entry; false when there is none. */
    boolean next();

    /** The current entry's key. */
    byte[] key();

    /** The current entry's value. */
    byte[] value();

    @Override
    void close();
}
