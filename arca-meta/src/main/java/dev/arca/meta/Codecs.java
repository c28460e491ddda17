package dev.arca.meta;

import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encodings of metadata records (see docs/FORMATS.md, "Metadata records"): objects are at
 * version 3 (encryption), buckets at version 2 (versioning and Object Lock fields), uploads at
 * version 2 (encryption), the rest at version 1.
 * Each record starts with a tag byte and a version byte and ends with a CRC32C. A decoder accepts
 * every version up to the one it writes; a record from a newer Arca fails loudly.
 */
final class Codecs {
    private static final byte V1 = 1;
    private static final byte V2 = 2;
    private static final byte V3 = 3;
    static final byte BUCKET_TAG = 'b';
    static final byte OBJECT_TAG = 'o';
    static final byte UPLOAD_TAG = 'u';
    static final byte PART_TAG = 'p';
    static final byte MARK_TAG = 'm';
    static final byte DATA_TAG = 'd';
    static final byte VERSION_STATE_TAG = 'v';

    private static final int DATA_INLINE = 1;
    private static final int DATA_BLOBS = 2;
    private static final int DATA_NONE = 3;

    private Codecs() {}

    static byte[] encode(BucketRecord b) {
        Encoder e = new Encoder(BUCKET_TAG, V2).str(b.name()).str(b.ownerId()).i64(b.createdMillis()).str(b.region())
                .u8(b.versioning().ordinal()).bool(b.objectLockEnabled()).bool(b.defaultRetention() != null);
        if (b.defaultRetention() != null) {
            e.u8(b.defaultRetention().mode().ordinal()).varint(b.defaultRetention().days()).varint(b.defaultRetention().years());
        }
        return e.finish();
    }

    static BucketRecord decodeBucket(byte[] raw) {
        Decoder d = new Decoder(raw, BUCKET_TAG, V2);
        BucketRecord b = new BucketRecord(d.str(), d.str(), d.i64(), d.str());
        if (d.version() >= V2) {
            Versioning versioning = enumAt(Versioning.values(), d.u8());
            boolean lock = d.bool();
            DefaultRetention retention = d.bool()
                    ? new DefaultRetention(enumAt(RetentionMode.values(), d.u8()), d.varint32(), d.varint32()) : null;
            b = new BucketRecord(b.name(), b.ownerId(), b.createdMillis(), b.region(), versioning, lock, retention);
        }
        d.done();
        return b;
    }

    private static <E> E enumAt(E[] values, int ordinal) {
        if (ordinal >= values.length) {
            throw new MetadataCorruptException("unknown enum ordinal " + ordinal);
        }
        return values[ordinal];
    }

    static byte[] encode(ObjectRecord o) {
        Encoder e = new Encoder(OBJECT_TAG, V3)
                .str(o.versionId()).varint(o.size()).str(o.etag()).i64(o.lastModifiedMillis()).str(o.ownerId());
        attributes(e, o.attributes());
        checksum(e, o.checksum());
        e.varint(o.parts().size());
        for (PartSummary p : o.parts()) {
            e.varint(p.partNumber()).varint(p.size()).str(p.etag()).optStr(p.checksum());
        }
        switch (o.data()) {
            case ObjectData.Inline(String dataId, long length) -> e.u8(DATA_INLINE).str(dataId).varint(length);
            case ObjectData.None ignored -> e.u8(DATA_NONE);
            case ObjectData.Blobs(List<BlobSpan> spans) -> {
                e.u8(DATA_BLOBS).varint(spans.size());
                for (BlobSpan s : spans) {
                    e.str(s.blobId()).varint(s.length());
                }
            }
        }
        e.varint(o.seq()).bool(o.deleteMarker()).bool(o.retention() != null);
        if (o.retention() != null) {
            e.u8(o.retention().mode().ordinal()).i64(o.retention().retainUntilMillis());
        }
        e.bool(o.legalHold());
        encryption(e, o.encryption());
        return e.finish();
    }

    /** The versioning state kept by the machine: the last version sequence number and the lock clock's high-water mark. */
    record VersionState(long lastSeq, long highWaterMillis) {
        static final VersionState INITIAL = new VersionState(0, 0);
    }

    static byte[] encode(VersionState v) {
        return new Encoder(VERSION_STATE_TAG, V1).varint(v.lastSeq()).i64(v.highWaterMillis()).finish();
    }

    static VersionState decodeVersionState(byte[] raw) {
        Decoder d = new Decoder(raw, VERSION_STATE_TAG, V1);
        VersionState v = new VersionState(d.varint(), d.i64());
        d.done();
        return v;
    }

    static ObjectRecord decodeObject(byte[] raw) {
        Decoder d = new Decoder(raw, OBJECT_TAG, V3);
        String versionId = d.str();
        long size = d.varint();
        String etag = d.str();
        long modified = d.i64();
        String owner = d.str();
        ObjectAttributes attributes = attributes(d);
        StoredChecksum checksum = checksum(d);
        int partCount = d.varint32();
        List<PartSummary> parts = new ArrayList<>(partCount);
        for (int i = 0; i < partCount; i++) {
            parts.add(new PartSummary(d.varint32(), d.varint(), d.str(), d.optStr()));
        }
        ObjectData data = switch (d.u8()) {
            case DATA_INLINE -> new ObjectData.Inline(d.str(), d.varint());
            case DATA_BLOBS -> {
                int n = d.varint32();
                List<BlobSpan> spans = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    spans.add(new BlobSpan(d.str(), d.varint()));
                }
                yield new ObjectData.Blobs(spans);
            }
            case DATA_NONE -> new ObjectData.None();
            default -> throw new MetadataCorruptException("unknown object data kind");
        };
        long seq = 0;
        boolean deleteMarker = false;
        Retention retention = null;
        boolean legalHold = false;
        if (d.version() >= V2) {
            seq = d.varint();
            deleteMarker = d.bool();
            if (d.bool()) {
                retention = new Retention(enumAt(RetentionMode.values(), d.u8()), d.i64());
            }
            legalHold = d.bool();
        }
        Encryption encryption = d.version() >= V3 ? encryption(d) : null;
        d.done();
        return new ObjectRecord(versionId, size, etag, modified, owner, attributes, checksum, parts, data,
                seq, deleteMarker, retention, legalHold, encryption);
    }

    /** Optional encryption: present flag, mode, sealed key (id, generation, bytes), context, fingerprint. */
    private static void encryption(Encoder e, Encryption enc) {
        e.bool(enc != null);
        if (enc != null) {
            e.u8(enc.mode().ordinal()).str(enc.dataKey().keyId()).varint(enc.dataKey().generation())
                    .bytes(enc.dataKey().ciphertext()).optStr(enc.kmsContext());
            e.bool(enc.customerKeyFingerprint() != null);
            if (enc.customerKeyFingerprint() != null) {
                e.bytes(enc.customerKeyFingerprint());
            }
        }
    }

    private static Encryption encryption(Decoder d) {
        if (!d.bool()) {
            return null;
        }
        Encryption.Mode mode = enumAt(Encryption.Mode.values(), d.u8());
        dev.arca.crypto.WrappedKey key = new dev.arca.crypto.WrappedKey(d.str(), d.varint32(), d.bytes());
        String context = d.optStr();
        byte[] fingerprint = d.bool() ? d.bytes() : null;
        return new Encryption(mode, key, context, fingerprint);
    }

    static byte[] encode(UploadRecord u) {
        Encoder e = new Encoder(UPLOAD_TAG, V2)
                .str(u.bucket()).str(u.key()).str(u.uploadId()).i64(u.initiatedMillis()).str(u.ownerId());
        attributes(e, u.attributes());
        e.optStr(u.checksumAlgorithm() == null ? null : u.checksumAlgorithm().name());
        e.optStr(u.checksumType() == null ? null : u.checksumType().name());
        encryption(e, u.encryption());
        return e.finish();
    }

    static UploadRecord decodeUpload(byte[] raw) {
        Decoder d = new Decoder(raw, UPLOAD_TAG, V2);
        String bucket = d.str();
        String key = d.str();
        String uploadId = d.str();
        long initiated = d.i64();
        String owner = d.str();
        ObjectAttributes attributes = attributes(d);
        String alg = d.optStr();
        String type = d.optStr();
        Encryption encryption = d.version() >= V2 ? encryption(d) : null;
        d.done();
        return new UploadRecord(bucket, key, uploadId, initiated, owner, attributes,
                alg == null ? null : ChecksumAlgorithm.valueOf(alg), type == null ? null : ChecksumType.valueOf(type),
                encryption);
    }

    static byte[] encode(PartRecord p) {
        return new Encoder(PART_TAG, V1).varint(p.partNumber()).varint(p.size()).str(p.etag())
                .i64(p.lastModifiedMillis()).str(p.blobId()).optStr(p.checksum()).finish();
    }

    static PartRecord decodePart(byte[] raw) {
        Decoder d = new Decoder(raw, PART_TAG, V1);
        PartRecord p = new PartRecord(d.varint32(), d.varint(), d.str(), d.i64(), d.str(), d.optStr());
        d.done();
        return p;
    }

    /** A timestamp mark: the value of intent and garbage entries (when they were recorded). */
    static byte[] encodeMark(long millis) {
        return new Encoder(MARK_TAG, V1).i64(millis).finish();
    }

    static long decodeMark(byte[] raw) {
        Decoder d = new Decoder(raw, MARK_TAG, V1);
        long m = d.i64();
        d.done();
        return m;
    }

    /** Inline object bytes, framed and checksummed like every record. */
    static byte[] encodeData(byte[] bytes) {
        return new Encoder(DATA_TAG, V1).bytes(bytes).finish();
    }

    static byte[] decodeData(byte[] raw) {
        Decoder d = new Decoder(raw, DATA_TAG, V1);
        byte[] b = d.bytes();
        d.done();
        return b;
    }

    private static void attributes(Encoder e, ObjectAttributes a) {
        e.map(a.headers()).map(a.userMetadata()).map(a.tags());
    }

    private static ObjectAttributes attributes(Decoder d) {
        return new ObjectAttributes(d.map(), d.map(), d.map());
    }

    private static void checksum(Encoder e, StoredChecksum c) {
        e.bool(c != null);
        if (c != null) {
            e.str(c.algorithm().name()).str(c.type().name()).str(c.value());
        }
    }

    private static StoredChecksum checksum(Decoder d) {
        if (!d.bool()) {
            return null;
        }
        return new StoredChecksum(ChecksumAlgorithm.valueOf(d.str()), ChecksumType.valueOf(d.str()), d.str());
    }
}
