package dev.arca.meta;

import java.util.List;
import java.util.Optional;

/**
 * Arca's metadata: reads, plus {@link #submit(Command)} for every change. Changes are applied one
 * at a time, in submission order, by the deterministic {@link MetaMachine}; a submitted command is
 * durable when {@code submit} returns (for a durable store). Reads see every command whose submit
 * has returned. Thread-safe.
 */
public interface MetadataStore extends AutoCloseable {
    /**
     * Applies a command. Returns the ids of blobs the command turned into garbage (the caller may
     * wake the collector); throws {@link dev.arca.core.StoreException} for expected failures, in
     * which case nothing changed.
     */
    default List<String> submit(Command command) {
        return execute(command).garbage();
    }

    /**
     * Applies a command and reports what it did (see {@link Outcome}); throws
     * {@link dev.arca.core.StoreException} for expected failures, in which case nothing changed.
     */
    Outcome execute(Command command);

    Optional<BucketRecord> bucket(String name);

    /** All buckets in name order. */
    List<BucketRecord> buckets();

    /** The current version of a key, if it exists and is not a delete marker. */
    Optional<ObjectRecord> object(String bucket, String key);

    /** The key's newest version, which may be a delete marker. */
    Optional<ObjectRecord> latestVersion(String bucket, String key);

    /**
     * A version of a key by id ("null" or an id Arca issued), which may be a delete marker; empty
     * if there is no such version (including ids Arca never issues).
     */
    Optional<ObjectRecord> objectVersion(String bucket, String key, String versionId);

    /** One page of the bucket's versions and delete markers. */
    VersionListing listVersions(String bucket, VersionQuery query);

    /**
     * Calls {@code action} with each version (delete markers included) of keys starting with
     * {@code prefix} and after {@code afterKey} (null for the start), in listing order, until it
     * returns false. For background walks (lifecycle); reads a consistent page at a time.
     */
    void forEachVersion(String bucket, String prefix, String afterKey, java.util.function.Predicate<VersionListing.Entry> action);

    /** A bucket sub-resource document stored with {@link Command.PutBucketConfig}. */
    Optional<byte[]> bucketConfig(String bucket, String name);

    /** The bytes of an inline object, or empty if they are gone (the object was replaced meanwhile). */
    Optional<byte[]> inlineData(String dataId);

    /**
     * Calls {@code action} with every blob id referenced by an object or an upload part (not
     * intents or garbage). O(metadata): for consistency checks, not for request paths.
     */
    void forEachBlobReference(java.util.function.Consumer<String> action);

    ObjectListing listObjects(String bucket, ListQuery query);

    Optional<UploadRecord> upload(String bucket, String key, String uploadId);

    /** Parts with numbers above {@code afterPartNumber}, at most {@code maxParts}. */
    PartListing listParts(String uploadId, int afterPartNumber, int maxParts);

    UploadListing listUploads(String bucket, UploadQuery query);

    /** Up to {@code max} blob ids with an intent (written or being written, not yet referenced). */
    List<String> intents(int max);

    /** Up to {@code max} blob ids that are garbage (to delete, then forget). */
    List<String> garbage(int max);

    @Override
    void close();
}
