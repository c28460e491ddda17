package dev.arca.meta;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a writer says about an object besides its bytes: stored HTTP headers (Content-Type,
 * Content-Encoding, Content-Disposition, Content-Language, Cache-Control, Expires, by lower-case
 * name), user metadata (x-amz-meta-* names, lower-case, without the prefix) and tags (in order).
 */
public record ObjectAttributes(Map<String, String> headers, Map<String, String> userMetadata, Map<String, String> tags) {
    public static final ObjectAttributes EMPTY = new ObjectAttributes(Map.of(), Map.of(), Map.of());

    public ObjectAttributes {
        headers = copy(headers);
        userMetadata = copy(userMetadata);
        tags = copy(tags);
    }

    public ObjectAttributes withTags(Map<String, String> newTags) {
        return new ObjectAttributes(headers, userMetadata, newTags);
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return m == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
