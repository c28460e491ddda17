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
    List<String> submit(Command command);

    Optional<BucketRecord> bucket(String name);

    /** All buckets in name order. */
    List<BucketRecord> buckets();

    Optional<ObjectRecord> object(String bucket, String key);

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
