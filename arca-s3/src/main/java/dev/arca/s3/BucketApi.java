package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.ListQuery;
import dev.arca.meta.ObjectListing;
import dev.arca.meta.ObjectRecord;
import dev.arca.object.StorageClasses;
import dev.arca.object.Buckets;
import dev.arca.object.ObjectStore;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.http.UriEncoding;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/** Bucket operations on the wire, including both listing APIs. */
final class BucketApi {
    private final Buckets buckets;
    private final ObjectStore objects;

    BucketApi(Buckets buckets, ObjectStore objects) {
        this.buckets = buckets;
        this.objects = objects;
    }

    HttpResponse listBuckets(S3Request r) {
        String prefix = r.query().get("prefix");
        int max = r.query().intParam("max-buckets", Limits.MAX_BUCKETS_PER_OWNER, 1, Limits.MAX_BUCKETS_PER_OWNER);
        String after = r.query().has("continuation-token") ? decodeToken(r.query().get("continuation-token")) : null;
        List<BucketRecord> all = buckets.list(r.owner()).stream()
                .filter(b -> prefix == null || b.name().startsWith(prefix))
                .filter(b -> after == null || b.name().compareTo(after) > 0)
                .toList();
        List<BucketRecord> page = all.size() > max ? all.subList(0, max) : all;
        XmlWriter xml = new XmlWriter().root("ListAllMyBucketsResult")
                .start("Owner").element("ID", r.owner().id()).element("DisplayName", r.owner().displayName()).end()
                .start("Buckets");
        for (BucketRecord b : page) {
            xml.start("Bucket").element("Name", b.name()).element("CreationDate", HttpDates.iso(b.createdMillis()))
                    .element("BucketRegion", b.region()).end();
        }
        xml.end();
        if (all.size() > max) {
            xml.element("ContinuationToken", encodeToken(page.getLast().name()));
        }
        if (prefix != null) {
            xml.element("Prefix", prefix);
        }
        return Responses.xml(200, xml.end());
    }

    HttpResponse create(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        if ("true".equalsIgnoreCase(h.get("x-amz-bucket-object-lock-enabled"))) {
            throw StoreException.of(FailureKind.NOT_IMPLEMENTED, "Object Lock is not implemented yet");
        }
        byte[] body = Bodies.read(r, Limits.MAX_XML_BODY_BYTES);
        String location = null;
        if (body.length > 0) {
            XmlNode root = XmlParser.parse(body);
            if (!root.name().equals("CreateBucketConfiguration")) {
                throw XmlParser.malformed();
            }
            location = root.childText("LocationConstraint");
        }
        buckets.create(r.bucket(), r.owner(), location);
        Headers out = new Headers();
        out.set("location", "/" + r.bucket().value());
        return Responses.empty(200, out);
    }

    HttpResponse delete(S3Request r) {
        buckets.delete(r.bucket());
        return Responses.empty(204);
    }

    HttpResponse head(S3Request r) {
        BucketRecord b = buckets.get(r.bucket());
        Headers out = new Headers();
        out.set("x-amz-bucket-region", b.region());
        return Responses.empty(200, out);
    }

    HttpResponse location(S3Request r) {
        BucketRecord b = buckets.get(r.bucket());
        // S3 reports the us-east-1 region as an empty constraint.
        String constraint = b.region().equals("us-east-1") ? "" : b.region();
        return Responses.xml(200, new XmlWriter().rootText("LocationConstraint", constraint));
    }

    HttpResponse versioning(S3Request r) {
        buckets.get(r.bucket());
        return Responses.xml(200, new XmlWriter().root("VersioningConfiguration").end());
    }

    HttpResponse getAcl(S3Request r) {
        BucketRecord b = buckets.get(r.bucket());
        return Responses.xml(200, Acls.ownerFullControl(b.ownerId(), r.owner()));
    }

    HttpResponse putAcl(S3Request r) {
        RequestHeaders.rejectUnsupported(r.headers());
        if (Bodies.readBounded(r.auth().body(), Limits.MAX_XML_BODY_BYTES).length > 0) {
            throw StoreException.of(FailureKind.ACCESS_CONTROL_LIST_NOT_SUPPORTED, "The bucket does not allow ACLs");
        }
        buckets.get(r.bucket());
        return Responses.empty(200);
    }

    /** ListObjectsV2 ({@code v2}) or ListObjects (v1, marker-based). */
    HttpResponse list(S3Request r, boolean v2) {
        Query q = r.query();
        boolean url = encodingTypeUrl(q);
        String prefix = q.get("prefix") == null ? "" : q.get("prefix");
        String delimiter = q.get("delimiter");
        int maxKeys = q.intParam("max-keys", Limits.MAX_KEYS_PER_PAGE, 0, Limits.MAX_KEYS_PER_PAGE);
        String token = v2 ? q.get("continuation-token") : null;
        String startAfter = v2 ? q.get("start-after") : q.get("marker");
        String after = token != null ? decodeToken(token) : startAfter;
        ObjectListing page = objects.list(r.bucket(), new ListQuery(prefix, delimiter, after, maxKeys));
        boolean owner = !v2 || "true".equalsIgnoreCase(q.get("fetch-owner"));
        XmlWriter xml = new XmlWriter().root("ListBucketResult")
                .element("Name", r.bucket().value())
                .element("Prefix", enc(prefix, url));
        if (v2) {
            xml.optional("ContinuationToken", token);
            xml.optional("StartAfter", startAfter == null ? null : enc(startAfter, url));
            xml.element("KeyCount", page.objects().size() + page.commonPrefixes().size());
            if (page.truncated() && page.lastReturned() != null) {
                xml.element("NextContinuationToken", encodeToken(page.lastReturned()));
            }
        } else {
            xml.element("Marker", startAfter == null ? "" : enc(startAfter, url));
            if (page.truncated() && delimiter != null && page.lastReturned() != null) {
                xml.element("NextMarker", enc(page.lastReturned(), url));
            }
        }
        xml.element("MaxKeys", maxKeys);
        if (delimiter != null) {
            xml.element("Delimiter", enc(delimiter, url));
        }
        if (url) {
            xml.element("EncodingType", "url");
        }
        xml.element("IsTruncated", page.truncated());
        for (ObjectListing.Entry e : page.objects()) {
            ObjectRecord o = e.record();
            xml.start("Contents").element("Key", enc(e.key(), url))
                    .element("LastModified", HttpDates.iso(o.lastModifiedMillis()))
                    .element("ETag", Responses.quote(o.etag()));
            if (o.checksum() != null) {
                xml.element("ChecksumAlgorithm", o.checksum().algorithm().awsName());
                xml.element("ChecksumType", o.checksum().type().name());
            }
            xml.element("Size", o.size());
            if (owner) {
                xml.start("Owner").element("ID", o.ownerId()).element("DisplayName", displayName(r, o.ownerId())).end();
            }
            xml.element("StorageClass", StorageClasses.of(o.attributes())).end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", enc(p, url)).end();
        }
        return Responses.xml(200, xml.end());
    }

    static String displayName(S3Request r, String ownerId) {
        return ownerId.equals(r.owner().id()) ? r.owner().displayName() : ownerId;
    }

    static boolean encodingTypeUrl(Query q) {
        String e = q.get("encoding-type");
        if (e == null) {
            return false;
        }
        if (!e.equals("url")) {
            throw Query.invalid("encoding-type", e);
        }
        return true;
    }

    static String enc(String s, boolean url) {
        return url ? UriEncoding.encode(s, false) : s;
    }

    /** Continuation tokens are opaque to clients: base64url of where the next page starts after. */
    static String encodeToken(String after) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(after.getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!s.isEmpty() && dev.arca.core.ObjectKey.isWellFormed(s)) {
                return s;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new StoreException(new dev.arca.core.Failure(FailureKind.INVALID_ARGUMENT,
                "The continuation token provided is incorrect", "", java.util.Map.of("ArgumentName", "continuation-token")));
    }
}
