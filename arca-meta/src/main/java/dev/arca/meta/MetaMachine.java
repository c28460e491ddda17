package dev.arca.meta;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.KvOverlay;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies {@link Command}s to the metadata key space. Deterministic: it reads only the state it is
 * given and the command, never the clock or randomness, so a log of commands replays identically.
 * Failures are thrown as {@link StoreException} after which the caller discards the overlay's
 * changes. Broken invariants (a missing intent, a corrupt record) throw unchecked exceptions.
 */
final class MetaMachine {
    /** Most part entries a DeleteBucket will clean up in one command. */
    static final int DELETE_BUCKET_MAX_UPLOAD_PARTS = 100_000;

    /** What a successfully applied command did: the blobs that became garbage. */
    record Applied(List<String> garbage) {
        static final Applied NOTHING = new Applied(List.of());
    }

    Applied apply(KvOverlay state, Command command) {
        return switch (command) {
            case Command.CreateBucket c -> createBucket(state, c);
            case Command.DeleteBucket c -> deleteBucket(state, c);
            case Command.AddIntent c -> {
                byte[] key = Keys.intent(c.blobId());
                if (state.get(key) != null) {
                    throw new IllegalStateException("duplicate intent " + c.blobId());
                }
                state.put(key, Codecs.encodeMark(c.nowMillis()));
                yield Applied.NOTHING;
            }
            case Command.DropIntents c -> {
                for (String id : c.blobIds()) {
                    state.delete(Keys.intent(id));
                }
                yield Applied.NOTHING;
            }
            case Command.PutObject c -> putObject(state, c);
            case Command.DeleteObjects c -> deleteObjects(state, c);
            case Command.PutTags c -> putTags(state, c);
            case Command.CreateUpload c -> {
                UploadRecord u = c.upload();
                requireBucket(state, u.bucket());
                state.put(Keys.upload(u.bucket(), u.key(), u.uploadId()), Codecs.encode(u));
                yield Applied.NOTHING;
            }
            case Command.PutPart c -> putPart(state, c);
            case Command.CompleteUpload c -> completeUpload(state, c);
            case Command.AbortUpload c -> {
                requireUpload(state, c.bucket(), c.key(), c.uploadId());
                List<String> garbage = new ArrayList<>();
                dropUpload(state, c.bucket(), c.key(), c.uploadId(), Set.of(), garbage, c.nowMillis());
                yield new Applied(garbage);
            }
            case Command.ForgetGarbage c -> {
                for (String id : c.blobIds()) {
                    state.delete(Keys.garbage(id));
                }
                yield Applied.NOTHING;
            }
        };
    }

    private Applied createBucket(KvOverlay state, Command.CreateBucket c) {
        BucketRecord b = c.bucket();
        byte[] existing = state.get(Keys.bucket(b.name()));
        if (existing != null) {
            BucketRecord current = Codecs.decodeBucket(existing);
            FailureKind kind = current.ownerId().equals(b.ownerId())
                    ? FailureKind.BUCKET_ALREADY_OWNED_BY_YOU : FailureKind.BUCKET_ALREADY_EXISTS;
            String message = kind == FailureKind.BUCKET_ALREADY_OWNED_BY_YOU
                    ? "Your previous request to create the named bucket succeeded and you already own it."
                    : "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.";
            throw new StoreException(new Failure(kind, message, b.name(), Map.of("BucketName", b.name())));
        }
        int owned = 0;
        try (KvCursor cursor = state.scan(Keys.tag(Keys.BUCKET), Bytes.prefixEnd(Keys.tag(Keys.BUCKET)))) {
            while (cursor.next()) {
                if (Codecs.decodeBucket(cursor.value()).ownerId().equals(b.ownerId())) {
                    owned++;
                }
            }
        }
        if (owned >= c.maxBucketsPerOwner()) {
            throw StoreException.of(FailureKind.TOO_MANY_BUCKETS, "You have attempted to create more buckets than allowed");
        }
        state.put(Keys.bucket(b.name()), Codecs.encode(b));
        return Applied.NOTHING;
    }

    private Applied deleteBucket(KvOverlay state, Command.DeleteBucket c) {
        requireBucket(state, c.name());
        byte[] objects = Keys.objectPrefix(c.name());
        try (KvCursor cursor = state.scan(objects, Bytes.prefixEnd(objects))) {
            if (cursor.next()) {
                throw new StoreException(new Failure(FailureKind.BUCKET_NOT_EMPTY,
                        "The bucket you tried to delete is not empty", c.name(), Map.of("BucketName", c.name())));
            }
        }
        List<UploadRecord> uploads = new ArrayList<>();
        byte[] uploadPrefix = Keys.uploadPrefix(c.name());
        try (KvCursor cursor = state.scan(uploadPrefix, Bytes.prefixEnd(uploadPrefix))) {
            while (cursor.next()) {
                uploads.add(Codecs.decodeUpload(cursor.value()));
            }
        }
        List<String> garbage = new ArrayList<>();
        for (UploadRecord u : uploads) {
            dropUpload(state, u.bucket(), u.key(), u.uploadId(), Set.of(), garbage, c.nowMillis());
            if (garbage.size() > DELETE_BUCKET_MAX_UPLOAD_PARTS) {
                throw new StoreException(new Failure(FailureKind.BUCKET_NOT_EMPTY,
                        "The bucket has too many multipart upload parts to delete at once; abort its uploads first",
                        c.name(), Map.of("BucketName", c.name())));
            }
        }
        state.delete(Keys.bucket(c.name()));
        return new Applied(garbage);
    }

    private Applied putObject(KvOverlay state, Command.PutObject c) {
        requireBucket(state, c.bucket());
        byte[] key = Keys.object(c.bucket(), c.key());
        ObjectRecord current = decodeObject(state.get(key));
        check(c.precondition(), current, c.bucket(), c.key());
        Set<String> referenced = new HashSet<>(c.record().data().blobIds());
        for (String id : c.intents()) {
            byte[] intent = Keys.intent(id);
            if (state.get(intent) == null) {
                throw new IllegalStateException("commit of blob " + id + " without an intent");
            }
            if (!referenced.contains(id)) {
                throw new IllegalStateException("intent " + id + " ended by a record that does not reference it");
            }
            state.delete(intent);
        }
        List<String> garbage = new ArrayList<>();
        if (current != null) {
            release(state, current, garbage, c.nowMillis());
        }
        storeObject(state, key, c.record(), c.inlineBytes());
        return new Applied(garbage);
    }

    private Applied deleteObjects(KvOverlay state, Command.DeleteObjects c) {
        requireBucket(state, c.bucket());
        List<String> garbage = new ArrayList<>();
        for (String k : c.keys()) {
            byte[] key = Keys.object(c.bucket(), k);
            ObjectRecord current = decodeObject(state.get(key));
            if (!(c.precondition() instanceof WritePrecondition.None)) {
                check(c.precondition(), current, c.bucket(), k);
            }
            if (current != null) {
                release(state, current, garbage, c.nowMillis());
                state.delete(key);
            }
        }
        return new Applied(garbage);
    }

    private Applied putTags(KvOverlay state, Command.PutTags c) {
        requireBucket(state, c.bucket());
        byte[] key = Keys.object(c.bucket(), c.key());
        ObjectRecord current = decodeObject(state.get(key));
        if (current == null) {
            throw noSuchKey(c.bucket(), c.key());
        }
        ObjectRecord updated = current.withAttributes(current.attributes().withTags(c.tags()));
        state.put(key, Codecs.encode(updated));
        return Applied.NOTHING;
    }

    private Applied putPart(KvOverlay state, Command.PutPart c) {
        requireUpload(state, c.bucket(), c.key(), c.uploadId());
        PartRecord part = c.part();
        byte[] intent = Keys.intent(part.blobId());
        if (state.get(intent) == null) {
            throw new IllegalStateException("part blob " + part.blobId() + " without an intent");
        }
        state.delete(intent);
        byte[] key = Keys.part(c.uploadId(), part.partNumber());
        byte[] existing = state.get(key);
        List<String> garbage = new ArrayList<>();
        if (existing != null) {
            markGarbage(state, Codecs.decodePart(existing).blobId(), garbage, c.nowMillis());
        }
        state.put(key, Codecs.encode(part));
        return new Applied(garbage);
    }

    private Applied completeUpload(KvOverlay state, Command.CompleteUpload c) {
        requireBucket(state, c.bucket());
        requireUpload(state, c.bucket(), c.key(), c.uploadId());
        for (Map.Entry<Integer, String> e : c.partBlobs().entrySet()) {
            byte[] raw = state.get(Keys.part(c.uploadId(), e.getKey()));
            if (raw == null || !Codecs.decodePart(raw).blobId().equals(e.getValue())) {
                throw new StoreException(new Failure(FailureKind.INVALID_PART,
                        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                        c.key(), Map.of("UploadId", c.uploadId(), "PartNumber", Integer.toString(e.getKey()))));
            }
        }
        Set<String> kept = new HashSet<>(c.partBlobs().values());
        if (!kept.equals(new HashSet<>(c.record().data().blobIds()))) {
            throw new IllegalStateException("completed record does not reference exactly the chosen parts");
        }
        byte[] key = Keys.object(c.bucket(), c.key());
        ObjectRecord current = decodeObject(state.get(key));
        check(c.precondition(), current, c.bucket(), c.key());
        List<String> garbage = new ArrayList<>();
        dropUpload(state, c.bucket(), c.key(), c.uploadId(), kept, garbage, c.nowMillis());
        if (current != null) {
            release(state, current, garbage, c.nowMillis());
        }
        storeObject(state, key, c.record(), null);
        return new Applied(garbage);
    }

    /** Deletes an upload and its parts; parts whose blob is not in {@code keep} become garbage. */
    private void dropUpload(KvOverlay state, String bucket, String key, String uploadId, Set<String> keep,
            List<String> garbage, long now) {
        byte[] prefix = Keys.partPrefix(uploadId);
        List<byte[]> partKeys = new ArrayList<>();
        try (KvCursor cursor = state.scan(prefix, Bytes.prefixEnd(prefix))) {
            while (cursor.next()) {
                partKeys.add(cursor.key());
                String blob = Codecs.decodePart(cursor.value()).blobId();
                if (!keep.contains(blob)) {
                    markGarbage(state, blob, garbage, now);
                }
            }
        }
        for (byte[] k : partKeys) {
            state.delete(k);
        }
        state.delete(Keys.upload(bucket, key, uploadId));
    }

    private static void storeObject(KvOverlay state, byte[] key, ObjectRecord record, byte[] inlineBytes) {
        if (record.data() instanceof ObjectData.Inline(String dataId, long length)) {
            if (inlineBytes == null || inlineBytes.length != length) {
                throw new IllegalStateException("inline record without matching bytes");
            }
            state.put(Keys.data(dataId), Codecs.encodeData(inlineBytes));
        } else if (inlineBytes != null) {
            throw new IllegalStateException("inline bytes for a blob-backed record");
        }
        state.put(key, Codecs.encode(record));
    }

    /** The data of a record that is being replaced or deleted: inline bytes go now, blobs become garbage. */
    private static void release(KvOverlay state, ObjectRecord record, List<String> garbage, long now) {
        switch (record.data()) {
            case ObjectData.Inline(String dataId, long ignored) -> state.delete(Keys.data(dataId));
            case ObjectData.Blobs blobs -> {
                for (String id : blobs.blobIds()) {
                    markGarbage(state, id, garbage, now);
                }
            }
        }
    }

    private static void markGarbage(KvOverlay state, String blobId, List<String> garbage, long now) {
        state.put(Keys.garbage(blobId), Codecs.encodeMark(now));
        garbage.add(blobId);
    }

    private static void check(WritePrecondition precondition, ObjectRecord current, String bucket, String key) {
        switch (precondition) {
            case WritePrecondition.None ignored -> { }
            case WritePrecondition.MustNotExist ignored -> {
                if (current != null) {
                    throw new StoreException(new Failure(FailureKind.PRECONDITION_FAILED,
                            "At least one of the pre-conditions you specified did not hold", bucket + "/" + key,
                            Map.of("Condition", "If-None-Match")));
                }
            }
            case WritePrecondition.EtagMatches(String etag) -> {
                if (current == null) {
                    throw noSuchKey(bucket, key);
                }
                // If-Match: * asks only that the object exist (RFC 7232; S3 conditional deletes).
                if (!etag.equals("*") && !current.etag().equals(etag)) {
                    throw new StoreException(new Failure(FailureKind.PRECONDITION_FAILED,
                            "At least one of the pre-conditions you specified did not hold", bucket + "/" + key,
                            Map.of("Condition", "If-Match")));
                }
            }
        }
    }

    private static void requireBucket(KvOverlay state, String bucket) {
        if (state.get(Keys.bucket(bucket)) == null) {
            throw noSuchBucket(bucket);
        }
    }

    private static void requireUpload(KvOverlay state, String bucket, String key, String uploadId) {
        if (state.get(Keys.upload(bucket, key, uploadId)) == null) {
            throw noSuchUpload(uploadId);
        }
    }

    static ObjectRecord decodeObject(byte[] raw) {
        return raw == null ? null : Codecs.decodeObject(raw);
    }

    static StoreException noSuchBucket(String bucket) {
        return new StoreException(new Failure(FailureKind.NO_SUCH_BUCKET, "The specified bucket does not exist",
                bucket, Map.of("BucketName", bucket)));
    }

    static StoreException noSuchKey(String bucket, String key) {
        return new StoreException(new Failure(FailureKind.NO_SUCH_KEY, "The specified key does not exist.",
                bucket + "/" + key, Map.of("Key", key)));
    }

    static StoreException noSuchUpload(String uploadId) {
        return new StoreException(new Failure(FailureKind.NO_SUCH_UPLOAD,
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
                "", Map.of("UploadId", uploadId)));
    }
}
