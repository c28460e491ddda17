package dev.arca.s3;

import dev.arca.core.BucketName;
import dev.arca.core.ByteRange;
import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.PartSummary;
import dev.arca.meta.Retention;
import dev.arca.meta.StoredChecksum;
import dev.arca.meta.VersionIds;
import dev.arca.meta.Versioning;
import dev.arca.meta.WritePrecondition;
import dev.arca.object.Buckets;
import dev.arca.object.ChecksumInput;
import dev.arca.object.StorageClasses;
import dev.arca.object.CopyOptions;
import dev.arca.object.CopySource;
import dev.arca.object.ObjectLock;
import dev.arca.object.ObjectRead;
import dev.arca.object.ObjectStore;
import dev.arca.object.ReadOptions;
import dev.arca.object.SseRequest;
import dev.arca.object.WriteOptions;
import dev.arca.object.WriteResult;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Object operations on the wire: PutObject, GetObject, HeadObject, DeleteObject(s), CopyObject,
 * tagging, ACLs, Object Lock retention and legal hold; each may name a version (versionId).
 */
final class ObjectApi {
    static final String VERSION_ID_HEADER = "x-amz-version-id";

    /** Query parameters that override response headers on GET (signed requests only, as in S3). */
    private static final Map<String, String> RESPONSE_OVERRIDES = Map.of(
            "response-content-type", "content-type",
            "response-content-language", "content-language",
            "response-expires", "expires",
            "response-cache-control", "cache-control",
            "response-content-disposition", "content-disposition",
            "response-content-encoding", "content-encoding");

    private final ObjectStore objects;
    private final Buckets buckets;

    private final Permissions permissions;
    private final boolean allowSseCOverHttp;
    private final TarMembers tarMembers;
    private final ZeroCopyReads zeroCopy;

    ObjectApi(ObjectStore objects, Buckets buckets, Permissions permissions, boolean allowSseCOverHttp) {
        this(objects, buckets, permissions, allowSseCOverHttp, ZeroCopyReads.NONE);
    }

    /** @param zeroCopy where GETs may be served from files as stored (unencrypted, unencoded data) */
    ObjectApi(ObjectStore objects, Buckets buckets, Permissions permissions, boolean allowSseCOverHttp,
            ZeroCopyReads zeroCopy) {
        this.zeroCopy = zeroCopy;
        this.allowSseCOverHttp = allowSseCOverHttp;
        this.objects = objects;
        this.buckets = buckets;
        this.permissions = permissions;
        this.tarMembers = new TarMembers(objects, buckets, allowSseCOverHttp, new TarIndexCache());
    }

    HttpResponse put(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        RequestHeaders.requireContentLength(r.auth());
        ObjectLock lock = RequestHeaders.objectLock(h);
        ChecksumInput checksum = RequestHeaders.checksum(h, r.auth());
        requireIntegrityForLock(buckets, r, checksum, RequestHeaders.hasObjectLock(h), "Put Object");
        SseRequest sse = Sse.request(h, r.http().secure(), allowSseCOverHttp);
        noteSse(r, sse);
        WriteOptions options = new WriteOptions(r.auth().decodedContentLength(), RequestHeaders.attributes(h, true),
                RequestHeaders.writePrecondition(h), checksum, h.get("content-md5"), lock, sse);
        dev.arca.core.ByteEntropy entropy = new dev.arca.core.ByteEntropy();
        WriteResult result = objects.put(r.bucket(), r.key(), r.owner(),
                dev.arca.core.ByteEntropy.sampling(r.auth().body(), entropy), options);
        noteWrite(r, result);
        if (entropy.sampled() > 0) {
            r.note(RequestContext.ENTROPY, String.format(java.util.Locale.ROOT, "%.3f", entropy.bitsPerByte()));
            r.note(RequestContext.ENTROPY + "Bytes", Long.toString(entropy.sampled()));
        }
        Headers out = new Headers();
        out.set("etag", Responses.quote(result.etag()));
        writeSseHeaders(result.encryption(), sse, out);
        checksumHeaders(result.checksum(), out);
        versionHeader(buckets, r.bucket(), result.versionId(), out);
        return Responses.empty(200, out);
    }

    /**
     * S3 requires an integrity check on bodies that will be locked: Content-MD5 or a checksum
     * (header, trailer or x-amz-sdk-checksum-algorithm) when the write names Object Lock settings
     * for a lock-enabled bucket ({@code explicitLock}) or the bucket has a default retention.
     * Checked before the body is read; a missing bucket is left to the object layer to report.
     *
     * @param operation how S3's message names the request, e.g. "Put Object"
     */
    static void requireIntegrityForLock(Buckets buckets, S3Request r, ChecksumInput checksum, boolean explicitLock,
            String operation) {
        if (r.header("content-md5") != null || checksum.algorithm() != null) {
            return;
        }
        boolean locked = buckets.find(r.bucket().value())
                .map(b -> b.objectLockEnabled() && (explicitLock || b.defaultRetention() != null))
                .orElse(false);
        if (locked) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Content-MD5 OR x-amz-checksum- HTTP header is required for "
                    + operation + " requests with Object Lock parameters");
        }
    }

    /** Notes what a write replaced, for the audit log and detectors. */
    static void noteWrite(S3Request r, WriteResult result) {
        r.version(result.versionId());
        if (result.replacedVersionId() != null) {
            r.note(RequestContext.OVERWRITE, "true");
            r.note(RequestContext.PREVIOUS_VERSION_ID, result.replacedVersionId());
        }
    }

    /** Notes an explicitly requested encryption mode (SSE-C re-encryption is a ransomware signal). */
    static void noteSse(S3Request r, SseRequest sse) {
        switch (sse) {
            case SseRequest.Customer ignored -> r.note(RequestContext.SSE, "SSE-C");
            case SseRequest.Kms ignored -> r.note(RequestContext.SSE, "SSE-KMS");
            case SseRequest.S3 ignored -> r.note(RequestContext.SSE, "SSE-S3");
            case SseRequest.BucketDefault ignored -> { }
        }
    }

    /** The encryption headers of a write's response: how it was sealed, echoing the SSE-C key MD5 and KMS context. */
    private void writeSseHeaders(dev.arca.meta.Encryption encryption, SseRequest sse, Headers out) {
        Sse.responseHeaders(encryption, buckets.region(), sse instanceof SseRequest.Customer c ? c.keyMd5() : null, out);
        if (encryption != null && encryption.kmsContext() != null) {
            out.set(Sse.KMS_CONTEXT, encryption.kmsContext());
        }
    }

    HttpResponse get(S3Request r, boolean withBody) {
        if (TarMembers.wanted(r)) {
            return tarMembers.get(r, withBody); // ?archpath=: one member of a tar archive
        }
        String versionId = versionIdParam(r);
        Integer partNumber = null;
        if (r.query().has("partNumber")) {
            partNumber = r.query().intParam("partNumber", 1, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        RangeSpec range = RangeSpec.parse(r.header("range")).orElse(null);
        SseRequest.Customer customer = Sse.customerKey(r.headers(), "", r.http().secure(), allowSseCOverHttp);
        ReadOptions options = new ReadOptions(range, partNumber, RequestHeaders.conditions(r.headers(), ""), versionId,
                customer == null ? null : customer.key());
        ObjectRead read = objects.get(r.bucket(), r.key(), options, withBody);
        ObjectRecord record = read.record();
        if (!withBody) {
            // HEAD checks the SSE-C key as GET does (GET checks it when it recovers the data key).
            objects.crypto().checkCustomerKey(record.encryption(), options.customerKey());
        }
        Headers out = new Headers();
        objectHeaders(record, out);
        Sse.responseHeaders(record.encryption(), buckets.region(), customer == null ? null : customer.keyMd5(), out);
        versionHeader(buckets, r.bucket(), record.versionId(), out);
        lockHeaders(record, out);
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
        java.util.Optional<dev.arca.s3.http.FileSource> files = length == 0 ? java.util.Optional.empty()
                : zeroCopy.open(r.bucket().value(), r.key().value(), record, read.range(), length, read.body());
        return new HttpResponse(status, out, files.<HttpResponse.Body>map(f -> new HttpResponse.FromFiles(length, f))
                .orElseGet(() -> new HttpResponse.Streamed(length, read.body())));
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

    /**
     * The Object Lock headers GET and HEAD return: mode and retain-until date when the version has
     * a retention, legal hold when one is on.
     */
    static void lockHeaders(ObjectRecord record, Headers out) {
        if (record.retention() != null) {
            out.set(RequestHeaders.LOCK_MODE, record.retention().mode().name());
            out.set(RequestHeaders.LOCK_RETAIN_UNTIL, HttpDates.iso(record.retention().retainUntilMillis()));
        }
        if (record.legalHold()) {
            out.set(RequestHeaders.LOCK_LEGAL_HOLD, "ON");
        }
    }

    HttpResponse delete(S3Request r) {
        String versionId = versionIdParam(r);
        WritePrecondition precondition = WritePrecondition.NONE;
        String ifMatch = r.header("if-match");
        if (ifMatch != null) {
            precondition = new WritePrecondition.EtagMatches(Conditions.unquote(ifMatch));
        }
        ObjectStore.DeleteResult result = objects.delete(r.bucket(), r.key(), versionId, precondition,
                permissions.bypassGovernance(r, r.key().value()));
        r.note(RequestContext.DELETE, "true");
        r.version(result.versionId());
        Headers out = new Headers();
        if (result.deleteMarker()) {
            out.set("x-amz-delete-marker", "true");
        }
        // A marker's id is sent even when it is "null" (suspended bucket), and so is the id a request named.
        String removed = result.versionId();
        if (result.deleteMarker() || versionId != null) {
            versionHeader(VERSION_ID_HEADER, removed, () -> true, out);
        } else {
            versionHeader(buckets, r.bucket(), removed, out);
        }
        return Responses.empty(204, out);
    }

    HttpResponse deleteMany(S3Request r) {
        XmlNode root = Bodies.xml(r, Limits.MAX_XML_BODY_BYTES, "Delete");
        boolean quiet = "true".equalsIgnoreCase(root.childText("Quiet"));
        List<XmlNode> entries = root.all("Object");
        if (entries.isEmpty() || entries.size() > Limits.MAX_DELETE_OBJECTS) {
            throw XmlParser.malformed();
        }
        List<ObjectStore.ObjectIdentifier> targets = new ArrayList<>(entries.size());
        for (XmlNode o : entries) {
            XmlNode keyNode = o.child("Key").orElseThrow(XmlParser::malformed);
            targets.add(new ObjectStore.ObjectIdentifier(keyNode.text(), o.childText("VersionId")));
        }
        // Each key needs its own permission; a denied key fails alone, as in S3.
        List<ObjectStore.ObjectIdentifier> permitted = new ArrayList<>(targets.size());
        Outcome.DeleteOutcome[] denied = new Outcome.DeleteOutcome[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            ObjectStore.ObjectIdentifier t = targets.get(i);
            if (permissions.mayDelete(r, t.key(), t.versionId())) {
                permitted.add(t);
            } else {
                denied[i] = new Outcome.DeleteOutcome(t.key(), t.versionId(), false, null,
                        Failure.of(FailureKind.ACCESS_DENIED, "Access Denied"));
            }
        }
        List<Outcome.DeleteOutcome> done = permitted.isEmpty() ? List.of()
                : objects.deleteMany(r.bucket(), permitted, permissions.bypassGovernance(r, null));
        List<Outcome.DeleteOutcome> outcomes = new ArrayList<>(targets.size());
        int next = 0;
        for (Outcome.DeleteOutcome d : denied) {
            outcomes.add(d != null ? d : done.get(next++));
        }
        r.note(RequestContext.DELETED, Long.toString(outcomes.stream().filter(o -> o.failure() == null).count()));
        return Responses.xml(200, deleteResult(outcomes, quiet));
    }

    /** The DeleteObjects answer: one Deleted (unless quiet) or Error element per entry, in order. */
    static XmlWriter deleteResult(List<Outcome.DeleteOutcome> outcomes, boolean quiet) {
        XmlWriter xml = new XmlWriter().root("DeleteResult");
        for (Outcome.DeleteOutcome outcome : outcomes) {
            if (outcome.failure() == null) {
                if (!quiet) {
                    xml.start("Deleted").element("Key", outcome.key()).optional("VersionId", outcome.versionId());
                    if (outcome.deleteMarker()) {
                        xml.element("DeleteMarker", true).optional("DeleteMarkerVersionId", outcome.deleteMarkerVersionId());
                    }
                    xml.end();
                }
            } else {
                xml.start("Error").element("Key", outcome.key()).optional("VersionId", outcome.versionId())
                        .element("Code", S3Errors.of(outcome.failure()).code())
                        .element("Message", outcome.failure().message()).end();
            }
        }
        return xml.end();
    }

    HttpResponse copy(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        CopySource parsed = CopySources.parse(h);
        SseRequest.Customer sourceKey = Sse.customerKey(h, Sse.COPY_PREFIX, r.http().secure(), allowSseCOverHttp);
        CopySource source = new CopySource(parsed.bucket(), parsed.key(), parsed.conditions(), parsed.versionId(),
                sourceKey == null ? null : sourceKey.key());
        SseRequest sse = Sse.request(h, r.http().secure(), allowSseCOverHttp);
        noteSse(r, sse);
        r.note("copySource", parsed.bucket().value() + "/" + parsed.key().value());
        boolean replaceMetadata = directive(h, "x-amz-metadata-directive");
        boolean replaceTags = directive(h, "x-amz-tagging-directive");
        ObjectAttributes attributes = RequestHeaders.attributes(h, false);
        CopyOptions options = new CopyOptions(replaceMetadata, attributes, replaceTags,
                RequestHeaders.tagging(h.get("x-amz-tagging")), RequestHeaders.algorithmHeader(h),
                RequestHeaders.writePrecondition(h), RequestHeaders.objectLock(h), sse);
        WriteResult result = objects.copy(source, r.bucket(), r.key(), r.owner(), options);
        noteWrite(r, result);
        Headers out = new Headers();
        writeSseHeaders(result.encryption(), sse, out);
        versionHeader(buckets, r.bucket(), result.versionId(), out);
        copySourceVersionHeader(buckets, source.bucket(), result.sourceVersionId(), out);
        XmlWriter xml = new XmlWriter().root("CopyObjectResult")
                .element("ETag", Responses.quote(result.etag()))
                .element("LastModified", HttpDates.iso(result.lastModifiedMillis()));
        if (result.checksum() != null) {
            xml.element(result.checksum().algorithm().xmlElement(), result.checksum().value());
            xml.element("ChecksumType", result.checksum().type().name());
        }
        return Responses.xml(200, out, xml.end());
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
        ObjectStore.VersionTags tags = objects.getTags(r.bucket(), r.key(), versionIdParam(r));
        XmlWriter xml = new XmlWriter().root("Tagging").start("TagSet");
        for (Map.Entry<String, String> t : tags.tags().entrySet()) {
            xml.start("Tag").element("Key", t.getKey()).element("Value", t.getValue()).end();
        }
        Headers out = new Headers();
        versionHeader(buckets, r.bucket(), tags.versionId(), out);
        return Responses.xml(200, out, xml.end().end());
    }

    HttpResponse putTagging(S3Request r) {
        String versionId = versionIdParam(r);
        XmlNode root = Bodies.xml(r, Limits.MAX_XML_BODY_BYTES, "Tagging");
        XmlNode tagSet = root.child("TagSet").orElseThrow(XmlParser::malformed);
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlNode tag : tagSet.all("Tag")) {
            String k = tag.child("Key").map(XmlNode::text).orElseThrow(XmlParser::malformed);
            String v = tag.child("Value").map(XmlNode::text).orElseThrow(XmlParser::malformed);
            if (tags.put(k, v) != null) {
                throw StoreException.of(FailureKind.INVALID_TAG, "Cannot provide multiple Tags with the same key");
            }
        }
        Headers out = new Headers();
        versionHeader(buckets, r.bucket(), objects.putTags(r.bucket(), r.key(), versionId, tags), out);
        return Responses.empty(200, out);
    }

    HttpResponse deleteTagging(S3Request r) {
        Headers out = new Headers();
        versionHeader(buckets, r.bucket(), objects.putTags(r.bucket(), r.key(), versionIdParam(r), Map.of()), out);
        return Responses.empty(204, out);
    }

    HttpResponse getAcl(S3Request r) {
        ReadOptions version = new ReadOptions(null, null, Conditions.NONE, versionIdParam(r));
        ObjectRecord record = objects.get(r.bucket(), r.key(), version, false).record();
        return Responses.xml(200, Acls.ownerFullControl(record.ownerId(), r.owner()));
    }

    HttpResponse putAcl(S3Request r) {
        RequestHeaders.rejectUnsupported(r.headers());
        if (Bodies.readBounded(r.auth().body(), Limits.MAX_XML_BODY_BYTES).length > 0) {
            throw StoreException.of(FailureKind.ACCESS_CONTROL_LIST_NOT_SUPPORTED, "The bucket does not allow ACLs");
        }
        objects.get(r.bucket(), r.key(), new ReadOptions(null, null, Conditions.NONE, versionIdParam(r)), false);
        return Responses.empty(200);
    }

    HttpResponse getRetention(S3Request r) {
        Retention retention = objects.getRetention(r.bucket(), r.key(), versionIdParam(r));
        return Responses.xml(200, VersioningXml.renderRetention(retention));
    }

    HttpResponse putRetention(S3Request r) {
        String versionId = versionIdParam(r);
        Retention retention = VersioningXml.parseRetention(Bodies.xml(r, VersioningXml.MAX_BODY_BYTES, "Retention"));
        r.note(RequestContext.CHANGE, retention == null ? "retention:none"
                : "retention:" + retention.mode() + ":" + retention.retainUntilMillis());
        r.note("previous", previousRetention(r, versionId));
        objects.putRetention(r.bucket(), r.key(), versionId, retention, permissions.bypassGovernance(r, r.key().value()));
        return Responses.empty(200);
    }

    /** The retention before a PutObjectRetention, in the CHANGE note's format (detectors spot shortening); null if unknown. */
    private String previousRetention(S3Request r, String versionId) {
        try {
            Retention before = objects.getRetention(r.bucket(), r.key(), versionId);
            return "retention:" + before.mode() + ":" + before.retainUntilMillis();
        } catch (StoreException e) {
            return e.kind() == FailureKind.NO_SUCH_OBJECT_LOCK_CONFIGURATION ? "retention:none" : null;
        }
    }

    HttpResponse getLegalHold(S3Request r) {
        boolean on = objects.getLegalHold(r.bucket(), r.key(), versionIdParam(r));
        return Responses.xml(200, VersioningXml.renderLegalHold(on));
    }

    HttpResponse putLegalHold(S3Request r) {
        String versionId = versionIdParam(r);
        boolean on = VersioningXml.parseLegalHold(Bodies.xml(r, VersioningXml.MAX_BODY_BYTES, "LegalHold"));
        r.note(RequestContext.CHANGE, "legal-hold:" + (on ? "ON" : "OFF"));
        objects.putLegalHold(r.bucket(), r.key(), versionId, on);
        return Responses.empty(200);
    }

    /**
     * The versionId query parameter: null when absent; "null" or an id Arca issues; anything else
     * (the empty string included) is InvalidArgument, as in S3.
     */
    static String versionIdParam(S3Request r) {
        return versionIdParam(r.query());
    }

    static String versionIdParam(Query q) {
        String v = q.get("versionId");
        if (v == null) {
            return null;
        }
        if (v.isEmpty()) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "Version id cannot be the empty string", "",
                    Map.of("ArgumentName", "versionId", "ArgumentValue", v)));
        }
        if (!VersionIds.isValid(v)) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "Invalid version id specified", "",
                    Map.of("ArgumentName", "versionId", "ArgumentValue", v)));
        }
        return v;
    }

    /**
     * Sets x-amz-version-id as S3 does: a version id is announced unless it is "null" in a bucket
     * whose versioning was never configured; "null" is announced once versioning has been enabled
     * or suspended. The bucket is read only for "null" ids.
     */
    static void versionHeader(Buckets buckets, BucketName bucket, String versionId, Headers out) {
        versionHeader(VERSION_ID_HEADER, versionId, () -> versioningConfigured(buckets, bucket), out);
    }

    /** x-amz-copy-source-version-id for the version a copy read, by the same rule for the source bucket. */
    static void copySourceVersionHeader(Buckets buckets, BucketName sourceBucket, String sourceVersionId, Headers out) {
        versionHeader("x-amz-copy-source-version-id", sourceVersionId, () -> versioningConfigured(buckets, sourceBucket), out);
    }

    static void versionHeader(String header, String versionId, BooleanSupplier versioningConfigured, Headers out) {
        if (versionId != null && (!versionId.equals(VersionIds.NULL) || versioningConfigured.getAsBoolean())) {
            out.set(header, versionId);
        }
    }

    private static boolean versioningConfigured(Buckets buckets, BucketName bucket) {
        return buckets.find(bucket.value()).map(b -> b.versioning() != Versioning.UNVERSIONED).orElse(false);
    }
}
