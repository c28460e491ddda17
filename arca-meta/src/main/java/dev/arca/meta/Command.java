package dev.arca.meta;

import java.util.List;
import java.util.Map;

/**
 * A change to metadata. Commands are applied in order by the deterministic {@link MetaMachine}:
 * every input (times, ids, records) is chosen before a command is submitted, so the same state and
 * command give the same outcome on any replica. A command either applies completely or fails with
 * a {@link dev.arca.core.StoreException} and changes nothing.
 */
public sealed interface Command {
    /** Creates a bucket; fails if the name is taken or the owner has too many buckets. */
    record CreateBucket(BucketRecord bucket, int maxBucketsPerOwner) implements Command {}

    /** Deletes an empty bucket, aborting its multipart uploads. */
    record DeleteBucket(String name, long nowMillis) implements Command {}

    /** Records that a blob is about to be written, so a crash leaves a trace to clean up. */
    record AddIntent(String blobId, long nowMillis) implements Command {}

    /** Forgets intents whose blobs were never committed or were already deleted. */
    record DropIntents(List<String> blobIds) implements Command {}

    /**
     * Commits an object (replacing the current one, whose data becomes garbage) if the bucket exists
     * and the precondition holds. {@code inlineBytes} is the payload when the record's data is
     * inline, else null. {@code intents} are the blobs the record references, whose intents end here.
     */
    record PutObject(String bucket, String key, ObjectRecord record, byte[] inlineBytes,
            WritePrecondition precondition, List<String> intents, long nowMillis) implements Command {}

    /** Deletes objects if present (absent keys succeed, as in S3); their data becomes garbage. */
    record DeleteObjects(String bucket, List<String> keys, WritePrecondition precondition, long nowMillis) implements Command {}

    /** Replaces an existing object's tag set (empty map removes all tags). */
    record PutTags(String bucket, String key, Map<String, String> tags) implements Command {}

    record CreateUpload(UploadRecord upload) implements Command {}

    /** Adds or replaces a part of an existing upload; a replaced part's blob becomes garbage. */
    record PutPart(String bucket, String key, String uploadId, PartRecord part, long nowMillis) implements Command {}

    /**
     * Completes an upload: the parts named in {@code partBlobs} (part number to the blob id the caller
     * validated) must still hold those blobs; the object is committed if the precondition holds;
     * parts not used become garbage and the upload disappears.
     */
    record CompleteUpload(String bucket, String key, String uploadId, ObjectRecord record,
            Map<Integer, String> partBlobs, WritePrecondition precondition, long nowMillis) implements Command {}

    /** Aborts an upload; all its parts become garbage. */
    record AbortUpload(String bucket, String key, String uploadId, long nowMillis) implements Command {}

    /** Forgets garbage entries whose blobs have been deleted. */
    record ForgetGarbage(List<String> blobIds) implements Command {}
}
