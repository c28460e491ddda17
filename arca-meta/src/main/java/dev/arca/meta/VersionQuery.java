package dev.arca.meta;

/**
 * A page request over a bucket's versions: keys in order, each key's versions newest first.
 *
 * @param keyMarker       start after this key (with {@code versionIdMarker}: after that version of it)
 * @param versionIdMarker with a key marker, start after this version of it (null: after all its versions)
 * @param maxKeys         most versions, delete markers and common prefixes to return
 */
public record VersionQuery(String prefix, String delimiter, String keyMarker, String versionIdMarker, int maxKeys) {
    public VersionQuery {
        prefix = prefix == null ? "" : prefix;
        if (delimiter != null && delimiter.isEmpty()) {
            delimiter = null;
        }
        if (keyMarker != null && keyMarker.isEmpty()) {
            keyMarker = null;
        }
        if (versionIdMarker != null && versionIdMarker.isEmpty()) {
            versionIdMarker = null;
        }
        if (versionIdMarker != null && keyMarker == null) {
            throw new IllegalArgumentException("version id marker without key marker");
        }
        if (maxKeys < 0) {
            throw new IllegalArgumentException("maxKeys < 0");
        }
    }
}
