package dev.arca.iam;

import java.util.Objects;

/**
 * A tenant: owns its buckets, users, groups, roles and policies.
 *
 * @param id            12 decimal digits, the account id in ARNs
 * @param name          unique (case-insensitively) among accounts
 * @param canonicalId   what S3 shows as bucket and object owner: 64 lower-case hex digits, or
 *                      {@link #SYSTEM_CANONICAL_ID} for the system account
 * @param createdMillis creation time, epoch milliseconds
 */
public record Account(String id, String name, String canonicalId, long createdMillis) {
    /** The built-in account that the server's root credentials belong to; never stored. */
    public static final String SYSTEM_ID = "000000000000";
    public static final String SYSTEM_NAME = "arca-root";
    /** Exactly the owner id that buckets created before accounts existed carry. */
    public static final String SYSTEM_CANONICAL_ID = "arca-root";

    public Account {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(canonicalId, "canonicalId");
    }

    /** The system account, created at time 0. */
    public static Account system() {
        return new Account(SYSTEM_ID, SYSTEM_NAME, SYSTEM_CANONICAL_ID, 0);
    }

    public boolean isSystem() {
        return SYSTEM_ID.equals(id);
    }

    /** arn:aws:iam::ACCOUNT:root, the account's root user. */
    public String rootArn() {
        return Arns.root(id);
    }

    /** The principal that the account's root access keys authenticate as. */
    public Principal rootPrincipal() {
        return new Principal(Principal.Kind.ACCOUNT_ROOT, id, canonicalId, name, id, rootArn(), null);
    }
}
