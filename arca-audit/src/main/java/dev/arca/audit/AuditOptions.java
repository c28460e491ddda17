package dev.arca.audit;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link AuditLog} writes.
 *
 * @param segmentBytes a segment is closed (with a checkpoint) and the next one started once it
 *     holds at least this many bytes; a soft limit: the line that crosses it and the closing
 *     checkpoint still go into the segment. At least {@link #MIN_SEGMENT_BYTES}.
 * @param fsyncInterval the writer fsyncs at most this long after a record was written: when the
 *     interval has passed since the last fsync (checked after each batch), or when the queue has
 *     stayed empty until it passes. {@link Duration#ZERO} fsyncs after every batch (group
 *     commit). Every fsync is preceded by a checkpoint when records were written since the last
 *     one, so the durable log always ends in a signed checkpoint that {@code audit.head} names.
 * @param checkpointEvery a signed checkpoint after this many records (also at every fsync, at
 *     every segment roll and at close when records were written since the last one); at least 1
 * @param exportFile when not null, every record's JSON line is also appended to this file
 *     (best effort: a write failure there is logged and counted, never stops the audit log)
 * @param webhook when not null, records are POSTed in batches of JSON lines to this http(s) URI
 *     (best effort: dropped and counted on overflow or failure)
 * @param webhookQueue records held for the webhook before new ones are dropped; at least 1
 */
public record AuditOptions(
        long segmentBytes,
        Duration fsyncInterval,
        int checkpointEvery,
        Path exportFile,
        URI webhook,
        int webhookQueue) {

    /** 64 MiB: large enough that rolls (one fsync + one signature each) are rare. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** The most records a crash can lose (and a tail cut can hide) is what arrives in this window. */
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofSeconds(1);
    /** A checkpoint signature costs ~0.4 ms; one per 1,000 records is under 1 % of the writer's time. */
    public static final int DEFAULT_CHECKPOINT_EVERY = 1_000;
    /** About ten seconds of records at a busy node's rate before the webhook starts dropping. */
    public static final int DEFAULT_WEBHOOK_QUEUE = 100_000;
    /** Segments smaller than this would be mostly header and checkpoint. */
    public static final long MIN_SEGMENT_BYTES = 1_024;

    /** Validates every option; see the component descriptions. */
    public AuditOptions {
        if (segmentBytes < MIN_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be at least " + MIN_SEGMENT_BYTES + ": " + segmentBytes);
        }
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (fsyncInterval.isNegative()) {
            throw new IllegalArgumentException("fsyncInterval must not be negative: " + fsyncInterval);
        }
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpointEvery must be at least 1: " + checkpointEvery);
        }
        if (webhookQueue < 1) {
            throw new IllegalArgumentException("webhookQueue must be at least 1: " + webhookQueue);
        }
        if (webhook != null && !"http".equalsIgnoreCase(webhook.getScheme()) && !"https".equalsIgnoreCase(webhook.getScheme())) {
            throw new IllegalArgumentException("webhook must be an http or https URI: " + webhook);
        }
    }

    /** 64 MiB segments, fsync every second, a checkpoint every 1,000 records, no export, no webhook. */
    public static AuditOptions defaults() {
        return new AuditOptions(DEFAULT_SEGMENT_BYTES, DEFAULT_FSYNC_INTERVAL, DEFAULT_CHECKPOINT_EVERY, null, null,
                DEFAULT_WEBHOOK_QUEUE);
    }

    /** A copy with another segment size. */
    public AuditOptions withSegmentBytes(long bytes) {
        return new AuditOptions(bytes, fsyncInterval, checkpointEvery, exportFile, webhook, webhookQueue);
    }

    /** A copy with another fsync interval. */
    public AuditOptions withFsyncInterval(Duration interval) {
        return new AuditOptions(segmentBytes, interval, checkpointEvery, exportFile, webhook, webhookQueue);
    }

    /** A copy with another checkpoint frequency. */
    public AuditOptions withCheckpointEvery(int records) {
        return new AuditOptions(segmentBytes, fsyncInterval, records, exportFile, webhook, webhookQueue);
    }

    /** A copy exporting JSON lines to {@code file} (null: none). */
    public AuditOptions withExportFile(Path file) {
        return new AuditOptions(segmentBytes, fsyncInterval, checkpointEvery, file, webhook, webhookQueue);
    }

    /** A copy posting to {@code uri} (null: none) with a queue of {@code queue} records. */
    public AuditOptions withWebhook(URI uri, int queue) {
        return new AuditOptions(segmentBytes, fsyncInterval, checkpointEvery, exportFile, uri, queue);
    }
}
