package dev.arca.s3.auth;

import dev.arca.iam.Principal;
import java.util.Objects;

/**
 * An access key and what it authenticates as: the secret used to verify SigV4 signatures, the
 * owner (the account's canonical user id and display name) that requests signed with it act for,
 * and the IAM principal authorization evaluates.
 *
 * <p>{@link #toString()} never shows the secret, so a credential can be logged safely.
 */
public record Credential(String accessKeyId, String secretKey, String ownerId, String displayName, Principal principal) {
    public Credential {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(principal, "principal");
    }

    /** A credential of an account's root user (account id 000000000000: tests and tools). */
    public Credential(String accessKeyId, String secretKey, String ownerId, String displayName) {
        this(accessKeyId, secretKey, ownerId, displayName, new Principal(Principal.Kind.ACCOUNT_ROOT, "000000000000",
                ownerId, displayName, "000000000000", "arn:aws:iam::000000000000:root", null));
    }

    @Override
    public String toString() {
        return "Credential[accessKeyId=" + accessKeyId + ", ownerId=" + ownerId + ", displayName=" + displayName
                + ", principal=" + principal.arn() + ", secretKey=<redacted>]";
    }
}
