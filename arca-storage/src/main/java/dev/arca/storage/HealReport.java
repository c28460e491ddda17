package dev.arca.storage;

import java.util.List;

/**
 * What healing one blob found and did.
 *
 * @param blobId        the blob
 * @param outcome       the verdict
 * @param shards        k + m of the blob (0 if unknown)
 * @param rebuilt       shard numbers (0-based) rewritten from the others
 * @param unreachable   shard numbers that are bad but whose drive is offline (healed when it returns)
 * @param bytesVerified shard bytes read and checked
 * @param detail        problems found, for logs
 */
public record HealReport(String blobId, Outcome outcome, int shards, List<Integer> rebuilt, List<Integer> unreachable,
        long bytesVerified, String detail) {
    public HealReport {
        rebuilt = List.copyOf(rebuilt);
        unreachable = List.copyOf(unreachable);
    }

    public enum Outcome {
        /** Every shard present and verified. */
        HEALTHY,
        /** Bad shards were rebuilt; {@link #unreachable} says whether any remain on offline drives. */
        HEALED,
        /** Bad shards remain on offline drives; the blob is readable. */
        DEGRADED,
        /** Some stripe has fewer than k good chunks: the blob cannot be read or rebuilt. */
        UNRECOVERABLE,
        /** No shard of the blob exists. */
        NOT_FOUND,
        /** Fewer than k shards existed with every drive online (leftovers of a blob deleted while a drive was away): removed. */
        DANGLING_REMOVED,
        /** The blob is being written right now; skipped. */
        BUSY
    }

    static HealReport of(String blobId, Outcome outcome, String detail) {
        return new HealReport(blobId, outcome, 0, List.of(), List.of(), 0, detail);
    }
}
