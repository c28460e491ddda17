package dev.arca.storage;

import dev.arca.erasure.ErasureCoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Heals one blob: finds shards that are missing, invalid or (deep) have a corrupt chunk, and
 * rewrites each such shard in full from the good ones, stripe by stripe (temporary file, fsync,
 * rename over the bad one, directory fsync). Runs under the blob's lock, so it never races a
 * publish or delete of the same blob. Memory: one chunk buffer per shard.
 */
final class ShardHealer {
    private static final System.Logger LOG = System.getLogger("arca.storage");

    private ShardHealer() {}

    static HealReport heal(ErasureBlobStore store, String blobId, boolean deep, RateLimiter limiter) {
        ReentrantLock lock = store.lockOf(blobId);
        lock.lock();
        try {
            if (store.isWriting(blobId)) {
                return HealReport.of(blobId, HealReport.Outcome.BUSY, "being written");
            }
            try (ShardSet set = ShardSet.inspect(blobId, store.drives())) {
                return heal(store, set, deep, limiter);
            }
        } finally {
            lock.unlock();
        }
    }

    private static HealReport heal(ErasureBlobStore store, ShardSet set, boolean deep, RateLimiter limiter) {
        String id = set.blobId;
        if (store.hasTombstone(id)) {
            // Deleted while a drive was away: whatever shards exist are leftovers, never to be rebuilt.
            set.close();
            int removed = store.clearTombstoned(id);
            store.stats.deletedLeftoversRemoved.add(removed);
            return removed == 0 ? HealReport.of(id, HealReport.Outcome.NOT_FOUND, "deleted (tombstone)")
                    : HealReport.of(id, HealReport.Outcome.DANGLING_REMOVED, removed + " shards of a deleted blob removed");
        }
        if (set.filesFound == 0) {
            return HealReport.of(id, HealReport.Outcome.NOT_FOUND, "no shard files");
        }
        if (set.layout == null || set.valid < set.layout.dataShards()) {
            // Fewer than k shard files exist at all, every drive is present and every file could be read:
            // nothing can ever read this blob. These are leftovers of a blob deleted while a drive was
            // away: remove them. Files that exist but fail checks are damage, kept as evidence.
            if (set.layout != null && set.filesFound < set.layout.dataShards() && !set.unsupported && !set.unreadable
                    && !Thread.currentThread().isInterrupted() && !store.isClosed() && store.allDrivesOnline()) {
                deleteAll(store, id);
                store.stats.danglingRemoved.increment();
                return HealReport.of(id, HealReport.Outcome.DANGLING_REMOVED, set.valid + " valid shards: " + set.problems);
            }
            store.stats.unrecoverableBlobs.increment();
            return HealReport.of(id, HealReport.Outcome.UNRECOVERABLE,
                    set.valid + " valid shards, drives offline or unreadable format: " + set.problems);
        }
        ShardFormat.Layout layout = set.layout;
        int n = set.totalShards();
        int k = layout.dataShards();
        boolean[] bad = new boolean[n];
        List<String> problems = new ArrayList<>(set.problems);
        for (int s = 0; s < n; s++) {
            if (set.channels[s] == null) {
                bad[s] = true;
            }
        }
        long verified = 0;
        byte[][] chunks = new byte[n][layout.chunk() + ShardFormat.CRC_BYTES];
        ByteBuffer[] buffers = new ByteBuffer[n];
        for (int s = 0; s < n; s++) {
            buffers[s] = ByteBuffer.wrap(chunks[s]);
        }
        ShardFormat.ChunkCrc crc = new ShardFormat.ChunkCrc(id);
        if (deep) {
            for (long stripe = 0; stripe < layout.stripes(); stripe++) {
                int len = layout.chunkLength(stripe);
                for (int s = 0; s < n; s++) {
                    if (set.channels[s] == null) {
                        continue;
                    }
                    limiter.acquire(len);
                    verified += len;
                    if (!set.readChunk(s, stripe, buffers[s], crc)) {
                        store.stats.corruptChunks.increment();
                        if (!bad[s]) {
                            problems.add("shard " + s + " chunk " + stripe + " on " + set.drives[s] + " fails its CRC");
                        }
                        bad[s] = true;
                    }
                }
            }
        }
        List<Integer> targets = new ArrayList<>();
        List<Integer> unreachable = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (!bad[s]) {
                continue;
            }
            Drive.State state = store.stateOf(set.drives[s].slot, true);
            if (state == Drive.State.EMPTY) {
                store.formatEmptyDrives();
                state = store.stateOf(set.drives[s].slot, true);
            }
            (state == Drive.State.ONLINE ? targets : unreachable).add(s);
        }
        if (targets.isEmpty()) {
            return new HealReport(id, unreachable.isEmpty() ? HealReport.Outcome.HEALTHY : HealReport.Outcome.DEGRADED, n,
                    List.of(), unreachable, verified, String.join("; ", problems));
        }
        try {
            rebuild(store, set, targets, chunks, buffers, crc);
        } catch (Unrecoverable e) {
            store.stats.unrecoverableBlobs.increment();
            problems.add(e.getMessage());
            return new HealReport(id, HealReport.Outcome.UNRECOVERABLE, n, List.of(), unreachable, verified,
                    String.join("; ", problems));
        } catch (IOException e) {
            problems.add("rewriting shards failed: " + e);
            LOG.log(System.Logger.Level.WARNING, "healing blob " + id + " failed: " + e);
            return new HealReport(id, HealReport.Outcome.DEGRADED, n, List.of(), targets, verified, String.join("; ", problems));
        }
        store.stats.blobsHealed.increment();
        store.stats.shardsRebuilt.add(targets.size());
        LOG.log(System.Logger.Level.WARNING, "healed blob " + id + ": rebuilt shards " + targets + " (" + String.join("; ", problems) + ")");
        return new HealReport(id, HealReport.Outcome.HEALED, n, targets, unreachable, verified, String.join("; ", problems));
    }

    private static final class Unrecoverable extends Exception {
        Unrecoverable(String message) {
            super(message);
        }
    }

    private static void rebuild(ErasureBlobStore store, ShardSet set, List<Integer> targets, byte[][] chunks,
            ByteBuffer[] buffers, ShardFormat.ChunkCrc crc) throws IOException, Unrecoverable {
        ShardFormat.Layout layout = set.layout;
        int n = set.totalShards();
        int k = layout.dataShards();
        ErasureCoder coder = store.coder(k, n - k);
        boolean[] target = new boolean[n];
        for (int s : targets) {
            target[s] = true;
        }
        Path[] temps = new Path[n];
        FileChannel[] out = new FileChannel[n];
        boolean done = false;
        ByteBuffer crcBuffer = ByteBuffer.allocate(ShardFormat.CRC_BYTES);
        try {
            for (int s : targets) {
                Drive d = set.drives[s];
                temps[s] = d.tempPath(set.blobId);
                store.reserveTemp(temps[s]);
                out[s] = FileChannel.open(temps[s], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                write(out[s], ShardFormat.encodeHeader(new ShardFormat.Header(set.blobId, k, n - k, s, layout.chunk())));
            }
            MemorySegment[] segments = new MemorySegment[n];
            for (int s = 0; s < n; s++) {
                segments[s] = MemorySegment.ofArray(chunks[s]);
            }
            boolean[] present = new boolean[n];
            boolean sourcesDamaged = false;
            for (long stripe = 0; stripe < layout.stripes(); stripe++) {
                int len = layout.chunkLength(stripe);
                int good = 0;
                Arrays.fill(present, false);
                // Sources: the kept shards first, then the verified chunks of the shards being rewritten (a shard
                // with one bad chunk still holds good ones: damage spread over stripes is recoverable).
                for (int pass = 0; pass < 2 && good < k; pass++) {
                    for (int s = 0; s < n && good < k; s++) {
                        if (target[s] == (pass == 0)) {
                            continue;
                        }
                        present[s] = set.readChunk(s, stripe, buffers[s], crc);
                        if (present[s]) {
                            good++;
                        } else if (!target[s] && set.channels[s] != null) {
                            sourcesDamaged = true;
                            store.stats.corruptChunks.increment();
                        }
                    }
                }
                if (good < k) {
                    throw new Unrecoverable("stripe %d has %d good chunks, %d needed".formatted(stripe, good, k));
                }
                coder.reconstruct(segments, present, len);
                for (int s : targets) {
                    crcBuffer.clear();
                    crcBuffer.putInt(crc.of(s, stripe, chunks[s], 0, len)).flip();
                    ByteBuffer[] pieces = {ByteBuffer.wrap(chunks[s], 0, len), crcBuffer};
                    while (pieces[0].hasRemaining() || pieces[1].hasRemaining()) {
                        out[s].write(pieces);
                    }
                }
            }
            for (int s : targets) {
                write(out[s], ShardFormat.encodeFooter(layout.blobLength(), layout.stripes()));
                out[s].force(true);
                out[s].close();
                out[s] = null;
            }
            for (int s : targets) {
                Path finalPath = set.drives[s].shardPath(set.blobId);
                Files.move(temps[s], finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Drive.fsyncDirectory(finalPath.getParent());
            }
            done = true;
            if (sourcesDamaged) {
                // A source shard went bad since the check (or a shallow heal did not look): check again.
                store.requestHeal(set.blobId, "more damaged chunks found while healing");
            }
        } finally {
            for (int s = 0; s < n; s++) {
                if (out[s] != null) {
                    try {
                        out[s].close();
                    } catch (IOException ignored) {
                        // The temporary file is deleted below.
                    }
                }
                if (temps[s] != null) {
                    if (!done) {
                        try {
                            Files.deleteIfExists(temps[s]);
                        } catch (IOException ignored) {
                            // Swept at the next start.
                        }
                    }
                    store.releaseTemp(temps[s]);
                }
            }
        }
    }

    private static void deleteAll(ErasureBlobStore store, String id) {
        for (Drive d : store.drives()) {
            try {
                if (Files.deleteIfExists(d.shardPath(id))) {
                    Drive.fsyncDirectory(d.shardPath(id).getParent());
                }
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "removing dangling shard " + d.shardPath(id) + ": " + e);
            }
        }
    }

    private static void write(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
