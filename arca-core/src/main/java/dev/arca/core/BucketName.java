package dev.arca.core;

import java.util.regex.Pattern;

/**
 * A bucket name that satisfies the AWS rules for general purpose buckets: 3–63 characters of
 * lower-case letters, digits, dots and hyphens; starts and ends with a letter or digit; no two
 * adjacent dots; not an IPv4 address; none of the reserved prefixes and suffixes.
 */
public record BucketName(String value) implements Comparable<BucketName> {
    private static final Pattern SHAPE = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final String[] RESERVED_PREFIXES = {"xn--", "sthree-", "amzn-s3-demo-"};
    private static final String[] RESERVED_SUFFIXES = {"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"};

    public BucketName {
        String problem = problem(value);
        if (problem != null) {
            throw new StoreException(new Failure(FailureKind.INVALID_BUCKET_NAME,
                    "The specified bucket is not valid: " + problem, value == null ? "" : value,
                    java.util.Map.of("BucketName", value == null ? "" : value)));
        }
    }

    /** Returns why {@code name} is not a valid bucket name, or null if it is valid. */
    public static String problem(String name) {
        if (name == null || name.length() < 3 || name.length() > 63) {
            return "length must be 3 to 63 characters";
        }
        if (!SHAPE.matcher(name).matches()) {
            return "only lower-case letters, digits, '.' and '-', starting and ending with a letter or digit";
        }
        if (name.contains("..") || name.contains(".-") || name.contains("-.")) {
            return "adjacent periods, or a period next to a hyphen";
        }
        if (IPV4.matcher(name).matches()) {
            return "must not be formatted as an IP address";
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (name.startsWith(prefix)) {
                return "reserved prefix " + prefix;
            }
        }
        for (String suffix : RESERVED_SUFFIXES) {
            if (name.endsWith(suffix)) {
                return "reserved suffix " + suffix;
            }
        }
        return null;
    }

    @Override
    public int compareTo(BucketName other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
