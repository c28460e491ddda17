package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.meta.BucketRecord;
import dev.arca.meta.DefaultRetention;
import dev.arca.meta.ListQuery;
import dev.arca.meta.ObjectListing;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.VersionListing;
import dev.arca.meta.VersionQuery;
import dev.arca.meta.Versioning;
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
import java.util.Map;

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
        boolean objectLock = objectLockEnabledHeader(h.get("x-amz-bucket-object-lock-enabled"));
        byte[] body = Bodies.read(r, Limits.MAX_XML_BODY_BYTES);
        String location = null;
        if (body.length > 0) {
            XmlNode root = XmlParser.parse(body);
            if (!root.name().equals("CreateBucketConfiguration")) {
                throw XmlParser.malformed();
            }
            location = root.childText("LocationConstraint");
        }
        buckets.create(r.bucket(), r.owner(), location, objectLock);
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

    /** x-amz-bucket-object-lock-enabled: true or false (case-insensitive), else InvalidArgument. */
    static boolean objectLockEnabledHeader(String value) {
        if (value == null) {
            return false;
        }
        String v = value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return v.equalsIgnoreCase("true");
        }
        throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                "x-amz-bucket-object-lock-enabled must be true or false", "",
                Map.of("ArgumentName", "x-amz-bucket-object-lock-enabled", "ArgumentValue", value)));
    }

    HttpResponse versioning(S3Request r) {
        return Responses.xml(200, VersioningXml.renderVersioning(buckets.get(r.bucket()).versioning()));
    }

    HttpResponse putVersioning(S3Request r) {
        Versioning versioning = VersioningXml.parseVersioning(
                Bodies.xml(r, VersioningXml.MAX_BODY_BYTES, "VersioningConfiguration"));
        r.note(RequestContext.CHANGE, "versioning:" + versioning);
        buckets.setVersioning(r.bucket(), versioning);
        return Responses.empty(200);
    }

    HttpResponse getObjectLock(S3Request r) {
        BucketRecord b = buckets.get(r.bucket());
        if (!b.objectLockEnabled()) {
            throw new StoreException(new Failure(FailureKind.OBJECT_LOCK_CONFIGURATION_NOT_FOUND,
                    "Object Lock configuration does not exist for this bucket", r.bucket().value(),
                    Map.of("BucketName", r.bucket().value())));
        }
        return Responses.xml(200, VersioningXml.renderObjectLock(b.defaultRetention()));
    }

    HttpResponse putObjectLock(S3Request r) {
        DefaultRetention defaultRetention = VersioningXml.parseObjectLock(
                Bodies.xml(r, VersioningXml.MAX_BODY_BYTES, "ObjectLockConfiguration"));
        r.note(RequestContext.CHANGE, "object-lock:" + (defaultRetention == null ? "no-default-retention"
                : defaultRetention.mode() + ":" + defaultRetention.days() + "d:" + defaultRetention.years() + "y"));
        // The setting before, same format: detectors tell a weakening from a strengthening.
        r.note("previous", buckets.find(r.bucket().value()).map(b -> "object-lock:" + (b.defaultRetention() == null
                ? "no-default-retention" : b.defaultRetention().mode() + ":" + b.defaultRetention().days() + "d:"
                + b.defaultRetention().years() + "y")).orElse(null));
        buckets.setObjectLock(r.bucket(), defaultRetention);
        return Responses.empty(200);
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

    /** ListObjectVersions: versions and delete markers in listing order, interleaved as S3 lists them. */
    HttpResponse listVersions(S3Request r) {
        Query q = r.query();
        boolean url = encodingTypeUrl(q);
        String prefix = q.get("prefix") == null ? "" : q.get("prefix");
        String delimiter = q.get("delimiter");
        int maxKeys = q.intParam("max-keys", Limits.MAX_KEYS_PER_PAGE, 0, Limits.MAX_KEYS_PER_PAGE);
        String keyMarker = emptyToNull(q.get("key-marker"));
        String versionIdMarker = emptyToNull(q.get("version-id-marker"));
        if (versionIdMarker != null && keyMarker == null) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                    "A version-id marker cannot be specified without a key marker.", "",
                    Map.of("ArgumentName", "version-id-marker", "ArgumentValue", versionIdMarker)));
        }
        VersionQuery query = new VersionQuery(prefix, delimiter, keyMarker, versionIdMarker, maxKeys);
        return Responses.xml(200, renderVersions(r, objects.listVersions(r.bucket(), query), query, url));
    }

    static XmlWriter renderVersions(S3Request r, VersionListing page, VersionQuery query, boolean url) {
        XmlWriter xml = new XmlWriter().root("ListVersionsResult")
                .element("Name", r.bucket().value())
                .element("Prefix", enc(query.prefix(), url))
                .element("KeyMarker", query.keyMarker() == null ? "" : enc(query.keyMarker(), url))
                .element("VersionIdMarker", query.versionIdMarker() == null ? "" : query.versionIdMarker())
                .element("MaxKeys", query.maxKeys());
        if (query.delimiter() != null) {
            xml.element("Delimiter", enc(query.delimiter(), url));
        }
        if (url) {
            xml.element("EncodingType", "url");
        }
        xml.element("IsTruncated", page.truncated());
        if (page.truncated()) {
            xml.optional("NextKeyMarker", page.nextKeyMarker() == null ? null : enc(page.nextKeyMarker(), url));
            xml.optional("NextVersionIdMarker", page.nextVersionIdMarker());
        }
        for (VersionListing.Entry e : page.versions()) {
            ObjectRecord o = e.record();
            xml.start(o.deleteMarker() ? "DeleteMarker" : "Version")
                    .element("Key", enc(e.key(), url))
                    .element("VersionId", o.versionId())
                    .element("IsLatest", e.latest())
                    .element("LastModified", HttpDates.iso(o.lastModifiedMillis()));
            if (!o.deleteMarker()) {
                xml.element("ETag", Responses.quote(o.etag()));
                if (o.checksum() != null) {
                    xml.element("ChecksumAlgorithm", o.checksum().algorithm().awsName());
                    xml.element("ChecksumType", o.checksum().type().name());
                }
                xml.element("Size", o.size());
            }
            xml.start("Owner").element("ID", o.ownerId()).element("DisplayName", displayName(r, o.ownerId())).end();
            if (!o.deleteMarker()) {
                xml.element("StorageClass", StorageClasses.of(o.attributes()));
            }
            xml.end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", enc(p, url)).end();
        }
        return xml.end();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
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
        throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                "The continuation token provided is incorrect", "", Map.of("ArgumentName", "continuation-token")));
    }
}
