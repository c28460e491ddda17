package dev.arca.s3;

import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.s3.http.HttpExchange;
import dev.arca.s3.http.UriEncoding;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Maps a request to an operation on a bucket and key, for path-style ({@code /bucket/key}) and
 * virtual-hosted-style ({@code bucket.domain/key}) addressing. Recognised subresources that Arca
 * does not implement are NotImplemented; other query parameters are ignored, as in S3.
 */
final class Router {
    /** Subresources that select an operation Arca implements; anything else in SUBRESOURCES is NotImplemented. */
    private static final Set<String> SUPPORTED_BUCKET = Set.of("location", "uploads", "delete", "versioning", "versions",
            "acl", "object-lock", "lifecycle", "policy", "policyStatus", "publicAccessBlock", "encryption",
            BatchGetApi.SUBRESOURCE);
    private static final Set<String> SUPPORTED_OBJECT = Set.of("uploads", "uploadId", "partNumber", "tagging", "acl",
            "retention", "legal-hold", TarMembers.ARCHPATH);

    private final List<String> domains;

    /** @param domains host names under which {@code <bucket>.<domain>} means virtual-hosted style */
    Router(List<String> domains) {
        this.domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
    }

    record Route(S3Operation operation, BucketName bucket, ObjectKey key, Query query) {}

    Route route(HttpExchange exchange) {
        Query query = new Query(exchange.rawQuery());
        String path = UriEncoding.decodePath(exchange.rawPath());
        String hostBucket = bucketFromHost(exchange.headers().get("host"));
        String bucketName;
        String key;
        if (hostBucket != null) {
            bucketName = hostBucket;
            key = path.startsWith("/") ? path.substring(1) : path;
        } else {
            String p = path.startsWith("/") ? path.substring(1) : path;
            int slash = p.indexOf('/');
            bucketName = slash < 0 ? p : p.substring(0, slash);
            key = slash < 0 ? "" : p.substring(slash + 1);
        }
        String method = exchange.method();
        if (bucketName.isEmpty()) {
            if (method.equals("GET")) {
                return new Route(S3Operation.LIST_BUCKETS, null, null, query);
            }
            throw methodNotAllowed(method);
        }
        BucketName bucket = new BucketName(bucketName);
        if (key.isEmpty()) {
            return new Route(bucketOperation(method, query), bucket, null, query);
        }
        ObjectKey objectKey = new ObjectKey(key);
        return new Route(objectOperation(method, query, exchange), bucket, objectKey, query);
    }

    /** Whether the Host header names a bucket (virtual-hosted style). */
    boolean isVirtualHosted(HttpExchange exchange) {
        return bucketFromHost(exchange.headers().get("host")) != null;
    }

    private String bucketFromHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return null; // IPv6 literal
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        for (String domain : domains) {
            if (h.length() > domain.length() + 1 && h.endsWith("." + domain)) {
                return h.substring(0, h.length() - domain.length() - 1);
            }
        }
        return null;
    }

    private static S3Operation bucketOperation(String method, Query q) {
        rejectUnsupported(q, SUPPORTED_BUCKET);
        if (q.has(BatchGetApi.SUBRESOURCE) && !method.equals("POST")) {
            throw methodNotAllowed(method); // never fall through to a listing or a bucket write
        }
        return switch (method) {
            case "GET" -> {
                if (q.has("location")) {
                    yield S3Operation.GET_BUCKET_LOCATION;
                } else if (q.has("uploads")) {
                    yield S3Operation.LIST_MULTIPART_UPLOADS;
                } else if (q.has("versioning")) {
                    yield S3Operation.GET_BUCKET_VERSIONING;
                } else if (q.has("versions")) {
                    yield S3Operation.LIST_OBJECT_VERSIONS;
                } else if (q.has("acl")) {
                    yield S3Operation.GET_BUCKET_ACL;
                } else if (q.has("object-lock")) {
                    yield S3Operation.GET_OBJECT_LOCK_CONFIGURATION;
                } else if (q.has("lifecycle")) {
                    yield S3Operation.GET_BUCKET_LIFECYCLE;
                } else if (q.has("encryption")) {
                    yield S3Operation.GET_BUCKET_ENCRYPTION;
                } else if (q.has("policy")) {
                    yield S3Operation.GET_BUCKET_POLICY;
                } else if (q.has("policyStatus")) {
                    yield S3Operation.GET_BUCKET_POLICY_STATUS;
                } else if (q.has("publicAccessBlock")) {
                    yield S3Operation.GET_PUBLIC_ACCESS_BLOCK;
                } else if (q.has("delete")) {
                    throw methodNotAllowed(method);
                }
                yield "2".equals(q.get("list-type")) ? S3Operation.LIST_OBJECTS_V2 : S3Operation.LIST_OBJECTS;
            }
            case "PUT" -> {
                if (q.has("acl")) {
                    yield S3Operation.PUT_BUCKET_ACL;
                } else if (q.has("versioning")) {
                    yield S3Operation.PUT_BUCKET_VERSIONING;
                } else if (q.has("object-lock")) {
                    yield S3Operation.PUT_OBJECT_LOCK_CONFIGURATION;
                } else if (q.has("lifecycle")) {
                    yield S3Operation.PUT_BUCKET_LIFECYCLE;
                } else if (q.has("encryption")) {
                    yield S3Operation.PUT_BUCKET_ENCRYPTION;
                } else if (q.has("policy")) {
                    yield S3Operation.PUT_BUCKET_POLICY;
                } else if (q.has("publicAccessBlock")) {
                    yield S3Operation.PUT_PUBLIC_ACCESS_BLOCK;
                } else if (q.has("location") || q.has("policyStatus") || q.has("uploads") || q.has("delete") || q.has("versions")) {
                    throw methodNotAllowed(method);
                }
                yield S3Operation.CREATE_BUCKET;
            }
            case "HEAD" -> S3Operation.HEAD_BUCKET;
            case "DELETE" -> {
                if (q.has("lifecycle")) {
                    yield S3Operation.DELETE_BUCKET_LIFECYCLE;
                } else if (q.has("encryption")) {
                    yield S3Operation.DELETE_BUCKET_ENCRYPTION;
                } else if (q.has("policy")) {
                    yield S3Operation.DELETE_BUCKET_POLICY;
                } else if (q.has("publicAccessBlock")) {
                    yield S3Operation.DELETE_PUBLIC_ACCESS_BLOCK;
                } else if (!onlyNonSubresources(q)) {
                    throw methodNotAllowed(method);
                }
                yield S3Operation.DELETE_BUCKET;
            }
            case "POST" -> {
                if (q.has("delete")) {
                    yield S3Operation.DELETE_OBJECTS;
                } else if (q.has(BatchGetApi.SUBRESOURCE)) {
                    yield S3Operation.BATCH_GET;
                }
                throw methodNotAllowed(method);
            }
            default -> throw methodNotAllowed(method);
        };
    }

    private static S3Operation objectOperation(String method, Query q, HttpExchange exchange) {
        rejectUnsupported(q, SUPPORTED_OBJECT);
        if (q.has(TarMembers.ARCHPATH) && !method.equals("GET") && !method.equals("HEAD")) {
            throw methodNotAllowed(method); // a member cannot be written or deleted: never touch the whole archive
        }
        boolean copy = exchange.headers().contains("x-amz-copy-source");
        return switch (method) {
            case "PUT" -> {
                if (q.has("tagging")) {
                    yield S3Operation.PUT_OBJECT_TAGGING;
                } else if (q.has("acl")) {
                    yield S3Operation.PUT_OBJECT_ACL;
                } else if (q.has("retention")) {
                    yield S3Operation.PUT_OBJECT_RETENTION;
                } else if (q.has("legal-hold")) {
                    yield S3Operation.PUT_OBJECT_LEGAL_HOLD;
                } else if (q.has("uploadId") || q.has("partNumber")) {
                    yield copy ? S3Operation.UPLOAD_PART_COPY : S3Operation.UPLOAD_PART;
                }
                yield copy ? S3Operation.COPY_OBJECT : S3Operation.PUT_OBJECT;
            }
            case "GET" -> {
                if (q.has("tagging")) {
                    yield S3Operation.GET_OBJECT_TAGGING;
                } else if (q.has("acl")) {
                    yield S3Operation.GET_OBJECT_ACL;
                } else if (q.has("retention")) {
                    yield S3Operation.GET_OBJECT_RETENTION;
                } else if (q.has("legal-hold")) {
                    yield S3Operation.GET_OBJECT_LEGAL_HOLD;
                } else if (q.has("uploadId")) {
                    yield S3Operation.LIST_PARTS;
                }
                yield S3Operation.GET_OBJECT;
            }
            case "HEAD" -> S3Operation.HEAD_OBJECT;
            case "DELETE" -> {
                if (q.has("tagging")) {
                    yield S3Operation.DELETE_OBJECT_TAGGING;
                } else if (q.has("uploadId")) {
                    yield S3Operation.ABORT_MULTIPART_UPLOAD;
                } else if (q.has("retention") || q.has("legal-hold")) {
                    // no such operation; falling through to DeleteObject would delete the object
                    throw methodNotAllowed(method);
                }
                yield S3Operation.DELETE_OBJECT;
            }
            case "POST" -> {
                if (q.has("uploads")) {
                    yield S3Operation.CREATE_MULTIPART_UPLOAD;
                } else if (q.has("uploadId")) {
                    yield S3Operation.COMPLETE_MULTIPART_UPLOAD;
                }
                throw methodNotAllowed(method);
            }
            default -> throw methodNotAllowed(method);
        };
    }

    private static boolean onlyNonSubresources(Query q) {
        return q.names().stream().noneMatch(Query.SUBRESOURCES::contains);
    }

    private static void rejectUnsupported(Query q, Set<String> supported) {
        for (String name : q.names()) {
            if (Query.SUBRESOURCES.contains(name) && !supported.contains(name)) {
                throw notImplemented(name);
            }
        }
    }

    static StoreException notImplemented(String what) {
        return StoreException.of(FailureKind.NOT_IMPLEMENTED,
                "A header or query you provided implies functionality that is not implemented: " + what);
    }

    private static StoreException methodNotAllowed(String method) {
        return StoreException.of(FailureKind.METHOD_NOT_ALLOWED,
                "The specified method is not allowed against this resource: " + method);
    }
}
