package dev.arca.meta;

import java.util.OptionalLong;

/**
 * Version ids. Every version has a sequence number the metadata machine assigns at commit from one
 * counter, so a key's versions order by commit. A version written while versioning is enabled is
 * named by its sequence number (16 lower-case hex digits after a 'v'); a version written while the
 * bucket is unversioned or suspended is named "null", as in S3, and found through the null index.
 */
public final class VersionIds {
    /** The id of versions written while versioning is not enabled. */
    public static final String NULL = "null";
    private static final int HEX_DIGITS = 16;

    private VersionIds() {}

    public static String of(long seq) {
        if (seq <= 0) {
            throw new IllegalArgumentException("seq " + seq);
        }
        String hex = Long.toHexString(seq);
        return "v" + "0".repeat(HEX_DIGITS - hex.length()) + hex;
    }

    /** The sequence number a non-null id names, or empty if {@code id} is not one Arca issues. */
    public static OptionalLong seqOf(String id) {
        if (id == null || id.length() != HEX_DIGITS + 1 || id.charAt(0) != 'v') {
            return OptionalLong.empty();
        }
        long seq = 0;
        for (int i = 1; i < id.length(); i++) {
            int d = Character.digit(id.charAt(i), 16);
            if (d < 0 || Character.isUpperCase(id.charAt(i))) {
                return OptionalLong.empty();
            }
            seq = (seq << 4) | d;
        }
        return seq > 0 ? OptionalLong.of(seq) : OptionalLong.empty();
    }

    /** Whether {@code id} is "null" or an id Arca issues (anything else is InvalidArgument in S3). */
    public static boolean isValid(String id) {
        return NULL.equals(id) || seqOf(id).isPresent();
    }
}
