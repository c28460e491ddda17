package dev.arca.storage;

import java.util.concurrent.atomic.LongAdder;

/** Counters of an {@link ErasureBlobStore}: what went wrong on the drives and what was repaired. Thread-safe. */
public final class ErasureStats {
    final LongAdder corruptChunks = new LongAdder();
    final LongAdder missingShards = new LongAdder();
    final LongAdder stripesReconstructed = new LongAdder();
    final LongAdder writeShardFailures = new LongAdder();
    final LongAdder writeQuorumFailures = new LongAdder();
    final LongAdder healsQueued = new LongAdder();
    final LongAdder healsDropped = new LongAdder();
    final LongAdder blobsHealed = new LongAdder();
    final LongAdder shardsRebuilt = new LongAdder();
    final LongAdder unrecoverableBlobs = new LongAdder();
    final LongAdder danglingRemoved = new LongAdder();
    final LongAdder scrubbedBytes = new LongAdder();
    final LongAdder scrubbedBlobs = new LongAdder();
    final LongAdder scrubPasses = new LongAdder();
    final LongAdder drivesFormatted = new LongAdder();
    final LongAdder tombstonesWritten = new LongAdder();
    final LongAdder deletedLeftoversRemoved = new LongAdder();

    /**
     * A point-in-time copy.
     *
     * @param corruptChunks        chunks whose CRC failed (or that could not be read) on read, heal or scrub
     * @param missingShards        shard files found missing or invalid when a blob was opened on an online drive
     * @param stripesReconstructed stripes a read served by Reed-Solomon reconstruction
     * @param writeShardFailures   shards a write lost to a failing drive (the write still met its quorum, or failed)
     * @param writeQuorumFailures  writes refused because fewer than the write quorum of drives took them
     * @param healsQueued          heals asked for by reads that found damage
     * @param healsDropped         heal requests dropped because the queue was full (the scrubber finds them later)
     * @param blobsHealed          blobs that had shards rebuilt
     * @param shardsRebuilt        shard files rewritten by healing
     * @param unrecoverableBlobs   heals that found fewer than k good chunks in some stripe
     * @param danglingRemoved      blobs with fewer than k shards on all-online drives whose leftovers were removed
     * @param scrubbedBytes        shard bytes the scrubber verified
     * @param scrubbedBlobs        blobs the scrubber checked
     * @param scrubPasses          completed scrub passes
     * @param drivesFormatted      empty (replacement) drives formatted while running
     * @param tombstonesWritten    deletes that left tombstones because a drive was away
     * @param deletedLeftoversRemoved shard files of deleted (tombstoned) blobs removed when their drive came back
     */
    public record Snapshot(long corruptChunks, long missingShards, long stripesReconstructed, long writeShardFailures,
            long writeQuorumFailures, long healsQueued, long healsDropped, long blobsHealed, long shardsRebuilt,
            long unrecoverableBlobs, long danglingRemoved, long scrubbedBytes, long scrubbedBlobs, long scrubPasses,
            long drivesFormatted, long tombstonesWritten, long deletedLeftoversRemoved) {}

    public Snapshot snapshot() {
        return new Snapshot(corruptChunks.sum(), missingShards.sum(), stripesReconstructed.sum(), writeShardFailures.sum(),
                writeQuorumFailures.sum(), healsQueued.sum(), healsDropped.sum(), blobsHealed.sum(), shardsRebuilt.sum(),
                unrecoverableBlobs.sum(), danglingRemoved.sum(), scrubbedBytes.sum(), scrubbedBlobs.sum(), scrubPasses.sum(),
                drivesFormatted.sum(), tombstonesWritten.sum(), deletedLeftoversRemoved.sum());
    }
}
