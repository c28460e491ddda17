package dev.arca.detect;

import java.util.Optional;

/**
 * A detector: what it watches on the request stream. Each has its own threshold, window and
 * responses in {@link DetectorSettings}; its {@link #id()} names it in the rules file, the audit log
 * and the admin API.
 */
public enum Rule {
    /** Objects deleted (DeleteObject, and each key a DeleteObjects removed). */
    MASS_DELETE("mass-delete"),
    /** Writes that replaced a current version (PutObject, CopyObject, CompleteMultipartUpload). */
    MASS_OVERWRITE("mass-overwrite"),
    /** Overwrites whose payload sample looks encrypted while the version it replaced did not. */
    ENTROPY_OVERWRITE("entropy-overwrite"),
    /** Overwrites of existing objects under a customer-provided key (SSE-C): data only the attacker can read. */
    SSE_C_REENCRYPTION("sse-c-reencryption"),
    /** Attempts to suspend versioning, weaken or remove Object Lock settings, shorten retention or lift a legal hold. */
    CONFIG_TAMPER("config-tamper"),
    /** Changes to or deletion of bucket encryption or lifecycle configuration. */
    CONFIG_CHANGE("config-change"),
    /** AccessDenied, InvalidAccessKeyId and SignatureDoesNotMatch answers: credential probing. */
    ACCESS_DENIED("access-denied"),
    /** Reads (GET, HEAD, listings) far above the principal's own baseline. */
    EXFILTRATION("exfiltration");

    private final String id;

    Rule(String id) {
        this.id = id;
    }

    /** The rule's name in rules files, audit records and JSON, e.g. "mass-delete". */
    public String id() {
        return id;
    }

    public static Optional<Rule> byId(String id) {
        for (Rule r : values()) {
            if (r.id.equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }
}
