package dev.arca.object.lifecycle;

import dev.arca.core.Limits;
import dev.arca.object.Validation;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Which objects a lifecycle rule applies to: S3's {@code <Filter>} (empty, or exactly one of Prefix,
 * Tag, ObjectSizeGreaterThan, ObjectSizeLessThan, or an And of several), or the rule-level
 * {@code <Prefix>} of the original API. Kept as written so GetBucketLifecycleConfiguration returns
 * what was put.
 */
public sealed interface LifecycleFilter {
    /** The key prefix every matching key starts with ("" for any key). */
    default String prefix() {
        return "";
    }

    /** Tags a matching object must carry, all of them, with these values (empty for none). */
    default Map<String, String> tags() {
        return Map.of();
    }

    /** Whether the filter looks at object sizes. */
    default boolean hasSizeCondition() {
        return false;
    }

    /** Whether an object (a version) with this key, size and tag set matches. */
    default boolean matches(String key, long size, Map<String, String> objectTags) {
        if (!key.startsWith(prefix())) {
            return false;
        }
        for (Map.Entry<String, String> t : tags().entrySet()) {
            if (!t.getValue().equals(objectTags.get(t.getKey()))) {
                return false;
            }
        }
        return sizeMatches(size);
    }

    /** Whether a size passes the filter's size conditions (true when there are none). */
    default boolean sizeMatches(long size) {
        return true;
    }

    /** An empty {@code <Filter/>}: every object. */
    record All() implements LifecycleFilter {}

    /** The rule-level {@code <Prefix>} of the original API (no {@code <Filter>} element). */
    record LegacyPrefix(String prefix) implements LifecycleFilter {
        public LegacyPrefix {
            checkPrefix(prefix);
        }
    }

    /** {@code <Filter><Prefix>}. */
    record Prefix(String prefix) implements LifecycleFilter {
        public Prefix {
            checkPrefix(prefix);
        }
    }

    /** {@code <Filter><Tag>}: objects carrying this tag. */
    record Tag(String key, String value) implements LifecycleFilter {
        public Tag {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            Validation.tags(Map.of(key, value));
        }

        @Override
        public Map<String, String> tags() {
            return Map.of(key, value);
        }
    }

    /** {@code <Filter><ObjectSizeGreaterThan>}: objects strictly larger than {@code bytes}. */
    record SizeGreaterThan(long bytes) implements LifecycleFilter {
        public SizeGreaterThan {
            checkSizes(bytes, null);
        }

        @Override
        public boolean hasSizeCondition() {
            return true;
        }

        @Override
        public boolean sizeMatches(long size) {
            return size > bytes;
        }
    }

    /** {@code <Filter><ObjectSizeLessThan>}: objects strictly smaller than {@code bytes}. */
    record SizeLessThan(long bytes) implements LifecycleFilter {
        public SizeLessThan {
            checkSizes(null, bytes);
        }

        @Override
        public boolean hasSizeCondition() {
            return true;
        }

        @Override
        public boolean sizeMatches(long size) {
            return size < bytes;
        }
    }

    /**
     * {@code <Filter><And>}: every given condition holds. {@code prefix} "" when absent; {@code tags}
     * in document order; sizes null when absent. At least one condition must be given.
     */
    record And(String prefix, Map<String, String> tags, Long sizeGreaterThan, Long sizeLessThan)
            implements LifecycleFilter {
        public And {
            prefix = prefix == null ? "" : prefix;
            checkPrefix(prefix);
            tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
            if (prefix.isEmpty() && tags.isEmpty() && sizeGreaterThan == null && sizeLessThan == null) {
                throw Errors.malformed();
            }
            Validation.tags(tags);
            checkSizes(sizeGreaterThan, sizeLessThan);
        }

        @Override
        public boolean hasSizeCondition() {
            return sizeGreaterThan != null || sizeLessThan != null;
        }

        @Override
        public boolean sizeMatches(long size) {
            return (sizeGreaterThan == null || size > sizeGreaterThan) && (sizeLessThan == null || size < sizeLessThan);
        }
    }

    private static void checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_KEY_BYTES) {
            throw Errors.invalidArgument("The maximum length of a prefix is " + Limits.MAX_KEY_BYTES + " bytes");
        }
    }

    private static void checkSizes(Long greaterThan, Long lessThan) {
        if (greaterThan != null && (greaterThan < 0 || greaterThan > Limits.MAX_OBJECT_SIZE)) {
            throw Errors.invalidArgument("'ObjectSizeGreaterThan' must be a non-negative integer no larger than "
                    + Limits.MAX_OBJECT_SIZE);
        }
        if (lessThan != null && (lessThan <= 0 || lessThan > Limits.MAX_OBJECT_SIZE)) {
            throw Errors.invalidArgument("'ObjectSizeLessThan' must be a positive integer no larger than "
                    + Limits.MAX_OBJECT_SIZE);
        }
        if (greaterThan != null && lessThan != null && greaterThan >= lessThan) {
            throw Errors.invalidArgument("'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'");
        }
    }
}
