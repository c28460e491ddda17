package dev.arca.s3.auth;

import java.util.Objects;

/**
 * An access key and what it authenticates as: the secret used to verify SigV4 signatures, and the
 * owner (canonical user id and display name) that requests signed with it act for.
 *
 * <p>{@link #toString()} never shows the secret, so a credential can be logged safely.
 */
public record Credential(String accessKeyId, String secretKey, String ownerId, String displayName) {
    public Credential {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(displayName, "displayName");
    }

    @Override
    public String toString() {
        return "Credential[accessKeyId=" + accessKeyId + ", ownerId=" + ownerId + ", displayName=" + displayName
                + ", secretKey=<redacted>]";
    }
}
