package dev.arca.iam;

import java.util.Objects;

/** An IAM group; {@code groupId} is "AGPA" and 17 upper-case base32 characters. */
public record Group(String accountId, String name, String groupId, String path, long createdMillis) {
    public Group {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(groupId, "groupId");
        Objects.requireNonNull(path, "path");
    }

    /** arn:aws:iam::ACCOUNT:group/PATH/NAME */
    public String arn() {
        return Arns.iam(accountId, "group", path, name);
    }
}
