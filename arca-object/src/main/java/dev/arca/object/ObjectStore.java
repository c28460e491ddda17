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
import dev.arca.meta.Outcome;
import dev.arca.meta.Retention;
import dev.arca.meta.VersionIds;
import dev.arca.meta.VersionListing;
import dev.arca.meta.VersionQuery;
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
    /** The version id of versions written while versioning is not enabled. */
    public static final String NULL_VERSION = VersionIds.NULL;

    private final MetadataStore meta;
    private final DataWriter writer;
    private final DataReader reader;
    private final Collector collector;
    private final InstantSource clock;
    private final ObjectCrypto crypto;

    ObjectStore(MetadataStore meta, DataWriter writer, DataReader reader, Collector collector, InstantSource clock,
            ObjectCrypto crypto) {
        this.crypto = crypto;
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
        BucketRecord b = requireBucket(bucket);
        Locks.checkRequest(b, options.lock(), clock.millis());
        precheck(bucket, key, options.precondition());
        ObjectCrypto.Sealing sealing = crypto.plan(bucket.value(), key.value(), options.sse());
        try {
            DataWriter.Written w;
            try {
                w = writer.write(body, options.declaredLength(), Limits.MAX_PUT_OBJECT_SIZE, options.checksum(),
                        options.contentMd5(), true, StorageClasses.redundancy(options.attributes()), sealing,
                        bucket.value(), key.value());
            } finally {
                wipe(sealing);
            }
            StoredChecksum checksum = w.algorithm() == null ? null
                    : new StoredChecksum(w.algorithm(), ChecksumType.FULL_OBJECT, w.checksumBase64());
            long now = clock.millis();
            ObjectRecord record = new ObjectRecord(NULL_VERSION, w.size(), w.etag(), now, owner.id(),
                    options.attributes(), checksum, List.of(), w.data())
                    .withLock(options.lock().retention(), options.lock().legalHold())
                    .withEncryption(sealing == null ? null : sealing.encryption());
            Outcome outcome = commit(bucket, key, record, w, options.precondition());
            return new WriteResult(record.etag(), checksum, record.size(), outcome.versionId(), now, null,
                    record.encryption(), outcome.replacedVersionId());
        } finally {
            crypto.done(sealing);
        }
    }

    static void wipe(ObjectCrypto.Sealing sealing) {
        if (sealing != null) {
            java.util.Arrays.fill(sealing.dataKey(), (byte) 0);
        }
    }

    /** The encryption side of this store (bucket defaults, the key service). */
    public ObjectCrypto crypto() {
        return crypto;
    }

    /** Opens {@code range} of a version's bytes, recovering its data key (SSE-C: checking the request's key). */
    Optional<InputStream> open(BucketName bucket, ObjectKey key, ObjectRecord record, ByteRange range, byte[] customerKey) {
        byte[] dataKey = crypto.dataKey(bucket.value(), key.value(), record.encryption(), customerKey);
        try {
            return reader.open(bucket.value(), key.value(), record, range, dataKey);
        } finally {
            if (dataKey != null) {
                java.util.Arrays.fill(dataKey, (byte) 0);
            }
        }
    }

    /** Commits a written version; returns the outcome (the version id it got, the version it replaced). */
    private Outcome commit(BucketName bucket, ObjectKey key, ObjectRecord record, DataWriter.Written w,
            WritePrecondition precondition) {
        try {
            Outcome outcome = meta.execute(new Command.PutObject(bucket.value(), key.value(), record,
                    w.inlineBytes(), precondition, w.intents(), record.lastModifiedMillis()));
            if (!outcome.garbage().isEmpty()) {
                collector.wake();
            }
            return outcome;
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
        if (options.range() != null && options.partNumber() != null) {
            requireBucket(bucket);
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter");
        }
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            ObjectRecord record = resolveForRead(bucket, key, options.versionId());
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
            Optional<InputStream> body = open(bucket, key, record,
                    range == null && record.size() == 0 ? null : range, options.customerKey());
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

    /**
     * What a DeleteObject did: {@code versionId} the version removed or the delete marker created
     * (null when a missing key was deleted in an unversioned bucket), {@code deleteMarker} whether
     * that version is a delete marker.
     */
    public record DeleteResult(String versionId, boolean deleteMarker) {}

    /**
     * DeleteObject. Without a version id: removes the object (unversioned bucket) or adds a delete
     * marker (versioning enabled or suspended); absent keys succeed. With one: removes that version
     * for good, unless Object Lock protects it (AccessDenied); an absent version succeeds.
     */
    public DeleteResult delete(BucketName bucket, ObjectKey key, String versionId, WritePrecondition precondition,
            boolean bypassGovernance) {
        requireBucket(bucket);
        if (versionId != null) {
            requireValidVersionId(versionId);
        }
        Outcome outcome = meta.execute(new Command.DeleteObjects(bucket.value(),
                List.of(new Command.DeleteTarget(key.value(), versionId, null)), precondition, bypassGovernance,
                clock.millis()));
        wakeIfGarbage(outcome);
        Outcome.DeleteOutcome d = outcome.deletes().getFirst();
        if (d.failure() != null) {
            throw new StoreException(d.failure());
        }
        return new DeleteResult(d.deleteMarker() ? d.deleteMarkerVersionId() : d.versionId(), d.deleteMarker());
    }

    /** DeleteObject of the current object in an unversioned-or-not bucket, without bypass. */
    public void delete(BucketName bucket, ObjectKey key, WritePrecondition precondition) {
        delete(bucket, key, null, precondition, false);
    }

    /** One key (and optional version) of a DeleteObjects request. */
    public record ObjectIdentifier(String key, String versionId) {}

    /**
     * DeleteObjects: deletes the valid entries in one atomic command; invalid keys or version ids
     * and entries Object Lock protects fail alone. One outcome per entry, in order.
     */
    public List<Outcome.DeleteOutcome> deleteMany(BucketName bucket, List<ObjectIdentifier> entries,
            boolean bypassGovernance) {
        requireBucket(bucket);
        Outcome.DeleteOutcome[] outcomes = new Outcome.DeleteOutcome[entries.size()];
        List<Command.DeleteTarget> targets = new ArrayList<>(entries.size());
        List<Integer> positions = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ObjectIdentifier e = entries.get(i);
            try {
                String k = new ObjectKey(e.key()).value();
                if (e.versionId() != null) {
                    requireValidVersionId(e.versionId());
                }
                targets.add(new Command.DeleteTarget(k, e.versionId(), null));
                positions.add(i);
            } catch (StoreException ex) {
                outcomes[i] = new Outcome.DeleteOutcome(e.key(), e.versionId(), false, null, ex.failure());
            }
        }
        if (!targets.isEmpty()) {
            Outcome outcome = meta.execute(new Command.DeleteObjects(bucket.value(), targets, WritePrecondition.NONE,
                    bypassGovernance, clock.millis()));
            wakeIfGarbage(outcome);
            for (int j = 0; j < positions.size(); j++) {
                outcomes[positions.get(j)] = outcome.deletes().get(j);
            }
        }
        return List.of(outcomes);
    }

    /** DeleteObjects of current objects without bypass (keys only). */
    public List<Outcome.DeleteOutcome> deleteKeys(BucketName bucket, List<String> keys) {
        return deleteMany(bucket, keys.stream().map(k -> new ObjectIdentifier(k, null)).toList(), false);
    }

    private void wakeIfGarbage(Outcome outcome) {
        if (!outcome.garbage().isEmpty()) {
            collector.wake();
        }
    }

    /** CopyObject: reads the source whole and writes a new single-part object. */
    public WriteResult copy(CopySource source, BucketName bucket, ObjectKey key, Owner owner, CopyOptions options) {
        requireBucket(source.bucket());
        boolean self = source.bucket().equals(bucket) && source.key().equals(key) && source.versionId() == null;
        if (self && !options.replaceMetadata() && !options.replaceTags() && options.checksumAlgorithm() == null
                && options.sse() instanceof SseRequest.BucketDefault) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        if (options.replaceMetadata()) {
            Validation.userMetadata(options.attributes());
        }
        if (options.replaceTags()) {
            Validation.tags(options.tags());
        }
        BucketRecord target = requireBucket(bucket);
        Locks.checkRequest(target, options.lock(), clock.millis());
        precheck(bucket, key, options.precondition());
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            ObjectRecord src = resolve(source.bucket(), source.key(), source.versionId(), true);
            checkConditions(source.conditions(), src, true);
            if (src.size() > Limits.MAX_PUT_OBJECT_SIZE) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The specified copy source is larger than the maximum allowable size for a copy source: " + Limits.MAX_PUT_OBJECT_SIZE);
            }
            Optional<InputStream> body = open(source.bucket(), source.key(), src,
                    src.size() == 0 ? null : ByteRange.whole(src.size()), source.customerKey());
            if (body.isEmpty()) {
                continue;
            }
            ObjectCrypto.Sealing sealing;
            try {
                sealing = crypto.plan(bucket.value(), key.value(), options.sse());
            } catch (RuntimeException e) {
                try {
                    body.get().close();
                } catch (IOException ignored) {
                    // Releasing the source's leases; the plan's failure is what the caller needs.
                }
                throw e;
            }
            try {
                return copyInto(bucket, key, owner, options, source, src, body.get(), sealing);
            } finally {
                crypto.done(sealing);
            }
        }
        throw StoreException.of(FailureKind.SLOW_DOWN, "The copy source is being replaced too often to copy it; retry.");
    }

    /** Writes and commits the copy of {@code src} read from {@code in}, sealed by {@code sealing}. */
    private WriteResult copyInto(BucketName bucket, ObjectKey key, Owner owner, CopyOptions options, CopySource source,
            ObjectRecord src, InputStream in0, ObjectCrypto.Sealing sealing) {
        ChecksumAlgorithm algorithm = options.checksumAlgorithm() != null ? options.checksumAlgorithm()
                : src.checksum() == null ? null : src.checksum().algorithm();
        DataWriter.Written w;
        try (InputStream in = in0) {
            w = writer.write(in, src.size(), Limits.MAX_PUT_OBJECT_SIZE,
                    new ChecksumInput(algorithm, () -> null), null, true, StorageClasses.redundancy(options.attributes()),
                    sealing, bucket.value(), key.value());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            wipe(sealing);
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
                checksum, List.of(), w.data()).withLock(options.lock().retention(), options.lock().legalHold())
                .withEncryption(sealing == null ? null : sealing.encryption());
        Outcome outcome = commit(bucket, key, record, w, options.precondition());
        return new WriteResult(record.etag(), checksum, record.size(), outcome.versionId(), now, src.versionId(),
                record.encryption(), outcome.replacedVersionId());
    }

    private static ObjectAttributes withStorageClass(ObjectAttributes a, String storageClass) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>(a.headers());
        headers.remove(StorageClasses.HEADER);
        if (!storageClass.equals(StorageClasses.STANDARD)) {
            headers.put(StorageClasses.HEADER, storageClass);
        }
        return new ObjectAttributes(headers, a.userMetadata(), a.tags());
    }

    /** A version's tag set and the version id it belongs to. */
    public record VersionTags(String versionId, Map<String, String> tags) {}

    /** GetObjectTagging of a version (null: the current object). */
    public VersionTags getTags(BucketName bucket, ObjectKey key, String versionId) {
        requireBucket(bucket);
        ObjectRecord r = resolve(bucket, key, versionId, false);
        return new VersionTags(r.versionId(), r.attributes().tags());
    }

    public Map<String, String> getTags(BucketName bucket, ObjectKey key) {
        return getTags(bucket, key, null).tags();
    }

    /** PutObjectTagging (or with an empty map DeleteObjectTagging); returns the version id tagged. */
    public String putTags(BucketName bucket, ObjectKey key, String versionId, Map<String, String> tags) {
        Validation.tags(tags);
        requireBucket(bucket);
        ObjectRecord r = resolve(bucket, key, versionId, false);
        meta.submit(new Command.PutTags(bucket.value(), key.value(), versionId == null ? null : r.versionId(), tags));
        return r.versionId();
    }

    public void putTags(BucketName bucket, ObjectKey key, Map<String, String> tags) {
        putTags(bucket, key, null, tags);
    }

    public ObjectListing list(BucketName bucket, ListQuery query) {
        requireBucket(bucket);
        return meta.listObjects(bucket.value(), query);
    }

    /** ListObjectVersions. A version id marker must be one Arca issues ("null" included). */
    public VersionListing listVersions(BucketName bucket, VersionQuery query) {
        requireBucket(bucket);
        if (query.versionIdMarker() != null) {
            requireValidVersionId(query.versionIdMarker());
        }
        return meta.listVersions(bucket.value(), query);
    }

    /** GetObjectRetention of a version (null: the current object). */
    public Retention getRetention(BucketName bucket, ObjectKey key, String versionId) {
        Locks.requireLockBucket(requireBucket(bucket));
        ObjectRecord r = resolve(bucket, key, versionId, false);
        if (r.retention() == null) {
            throw new StoreException(new Failure(FailureKind.NO_SUCH_OBJECT_LOCK_CONFIGURATION,
                    "The specified object does not have a ObjectLock configuration", "/" + bucket + "/" + key, Map.of()));
        }
        return r.retention();
    }

    /**
     * PutObjectRetention ({@code retention} null removes it); returns the version id. The rules are
     * checked here to fail fast and again, atomically, by the metadata machine.
     */
    public String putRetention(BucketName bucket, ObjectKey key, String versionId, Retention retention,
            boolean bypassGovernance) {
        Locks.requireLockBucket(requireBucket(bucket));
        long now = clock.millis();
        if (retention != null && !retention.activeAt(now)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "The retain until date must be in the future!");
        }
        ObjectRecord r = resolve(bucket, key, versionId, false);
        meta.submit(new Command.PutRetention(bucket.value(), key.value(), r.versionId(), retention, bypassGovernance, now));
        return r.versionId();
    }

    /** GetObjectLegalHold of a version (null: the current object): whether the hold is on. */
    public boolean getLegalHold(BucketName bucket, ObjectKey key, String versionId) {
        Locks.requireLockBucket(requireBucket(bucket));
        return resolve(bucket, key, versionId, false).legalHold();
    }

    /** PutObjectLegalHold; returns the version id. */
    public String putLegalHold(BucketName bucket, ObjectKey key, String versionId, boolean on) {
        Locks.requireLockBucket(requireBucket(bucket));
        ObjectRecord r = resolve(bucket, key, versionId, false);
        meta.submit(new Command.PutLegalHold(bucket.value(), key.value(), r.versionId(), on));
        return r.versionId();
    }

    /**
     * The version a request names: the current object (versionId null; NoSuchKey, with the
     * delete marker's id when the newest version is one) or that version (NoSuchVersion if absent;
     * MethodNotAllowed for a delete marker, or InvalidRequest for a copy source naming one).
     */
    ObjectRecord resolve(BucketName bucket, ObjectKey key, String versionId, boolean copySource) {
        if (versionId == null) {
            Optional<ObjectRecord> current = meta.object(bucket.value(), key.value());
            if (current.isPresent()) {
                return current.get();
            }
            Optional<ObjectRecord> latest = meta.latestVersion(bucket.value(), key.value());
            if (latest.isPresent() && latest.get().deleteMarker()) {
                throw new StoreException(new Failure(FailureKind.NO_SUCH_KEY, "The specified key does not exist.",
                        "/" + bucket + "/" + key, Map.of("Key", key.value(), DELETE_MARKER, "true",
                                VERSION_ID, latest.get().versionId())));
            }
            throw noSuchKey(bucket, key);
        }
        requireValidVersionId(versionId);
        ObjectRecord r = meta.objectVersion(bucket.value(), key.value(), versionId).orElseThrow(() ->
                new StoreException(new Failure(FailureKind.NO_SUCH_VERSION,
                        "The specified version does not exist.", "/" + bucket + "/" + key,
                        Map.of("Key", key.value(), "VersionId", versionId))));
        if (r.deleteMarker()) {
            if (copySource) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The source of a copy request may not specifically refer to a delete marker by version id.");
            }
            throw new StoreException(new Failure(FailureKind.METHOD_NOT_ALLOWED,
                    "The specified method is not allowed against this resource.", "/" + bucket + "/" + key,
                    Map.of(DELETE_MARKER, "true", VERSION_ID, r.versionId(),
                            "LastModified", Long.toString(r.lastModifiedMillis()))));
        }
        return r;
    }

    /**
     * {@link #resolve} for GetObject/HeadObject, reading the bucket's record only when the version is
     * not there: a bucket is deleted only once it holds no version, so a version found proves the bucket
     * (one metadata read fewer per GET, per entry of a batch GET). A missing bucket still answers
     * NoSuchBucket before anything about the key.
     */
    private ObjectRecord resolveForRead(BucketName bucket, ObjectKey key, String versionId) {
        try {
            return resolve(bucket, key, versionId, false);
        } catch (StoreException e) {
            requireBucket(bucket);
            throw e;
        }
    }

    /** Failure detail names the S3 layer turns into x-amz-delete-marker and x-amz-version-id headers. */
    public static final String DELETE_MARKER = "DeleteMarker";
    public static final String VERSION_ID = "VersionId";

    static void requireValidVersionId(String versionId) {
        if (!VersionIds.isValid(versionId)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "Invalid version id specified");
        }
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
