package dev.arca.iam;

import java.util.Objects;

/**
 * A customer managed policy. Arca keeps one version of each ({@link #DEFAULT_VERSION}).
 *
 * @param policyId    "ANPA" and 17 upper-case base32 characters
 * @param document    the policy document, as given
 * @param description may be null
 */
public record ManagedPolicy(String accountId, String name, String policyId, String path, String document,
        String description, long createdMillis) {
    /** The only version id a policy has: policy versions cannot be created. */
    public static final String DEFAULT_VERSION = "v1";

    public ManagedPolicy {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(document, "document");
    }

    /** arn:aws:iam::ACCOUNT:policy/PATH/NAME */
    public String arn() {
        return Arns.iam(accountId, "policy", path, name);
    }

    public String defaultVersion() {
        return DEFAULT_VERSION;
    }
}
