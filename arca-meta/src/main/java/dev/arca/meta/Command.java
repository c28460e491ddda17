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

    /**
     * Replaces a version's sealed data key with the same key sealed again (key rotation), if the
     * version still has {@code expected}; otherwise does nothing. The object's bytes are untouched,
     * so this is allowed under Object Lock.
     */
    record RewrapObjectKey(String bucket, String key, String versionId, dev.arca.crypto.WrappedKey expected,
            dev.arca.crypto.WrappedKey replacement) implements Command {}

    /** {@link RewrapObjectKey} for a multipart upload in progress. */
    record RewrapUploadKey(String bucket, String key, String uploadId, dev.arca.crypto.WrappedKey expected,
            dev.arca.crypto.WrappedKey replacement) implements Command {}

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

    /**
     * Deletes, each target on its own: a target without a version id deletes the current object as
     * the bucket's versioning state says (removes it, or adds a delete marker); one with a version
     * id removes that version for good, unless Object Lock protects it. Absent keys and versions
     * succeed, as in S3. Each target's outcome is reported in {@link Outcome#deletes()}; one
     * failing target changes nothing for it and does not stop the others. Removed data becomes garbage.
     *
     * @param precondition     checked against each target's current object
     * @param bypassGovernance the caller may and asked to bypass GOVERNANCE retention
     */
    record DeleteObjects(String bucket, List<DeleteTarget> targets, WritePrecondition precondition,
            boolean bypassGovernance, long nowMillis) implements Command {}

    /**
     * One key to delete: {@code versionId} null for the current object; {@code ifCurrentVersionId}
     * (only without versionId), when not null, makes the target a no-op unless that version is still
     * the current object (lifecycle expiry must not hide a newer write); {@code expectedSeq}, when
     * not 0, makes the target a no-op unless the version it names (the current object without a
     * version id) has that sequence number — which, unlike ids, tells successive "null" versions apart.
     */
    record DeleteTarget(String key, String versionId, String ifCurrentVersionId, long expectedSeq) {
        public DeleteTarget(String key, String versionId, String ifCurrentVersionId) {
            this(key, versionId, ifCurrentVersionId, 0);
        }

        public static DeleteTarget current(String key) {
            return new DeleteTarget(key, null, null, 0);
        }
    }

    /** Replaces a version's tag set (empty map removes all tags); versionId null for the current object. */
    record PutTags(String bucket, String key, String versionId, Map<String, String> tags) implements Command {}

    /** PutBucketVersioning; a bucket with Object Lock cannot be suspended. */
    record SetVersioning(String bucket, Versioning versioning) implements Command {}

    /**
     * Enables Object Lock (needs versioning enabled, or the bucket already lock-enabled) and sets the
     * default retention for new versions (null for none).
     */
    record SetObjectLock(String bucket, DefaultRetention defaultRetention) implements Command {}

    /**
     * PutObjectRetention on a version (versionId null: the current object). {@code retention} null
     * removes it. Extending is always allowed; shortening, changing the mode of or removing an active retention
     * is refused for COMPLIANCE and allowed for GOVERNANCE only with {@code bypassGovernance}.
     */
    record PutRetention(String bucket, String key, String versionId, Retention retention, boolean bypassGovernance,
            long nowMillis) implements Command {}

    /** PutObjectLegalHold on a version (versionId null: the current object). */
    record PutLegalHold(String bucket, String key, String versionId, boolean on) implements Command {}

    /** Stores (or with null value removes) a bucket sub-resource document, such as its lifecycle configuration. */
    record PutBucketConfig(String bucket, String name, byte[] value) implements Command {}

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
