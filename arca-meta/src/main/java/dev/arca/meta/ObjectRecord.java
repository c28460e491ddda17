package dev.arca.meta;

import java.util.List;
import java.util.Objects;

/**
 * The committed state of one object version, or a delete marker.
 *
 * @param versionId    "null" for a version written while versioning was not enabled, else {@link VersionIds#of}(seq)
 * @param size         object length in bytes (0 for a delete marker)
 * @param etag         the ETag without quotes: hex MD5, or hex MD5-of-MD5s + "-N" for multipart ("" for a delete marker)
 * @param checksum     the object's checksum, or null if none was requested or computed
 * @param parts        the parts of a multipart object in order (empty for a single PUT)
 * @param data         where the bytes are (empty inline data for a delete marker)
 * @param seq          commit order of the version among all versions (0 until the metadata machine commits it)
 * @param deleteMarker whether this version is a delete marker
 * @param retention    the Object Lock retention, or null
 * @param legalHold    whether an Object Lock legal hold is on
 * @param encryption   how the bytes are sealed, or null for data stored in clear (written with encryption off)
 */
public record ObjectRecord(
        String versionId,
        long size,
        String etag,
        long lastModifiedMillis,
        String ownerId,
        ObjectAttributes attributes,
        StoredChecksum checksum,
        List<PartSummary> parts,
        ObjectData data,
        long seq,
        boolean deleteMarker,
        Retention retention,
        boolean legalHold,
        Encryption encryption) {
    public ObjectRecord {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(attributes, "attributes");
        Objects.requireNonNull(data, "data");
        parts = List.copyOf(parts);
        if (deleteMarker && (size != 0 || !data.blobIds().isEmpty() || retention != null || legalHold
                || encryption != null)) {
            throw new IllegalArgumentException("a delete marker has no data and no lock");
        }
    }

    /** A version without encryption. */
    public ObjectRecord(String versionId, long size, String etag, long lastModifiedMillis, String ownerId,
            ObjectAttributes attributes, StoredChecksum checksum, List<PartSummary> parts, ObjectData data, long seq,
            boolean deleteMarker, Retention retention, boolean legalHold) {
        this(versionId, size, etag, lastModifiedMillis, ownerId, attributes, checksum, parts, data, seq, deleteMarker,
                retention, legalHold, null);
    }

    /** A version not yet committed (the machine assigns its id and sequence number), without lock. */
    public ObjectRecord(String versionId, long size, String etag, long lastModifiedMillis, String ownerId,
            ObjectAttributes attributes, StoredChecksum checksum, List<PartSummary> parts, ObjectData data) {
        this(versionId, size, etag, lastModifiedMillis, ownerId, attributes, checksum, parts, data, 0, false, null, false);
    }

    /** A delete marker, to be committed. */
    public static ObjectRecord deleteMarker(long lastModifiedMillis, String ownerId) {
        return new ObjectRecord(VersionIds.NULL, 0, "", lastModifiedMillis, ownerId, ObjectAttributes.EMPTY, null,
                List.of(), new ObjectData.None(), 0, true, null, false);
    }

    public ObjectRecord withAttributes(ObjectAttributes newAttributes) {
        return new ObjectRecord(versionId, size, etag, lastModifiedMillis, ownerId, newAttributes, checksum, parts, data,
                seq, deleteMarker, retention, legalHold, encryption);
    }

    public ObjectRecord withVersion(String newVersionId, long newSeq) {
        return new ObjectRecord(newVersionId, size, etag, lastModifiedMillis, ownerId, attributes, checksum, parts, data,
                newSeq, deleteMarker, retention, legalHold, encryption);
    }

    public ObjectRecord withLock(Retention newRetention, boolean newLegalHold) {
        return new ObjectRecord(versionId, size, etag, lastModifiedMillis, ownerId, attributes, checksum, parts, data,
                seq, deleteMarker, newRetention, newLegalHold, encryption);
    }

    public ObjectRecord withEncryption(Encryption newEncryption) {
        return new ObjectRecord(versionId, size, etag, lastModifiedMillis, ownerId, attributes, checksum, parts, data,
                seq, deleteMarker, retention, legalHold, newEncryption);
    }

    /**
     * Whether Object Lock forbids removing this version at {@code lockNowMillis}: a legal hold, an
     * active COMPLIANCE retention, or an active GOVERNANCE retention unless {@code bypassGovernance}.
     */
    public boolean protectedAt(long lockNowMillis, boolean bypassGovernance) {
        if (legalHold) {
            return true;
        }
        if (retention == null || !retention.activeAt(lockNowMillis)) {
            return false;
        }
        return retention.mode() == RetentionMode.COMPLIANCE || !bypassGovernance;
    }
}
