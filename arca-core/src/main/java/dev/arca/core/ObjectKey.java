package dev.arca.core;

import java.nio.charset.StandardCharsets;

/**
 * An object key: 1 to {@link Limits#MAX_KEY_BYTES} bytes of UTF-8, without NUL. Keys are opaque:
 * they are never used as file names, so {@code ../}, {@code //} and the like are ordinary keys.
 * Keys order by their UTF-8 bytes, as S3 lists them.
 */
public record ObjectKey(String value) implements Comparable<ObjectKey> {
    public ObjectKey {
        if (value == null || value.isEmpty()) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "Object key must not be empty");
        }
        if (value.indexOf('\0') >= 0) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "Object key must not contain NUL");
        }
        if (!isWellFormed(value)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "Object key is not valid UTF-8");
        }
        int bytes = utf8Length(value);
        if (bytes > Limits.MAX_KEY_BYTES) {
            throw new StoreException(new Failure(FailureKind.KEY_TOO_LONG,
                    "Your key is too long", "", java.util.Map.of(
                            "Size", Integer.toString(bytes), "MaxSizeAllowed", Integer.toString(Limits.MAX_KEY_BYTES))));
        }
    }

    public byte[] utf8() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** True if the string has no unpaired surrogates (so it round-trips through UTF-8). */
    public static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    @Override
    public int compareTo(ObjectKey other) {
        return compareUtf8(value, other.value);
    }

    /** Compares two strings in the order of their UTF-8 encodings (code point order). */
    public static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    @Override
    public String toString() {
        return value;
    }
}
