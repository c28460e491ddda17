package dev.arca.meta;

import java.util.List;

/**
 * One page of ListObjectVersions: versions and delete markers in order (keys ascending, each key's
 * versions newest first), common prefixes, and where the next page starts when truncated.
 */
public record VersionListing(List<Entry> versions, List<String> commonPrefixes, boolean truncated,
        String nextKeyMarker, String nextVersionIdMarker) {
    /** A version (or delete marker) of {@code key}; {@code latest} if it is the key's newest version. */
    public record Entry(String key, ObjectRecord record, boolean latest) {}
}
