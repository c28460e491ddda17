package dev.arca.server.metrics;

import dev.arca.s3.S3Operation;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds the {@code operation} label. S3 operations, probes and "unknown" are a fixed set and pass as
 * they are. IAM, STS and admin names ({@code iam:CreateUser}, {@code admin:storage}) come from the
 * request, so one is admitted as its own label only once a request with it has succeeded (a name the
 * server does not know never succeeds), and at most {@link #MAX_DYNAMIC} of them; anything else counts as
 * {@code iam:other}, {@code sts:other}, {@code admin:other} or {@code other}. Thread-safe.
 */
final class OperationLabels {
    /** Most distinct IAM/STS/admin operation labels (IAM has about 40 actions, admin a handful of paths). */
    static final int MAX_DYNAMIC = 96;
    /** Longest IAM/STS/admin name kept (the prefix not counted). */
    static final int MAX_NAME_CHARS = 48;
    static final String OTHER = "other";

    private static final Set<String> FIXED;
    private static final Set<String> DYNAMIC_PREFIXES = Set.of("iam", "sts", "admin");

    static {
        Set<String> fixed = new HashSet<>();
        for (S3Operation op : S3Operation.values()) {
            fixed.add(op.awsName());
        }
        fixed.add("health");
        fixed.add("metrics");
        fixed.add("unknown");
        FIXED = Set.copyOf(fixed);
    }

    private final Set<String> admitted = ConcurrentHashMap.newKeySet();

    /** The label for {@code operation}, answered with {@code status}. */
    String label(String operation, int status) {
        if (operation == null) {
            return "unknown";
        }
        if (FIXED.contains(operation) || admitted.contains(operation)) {
            return operation;
        }
        int colon = operation.indexOf(':');
        String prefix = colon < 0 ? null : operation.substring(0, colon);
        if (prefix == null || !DYNAMIC_PREFIXES.contains(prefix)) {
            return OTHER;
        }
        String name = operation.substring(colon + 1);
        if (status < 400 && validName(name) && admit(operation)) {
            return operation;
        }
        return prefix + ":" + OTHER;
    }

    private synchronized boolean admit(String operation) {
        if (admitted.contains(operation)) {
            return true;
        }
        if (admitted.size() >= MAX_DYNAMIC) {
            return false;
        }
        admitted.add(operation);
        return true;
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_CHARS || name.equals(OTHER)) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }
}
