package dev.arca.meta;

/**
 * A bucket's versioning state, as S3 names it. A bucket starts {@link #UNVERSIONED}; once
 * versioning is enabled it can only be {@link #ENABLED} or {@link #SUSPENDED}, never unversioned again.
 */
public enum Versioning {
    /** Never enabled: every write replaces the key's single "null" version. */
    UNVERSIONED,
    /** Every write and delete adds a new version with a fresh version id. */
    ENABLED,
    /** Writes and deletes replace the key's "null" version; older versions stay. */
    SUSPENDED
}
