package dev.arca.meta;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.kv.Bytes;
import dev.arca.meta.kv.KvCursor;
import dev.arca.meta.kv.KvOp;
import dev.arca.meta.kv.KvOverlay;
import dev.arca.meta.kv.KvReader;
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

    Outcome apply(KvOverlay state, Command command) {
        return switch (command) {
            case Command.CreateBucket c -> createBucket(state, c);
            case Command.DeleteBucket c -> deleteBucket(state, c);
            case Command.AddIntent c -> {
                byte[] key = Keys.intent(c.blobId());
                if (state.get(key) != null) {
                    throw new IllegalStateException("duplicate intent " + c.blobId());
                }
                state.put(key, Codecs.encodeMark(c.nowMillis()));
                yield Outcome.NOTHING;
            }
            case Command.DropIntents c -> {
                for (String id : c.blobIds()) {
                    state.delete(Keys.intent(id));
                }
                yield Outcome.NOTHING;
            }
            case Command.PutObject c -> putObject(state, c);
            case Command.DeleteObjects c -> deleteObjects(state, c);
            case Command.PutTags c -> putTags(state, c);
            case Command.RewrapObjectKey c -> {
                ObjectRecord v = findVersion(state, c.bucket(), c.key(), c.versionId());
                if (v != null) {
                    if (v.encryption() != null && v.encryption().dataKey().equals(c.expected())) {
                        rewriteVersion(state, c.bucket(), c.key(), v.withEncryption(v.encryption().withDataKey(c.replacement())));
                    }
                }
                yield Outcome.NOTHING;
            }
            case Command.RewrapUploadKey c -> {
                byte[] key = Keys.upload(c.bucket(), c.key(), c.uploadId());
                byte[] raw = state.get(key);
                if (raw != null) {
                    UploadRecord u = Codecs.decodeUpload(raw);
                    if (u.encryption() != null && u.encryption().dataKey().equals(c.expected())) {
                        state.put(key, Codecs.encode(u.withEncryption(u.encryption().withDataKey(c.replacement()))));
                    }
                }
                yield Outcome.NOTHING;
            }
            case Command.CreateUpload c -> {
                UploadRecord u = c.upload();
                requireBucket(state, u.bucket());
                state.put(Keys.upload(u.bucket(), u.key(), u.uploadId()), Codecs.encode(u));
                yield Outcome.NOTHING;
            }
            case Command.PutPart c -> putPart(state, c);
            case Command.CompleteUpload c -> completeUpload(state, c);
            case Command.AbortUpload c -> {
                requireUpload(state, c.bucket(), c.key(), c.uploadId());
                List<String> garbage = new ArrayList<>();
                dropUpload(state, c.bucket(), c.key(), c.uploadId(), Set.of(), garbage, c.nowMillis());
                yield garbage(garbage);
            }
            case Command.ForgetGarbage c -> {
                for (String id : c.blobIds()) {
                    state.delete(Keys.garbage(id));
                }
                yield Outcome.NOTHING;
            }
            case Command.SetVersioning c -> setVersioning(state, c);
            case Command.SetObjectLock c -> setObjectLock(state, c);
            case Command.PutRetention c -> putRetention(state, c);
            case Command.PutLegalHold c -> putLegalHold(state, c);
            case Command.PutBucketConfig c -> {
                requireBucket(state, c.bucket());
                if (c.value() == null) {
                    state.delete(Keys.config(c.bucket(), c.name()));
                } else {
                    state.put(Keys.config(c.bucket(), c.name()), Codecs.encodeData(c.value()));
                }
                yield Outcome.NOTHING;
            }
        };
    }

    private static Outcome garbage(List<String> garbage) {
        return garbage.isEmpty() ? Outcome.NOTHING : new Outcome(garbage, null, List.of());
    }

    private Outcome createBucket(KvOverlay state, Command.CreateBucket c) {
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
        return Outcome.NOTHING;
    }

    private Outcome deleteBucket(KvOverlay state, Command.DeleteBucket c) {
        requireBucket(state, c.name());
        tick(state, c.nowMillis());
        // Every version and delete marker counts (as in S3), so a bucket holding a locked version
        // can never be deleted.
        byte[] versions = Keys.versionPrefix(c.name());
        try (KvCursor cursor = state.scan(versions, Bytes.prefixEnd(versions))) {
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
        List<byte[]> configs = new ArrayList<>();
        byte[] configPrefix = Keys.configPrefix(c.name());
        try (KvCursor cursor = state.scan(configPrefix, Bytes.prefixEnd(configPrefix))) {
            while (cursor.next()) {
                configs.add(cursor.key());
            }
        }
        configs.forEach(state::delete);
        state.delete(Keys.bucket(c.name()));
        return garbage(garbage);
    }

    private Outcome putObject(KvOverlay state, Command.PutObject c) {
        BucketRecord b = requireBucket(state, c.bucket());
        long lockNow = tick(state, c.nowMillis());
        ObjectRecord current = decodeObject(state.get(Keys.object(c.bucket(), c.key())));
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
        if (c.record().retention() != null && !c.record().retention().activeAt(lockNow)) {
            // Judged by the lock clock: a server clock that stepped back cannot make a past date "future".
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "The retain until date must be in the future!");
        }
        List<String> garbage = new ArrayList<>();
        String versionId = commitVersion(state, b, c.key(), current, c.record(), c.inlineBytes(), lockNow, c.nowMillis(),
                garbage);
        return new Outcome(garbage, versionId, List.of(), current == null ? null : current.versionId());
    }

    /**
     * Adds a new version as the key's newest, with the bucket's versioning rules: a fresh version id
     * when versioning is enabled, else "null", replacing the key's previous null version (which Object
     * Lock may protect). Applies the bucket's default retention. Returns the version id.
     * {@code current} is the key's current entry, which in an unversioned bucket is its only version.
     */
    private String commitVersion(KvOverlay state, BucketRecord b, String key, ObjectRecord current, ObjectRecord record,
            byte[] inlineBytes, long lockNow, long now, List<String> garbage) {
        if (record.deleteMarker()) {
            throw new IllegalStateException("delete markers are not written as objects");
        }
        if ((record.retention() != null || record.legalHold()) && !b.objectLockEnabled()) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
        if (b.objectLockEnabled() && record.retention() == null && b.defaultRetention() != null) {
            record = record.withLock(b.defaultRetention().from(now), record.legalHold());
        }
        long seq = nextSeq(state);
        String versionId = b.versioning() == Versioning.ENABLED ? VersionIds.of(seq) : VersionIds.NULL;
        if (versionId.equals(VersionIds.NULL)) {
            ObjectRecord previousNull = b.versioning() == Versioning.UNVERSIONED ? current : nullVersion(state, b.name(), key);
            if (previousNull != null) {
                removeVersion(state, b.name(), key, previousNull, lockNow, false, garbage, Then.ADD_VERSION);
            }
        }
        ObjectRecord committed = record.withVersion(versionId, seq);
        if (committed.data() instanceof ObjectData.Inline(String dataId, long length)) {
            long stored = committed.encryption() == null ? length : dev.arca.crypto.ObjectCipher.sealedLength(length);
            if (inlineBytes == null || inlineBytes.length != stored) {
                throw new IllegalStateException("inline record without matching bytes");
            }
            state.put(Keys.data(dataId), Codecs.encodeData(inlineBytes));
        } else if (inlineBytes != null) {
            throw new IllegalStateException("inline bytes for a blob-backed record");
        }
        addVersion(state, b, key, committed);
        return versionId;
    }

    /**
     * Writes a version as the key's newest: its version entry, the current entry and the null index.
     * A "null" version is indexed in {@code N} only once it may stop being the current entry: the
     * index is written when a newer version is put on top of it, and at once outside unversioned
     * buckets (where a null delete marker is never current). So an unversioned bucket writes no
     * index entries, and a null version without one is always the current entry.
     */
    private static void addVersion(KvOverlay state, BucketRecord b, String key, ObjectRecord v) {
        String bucket = b.name();
        ObjectRecord superseded = decodeObject(state.get(Keys.object(bucket, key)));
        if (superseded != null && superseded.versionId().equals(VersionIds.NULL)
                && state.get(Keys.version(bucket, key, superseded.seq())) != null) {
            state.put(Keys.nullIndex(bucket, key), Codecs.encodeMark(superseded.seq()));
        }
        state.put(Keys.version(bucket, key, v.seq()), Codecs.encode(v));
        if (v.versionId().equals(VersionIds.NULL) && b.versioning() != Versioning.UNVERSIONED) {
            state.put(Keys.nullIndex(bucket, key), Codecs.encodeMark(v.seq()));
        }
        if (v.deleteMarker()) {
            state.delete(Keys.object(bucket, key));
        } else {
            state.put(Keys.object(bucket, key), Codecs.encode(v));
        }
    }

    /** What the caller does right after removing a version, which decides how the current entry is kept. */
    private enum Then {
        /** Adds a newer version, which rewrites the current entry itself. */
        ADD_VERSION,
        /** Nothing: if the removed version was the newest, the next one (if any) becomes current. */
        RESTORE_NEXT,
        /** Nothing, and the key has no other version (an unversioned bucket): the current entry goes. */
        NO_OTHER_VERSIONS
    }

    /**
     * The one way a version leaves the store. Object Lock is asserted here, whatever the caller
     * checked, so no command can remove a protected version. The current entry is kept equal to
     * the newest version that is not a delete marker, without scanning a key's versions unless the
     * newest was removed and older ones may exist (deleted entries leave tombstones a scan must skip).
     */
    private static void removeVersion(KvOverlay state, String bucket, String key, ObjectRecord v, long lockNow,
            boolean bypassGovernance, List<String> garbage, Then then) {
        if (v.protectedAt(lockNow, bypassGovernance)) {
            throw new StoreException(new Failure(FailureKind.ACCESS_DENIED,
                    "Access Denied because object protected by object lock.", "/" + bucket + "/" + key,
                    Map.of("Key", key, "VersionId", v.versionId())));
        }
        boolean wasNewest = false;
        if (then == Then.RESTORE_NEXT) {
            if (v.deleteMarker()) {
                ObjectRecord newest = newestVersion(state, bucket, key);
                wasNewest = newest != null && newest.seq() == v.seq();
            } else {
                // A version that is not a marker is the newest exactly when it is the current entry.
                ObjectRecord current = decodeObject(state.get(Keys.object(bucket, key)));
                wasNewest = current != null && current.seq() == v.seq();
            }
        }
        state.delete(Keys.version(bucket, key, v.seq()));
        if (v.versionId().equals(VersionIds.NULL) && state.get(Keys.nullIndex(bucket, key)) != null) {
            state.delete(Keys.nullIndex(bucket, key));
        }
        release(state, v, garbage, lockNow);
        switch (then) {
            case ADD_VERSION -> { }
            case NO_OTHER_VERSIONS -> state.delete(Keys.object(bucket, key));
            case RESTORE_NEXT -> {
                if (wasNewest) {
                    ObjectRecord next = newestVersion(state, bucket, key);
                    if (next == null || next.deleteMarker()) {
                        state.delete(Keys.object(bucket, key));
                    } else {
                        state.put(Keys.object(bucket, key), Codecs.encode(next));
                    }
                }
            }
        }
    }

    static ObjectRecord newestVersion(KvReader state, String bucket, String key) {
        byte[] prefix = Keys.versionsOf(bucket, key);
        try (KvCursor cursor = state.scan(prefix, Bytes.prefixEnd(prefix))) {
            return cursor.next() ? Codecs.decodeObject(cursor.value()) : null;
        }
    }

    /** The key's "null" version: the one the null index names, else the current entry if it is null. */
    static ObjectRecord nullVersion(KvReader state, String bucket, String key) {
        byte[] mark = state.get(Keys.nullIndex(bucket, key));
        if (mark == null) {
            ObjectRecord current = decodeObject(state.get(Keys.object(bucket, key)));
            return current != null && current.versionId().equals(VersionIds.NULL) ? current : null;
        }
        byte[] raw = state.get(Keys.version(bucket, key, Codecs.decodeMark(mark)));
        if (raw == null) {
            throw new IllegalStateException("null index of " + bucket + "/" + key + " names a missing version");
        }
        return Codecs.decodeObject(raw);
    }

    /** A version by id ("null" or one Arca issued), or null if there is none. */
    static ObjectRecord findVersion(KvReader state, String bucket, String key, String versionId) {
        if (VersionIds.NULL.equals(versionId)) {
            return nullVersion(state, bucket, key);
        }
        java.util.OptionalLong seq = VersionIds.seqOf(versionId);
        if (seq.isEmpty()) {
            return null;
        }
        byte[] raw = state.get(Keys.version(bucket, key, seq.getAsLong()));
        if (raw == null) {
            return null;
        }
        ObjectRecord r = Codecs.decodeObject(raw);
        return r.versionId().equals(versionId) ? r : null;
    }

    private Outcome deleteObjects(KvOverlay state, Command.DeleteObjects c) {
        BucketRecord b = requireBucket(state, c.bucket());
        long lockNow = tick(state, c.nowMillis());
        List<String> garbage = new ArrayList<>();
        List<Outcome.DeleteOutcome> outcomes = new ArrayList<>(c.targets().size());
        for (Command.DeleteTarget t : c.targets()) {
            // Each target applies alone: a refused one leaves no partial change behind.
            KvOverlay attempt = new KvOverlay(state);
            List<String> targetGarbage = new ArrayList<>();
            try {
                outcomes.add(deleteOne(attempt, b, t, c, lockNow, targetGarbage));
            } catch (StoreException e) {
                outcomes.add(new Outcome.DeleteOutcome(t.key(), t.versionId(), false, null, e.failure()));
                continue;
            }
            for (KvOp op : attempt.toBatch().ops()) {
                switch (op) {
                    case KvOp.Put(byte[] key, byte[] value) -> state.put(key, value);
                    case KvOp.Delete(byte[] key) -> state.delete(key);
                }
            }
            garbage.addAll(targetGarbage);
        }
        return new Outcome(garbage, null, outcomes);
    }

    private Outcome.DeleteOutcome deleteOne(KvOverlay state, BucketRecord b, Command.DeleteTarget t,
            Command.DeleteObjects c, long lockNow, List<String> garbage) {
        String key = t.key();
        if (t.versionId() != null) {
            ObjectRecord v = findVersion(state, b.name(), key, t.versionId());
            if (v == null || (t.expectedSeq() != 0 && v.seq() != t.expectedSeq())) {
                return new Outcome.DeleteOutcome(key, t.versionId(), false, null, null);
            }
            removeVersion(state, b.name(), key, v, lockNow, c.bypassGovernance(), garbage, Then.RESTORE_NEXT);
            return new Outcome.DeleteOutcome(key, t.versionId(), v.deleteMarker(),
                    v.deleteMarker() ? v.versionId() : null, null);
        }
        ObjectRecord current = decodeObject(state.get(Keys.object(b.name(), key)));
        if (!(c.precondition() instanceof WritePrecondition.None)) {
            check(c.precondition(), current, b.name(), key);
        }
        if ((t.expectedSeq() != 0 && (current == null || current.seq() != t.expectedSeq()))
                || (t.ifCurrentVersionId() != null && (current == null || !current.versionId().equals(t.ifCurrentVersionId())))) {
            return new Outcome.DeleteOutcome(key, null, false, null, null);
        }
        switch (b.versioning()) {
            case UNVERSIONED -> {
                if (current != null) {
                    removeVersion(state, b.name(), key, current, lockNow, c.bypassGovernance(), garbage,
                            Then.NO_OTHER_VERSIONS);
                }
                return new Outcome.DeleteOutcome(key, null, false, null, null);
            }
            case ENABLED -> {
                long seq = nextSeq(state);
                String id = VersionIds.of(seq);
                addVersion(state, b, key, ObjectRecord.deleteMarker(c.nowMillis(), b.ownerId()).withVersion(id, seq));
                return new Outcome.DeleteOutcome(key, null, true, id, null);
            }
            case SUSPENDED -> {
                ObjectRecord previousNull = nullVersion(state, b.name(), key);
                if (previousNull != null) {
                    removeVersion(state, b.name(), key, previousNull, lockNow, c.bypassGovernance(), garbage,
                            Then.ADD_VERSION);
                }
                long seq = nextSeq(state);
                addVersion(state, b, key,
                        ObjectRecord.deleteMarker(c.nowMillis(), b.ownerId()).withVersion(VersionIds.NULL, seq));
                return new Outcome.DeleteOutcome(key, null, true, VersionIds.NULL, null);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** The version a command names (versionId null: the current object); NoSuchKey/NoSuchVersion/MethodNotAllowed. */
    private static ObjectRecord requireVersion(KvOverlay state, String bucket, String key, String versionId) {
        if (versionId == null) {
            ObjectRecord current = decodeObject(state.get(Keys.object(bucket, key)));
            if (current == null) {
                throw noSuchKey(bucket, key);
            }
            return current;
        }
        ObjectRecord v = findVersion(state, bucket, key, versionId);
        if (v == null) {
            throw new StoreException(new Failure(FailureKind.NO_SUCH_VERSION, "The specified version does not exist.",
                    bucket + "/" + key, Map.of("Key", key, "VersionId", versionId)));
        }
        if (v.deleteMarker()) {
            throw new StoreException(new Failure(FailureKind.METHOD_NOT_ALLOWED,
                    "The specified method is not allowed against this resource.", bucket + "/" + key, Map.of()));
        }
        return v;
    }

    /** Rewrites a version in place (tags, lock fields): its version entry and, if current, the current entry. */
    private static void rewriteVersion(KvOverlay state, String bucket, String key, ObjectRecord updated) {
        state.put(Keys.version(bucket, key, updated.seq()), Codecs.encode(updated));
        ObjectRecord current = decodeObject(state.get(Keys.object(bucket, key)));
        if (current != null && current.seq() == updated.seq()) {
            state.put(Keys.object(bucket, key), Codecs.encode(updated));
        }
    }

    private Outcome putTags(KvOverlay state, Command.PutTags c) {
        requireBucket(state, c.bucket());
        ObjectRecord v = requireVersion(state, c.bucket(), c.key(), c.versionId());
        rewriteVersion(state, c.bucket(), c.key(), v.withAttributes(v.attributes().withTags(c.tags())));
        return Outcome.NOTHING;
    }

    private Outcome setVersioning(KvOverlay state, Command.SetVersioning c) {
        BucketRecord b = requireBucket(state, c.bucket());
        if (c.versioning() == Versioning.UNVERSIONED) {
            throw new IllegalArgumentException("a bucket cannot return to unversioned");
        }
        if (b.objectLockEnabled() && c.versioning() != Versioning.ENABLED) {
            throw StoreException.of(FailureKind.INVALID_BUCKET_STATE,
                    "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.");
        }
        state.put(Keys.bucket(b.name()), Codecs.encode(b.withVersioning(c.versioning())));
        return Outcome.NOTHING;
    }

    private Outcome setObjectLock(KvOverlay state, Command.SetObjectLock c) {
        BucketRecord b = requireBucket(state, c.bucket());
        if (!b.objectLockEnabled() && b.versioning() != Versioning.ENABLED) {
            throw StoreException.of(FailureKind.INVALID_BUCKET_STATE,
                    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration");
        }
        state.put(Keys.bucket(b.name()), Codecs.encode(b.withObjectLock(c.defaultRetention())));
        return Outcome.NOTHING;
    }

    private Outcome putRetention(KvOverlay state, Command.PutRetention c) {
        BucketRecord b = requireBucket(state, c.bucket());
        long lockNow = tick(state, c.nowMillis());
        if (!b.objectLockEnabled()) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
        ObjectRecord v = requireVersion(state, c.bucket(), c.key(), c.versionId());
        Retention old = v.retention();
        Retention wanted = c.retention();
        if (old != null && old.activeAt(lockNow)) {
            // Any mode change counts: COMPLIANCE never changes, and GOVERNANCE becomes COMPLIANCE
            // only with bypass, as Amazon S3 does it.
            boolean weakens = wanted == null || wanted.retainUntilMillis() < old.retainUntilMillis()
                    || wanted.mode() != old.mode();
            if (weakens && (old.mode() == RetentionMode.COMPLIANCE || !c.bypassGovernance())) {
                throw new StoreException(new Failure(FailureKind.ACCESS_DENIED, "Access Denied",
                        c.bucket() + "/" + c.key(), Map.of("Key", c.key(), "VersionId", v.versionId())));
            }
        }
        if (wanted != null && !wanted.activeAt(lockNow)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "The retain until date must be in the future!");
        }
        rewriteVersion(state, c.bucket(), c.key(), v.withLock(wanted, v.legalHold()));
        return Outcome.NOTHING;
    }

    private Outcome putLegalHold(KvOverlay state, Command.PutLegalHold c) {
        BucketRecord b = requireBucket(state, c.bucket());
        if (!b.objectLockEnabled()) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Bucket is missing Object Lock Configuration");
        }
        ObjectRecord v = requireVersion(state, c.bucket(), c.key(), c.versionId());
        rewriteVersion(state, c.bucket(), c.key(), v.withLock(v.retention(), c.on()));
        return Outcome.NOTHING;
    }

    /** The next version sequence number (commit order across the whole store). */
    private static long nextSeq(KvOverlay state) {
        Codecs.VersionState v = versionState(state);
        long seq = v.lastSeq() + 1;
        state.put(Keys.system(VERSION_STATE), Codecs.encode(new Codecs.VersionState(seq, v.highWaterMillis())));
        return seq;
    }

    /**
     * The lock clock: the latest time any command carried. A server clock that steps back never
     * makes a retention shorter, because lock decisions use this high-water mark, not the command's time.
     */
    private static long tick(KvOverlay state, long nowMillis) {
        Codecs.VersionState v = versionState(state);
        if (nowMillis > v.highWaterMillis()) {
            state.put(Keys.system(VERSION_STATE), Codecs.encode(new Codecs.VersionState(v.lastSeq(), nowMillis)));
            return nowMillis;
        }
        return v.highWaterMillis();
    }

    static final String VERSION_STATE = "versions";

    static Codecs.VersionState versionState(KvReader state) {
        byte[] raw = state.get(Keys.system(VERSION_STATE));
        return raw == null ? Codecs.VersionState.INITIAL : Codecs.decodeVersionState(raw);
    }

    private Outcome putPart(KvOverlay state, Command.PutPart c) {
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
        return garbage(garbage);
    }

    private Outcome completeUpload(KvOverlay state, Command.CompleteUpload c) {
        BucketRecord b = requireBucket(state, c.bucket());
        long lockNow = tick(state, c.nowMillis());
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
        String versionId = commitVersion(state, b, c.key(), current, c.record(), null, lockNow, c.nowMillis(), garbage);
        return new Outcome(garbage, versionId, List.of(), current == null ? null : current.versionId());
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

    /** The data of a record that is being replaced or deleted: inline bytes go now, blobs become garbage. */
    private static void release(KvOverlay state, ObjectRecord record, List<String> garbage, long now) {
        switch (record.data()) {
            case ObjectData.Inline(String dataId, long ignored) -> state.delete(Keys.data(dataId));
            case ObjectData.None ignored -> { }
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

    private static BucketRecord requireBucket(KvOverlay state, String bucket) {
        byte[] raw = state.get(Keys.bucket(bucket));
        if (raw == null) {
            throw noSuchBucket(bucket);
        }
        return Codecs.decodeBucket(raw);
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
