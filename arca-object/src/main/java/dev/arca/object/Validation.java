package dev.arca.object;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.meta.ObjectAttributes;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** S3's limits on what a writer may attach to an object: user metadata size and tag sets. */
public final class Validation {
    private Validation() {}

    /** User metadata (names without x-amz-meta- plus values, UTF-8 bytes) must fit in 2 KB. */
    public static void userMetadata(ObjectAttributes attributes) {
        int size = 0;
        for (Map.Entry<String, String> e : attributes.userMetadata().entrySet()) {
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > Limits.MAX_USER_METADATA_BYTES) {
            throw new StoreException(new Failure(FailureKind.METADATA_TOO_LARGE,
                    "Your metadata headers exceed the maximum allowed metadata size.", "",
                    Map.of("Size", Integer.toString(size), "MaxSizeAllowed", Integer.toString(Limits.MAX_USER_METADATA_BYTES))));
        }
    }

    /** At most 10 tags; keys 1–128 characters, values 0–256, from S3's allowed character set. */
    public static void tags(Map<String, String> tags) {
        if (tags.size() > Limits.MAX_TAGS_PER_OBJECT) {
            throw StoreException.of(FailureKind.INVALID_TAG, "Object tags cannot be greater than 10");
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.isEmpty() || k.codePointCount(0, k.length()) > Limits.MAX_TAG_KEY_CHARS) {
                throw StoreException.of(FailureKind.INVALID_TAG, "The TagKey you have provided is too long, max 128");
            }
            if (v.codePointCount(0, v.length()) > Limits.MAX_TAG_VALUE_CHARS) {
                throw StoreException.of(FailureKind.INVALID_TAG, "The TagValue you have provided is too long, max 256");
            }
            if (!allowedTagText(k)) {
                throw StoreException.of(FailureKind.INVALID_TAG, "The TagKey you have provided is invalid");
            }
            if (!allowedTagText(v)) {
                throw StoreException.of(FailureKind.INVALID_TAG, "The TagValue you have provided is invalid");
            }
            if (k.startsWith("aws:")) {
                throw StoreException.of(FailureKind.INVALID_TAG, "Your TagKey cannot be prefixed with aws:");
            }
        }
    }

    /** Letters, digits, white space and + - = . _ : / @ (S3's tag alphabet). */
    private static boolean allowedTagText(String s) {
        return s.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || Character.isSpaceChar(c)
                || "+-=._:/@".indexOf(c) >= 0);
    }
}
