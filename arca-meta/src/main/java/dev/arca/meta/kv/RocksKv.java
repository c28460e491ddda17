package dev.arca.meta.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ChecksumType;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.Slice;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The durable {@link Kv}: one RocksDB database (default column family) in a directory, with the
 * write-ahead log on, paranoid checks on and block checksums verified on every read.
 *
 * <p>Thread-safe. Every native call runs under the read side of a lifecycle lock and
 * {@link #close()} takes the write side, so closing never frees native memory under a running
 * call; close also closes the cursors still open, then the database, then the option objects, in
 * that order. After close, every operation (cursors included) throws
 * {@link IllegalStateException}. Engine errors become {@link KvException} with RocksDB's status.
 */
public final class RocksKv implements Kv {
    static {
        RocksDB.loadLibrary(); // extracts and loads the bundled native library once per JVM
    }

    /** Levels of the LSM tree (RocksDB's default), for the per-level compression list. */
    private static final int NUM_LEVELS = 7;
    /** Levels written most often (memtable flushes and their first compaction) stay uncompressed. */
    private static final int UNCOMPRESSED_LEVELS = 2;
    /** Data block size: metadata records are small and read by point lookups and short scans. */
    private static final long BLOCK_SIZE_BYTES = 16 * 1024;
    /** Background file syncs in steps of this size, so a flush never dumps gigabytes at once. */
    private static final long BYTES_PER_SYNC = 1024 * 1024;
    /** RocksDB's own info LOG: rotation size and files kept. */
    private static final long INFO_LOG_MAX_BYTES = 16L * 1024 * 1024;
    private static final long INFO_LOG_FILES_KEPT = 5;

    /**
     * Tuning for {@link #open}. All sizes in bytes.
     *
     * @param blockCacheBytes LRU cache for uncompressed data, index and filter blocks
     * @param writeBufferBytes size of one memtable before it is flushed to a table file
     * @param maxBackgroundJobs threads for flushes and compactions together
     * @param maxOpenFiles table files kept open (bounded, so the process stays under its fd limit)
     * @param bloomBitsPerKey bloom filter bits per key; about 1 % false positives at 10
     * @param compressLowerLevels LZ4 for the levels below L1, where nearly all data ends up
     */
    public record Options(
            long blockCacheBytes,
            long writeBufferBytes,
            int maxBackgroundJobs,
            int maxOpenFiles,
            int bloomBitsPerKey,
            boolean compressLowerLevels) {
        public static final long DEFAULT_BLOCK_CACHE_BYTES = 64L * 1024 * 1024;
        public static final long DEFAULT_WRITE_BUFFER_BYTES = 32L * 1024 * 1024;
        public static final int DEFAULT_MAX_BACKGROUND_JOBS = 2;
        public static final int DEFAULT_MAX_OPEN_FILES = 512;
        public static final int DEFAULT_BLOOM_BITS_PER_KEY = 10;
        /** RocksDB raises smaller limits to this anyway; asking for less would be misleading. */
        public static final int MIN_OPEN_FILES = 20;

        public Options {
            if (blockCacheBytes <= 0 || writeBufferBytes <= 0) {
                throw new IllegalArgumentException("cache and write buffer sizes must be positive");
            }
            if (maxBackgroundJobs < 1) {
                throw new IllegalArgumentException("maxBackgroundJobs must be at least 1: " + maxBackgroundJobs);
            }
            if (maxOpenFiles < MIN_OPEN_FILES) {
                throw new IllegalArgumentException("maxOpenFiles must be at least " + MIN_OPEN_FILES + ": " + maxOpenFiles);
            }
            if (bloomBitsPerKey < 1) {
                throw new IllegalArgumentException("bloomBitsPerKey must be at least 1: " + bloomBitsPerKey);
            }
        }

        /** 64 MiB block cache, 32 MiB memtables, 2 background jobs, 512 open files, 10 bloom bits, LZ4. */
        public static Options defaults() {
            return new Options(
                    DEFAULT_BLOCK_CACHE_BYTES,
                    DEFAULT_WRITE_BUFFER_BYTES,
                    DEFAULT_MAX_BACKGROUND_JOBS,
                    DEFAULT_MAX_OPEN_FILES,
                    DEFAULT_BLOOM_BITS_PER_KEY,
                    true);
        }
    }

    private final Path dir;
    private final RocksDB db;
    // Option objects in creation order; closed in reverse after the database.
    private final List<RocksObject> natives;
    private final WriteOptions syncWrite;
    private final WriteOptions bufferedWrite;
    private final ReadOptions pointRead;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final Set<RocksCursor> cursors = ConcurrentHashMap.newKeySet();
    private boolean closed; // guarded by lifecycle

    private RocksKv(Path dir, RocksDB db, List<RocksObject> natives, WriteOptions syncWrite,
            WriteOptions bufferedWrite, ReadOptions pointRead) {
        this.dir = dir;
        this.db = db;
        this.natives = natives;
        this.syncWrite = syncWrite;
        this.bufferedWrite = bufferedWrite;
        this.pointRead = pointRead;
    }

    /**
     * Opens the database in {@code dir}, creating the directory and the database when missing and
     * recovering from the write-ahead log after a crash. Throws {@link KvException} when the
     * directory cannot be created, is locked by another open store, or holds a corrupt database.
     */
    public static RocksKv open(Path dir, Options options) {
        Objects.requireNonNull(options, "options");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new KvException("IOError", "create " + dir + ": " + e, e);
        }
        List<RocksObject> natives = new ArrayList<>();
        try {
            LRUCache cache = track(natives, new LRUCache(options.blockCacheBytes()));
            BloomFilter bloom = track(natives, new BloomFilter(options.bloomBitsPerKey()));
            org.rocksdb.Options dbOptions = track(natives, new org.rocksdb.Options());
            configure(dbOptions, options, cache, bloom);
            WriteOptions syncWrite = track(natives, new WriteOptions().setSync(true));
            WriteOptions bufferedWrite = track(natives, new WriteOptions().setSync(false));
            ReadOptions pointRead = track(natives, new ReadOptions().setVerifyChecksums(true));
            RocksDB db = RocksDB.open(dbOptions, dir.toAbsolutePath().toString());
            return new RocksKv(dir, db, List.copyOf(natives), syncWrite, bufferedWrite, pointRead);
        } catch (RocksDBException e) {
            closeReversed(natives);
            throw wrap("open " + dir, e);
        } catch (RuntimeException | Error e) {
            closeReversed(natives);
            throw e;
        }
    }

    private static void configure(org.rocksdb.Options db, Options options, LRUCache cache, BloomFilter bloom) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(bloom)
                .setBlockSize(BLOCK_SIZE_BYTES)
                .setChecksumType(ChecksumType.kXXH3)
                // Index and filter blocks count against the cache bound instead of growing apart.
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true);
        List<CompressionType> perLevel = new ArrayList<>(NUM_LEVELS);
        for (int level = 0; level < NUM_LEVELS; level++) {
            perLevel.add(options.compressLowerLevels() && level >= UNCOMPRESSED_LEVELS
                    ? CompressionType.LZ4_COMPRESSION
                    : CompressionType.NO_COMPRESSION);
        }
        db.setCreateIfMissing(true)
                .setParanoidChecks(true)
                .setWalRecoveryMode(WALRecoveryMode.PointInTimeRecovery)
                .setMaxBackgroundJobs(options.maxBackgroundJobs())
                .setMaxOpenFiles(options.maxOpenFiles())
                .setBytesPerSync(BYTES_PER_SYNC)
                .setMaxLogFileSize(INFO_LOG_MAX_BYTES)
                .setKeepLogFileNum(INFO_LOG_FILES_KEPT);
        db.setCompactionStyle(CompactionStyle.LEVEL)
                .setLevelCompactionDynamicLevelBytes(true)
                .setNumLevels(NUM_LEVELS)
                .setCompressionPerLevel(perLevel)
                .setWriteBufferSize(options.writeBufferBytes())
                .setTableFormatConfig(table);
    }

    private static <T extends RocksObject> T track(List<RocksObject> natives, T object) {
        natives.add(object);
        return object;
    }

    private static void closeReversed(List<RocksObject> natives) {
        List<RocksObject> reversed = new ArrayList<>(natives);
        Collections.reverse(reversed);
        reversed.forEach(RocksObject::close);
    }

    /** The directory this store lives in. */
    public Path dir() {
        return dir;
    }

    @Override
    public byte[] get(byte[] key) {
        Objects.requireNonNull(key, "key");
        Lock lock = openLock();
        try {
            return db.get(pointRead, key);
        } catch (RocksDBException e) {
            throw wrap("get", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public KvCursor scan(byte[] from, byte[] to) {
        Objects.requireNonNull(from, "from");
        Lock lock = openLock();
        Slice upper = null;
        ReadOptions read = null;
        RocksIterator iterator = null;
        try {
            read = new ReadOptions().setVerifyChecksums(true);
            if (to != null) {
                // The options keep a pointer to the slice: it must outlive the iterator.
                upper = new Slice(to);
                read.setIterateUpperBound(upper);
            }
            // The iterator pins the database's state now: its implicit snapshot.
            iterator = db.newIterator(read);
            iterator.seek(from);
            RocksCursor cursor = new RocksCursor(iterator, read, upper);
            cursors.add(cursor);
            return cursor;
        } catch (RuntimeException | Error e) {
            if (iterator != null) {
                iterator.close();
            }
            if (read != null) {
                read.close();
            }
            if (upper != null) {
                upper.close();
            }
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@inheritDoc} An empty batch with {@code sync} syncs the write-ahead log, making earlier
     * buffered writes durable.
     */
    @Override
    public void write(KvBatch batch, boolean sync) {
        Objects.requireNonNull(batch, "batch");
        Lock lock = openLock();
        try {
            if (batch.isEmpty()) {
                if (sync) {
                    db.syncWal();
                }
                return;
            }
            try (WriteBatch rocksBatch = new WriteBatch()) {
                for (KvOp op : batch) {
                    switch (op) {
                        case KvOp.Put(byte[] key, byte[] value) -> rocksBatch.put(key, value);
                        case KvOp.Delete(byte[] key) -> rocksBatch.delete(key);
                    }
                }
                db.write(sync ? syncWrite : bufferedWrite, rocksBatch);
            }
        } catch (RocksDBException e) {
            throw wrap("write", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Syncs the write-ahead log, closes open cursors, the database and every option object.
     * Idempotent. Throws {@link KvException} if the final sync or close failed; the native
     * resources are released either way.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            cursors.forEach(RocksCursor::release);
            cursors.clear();
            RocksDBException failure = null;
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                failure = e;
            }
            try {
                db.closeE();
            } catch (RocksDBException e) {
                failure = failure == null ? e : failure;
            }
            closeReversed(natives);
            if (failure != null) {
                throw wrap("close " + dir, failure);
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Takes the read side of the lifecycle lock; the caller unlocks. Throws once closed. */
    private Lock openLock() {
        Lock lock = lifecycle.readLock();
        lock.lock();
        if (closed) {
            lock.unlock();
            throw new IllegalStateException("store is closed: " + dir);
        }
        return lock;
    }

    static KvException wrap(String what, RocksDBException e) {
        Status status = e.getStatus();
        String code;
        if (status == null) {
            code = "Unknown";
        } else if (status.getSubCode() == null || status.getSubCode() == Status.SubCode.None) {
            code = status.getCode().name();
        } else {
            code = status.getCode().name() + "(" + status.getSubCode().name() + ")";
        }
        return new KvException(code, what + ": " + code + ": " + e.getMessage(), e);
    }

    /** A cursor over one RocksDB iterator; its key and value are fetched once per position. */
    private final class RocksCursor implements KvCursor {
        private final RocksIterator iterator;
        private final ReadOptions read;
        private final Slice upper;
        private boolean started;
        private boolean valid;
        private boolean exhausted;
        private boolean closed;
        private byte[] key;
        private byte[] value;

        RocksCursor(RocksIterator iterator, ReadOptions read, Slice upper) {
            this.iterator = iterator;
            this.read = read;
            this.upper = upper;
        }

        @Override
        public boolean next() {
            if (closed) {
                throw new IllegalStateException("cursor is closed");
            }
            Lock lock = openLock();
            try {
                key = null;
                value = null;
                if (exhausted) {
                    return false;
                }
                if (started) {
                    iterator.next();
                }
                started = true;
                valid = iterator.isValid();
                if (!valid) {
                    exhausted = true;
                    iterator.status(); // an invalid iterator is either at the end or failed
                }
                return valid;
            } catch (RocksDBException e) {
                throw wrap("scan", e);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public byte[] key() {
            if (key == null) {
                key = fetch(true);
            }
            return key;
        }

        @Override
        public byte[] value() {
            if (value == null) {
                value = fetch(false);
            }
            return value;
        }

        private byte[] fetch(boolean wantKey) {
            if (closed || !valid) {
                throw new IllegalStateException("no current entry");
            }
            Lock lock = openLock();
            try {
                return wantKey ? iterator.key() : iterator.value();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            valid = false;
            lifecycle.readLock().lock();
            try {
                // Once the store is closed, it has released this cursor already.
                if (!RocksKv.this.closed) {
                    cursors.remove(this);
                    release();
                }
            } finally {
                lifecycle.readLock().unlock();
            }
        }

        /** Frees the native objects, iterator first; idempotent (RocksObject.close is). */
        void release() {
            iterator.close();
            read.close();
            if (upper != null) {
                upper.close();
            }
        }
    }
}
