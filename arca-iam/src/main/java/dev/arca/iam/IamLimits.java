package dev.arca.iam;

/** Every IAM and STS quota and bound, named as AWS names them where AWS has one. */
public final class IamLimits {
    private IamLimits() {}

    /** Accounts besides the system account. */
    public static final int ACCOUNTS = 1_000;
    public static final int USERS_PER_ACCOUNT = 5_000;
    public static final int GROUPS_PER_ACCOUNT = 300;
    public static final int ROLES_PER_ACCOUNT = 1_000;
    public static final int POLICIES_PER_ACCOUNT = 1_500;
    /** Access keys of one user, or of an account's root user, active or not. */
    public static final int ACCESS_KEYS_PER_USER = 2;
    public static final int GROUPS_PER_USER = 10;
    /** Managed policies attached to one user, group or role. */
    public static final int ATTACHED_POLICIES_PER_IDENTITY = 10;
    /** Total non-whitespace characters of a user's inline policies (AWS: 2,048). */
    public static final int INLINE_CHARS_PER_USER = 2_048;
    /** Total non-whitespace characters of a group's inline policies (AWS: 5,120). */
    public static final int INLINE_CHARS_PER_GROUP = 5_120;
    /** Total non-whitespace characters of a role's inline policies (AWS: 10,240). */
    public static final int INLINE_CHARS_PER_ROLE = 10_240;

    public static final int USER_NAME_MAX = 64;
    public static final int GROUP_NAME_MAX = 128;
    public static final int ROLE_NAME_MAX = 64;
    public static final int POLICY_NAME_MAX = 128;
    public static final int ACCOUNT_NAME_MAX = 64;
    public static final int PATH_MAX = 512;
    public static final int DESCRIPTION_MAX = 1_000;
    public static final int SESSION_NAME_MIN = 2;
    public static final int SESSION_NAME_MAX = 64;

    public static final int MIN_SESSION_SECONDS = 900;
    public static final int DEFAULT_SESSION_SECONDS = 3_600;
    /** The least and most a role's MaxSessionDuration may be. */
    public static final int MIN_MAX_SESSION_SECONDS = 3_600;
    public static final int MAX_MAX_SESSION_SECONDS = 43_200;
    /** A session assumed by another role's session lasts at most an hour (role chaining). */
    public static final int CHAINED_SESSION_SECONDS = 3_600;

    /** List page size bounds (MaxItems). */
    public static final int MAX_ITEMS_DEFAULT = 100;
    public static final int MAX_ITEMS_MAX = 1_000;

    /** A session token longer than this is not one Arca issued: rejected before decoding. */
    public static final int SESSION_TOKEN_MAX_CHARS = 1_024;
}
