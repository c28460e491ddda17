package dev.arca.meta;

/** Object Lock retention modes. */
public enum RetentionMode {
    /** Protects a version until its date unless the caller may bypass governance and asks to. */
    GOVERNANCE,
    /** Protects a version until its date from everyone; the date can only be extended. */
    COMPLIANCE
}
