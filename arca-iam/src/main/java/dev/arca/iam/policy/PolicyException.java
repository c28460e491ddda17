package dev.arca.iam.policy;

/**
 * A policy document that cannot be accepted: malformed JSON, a missing or unknown element, an
 * unknown action or condition operator, a bad principal, or too large. The message says what and
 * where, as AWS's MalformedPolicy / MalformedPolicyDocument messages do.
 */
public final class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }
}
