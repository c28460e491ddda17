package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.ByteRange;
import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.Command;
import dev.arca.meta.ListQuery;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectListing;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.StoredChecksum;
import dev.arca.meta.WritePrecondition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Single-object operations: PutObject, GetObject/HeadObject, DeleteObject(s), CopyObject,
 * tagging and listing. Knows nothing of HTTP; every expected failure is a StoreException.
 */
public final class ObjectStore {
    /** Times a read re-reads metadata when the object is replaced under it before giving up. */
    static final int MAX_READ_ATTEMPTS = 8;
    /** The version id of every object until versioning exists. */
    public static final String NULL_VERSION = "null";

    private final MetadataStore meta;
    private final DataWriter writer;
    private final DataReader reader;
    private final Collector collector;
    private final InstantSource clock;

    ObjectStore(MetadataStore meta, DataWriter writer, DataReader reader, Collector collector, InstantSource clock) {
        this.meta = meta;
        this.writer = writer;
        this.reader = reader;
        this.collector = collector;
        this.clock = clock;
    }

    /** PutObject: streams {@code body} to storage, then commits it atomically under {@code options.precondition()}. */
    public WriteResult put(BucketName bucket, ObjectKey key, Owner owner, InputStream body, WriteOptions options) {
        Validation.userMetadata(options.attributes());
        Validation.tags(options.attributes().tags());
        requireBucket(bucket);
        precheck(bucket, key, options.precondition());
        DataWriter.Written w = writer.write(body, options.declaredLength(), Limits.MAX_PUT_OBJECT_SIZE,
                options.checksum(), options.contentMd5(), true, StorageClasses.redundancy(options.attributes()));
        StoredChecksum checksum = w.algorithm() == null ? null
                : new StoredChecksum(w.algorithm(), ChecksumType.FULL_OBJECT, w.checksumBase64());
        long now = clock.millis();
        ObjectRecord record = new ObjectRecord(NULL_VERSION, w.size(), w.etag(), now, owner.id(),
                options.attributes(), checksum, List.of(), w.data());
        commit(bucket, key, record, w, options.precondition());
        return new WriteResult(record.etag(), checksum, record.size(), record.versionId(), now);
    }

    private void commit(BucketName bucket, ObjectKey key, ObjectRecord record, DataWriter.Written w,
            WritePrecondition precondition) {
        try {
            List<String> garbage = meta.submit(new Command.PutObject(bucket.value(), key.value(), record,
                    w.inlineBytes(), precondition, w.intents(), record.lastModifiedMillis()));
            if (!garbage.isEmpty()) {
                collector.wake();
            }
        } catch (RuntimeException e) {
            writer.discard(w);
            throw e;
        }
    }

    /** Fails fast, before a body is streamed, when a write precondition already cannot hold. */
    private void precheck(BucketName bucket, ObjectKey key, WritePrecondition precondition) {
        if (precondition instanceof WritePrecondition.None) {
            return;
        }
        Optional<ObjectRecord> current = meta.object(bucket.value(), key.value());
        switch (precondition) {
            case WritePrecondition.MustNotExist ignored when current.isPresent() ->
                    throw preconditionFailed(bucket, key, "If-None-Match");
            case WritePrecondition.EtagMatches ignored when current.isEmpty() -> throw noSuchKey(bucket, key);
            case WritePrecondition.EtagMatches(String etag) when !etag.equals("*") && !current.get().etag().equals(etag) ->
                    throw preconditionFailed(bucket, key, "If-Match");
            default -> { }
        }
    }

    /**
     * GetObject (with a body) or HeadObject (without). Conditions are evaluated against the
     * current object: NOT_MODIFIED and PRECONDITION_FAILED are thrown as failures whose details
     * carry the ETag and Last-Modified for the response headers.
     */
    public ObjectRead get(BucketName bucket, ObjectKey key, ReadOptions options, boolean withBody) {
        requireBucket(bucket);
        if (options.range() != null && options.partNumber() != null) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter");
        }
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            ObjectRecord record = meta.object(bucket.value(), key.value()).orElseThrow(() -> noSuchKey(bucket, key));
            checkConditions(options.conditions(), record, false);
            ByteRange range = null;
            Integer partsCount = null;
            if (options.partNumber() != null) {
                range = partRange(record, options.partNumber());
                partsCount = record.parts().isEmpty() ? null : record.parts().size();
            } else if (options.range() != null) {
                range = options.range().resolve(record.size());
            }
            if (!withBody) {
                return new ObjectRead(record, range, null, partsCount);
            }
            Optional<InputStream> body = reader.open(bucket.value(), key.value(), record,
                    range == null && record.size() == 0 ? null : range);
            if (body.isPresent()) {
                return new ObjectRead(record, range, body.get(), partsCount);
            }
        }
        throw StoreException.of(FailureKind.SLOW_DOWN, "The object is being replaced too often to read it; retry.");
    }

    /** The byte range of part {@code partNumber}; a single-part object has exactly part 1. */
    static ByteRange partRange(ObjectRecord record, int partNumber) {
        if (partNumber < 1 || partNumber > Limits.MAX_PART_NUMBER) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive");
        }
        if (record.parts().isEmpty()) {
            if (partNumber != 1) {
                throw invalidPartNumber();
            }
            return record.size() == 0 ? null : ByteRange.whole(record.size());
        }
        if (partNumber > record.parts().size()) {
            throw invalidPartNumber();
        }
        // Parts are addressed by position in the completed object (1..parts-count), as S3 does.
        long offset = 0;
        for (int i = 0; i < partNumber - 1; i++) {
            offset += record.parts().get(i).size();
        }
        long size = record.parts().get(partNumber - 1).size();
        return size == 0 ? null : new ByteRange(offset, offset + size - 1);
    }

    private static StoreException invalidPartNumber() {
        return StoreException.of(FailureKind.INVALID_PART_NUMBER, "The requested partnumber is not satisfiable");
    }

    /** Evaluates conditions; for copy sources a "not modified" outcome is a precondition failure. */
    static void checkConditions(Conditions conditions, ObjectRecord record, boolean copySource) {
        if (conditions.isEmpty()) {
            return;
        }
        Instant modified = Instant.ofEpochMilli(record.lastModifiedMillis());
        Conditions.Outcome outcome = conditions.evaluate(record.etag(), modified);
        if (outcome == Conditions.Outcome.PROCEED) {
            return;
        }
        Map<String, String> details = Map.of("ETag", record.etag(), "LastModified", Long.toString(record.lastModifiedMillis()));
        if (outcome == Conditions.Outcome.NOT_MODIFIED && !copySource) {
            throw new StoreException(new Failure(FailureKind.NOT_MODIFIED, "Not Modified", "", details));
        }
        throw new StoreException(new Failure(FailureKind.PRECONDITION_FAILED,
                "At least one of the pre-conditions you specified did not hold", "", details));
    }

    /** DeleteObject: succeeds whether or not the key exists (unless a precondition says otherwise). */
    public void delete(BucketName bucket, ObjectKey key, WritePrecondition precondition) {
        requireBucket(bucket);
        List<String> garbage = meta.submit(new Command.DeleteObjects(bucket.value(), List.of(key.value()),
                precondition, clock.millis()));
        if (!garbage.isEmpty()) {
            collector.wake();
        }
    }

    /** The outcome of one key of a DeleteObjects request: deleted (failure null) or why not. */
    public record DeleteOutcome(String key, Failure failure) {}

    /** DeleteObjects: deletes the valid keys in one atomic command; invalid keys fail alone. */
    public List<DeleteOutcome> deleteMany(BucketName bucket, List<String> keys) {
        requireBucket(bucket);
        List<DeleteOutcome> outcomes = new ArrayList<>(keys.size());
        List<String> valid = new ArrayList<>(keys.size());
        for (String k : keys) {
            try {
                valid.add(new ObjectKey(k).value());
                outcomes.add(new DeleteOutcome(k, null));
            } catch (StoreException e) {
                outcomes.add(new DeleteOutcome(k, e.failure()));
            }
        }
        if (!valid.isEmpty()) {
            List<String> garbage = meta.submit(new Command.DeleteObjects(bucket.value(), valid,
                    WritePrecondition.NONE, clock.millis()));
            if (!garbage.isEmpty()) {
                collector.wake();
            }
        }
        return outcomes;
    }

    /** CopyObject: reads the source whole and writes a new single-part object. */
    public WriteResult copy(CopySource source, BucketName bucket, ObjectKey key, Owner owner, CopyOptions options) {
        requireBucket(bucket);
        requireBucket(source.bucket());
        boolean self = source.bucket().equals(bucket) && source.key().equals(key);
        if (self && !options.replaceMetadata() && !options.replaceTags() && options.checksumAlgorithm() == null) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        if (options.replaceMetadata()) {
            Validation.userMetadata(options.attributes());
        }
        if (options.replaceTags()) {
            Validation.tags(options.tags());
        }
        precheck(bucket, key, options.precondition());
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            ObjectRecord src = meta.object(source.bucket().value(), source.key().value())
                    .orElseThrow(() -> noSuchKey(source.bucket(), source.key()));
            checkConditions(source.conditions(), src, true);
            if (src.size() > Limits.MAX_PUT_OBJECT_SIZE) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The specified copy source is larger than the maximum allowable size for a copy source: " + Limits.MAX_PUT_OBJECT_SIZE);
            }
            Optional<InputStream> body = reader.open(source.bucket().value(), source.key().value(), src,
                    src.size() == 0 ? null : ByteRange.whole(src.size()));
            if (body.isEmpty()) {
                continue;
            }
            ChecksumAlgorithm algorithm = options.checksumAlgorithm() != null ? options.checksumAlgorithm()
                    : src.checksum() == null ? null : src.checksum().algorithm();
            DataWriter.Written w;
            try (InputStream in = body.get()) {
                w = writer.write(in, src.size(), Limits.MAX_PUT_OBJECT_SIZE,
                        new ChecksumInput(algorithm, () -> null), null, true, StorageClasses.redundancy(options.attributes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (src.parts().isEmpty() && !w.etag().equals(src.etag())) {
                writer.discard(w);
                throw new IllegalStateException("copy of " + source.key() + " read bytes whose MD5 differs from the source ETag");
            }
            ObjectAttributes attributes = options.replaceMetadata()
                    ? options.attributes() : new ObjectAttributes(src.attributes().headers(), src.attributes().userMetadata(), Map.of());
            // The copy's storage class is the request's (STANDARD if none), whatever the metadata directive.
            attributes = withStorageClass(attributes, StorageClasses.of(options.attributes()));
            attributes = attributes.withTags(options.replaceTags() ? options.tags() : src.attributes().tags());
            StoredChecksum checksum = w.algorithm() == null ? null
                    : new StoredChecksum(w.algorithm(), ChecksumType.FULL_OBJECT, w.checksumBase64());
            long now = clock.millis();
            ObjectRecord record = new ObjectRecord(NULL_VERSION, w.size(), w.etag(), now, owner.id(), attributes,
                    checksum, List.of(), w.data());
            commit(bucket, key, record, w, options.precondition());
            return new WriteResult(record.etag(), checksum, record.size(), record.versionId(), now);
        }
        throw StoreException.of(FailureKind.SLOW_DOWN, "The copy source is being replaced too often to copy it; retry.");
    }

    private static ObjectAttributes withStorageClass(ObjectAttributes a, String storageClass) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(a.headers());
        headers.remove(StorageClasses.HEADER);
        if (!storageClass.equals(StorageClasses.STANDARD)) {
            headers.put(StorageClasses.HEADER, storageClass);
        }
        return new ObjectAttributes(headers, a.userMetadata(), a.tags());
    }

    public Map<String, String> getTags(BucketName bucket, ObjectKey key) {
        requireBucket(bucket);
        return meta.object(bucket.value(), key.value()).orElseThrow(() -> noSuchKey(bucket, key)).attributes().tags();
    }

    public void putTags(BucketName bucket, ObjectKey key, Map<String, String> tags) {
        Validation.tags(tags);
        requireBucket(bucket);
        meta.submit(new Command.PutTags(bucket.value(), key.value(), tags));
    }

    public ObjectListing list(BucketName bucket, ListQuery query) {
        requireBucket(bucket);
        return meta.listObjects(bucket.value(), query);
    }

    BucketRecord requireBucket(BucketName bucket) {
        return meta.bucket(bucket.value()).orElseThrow(() -> Buckets.noSuchBucket(bucket));
    }

    static StoreException noSuchKey(BucketName bucket, ObjectKey key) {
        return new StoreException(new Failure(FailureKind.NO_SUCH_KEY, "The specified key does not exist.",
                "/" + bucket + "/" + key, Map.of("Key", key.value())));
    }

    private static StoreException preconditionFailed(BucketName bucket, ObjectKey key, String condition) {
        return new StoreException(new Failure(FailureKind.PRECONDITION_FAILED,
                "At least one of the pre-conditions you specified did not hold", "/" + bucket + "/" + key,
                Map.of("Condition", condition)));
    }
}
