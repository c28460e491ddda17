package dev.arca.iam.policy;

/** Where a policy document is used, which sets its size limit and whether it names principals. */
public enum PolicyKind {
    /** An inline user, group or role policy (no Principal): at most 10,240 characters in total per identity; 2,048 per user policy in AWS. */
    INLINE(10_240, false),
    /** A customer managed policy (no Principal): at most 6,144 characters. */
    MANAGED(6_144, false),
    /** A bucket policy (Principal required): at most 20 KB. */
    BUCKET(20_480, true),
    /** A role trust policy (Principal required, actions sts:AssumeRole…): at most 2,048 characters. */
    TRUST(2_048, true);

    private final int maxChars;
    private final boolean principalRequired;

    PolicyKind(int maxChars, boolean principalRequired) {
        this.maxChars = maxChars;
        this.principalRequired = principalRequired;
    }

    public int maxChars() {
        return maxChars;
    }

    public boolean principalRequired() {
        return principalRequired;
    }
}
