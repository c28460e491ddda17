package dev.arca.iam.policy;

/** The outcome of evaluating one policy, or of a whole authorization. */
public enum Decision {
    /** An Allow statement matched and no Deny did. */
    ALLOW,
    /** A Deny statement matched: wins over any Allow, anywhere. */
    EXPLICIT_DENY,
    /** Nothing matched: denied by default. */
    IMPLICIT_DENY;

    public boolean allowed() {
        return this == ALLOW;
    }
}
