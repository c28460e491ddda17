package dev.arca.iam;

import java.util.Objects;

/**
 * An IAM role that principals assume through STS.
 *
 * @param roleId                    "AROA" and 17 upper-case base32 characters
 * @param trustPolicy               the assume-role policy document, as given
 * @param maxSessionDurationSeconds the longest session AssumeRole may grant, 3600 … 43200
 * @param description               may be null
 */
public record Role(String accountId, String name, String roleId, String path, String trustPolicy,
        int maxSessionDurationSeconds, String description, long createdMillis) {
    public Role {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(roleId, "roleId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(trustPolicy, "trustPolicy");
    }

    /** arn:aws:iam::ACCOUNT:role/PATH/NAME */
    public String arn() {
        return Arns.iam(accountId, "role", path, name);
    }

    Role withTrustPolicy(String document) {
        return new Role(accountId, name, roleId, path, document, maxSessionDurationSeconds, description, createdMillis);
    }
}
