package dev.arca.meta;

import java.util.List;
import java.util.Objects;

/**
 * The committed state of one object version.
 *
 * @param versionId    "null" until versioning exists
 * @param size         object length in bytes
 * @param etag         the ETag without quotes: hex MD5, or hex MD5-of-MD5s + "-N" for multipart
 * @param checksum     the object's checksum, or null if none was requested or computed
 * @param parts        the parts of a multipart object in order (empty for a single PUT)
 * @param data         where the bytes are
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
        ObjectData data) {
    public ObjectRecord {
        Objects.requireNonNull(versionId, "versionId");
        Objects.requireNonNull(etag, "etag");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(attributes, "attributes");
        Objects.requireNonNull(data, "data");
        parts = List.copyOf(parts);
    }

    public ObjectRecord withAttributes(ObjectAttributes newAttributes) {
        return new ObjectRecord(versionId, size, etag, lastModifiedMillis, ownerId, newAttributes, checksum, parts, data);
    }
}
