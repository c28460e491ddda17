package dev.arca.iam;

import java.util.Objects;

/**
 * An IAM user.
 *
 * @param userId        "AIDA" and 17 upper-case base32 characters, as AWS's unique ids
 * @param path          "/" unless created with another path
 * @param createdMillis creation time, epoch milliseconds
 */
public record User(String accountId, String name, String userId, String path, long createdMillis) {
    public User {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(path, "path");
    }

    /** arn:aws:iam::ACCOUNT:user/PATH/NAME */
    public String arn() {
        return Arns.iam(accountId, "user", path, name);
    }
}
