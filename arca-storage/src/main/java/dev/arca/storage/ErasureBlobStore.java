package dev.arca.storage;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.erasure.ErasureCoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link BlobStore} that erasure-codes every blob across N drives: k data and m parity shards
 * per stripe (k + m &le; N), shard s of a blob on drive {@code (rotation(id) + s) mod N}, so
 * parity load spreads over all drives. Any k shards rebuild a stripe; every chunk carries a CRC32C
 * that a read verifies before use. A read that finds a missing or corrupt shard reconstructs the
 * bytes and queues a heal that rewrites the shard. Writes need {@link #writeQuorum} live shards
 * (k + 1 when m &gt; 0) or fail with 503 and leave nothing. One drive (1+0) still works: checksums
 * only. File formats: docs/FORMATS.md ("Drive format", "Shard file").
 *
 * <p>Drives: the first start formats every drive (and creates missing roots). Later, a drive whose
 * root is missing is offline (never recreated: the mount may be gone), and an empty root is a
 * replacement: {@link #formatEmptyDrives()} formats it and healing refills it.
 *
 * <p>Errors as in {@link BlobStore}; in addition a write below quorum throws {@link StoreException}
 * with {@link FailureKind#SERVICE_UNAVAILABLE}, and a blob with fewer than k readable shards fails
 * to open: with SERVICE_UNAVAILABLE while some drive is offline (its shards may come back), else
 * with an {@link UncheckedIOException} whose cause is a {@link BlobCorruptException}.
 * Thread-safe.
 */
public final class ErasureBlobStore implements BlobStore {
    private static final System.Logger LOG = System.getLogger("arca.storage");
    /** Heal requests waiting for the background healer; beyond this they are dropped (the scrubber finds them). */
    static final int HEAL_QUEUE_CAPACITY = 10_000;
    /** Stripe buffers kept for reuse (each about (k + m) / k MiB of direct memory); writers beyond it allocate. */
    static final int MAX_POOLED_STRIPE_BUFFERS = 16;
    /** How often the idle healer checks whether the store is closing. */
    static final long HEAL_POLL_MILLIS = 200;
    /** How long close() waits for the background threads to finish the blob they are on. */
    static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(60);
    /** How long a drive's checked state is reused before checking again. */
    static final long DRIVE_STATE_TTL_NANOS = 1_000_000_000L;
    /** Per-blob locks (striped): publish, delete and heal of one blob never interleave. */
    private static final int LOCK_STRIPES = 256;
    private static final HexFormat HEX = HexFormat.of();

    /**
     * @param dataShards   k for new blobs
     * @param parityShards m for new blobs
     * @param stripeBytes  data bytes per stripe (each chunk is {@code ceil(stripeBytes / k)})
     */
    public record Geometry(int dataShards, int parityShards, int stripeBytes) {
        public Geometry {
            if (dataShards < 1 || parityShards < 0 || stripeBytes < dataShards
                    || ShardFormat.chunkFor(stripeBytes, dataShards) > ShardFormat.MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("bad erasure geometry " + dataShards + "+" + parityShards + ", stripe " + stripeBytes);
            }
        }

        /**
         * The default for {@code drives} drives, like MinIO's: 1 → 1+0, 2–3 → m=1, 4–7 → m=2 (4 → 2+2),
         * 8 and more → m = max(2, N/4) (8 → 6+2, 16 → 12+4).
         */
        public static Geometry defaultFor(int drives, int stripeBytes) {
            int m = drives <= 1 ? 0 : drives <= 3 ? 1 : Math.max(2, drives / 4);
            return new Geometry(drives - m, m, stripeBytes);
        }
    }

    /** Makes coders; called once per (k, m) seen. */
    @FunctionalInterface
    public interface CoderFactory {
        ErasureCoder coder(int dataShards, int parityShards);
    }

    /** A drive as the store sees it now. */
    public record DriveStatus(int number, Path path, String state) {}

    final ErasureStats stats = new ErasureStats();
    private final Drive[] drives;
    private final Geometry geometry;
    private final int reducedParity;
    private final String deploymentId;
    private final CoderFactory factory;
    private final Map<Long, ErasureCoder> coders = new ConcurrentHashMap<>();
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    private final Set<Path> writingTemps = ConcurrentHashMap.newKeySet();
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    private final Drive.State[] states;
    private final long[] stateCheckedAt;
    private final BlockingQueue<StripeBuffers> stripeBufferPool = new ArrayBlockingQueue<>(MAX_POOLED_STRIPE_BUFFERS);
    private final BlockingQueue<String> healQueue = new ArrayBlockingQueue<>(HEAL_QUEUE_CAPACITY);
    private final Set<String> healQueued = ConcurrentHashMap.newKeySet();
    private volatile Thread healer;
    private volatile Scrubber scrubber;
    private volatile boolean closed;

    private ErasureBlobStore(Drive[] drives, Geometry geometry, int reducedParity, String deploymentId, CoderFactory factory) {
        this.drives = drives;
        this.geometry = geometry;
        this.reducedParity = reducedParity;
        this.deploymentId = deploymentId;
        this.factory = factory;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        this.states = new Drive.State[drives.length];
        this.stateCheckedAt = new long[drives.length];
    }

    /**
     * Opens the store on {@code drivePaths} (order matters: it is recorded in each drive's format).
     * On the first start (no drive formatted) every drive is created and formatted. Later starts
     * check that each formatted drive is the one configured in its position, format empty
     * replacement drives, and refuse to start with fewer than k drives online.
     */
    public static ErasureBlobStore open(List<Path> drivePaths, Geometry geometry, CoderFactory factory, Entropy entropy) {
        return open(drivePaths, geometry, Math.min(1, geometry.parityShards()), factory, entropy);
    }

    /**
     * As {@link #open(List, Geometry, CoderFactory, Entropy)}, with {@code reducedParity} parity
     * shards (0 … m) for blobs written with {@link Redundancy#REDUCED}.
     */
    public static ErasureBlobStore open(List<Path> drivePaths, Geometry geometry, int reducedParity, CoderFactory factory,
            Entropy entropy) {
        Objects.requireNonNull(factory, "factory");
        if (reducedParity < 0 || reducedParity > geometry.parityShards()) {
            throw new IllegalArgumentException("reduced parity " + reducedParity + " must be from 0 to " + geometry.parityShards());
        }
        int n = drivePaths.size();
        if (n < 1 || geometry.dataShards() + geometry.parityShards() > n) {
            throw new IllegalArgumentException("%d+%d erasure coding needs at least %d drives, got %d".formatted(
                    geometry.dataShards(), geometry.parityShards(), geometry.dataShards() + geometry.parityShards(), n));
        }
        Drive[] drives = new Drive[n];
        for (int i = 0; i < n; i++) {
            drives[i] = new Drive(i, drivePaths.get(i).toAbsolutePath().normalize());
        }
        String deployment = null;
        try {
            for (Drive d : drives) {
                Optional<Drive.Format> f = d.readFormat();
                if (f.isPresent()) {
                    if (deployment == null) {
                        deployment = f.get().deploymentId();
                    }
                    d.requireMatches(f.get(), deployment, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading drive formats", e);
        }
        boolean fresh = deployment == null;
        if (fresh) {
            byte[] id = new byte[16];
            entropy.nextBytes(id);
            deployment = HEX.formatHex(id);
            for (Drive d : drives) {
                if (Files.isDirectory(d.root) && !d.isBlank()) {
                    throw new IllegalStateException(d.root + " is not empty and is not an Arca drive: refusing to format it"
                            + " (use an empty directory, or remove what is there)");
                }
            }
            for (Drive d : drives) {
                d.format(new Drive.Format(deployment, d.slot, n), true);
            }
        }
        ErasureBlobStore store = new ErasureBlobStore(drives, geometry, reducedParity, deployment, factory);
        store.formatEmptyDrives();
        int online = 0;
        for (Drive d : drives) {
            Drive.State s = store.stateOf(d.slot, true);
            if (s == Drive.State.ONLINE) {
                online++;
            } else {
                LOG.log(System.Logger.Level.WARNING, d + " is " + s.name().toLowerCase() + ": running degraded");
            }
        }
        if (online < geometry.dataShards()) {
            throw new IllegalStateException("only %d of %d drives are online; at least %d are needed to read %d+%d coded data"
                    .formatted(online, n, geometry.dataShards(), geometry.dataShards(), geometry.parityShards()));
        }
        store.coder(geometry.dataShards(), geometry.parityShards());
        int shards = geometry.dataShards() + geometry.parityShards();
        store.coder(shards - reducedParity, reducedParity);
        return store;
    }

    public Geometry geometry() {
        return geometry;
    }

    public int driveCount() {
        return drives.length;
    }

    public String deploymentId() {
        return deploymentId;
    }

    /** The coder used for new blobs (its name says which implementation runs). */
    public ErasureCoder coder() {
        return coder(geometry.dataShards(), geometry.parityShards());
    }

    ErasureCoder coder(int k, int m) {
        return coders.computeIfAbsent(((long) k << 32) | m, key -> factory.coder(k, m));
    }

    public ErasureStats.Snapshot stats() {
        return stats.snapshot();
    }

    public List<DriveStatus> driveStatus() {
        List<DriveStatus> out = new ArrayList<>();
        for (Drive d : drives) {
            out.add(new DriveStatus(d.slot + 1, d.root, stateOf(d.slot, true).name().toLowerCase()));
        }
        return out;
    }

    /** Shards a write needs: k + 1 with parity (so one more loss still leaves k), all of them without. */
    int writeQuorum(int k, int n) {
        return n > k ? k + 1 : k;
    }

    // ---- BlobStore ----

    @Override
    public BlobWriter create(String blobId) {
        return create(blobId, Redundancy.STANDARD);
    }

    /** Parity shards of new blobs with reduced redundancy (data shards: the standard k + m minus these). */
    public int reducedParityShards() {
        return reducedParity;
    }

    @Override
    public BlobWriter create(String blobId, Redundancy redundancy) {
        BlobIds.requireValid(blobId);
        if (!writing.add(blobId)) {
            throw new IllegalStateException("blob " + blobId + " is already being written");
        }
        ErasureBlobWriter writer;
        try {
            int n = geometry.dataShards() + geometry.parityShards();
            int k = redundancy == Redundancy.REDUCED ? n - reducedParity : geometry.dataShards();
            Drive[] targets = new Drive[n];
            for (int s = 0; s < n; s++) {
                targets[s] = drives[ShardSet.slotOf(blobId, s, drives.length)];
            }
            writer = new ErasureBlobWriter(this, blobId, coder(k, n - k), ShardFormat.chunkFor(geometry.stripeBytes(), k), targets);
        } catch (RuntimeException e) {
            writing.remove(blobId);
            throw e;
        }
        writer.start();
        return writer;
    }

    @Override
    public BlobReader open(String blobId) {
        BlobIds.requireValid(blobId);
        ShardSet set = ShardSet.inspect(blobId, drives);
        if (set.filesFound == 0) {
            throw new NoSuchBlobException(blobId);
        }
        if (set.layout == null || set.valid < set.layout.dataShards()) {
            set.close();
            BlobCorruptException cause = ShardFormat.corrupt(blobId, "only %d shard files are readable%s: %s".formatted(set.valid,
                    set.layout == null ? "" : " of the %d needed".formatted(set.layout.dataShards()), set.problems));
            if (set.unsupported) {
                throw new UncheckedIOException(new UnsupportedBlobFormatException(cause.getMessage()));
            }
            for (Drive d : drives) {
                if (stateOf(d.slot, true) != Drive.State.ONLINE) {
                    // Shards may be on the drives that are away: a matter of availability, maybe temporary.
                    LOG.log(System.Logger.Level.WARNING, "read of blob " + blobId + " lacks its read quorum: " + cause.getMessage());
                    throw StoreException.of(FailureKind.SERVICE_UNAVAILABLE,
                            "Not enough drives are available to read the object; try again later.");
                }
            }
            stats.unrecoverableBlobs.increment();
            throw new UncheckedIOException(cause.getMessage(), cause);
        }
        if (set.valid < set.totalShards()) {
            for (int s = 0; s < set.totalShards(); s++) {
                if (set.channels[s] == null && stateOf(set.drives[s].slot, false) == Drive.State.ONLINE) {
                    stats.missingShards.increment();
                    requestHeal(blobId, "shard " + s + " missing or invalid on " + set.drives[s]);
                }
            }
        }
        return new ErasureBlobReader(this, set, coder(set.layout.dataShards(), set.layout.parityShards()));
    }

    /** True if any shard file of the blob exists (a damaged blob still exists: reads report the damage). */
    @Override
    public boolean exists(String blobId) {
        BlobIds.requireValid(blobId);
        for (Drive d : drives) {
            if (Files.exists(d.shardPath(blobId), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /** Deletes the blob's shard on every reachable drive and fsyncs their directories. */
    @Override
    public boolean delete(String blobId) {
        BlobIds.requireValid(blobId);
        ReentrantLock lock = lockOf(blobId);
        lock.lock();
        try {
            return deleteShards(blobId);
        } finally {
            lock.unlock();
        }
    }

    private boolean deleteShards(String blobId) {
        boolean existed = false;
        boolean driveAway = false;
        IOException failure = null;
        for (Drive d : drives) {
            Path p = d.shardPath(blobId);
            try {
                if (Files.deleteIfExists(p)) {
                    existed = true;
                    Drive.fsyncDirectory(p.getParent());
                } else if (!Files.isDirectory(p.getParent())) {
                    driveAway = true;
                }
            } catch (NoSuchFileException e) {
                driveAway = true;
            } catch (IOException e) {
                if (d.rootExists()) {
                    failure = e;
                } else {
                    driveAway = true;
                }
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("deleting blob " + blobId, failure);
        }
        if (driveAway) {
            // A drive that is away may hold a shard of this blob; with others that come back it could
            // make the deleted blob readable again. Tombstones on the drives here say it was deleted.
            writeTombstones(blobId);
        }
        return existed;
    }

    private void writeTombstones(String blobId) {
        int written = 0;
        for (Drive d : drives) {
            if (!Files.isDirectory(d.shardPath(blobId).getParent())) {
                continue;
            }
            Path t = d.tombstones().resolve(blobId);
            try {
                Files.createDirectories(d.tombstones());
                if (!Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createFile(t);
                    Drive.fsyncDirectory(d.tombstones());
                }
                written++;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot write tombstone " + t + ": " + e);
            }
        }
        stats.tombstonesWritten.add(written > 0 ? 1 : 0);
    }

    /** Whether a drive holds a tombstone for the blob: it was deleted while some drive was away. */
    boolean hasTombstone(String blobId) {
        for (Drive d : drives) {
            if (Files.exists(d.tombstones().resolve(blobId), LinkOption.NOFOLLOW_LINKS)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the shards of a tombstoned blob (leftovers on drives that were away) and, once every
     * drive is online and no shard is left, the tombstones themselves. Returns how many shard files it removed.
     */
    int clearTombstoned(String blobId) {
        int removed = 0;
        for (Drive d : drives) {
            Path p = d.shardPath(blobId);
            try {
                if (Files.deleteIfExists(p)) {
                    removed++;
                    Drive.fsyncDirectory(p.getParent());
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "removing shard " + p + " of a deleted blob: " + e);
            }
        }
        if (allDrivesOnline() && !exists(blobId)) {
            for (Drive d : drives) {
                Path t = d.tombstones().resolve(blobId);
                try {
                    if (Files.deleteIfExists(t)) {
                        Drive.fsyncDirectory(d.tombstones());
                    }
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "removing tombstone " + t + ": " + e);
                }
            }
        }
        return removed;
    }

    /**
     * Every id a heal pass should visit: blobs with a shard anywhere, then tombstoned ids (so
     * tombstones are cleared once every drive is back).
     */
    public void forEachHealable(Consumer<String> action) {
        forEachBlob(action);
        TreeSet<String> ids = new TreeSet<>();
        for (Drive d : drives) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d.tombstones())) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (BlobIds.isValid(name)) {
                        ids.add(name);
                    }
                }
            } catch (NoSuchFileException e) {
                // Offline drive, or no tombstone ever written there.
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot list " + d.tombstones() + ": " + e);
            }
        }
        ids.forEach(action);
    }

    @Override
    public int sweepTemporary() {
        int removed = 0;
        for (Drive d : drives) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(d.tmpDir())) {
                for (Path entry : entries) {
                    if (writingTemps.contains(entry) || Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    if (Files.deleteIfExists(entry)) {
                        removed++;
                    }
                }
                Drive.fsyncDirectory(d.tmpDir());
            } catch (NoSuchFileException e) {
                // Offline or unformatted drive: nothing to sweep.
            } catch (IOException e) {
                throw new UncheckedIOException("sweeping " + d.tmpDir(), e);
            }
        }
        return removed;
    }

    /** Every blob with a shard on any drive, once, fan-out directory by fan-out directory (memory: one directory's ids). */
    @Override
    public void forEachBlob(Consumer<String> action) {
        for (int i = 0; i < Drive.FAN_OUT; i++) {
            String prefix = HEX.toHexDigits((byte) i);
            TreeSet<String> ids = new TreeSet<>();
            for (Drive d : drives) {
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(d.fanOutDir(i))) {
                    for (Path entry : entries) {
                        String name = entry.getFileName().toString();
                        if (BlobIds.isValid(name) && name.startsWith(prefix)) {
                            ids.add(name);
                        }
                    }
                } catch (NoSuchFileException e) {
                    // Offline drive.
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot list " + d.fanOutDir(i) + ": " + e);
                }
            }
            ids.forEach(action);
        }
    }

    // ---- drives ----

    /** Formats every drive whose root is an empty directory (a replacement); returns their numbers (1-based). */
    public synchronized List<Integer> formatEmptyDrives() {
        List<Integer> formatted = new ArrayList<>();
        for (Drive d : drives) {
            if (stateOf(d.slot, true) == Drive.State.EMPTY) {
                d.format(new Drive.Format(deploymentId, d.slot, drives.length), false);
                stats.drivesFormatted.increment();
                formatted.add(d.slot + 1);
                LOG.log(System.Logger.Level.WARNING, d + " was empty: formatted it as a replacement; healing will refill it");
                stateOf(d.slot, true);
            }
        }
        return formatted;
    }

    Drive.State stateOf(int slot, boolean fresh) {
        long now = System.nanoTime();
        synchronized (states) {
            if (!fresh && states[slot] != null && now - stateCheckedAt[slot] < DRIVE_STATE_TTL_NANOS) {
                return states[slot];
            }
        }
        Drive.State s = drives[slot].state(deploymentId, drives.length);
        synchronized (states) {
            states[slot] = s;
            stateCheckedAt[slot] = now;
        }
        return s;
    }

    boolean allDrivesOnline() {
        for (Drive d : drives) {
            if (stateOf(d.slot, true) != Drive.State.ONLINE) {
                return false;
            }
        }
        return true;
    }

    Drive[] drives() {
        return drives;
    }

    // ---- writer support ----

    StripeBuffers borrowStripeBuffers(int k, int m, int chunk) {
        StripeBuffers b = stripeBufferPool.poll();
        if (b != null && b.fits(k, m, chunk)) {
            return b;
        }
        if (b != null) {
            stripeBufferPool.offer(b);
        }
        return new StripeBuffers(k, m, chunk);
    }

    void returnStripeBuffers(StripeBuffers b) {
        if (b.fits(geometry.dataShards(), geometry.parityShards(), ShardFormat.chunkFor(geometry.stripeBytes(), geometry.dataShards()))) {
            stripeBufferPool.offer(b);
        }
    }

    void reserveTemp(Path temp) {
        writingTemps.add(temp);
    }

    void releaseTemp(Path temp) {
        writingTemps.remove(temp);
    }

    void releaseWriter(String blobId, Path[] temps) {
        for (Path t : temps) {
            if (t != null) {
                writingTemps.remove(t);
            }
        }
        writing.remove(blobId);
    }

    boolean isWriting(String blobId) {
        return writing.contains(blobId);
    }

    /** Work on shards in parallel (one virtual thread each); a failing shard is handed to {@code onFailure}. */
    void parallel(List<Integer> shards, ShardTask task, ShardFailure onFailure) {
        if (shards.size() == 1) {
            int s = shards.getFirst();
            try {
                task.run(s);
            } catch (IOException e) {
                onFailure.failed(s, e);
            }
            return;
        }
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int s : shards) {
                futures.add(ex.submit(() -> {
                    task.run(s);
                    return null;
                }));
            }
            for (int i = 0; i < shards.size(); i++) {
                try {
                    futures.get(i).get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        onFailure.failed(shards.get(i), io);
                    } else if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    } else {
                        throw new IllegalStateException(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while syncing shards", e);
                }
            }
        }
    }

    @FunctionalInterface
    interface ShardTask {
        void run(int shard) throws IOException;
    }

    @FunctionalInterface
    interface ShardFailure {
        void failed(int shard, IOException e);
    }

    /**
     * Renames the fsynced temporary shard files into place and fsyncs their directories. Commits
     * if at least {@code quorum} shards made it (returns how many); otherwise removes them again and
     * fails with 503.
     * Refuses to replace an existing blob (ids are unique: that would be a bug).
     */
    int publish(String blobId, Drive[] targets, Path[] temps, List<Integer> live, int quorum) {
        ReentrantLock lock = lockOf(blobId);
        lock.lock();
        try {
            for (Drive d : drives) {
                if (Files.exists(d.shardPath(blobId), LinkOption.NOFOLLOW_LINKS)) {
                    throw new IllegalStateException("blob " + blobId + " already exists; refusing to overwrite it");
                }
            }
            List<Integer> published = new ArrayList<>();
            for (int s : live) {
                try {
                    Files.move(temps[s], targets[s].shardPath(blobId), StandardCopyOption.ATOMIC_MOVE);
                    published.add(s);
                } catch (IOException e) {
                    reportWriteFailure(targets[s], blobId, e);
                }
            }
            List<Integer> failed = new ArrayList<>();
            parallel(published, s -> Drive.fsyncDirectory(targets[s].shardPath(blobId).getParent()), (s, e) -> {
                failed.add(s);
                reportWriteFailure(targets[s], blobId, e);
            });
            int durable = published.size() - failed.size();
            if (durable < quorum) {
                deleteShards(blobId);
                throw quorumLost(blobId, durable, quorum);
            }
            return durable;
        } finally {
            lock.unlock();
        }
    }

    StoreException quorumLost(String blobId, int live, int quorum) {
        stats.writeQuorumFailures.increment();
        LOG.log(System.Logger.Level.WARNING, "write of blob " + blobId + " failed: " + live + " shards alive, write quorum is " + quorum);
        return StoreException.of(FailureKind.SERVICE_UNAVAILABLE,
                "Not enough drives are available to store the object safely (%d of the %d needed); try again later."
                        .formatted(live, quorum));
    }

    void reportWriteFailure(Drive drive, String blobId, IOException e) {
        stats.writeShardFailures.increment();
        // A drive known to be offline fails every write: its state is reported, not each write.
        if (stateOf(drive.slot, false) != Drive.State.OFFLINE) {
            LOG.log(System.Logger.Level.WARNING, "writing a shard of blob " + blobId + " to " + drive + " failed: " + e);
        }
    }

    /** A read found a bad chunk: count it and queue a heal (unless the drive is known to be gone). */
    void reportBadChunk(ShardSet set, int shard, long stripe) {
        stats.corruptChunks.increment();
        requestHeal(set.blobId, "chunk " + stripe + " of shard " + shard + " on " + set.drives[shard] + " failed verification");
    }

    // ---- healing ----

    ReentrantLock lockOf(String blobId) {
        return locks[Integer.parseInt(blobId, 0, 2, 16) % LOCK_STRIPES];
    }

    /** Asks the background healer to check and repair a blob; dropped (and counted) if the queue is full. */
    void requestHeal(String blobId, String why) {
        if (!healQueued.add(blobId)) {
            return;
        }
        if (healQueue.offer(blobId)) {
            stats.healsQueued.increment();
            LOG.log(System.Logger.Level.WARNING, "blob " + blobId + " needs healing: " + why);
        } else {
            healQueued.remove(blobId);
            stats.healsDropped.increment();
        }
    }

    /**
     * Checks one blob's shards and rewrites any missing or corrupt one from the others.
     * {@code deep} verifies every chunk (a scrub); otherwise only presence, headers and footers.
     */
    public HealReport heal(String blobId, boolean deep) {
        BlobIds.requireValid(blobId);
        return ShardHealer.heal(this, blobId, deep, RateLimiter.UNLIMITED);
    }

    HealReport heal(String blobId, boolean deep, RateLimiter limiter) {
        return ShardHealer.heal(this, blobId, deep, limiter);
    }

    /**
     * Starts the background healer (for heals that reads queue) and, if {@code scrub} is given,
     * the scrubber. Idempotent per store; stopped by {@link #close()}.
     */
    public synchronized void startBackground(Scrubber.Settings scrub) {
        if (healer != null || closed) {
            return;
        }
        healer = Thread.ofPlatform().daemon().name("arca-healer").start(this::healLoop);
        if (scrub != null) {
            scrubber = new Scrubber(this, scrub);
            scrubber.start();
        }
    }

    private void healLoop() {
        while (!closed) {
            String id;
            try {
                id = healQueue.poll(HEAL_POLL_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (id == null) {
                continue;
            }
            healQueued.remove(id);
            try {
                HealReport r = heal(id, true);
                if (r.outcome() != HealReport.Outcome.HEALTHY) {
                    LOG.log(System.Logger.Level.WARNING, "heal " + r);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "healing blob " + id + " failed", e);
            }
        }
    }

    /** Blobs waiting in the heal queue (for tests and status). */
    public int pendingHeals() {
        return healQueue.size();
    }

    /** Stops the healer and scrubber; open readers and writers stay usable. */
    @Override
    public void close() {
        closed = true;
        // No interrupts: an interrupt closes the FileChannel a heal is reading, which would look like
        // damage. The threads notice the flag between blobs (the healer within HEAL_POLL_MILLIS).
        Scrubber s = scrubber;
        if (s != null) {
            s.close();
        }
        join(healer);
        if (s != null) {
            join(s.thread());
        }
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            if (!t.join(CLOSE_WAIT)) {
                LOG.log(System.Logger.Level.WARNING, t.getName() + " did not stop within " + CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@link #close()} was called: background work stops. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "ErasureBlobStore[" + drives.length + " drives, " + geometry.dataShards() + "+" + geometry.parityShards() + "]";
    }
}
