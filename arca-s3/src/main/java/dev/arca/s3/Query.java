package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.http.UriEncoding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Decoded query parameters of a request (first value wins for repeated names). */
public final class Query {
    private final Map<String, String> params = new LinkedHashMap<>();

    Query(String rawQuery) {
        for (Map.Entry<String, String> e : UriEncoding.parseQuery(rawQuery)) {
            params.putIfAbsent(e.getKey(), e.getValue());
        }
    }

    public boolean has(String name) {
        return params.containsKey(name);
    }

    /** The value, or null if absent. */
    public String get(String name) {
        return params.get(name);
    }

    public Set<String> names() {
        return params.keySet();
    }

    /** Every parameter, decoded, in request order. */
    public Map<String, String> decoded() {
        return java.util.Collections.unmodifiableMap(params);
    }

    /** An optional integer parameter in [min, max]; absent gives {@code absent}; malformed is InvalidArgument. */
    public int intParam(String name, int absent, int min, int max) {
        String v = params.get(name);
        if (v == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw invalid(name, v);
            }
            return Math.min(n, max);
        } catch (NumberFormatException e) {
            throw invalid(name, v);
        }
    }

    static StoreException invalid(String name, String value) {
        return new StoreException(new dev.arca.core.Failure(FailureKind.INVALID_ARGUMENT,
                "Invalid value for argument " + name, "", Map.of("ArgumentName", name, "ArgumentValue", value)));
    }

    /** Parameters that name an S3 subresource (used by the router to pick an operation). */
    static final List<String> SUBRESOURCES = List.of(
            "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
            "inventory", "legal-hold", "lifecycle", "location", "logging", "metrics", "notification", "object-lock",
            "ownershipControls", "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication",
            "requestPayment", "restore", "retention", "select", "session", "tagging", "torrent", "uploadId", "uploads",
            "versioning", "versions", "website", "metadataTable", "renameObject");
}
