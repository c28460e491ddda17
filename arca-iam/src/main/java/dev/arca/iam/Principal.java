package dev.arca.iam;

import java.util.Objects;

/**
 * Who a request acts as, once authenticated.
 *
 * @param kind        account root user, IAM user, assumed-role session, or anonymous
 * @param accountId   the 12-digit account id ("" for anonymous)
 * @param canonicalId the account's canonical user id, which S3 shows as bucket and object owner ("" for anonymous)
 * @param name        user name, role name, or the account name for its root user ("" for anonymous)
 * @param userId      the unique id AWS calls aws:userid (AIDA… for users, AROA…:session for sessions)
 * @param arn         arn:aws:iam::ACCOUNT:root, …:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, or "*" for anonymous
 * @param sessionName the role session name for an assumed role, else null
 */
public record Principal(Kind kind, String accountId, String canonicalId, String name, String userId, String arn,
        String sessionName) {
    public enum Kind { ACCOUNT_ROOT, USER, ASSUMED_ROLE, ANONYMOUS }

    public static final Principal ANONYMOUS = new Principal(Kind.ANONYMOUS, "", "", "", "anonymous", "*", null);

    public Principal {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(canonicalId, "canonicalId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(arn, "arn");
    }

    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** The ARN of the role an assumed-role session belongs to (arn:aws:iam::ACCOUNT:role/NAME), else the principal's ARN. */
    public String roleArn() {
        return kind == Kind.ASSUMED_ROLE ? "arn:aws:iam::" + accountId + ":role/" + name : arn;
    }
}
