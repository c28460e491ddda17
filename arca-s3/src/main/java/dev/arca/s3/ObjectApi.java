package dev.arca.s3;

import dev.arca.core.ByteRange;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.PartSummary;
import dev.arca.meta.StoredChecksum;
import dev.arca.meta.WritePrecondition;
import dev.arca.object.StorageClasses;
import dev.arca.object.CopyOptions;
import dev.arca.object.CopySource;
import dev.arca.object.ObjectRead;
import dev.arca.object.ObjectStore;
import dev.arca.object.ReadOptions;
import dev.arca.object.WriteOptions;
import dev.arca.object.WriteResult;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Object operations on the wire: PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject, tagging, ACLs. */
final class ObjectApi {
    /** Query parameters that override response headers on GET (signed requests only, as in S3). */
    private static final Map<String, String> RESPONSE_OVERRIDES = Map.of(
            "response-content-type", "content-type",
            "response-content-language", "content-language",
            "response-expires", "expires",
            "response-cache-control", "cache-control",
            "response-content-disposition", "content-disposition",
            "response-content-encoding", "content-encoding");

    private final ObjectStore objects;

    ObjectApi(ObjectStore objects) {
        this.objects = objects;
    }

    HttpResponse put(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        RequestHeaders.requireContentLength(r.auth());
        WriteOptions options = new WriteOptions(r.auth().decodedContentLength(), RequestHeaders.attributes(h, true),
                RequestHeaders.writePrecondition(h), RequestHeaders.checksum(h, r.auth()), h.get("content-md5"));
        WriteResult result = objects.put(r.bucket(), r.key(), r.owner(), r.auth().body(), options);
        Headers out = new Headers();
        out.set("etag", Responses.quote(result.etag()));
        checksumHeaders(result.checksum(), out);
        return Responses.empty(200, out);
    }

    HttpResponse get(S3Request r, boolean withBody) {
        rejectVersionId(r);
        Integer partNumber = null;
        if (r.query().has("partNumber")) {
            partNumber = r.query().intParam("partNumber", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        RangeSpec range = RangeSpec.parse(r.header("range")).orElse(null);
        ReadOptions options = new ReadOptions(range, partNumber, RequestHeaders.conditions(r.headers(), ""));
        ObjectRead read = objects.get(r.bucket(), r.key(), options, withBody);
        ObjectRecord record = read.record();
        Headers out = new Headers();
        objectHeaders(record, out);
        for (Map.Entry<String, String> o : RESPONSE_OVERRIDES.entrySet()) {
            String v = r.query().get(o.getKey());
            if (v != null) {
                out.set(o.getValue(), v);
            }
        }
        out.set("accept-ranges", "bytes");
        if (withBody && !record.attributes().tags().isEmpty()) {
            out.set("x-amz-tagging-count", Integer.toString(record.attributes().tags().size()));
        }
        if (read.partsCount() != null) {
            out.set("x-amz-mp-parts-count", Integer.toString(read.partsCount()));
        }
        if ("ENABLED".equalsIgnoreCase(r.header("x-amz-checksum-mode"))) {
            readChecksumHeaders(record, read.range(), partNumber, out);
        }
        int status = 200;
        ByteRange byteRange = read.range();
        if (byteRange != null) {
            status = 206;
            out.set("content-range", "bytes " + byteRange.first() + "-" + byteRange.last() + "/" + record.size());
        }
        long length = read.contentLength();
        out.set("content-length", Long.toString(length));
        if (!withBody) {
            return Responses.empty(status, out);
        }
        return new HttpResponse(status, out, new HttpResponse.Streamed(length, read.body()));
    }

    /** The checksum headers GET/HEAD return with x-amz-checksum-mode: ENABLED (whole objects and whole parts only). */
    private static void readChecksumHeaders(ObjectRecord record, ByteRange range, Integer partNumber, Headers out) {
        StoredChecksum checksum = record.checksum();
        if (checksum == null) {
            return;
        }
        if (partNumber != null && !record.parts().isEmpty()) {
            PartSummary part = record.parts().get(partNumber - 1);
            if (part.checksum() != null) {
                out.set(checksum.algorithm().headerName(), part.checksum());
                out.set("x-amz-checksum-type", checksum.type().name());
            }
            return;
        }
        boolean whole = range == null || (range.first() == 0 && range.last() == record.size() - 1);
        if (whole) {
            checksumHeaders(checksum, out);
        }
    }

    static void checksumHeaders(StoredChecksum checksum, Headers out) {
        if (checksum != null) {
            out.set(checksum.algorithm().headerName(), checksum.value());
            out.set("x-amz-checksum-type", checksum.type().name());
        }
    }

    /** Stored headers, user metadata, ETag and Last-Modified of an object. */
    static void objectHeaders(ObjectRecord record, Headers out) {
        Map<String, String> stored = record.attributes().headers();
        out.set("content-type", stored.getOrDefault("content-type", "binary/octet-stream"));
        for (String name : RequestHeaders.STORED_HEADERS) {
            if (!name.equals("content-type") && stored.containsKey(name)) {
                out.set(name, stored.get(name));
            }
        }
        if (stored.containsKey(StorageClasses.HEADER)) {
            out.set(StorageClasses.HEADER, stored.get(StorageClasses.HEADER));
        }
        for (Map.Entry<String, String> m : record.attributes().userMetadata().entrySet()) {
            out.set("x-amz-meta-" + m.getKey(), m.getValue());
        }
        out.set("etag", Responses.quote(record.etag()));
        out.set("last-modified", HttpDates.http(record.lastModifiedMillis()));
    }

    HttpResponse delete(S3Request r) {
        rejectVersionId(r);
        WritePrecondition precondition = WritePrecondition.NONE;
        String ifMatch = r.header("if-match");
        if (ifMatch != null) {
            precondition = new WritePrecondition.EtagMatches(dev.arca.core.Conditions.unquote(ifMatch));
        }
        objects.delete(r.bucket(), r.key(), precondition);
        return Responses.empty(204);
    }

    HttpResponse deleteMany(S3Request r) {
        XmlNode root = Bodies.xml(r, Limits.MAX_XML_BODY_BYTES, "Delete");
        boolean quiet = "true".equalsIgnoreCase(root.childText("Quiet"));
        List<XmlNode> entries = root.all("Object");
        if (entries.isEmpty() || entries.size() > Limits.MAX_DELETE_OBJECTS) {
            throw dev.arca.s3.xml.XmlParser.malformed();
        }
        List<String> keys = new ArrayList<>(entries.size());
        Map<String, String> versionErrors = new LinkedHashMap<>();
        for (XmlNode o : entries) {
            XmlNode keyNode = o.child("Key").orElseThrow(dev.arca.s3.xml.XmlParser::malformed);
            String versionId = o.childText("VersionId");
            if (versionId != null && !versionId.isEmpty() && !versionId.equals("null")) {
                versionErrors.put(keyNode.text(), versionId);
                continue;
            }
            keys.add(keyNode.text());
        }
        List<ObjectStore.DeleteOutcome> outcomes = objects.deleteMany(r.bucket(), keys);
        XmlWriter xml = new XmlWriter().root("DeleteResult");
        for (ObjectStore.DeleteOutcome outcome : outcomes) {
            if (outcome.failure() == null) {
                if (!quiet) {
                    xml.start("Deleted").element("Key", outcome.key()).end();
                }
            } else {
                xml.start("Error").element("Key", outcome.key())
                        .element("Code", S3Errors.of(outcome.failure()).code())
                        .element("Message", outcome.failure().message()).end();
            }
        }
        for (Map.Entry<String, String> e : versionErrors.entrySet()) {
            xml.start("Error").element("Key", e.getKey()).element("VersionId", e.getValue())
                    .element("Code", "NoSuchVersion").element("Message", "The specified version does not exist.").end();
        }
        return Responses.xml(200, xml.end());
    }

    HttpResponse copy(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        CopySource source = CopySources.parse(h);
        boolean replaceMetadata = directive(h, "x-amz-metadata-directive");
        boolean replaceTags = directive(h, "x-amz-tagging-directive");
        ObjectAttributes attributes = RequestHeaders.attributes(h, false);
        CopyOptions options = new CopyOptions(replaceMetadata, attributes, replaceTags,
                RequestHeaders.tagging(h.get("x-amz-tagging")), RequestHeaders.algorithmHeader(h),
                RequestHeaders.writePrecondition(h));
        WriteResult result = objects.copy(source, r.bucket(), r.key(), r.owner(), options);
        XmlWriter xml = new XmlWriter().root("CopyObjectResult")
                .element("ETag", Responses.quote(result.etag()))
                .element("LastModified", HttpDates.iso(result.lastModifiedMillis()));
        if (result.checksum() != null) {
            xml.element(result.checksum().algorithm().xmlElement(), result.checksum().value());
            xml.element("ChecksumType", result.checksum().type().name());
        }
        return Responses.xml(200, xml.end());
    }

    private static boolean directive(Headers h, String name) {
        String v = h.get(name);
        if (v == null) {
            return false;
        }
        return switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "COPY" -> false;
            case "REPLACE" -> true;
            default -> throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                    "Unknown " + (name.contains("metadata") ? "metadata" : "tagging") + " directive.", "",
                    Map.of("ArgumentName", name, "ArgumentValue", v)));
        };
    }

    HttpResponse getTagging(S3Request r) {
        rejectVersionId(r);
        Map<String, String> tags = objects.getTags(r.bucket(), r.key());
        XmlWriter xml = new XmlWriter().root("Tagging").start("TagSet");
        for (Map.Entry<String, String> t : tags.entrySet()) {
            xml.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
        }
        return Responses.xml(200, xml.end().end());
    }

    HttpResponse putTagging(S3Request r) {
        rejectVersionId(r);
        XmlNode root = Bodies.xml(r, Limits.MAX_XML_BODY_BYTES, "Tagging");
        XmlNode tagSet = root.child("TagSet").orElseThrow(dev.arca.s3.xml.XmlParser::malformed);
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlNode tag : tagSet.all("Tag")) {
            String k = tag.child("Key").map(XmlNode::text).orElseThrow(dev.arca.s3.xml.XmlParser::malformed);
            String v = tag.child("Value").map(XmlNode::text).orElseThrow(dev.arca.s3.xml.XmlParser::malformed);
            if (tags.put(k, v) != null) {
                throw StoreException.of(FailureKind.INVALID_TAG, "Cannot provide multiple Tags with the same key");
            }
        }
        objects.putTags(r.bucket(), r.key(), tags);
        return Responses.empty(200);
    }

    HttpResponse deleteTagging(S3Request r) {
        rejectVersionId(r);
        objects.putTags(r.bucket(), r.key(), Map.of());
        return Responses.empty(204);
    }

    HttpResponse getAcl(S3Request r) {
        ObjectRecord record = objects.get(r.bucket(), r.key(), ReadOptions.WHOLE, false).record();
        return Responses.xml(200, Acls.ownerFullControl(record.ownerId(), r.owner()));
    }

    HttpResponse putAcl(S3Request r) {
        RequestHeaders.rejectUnsupported(r.headers());
        if (Bodies.readBounded(r.auth().body(), Limits.MAX_XML_BODY_BYTES).length > 0) {
            throw StoreException.of(FailureKind.ACCESS_CONTROL_LIST_NOT_SUPPORTED, "The bucket does not allow ACLs");
        }
        objects.get(r.bucket(), r.key(), ReadOptions.WHOLE, false);
        return Responses.empty(200);
    }

    /** Versioning does not exist yet: only the "null" version may be named. */
    private static void rejectVersionId(S3Request r) {
        String v = r.query().get("versionId");
        if (v != null && !v.equals("null")) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "Invalid version id specified", "",
                    Map.of("ArgumentName", "versionId", "ArgumentValue", v)));
        }
    }
}
