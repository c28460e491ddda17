package dev.arca.s3;

import dev.arca.core.BucketName;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.meta.VersionIds;
import dev.arca.object.CopySource;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.UriEncoding;
import java.util.Map;

/** Parses x-amz-copy-source ("[/]bucket/key[?versionId=id]", URL-encoded) and x-amz-copy-source-range. */
final class CopySources {
    private CopySources() {}

    static CopySource parse(Headers h) {
        String raw = h.get("x-amz-copy-source");
        if (raw == null || raw.isBlank()) {
            throw invalid(raw);
        }
        String value = raw.trim();
        int q = value.indexOf('?');
        String versionId = null;
        if (q >= 0) {
            String query = value.substring(q + 1);
            value = value.substring(0, q);
            for (var e : UriEncoding.parseQuery(query)) {
                if (e.getKey().equals("versionId")) {
                    versionId = e.getValue();
                }
            }
        }
        String decoded = UriEncoding.decodePath(value);
        if (decoded.startsWith("/")) {
            decoded = decoded.substring(1);
        }
        int slash = decoded.indexOf('/');
        if (slash <= 0 || slash == decoded.length() - 1) {
            throw invalid(raw);
        }
        if (versionId != null && !VersionIds.isValid(versionId)) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "Invalid version id specified", "",
                    Map.of("ArgumentName", "x-amz-copy-source", "ArgumentValue", raw)));
        }
        return new CopySource(new BucketName(decoded.substring(0, slash)), new ObjectKey(decoded.substring(slash + 1)),
                RequestHeaders.conditions(h, "x-amz-copy-source-"), versionId);
    }

    /** Parses x-amz-copy-source-range "bytes=first-last" into {first, last}, or null if absent. */
    static long[] range(Headers h) {
        String raw = h.get("x-amz-copy-source-range");
        if (raw == null) {
            return null;
        }
        String v = raw.trim();
        try {
            if (v.startsWith("bytes=")) {
                String[] parts = v.substring(6).split("-", -1);
                if (parts.length == 2) {
                    long first = Long.parseLong(parts[0].trim());
                    long last = Long.parseLong(parts[1].trim());
                    if (first >= 0 && last >= first) {
                        return new long[] {first, last};
                    }
                }
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                "", Map.of("ArgumentName", "x-amz-copy-source-range", "ArgumentValue", raw)));
    }

    private static StoreException invalid(String raw) {
        return new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "",
                Map.of("ArgumentName", "x-amz-copy-source", "ArgumentValue", raw == null ? "" : raw)));
    }
}
