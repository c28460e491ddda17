package dev.arca.iam;

import java.util.Objects;

/**
 * A long-term access key's metadata. The secret is not here: it is shown once, when the key is
 * created, and stored only sealed.
 *
 * @param accessKeyId "AKIA" and 16 upper-case base32 characters
 * @param userName    the owning user, or null for a key of the account's root user
 */
public record AccessKey(String accessKeyId, String accountId, String userName, Status status, long createdMillis) {
    public enum Status {
        ACTIVE("Active"),
        INACTIVE("Inactive");

        private final String awsName;

        Status(String awsName) {
            this.awsName = awsName;
        }

        /** "Active" or "Inactive", as the IAM API spells it. */
        public String awsName() {
            return awsName;
        }

        /** The status the IAM API names, or null if {@code s} names none. */
        public static Status parse(String s) {
            for (Status status : values()) {
                if (status.awsName.equals(s)) {
                    return status;
                }
            }
            return null;
        }
    }

    public AccessKey {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(status, "status");
    }

    /** Whether the key belongs to the account's root user rather than an IAM user. */
    public boolean isRootKey() {
        return userName == null;
    }

    AccessKey withStatus(Status newStatus) {
        return new AccessKey(accessKeyId, accountId, userName, newStatus, createdMillis);
    }
}
