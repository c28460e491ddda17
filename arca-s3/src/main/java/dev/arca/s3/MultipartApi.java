package dev.arca.s3;

import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import dev.arca.meta.PartRecord;
import dev.arca.meta.UploadListing;
import dev.arca.meta.UploadQuery;
import dev.arca.meta.UploadRecord;
import dev.arca.object.Buckets;
import dev.arca.object.ChecksumInput;
import dev.arca.object.CopySource;
import dev.arca.object.StorageClasses;
import dev.arca.object.CompletedPart;
import dev.arca.object.Multipart;
import dev.arca.object.PartResult;
import dev.arca.object.WriteResult;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Multipart upload operations on the wire. */
final class MultipartApi {
    private final Multipart multipart;
    private final Buckets buckets;
    private final boolean allowSseCOverHttp;

    MultipartApi(Multipart multipart, Buckets buckets, boolean allowSseCOverHttp) {
        this.allowSseCOverHttp = allowSseCOverHttp;
        this.multipart = multipart;
        this.buckets = buckets;
    }

    HttpResponse create(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        ChecksumAlgorithm algorithm = RequestHeaders.algorithmHeader(h);
        ChecksumType type = null;
        String typeHeader = h.get("x-amz-checksum-type");
        if (typeHeader != null) {
            try {
                type = ChecksumType.valueOf(typeHeader.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw StoreException.of(FailureKind.INVALID_REQUEST, "Value for x-amz-checksum-type header is invalid.");
            }
        }
        dev.arca.object.SseRequest sse = Sse.request(h, r.http().secure(), allowSseCOverHttp);
        ObjectApi.noteSse(r, sse);
        UploadRecord upload = multipart.create(r.bucket(), r.key(), r.owner(), RequestHeaders.attributes(h, true),
                algorithm, type, RequestHeaders.objectLock(h), sse);
        Headers out = new Headers();
        Sse.responseHeaders(upload.encryption(), buckets.region(),
                sse instanceof dev.arca.object.SseRequest.Customer c ? c.keyMd5() : null, out);
        if (upload.encryption() != null && upload.encryption().kmsContext() != null) {
            out.set(Sse.KMS_CONTEXT, upload.encryption().kmsContext());
        }
        if (upload.checksumAlgorithm() != null) {
            out.set("x-amz-checksum-algorithm", upload.checksumAlgorithm().awsName());
            out.set("x-amz-checksum-type", upload.checksumType().name());
        }
        XmlWriter xml = new XmlWriter().root("InitiateMultipartUploadResult")
                .element("Bucket", r.bucket().value()).element("Key", r.key().value())
                .element("UploadId", upload.uploadId()).end();
        return Responses.xml(200, out, xml);
    }

    HttpResponse uploadPart(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        RequestHeaders.requireContentLength(r.auth());
        ChecksumInput checksum = RequestHeaders.checksum(h, r.auth());
        // Known limit: only the bucket's default retention is seen here, not lock headers the upload was created with.
        ObjectApi.requireIntegrityForLock(buckets, r, checksum, false, "Put Part");
        dev.arca.object.SseRequest.Customer customer = Sse.customerKey(h, "", r.http().secure(), allowSseCOverHttp);
        PartResult result = multipart.uploadPart(r.bucket(), r.key(), uploadId(r), partNumber(r), r.auth().body(),
                r.auth().decodedContentLength(), checksum, h.get("content-md5"), customer == null ? null : customer.key());
        Headers out = new Headers();
        Sse.responseHeaders(result.encryption(), buckets.region(), customer == null ? null : customer.keyMd5(), out);
        out.set("etag", Responses.quote(result.etag()));
        if (result.checksum() != null) {
            out.set(result.checksum().algorithm().headerName(), result.checksum().value());
        }
        return Responses.empty(200, out);
    }

    HttpResponse uploadPartCopy(S3Request r) {
        Headers h = r.headers();
        RequestHeaders.rejectUnsupported(h);
        CopySource parsed = CopySources.parse(h);
        dev.arca.object.SseRequest.Customer sourceKey = Sse.customerKey(h, Sse.COPY_PREFIX, r.http().secure(), allowSseCOverHttp);
        dev.arca.object.SseRequest.Customer customer = Sse.customerKey(h, "", r.http().secure(), allowSseCOverHttp);
        CopySource source = new CopySource(parsed.bucket(), parsed.key(), parsed.conditions(), parsed.versionId(),
                sourceKey == null ? null : sourceKey.key());
        PartResult result = multipart.uploadPartCopy(r.bucket(), r.key(), uploadId(r), partNumber(r),
                source, CopySources.range(h), customer == null ? null : customer.key());
        // PartResult does not say which version was read: the header echoes the version the request named.
        Headers out = new Headers();
        Sse.responseHeaders(result.encryption(), buckets.region(), customer == null ? null : customer.keyMd5(), out);
        ObjectApi.copySourceVersionHeader(buckets, source.bucket(), source.versionId(), out);
        XmlWriter xml = new XmlWriter().root("CopyPartResult")
                .element("LastModified", HttpDates.iso(result.lastModifiedMillis()))
                .element("ETag", Responses.quote(result.etag()));
        if (result.checksum() != null) {
            xml.element(result.checksum().algorithm().xmlElement(), result.checksum().value());
        }
        return Responses.xml(200, out, xml.end());
    }

    HttpResponse complete(S3Request r) {
        // x-amz-checksum-* here is the object's checksum (checked below), not the body's.
        XmlNode root = Bodies.completeXml(r, Limits.MAX_COMPLETE_BODY_BYTES, "CompleteMultipartUpload");
        List<CompletedPart> parts = new ArrayList<>();
        for (XmlNode p : root.all("Part")) {
            String number = p.childText("PartNumber");
            String etag = p.childText("ETag");
            if (number == null || etag == null) {
                throw XmlParser.malformed();
            }
            int n;
            try {
                n = Integer.parseInt(number);
            } catch (NumberFormatException e) {
                throw XmlParser.malformed();
            }
            Map<ChecksumAlgorithm, String> checksums = new EnumMap<>(ChecksumAlgorithm.class);
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String v = p.childText(a.xmlElement());
                if (v != null) {
                    checksums.put(a, v);
                }
            }
            parts.add(new CompletedPart(n, Conditions.unquote(etag), checksums));
        }
        String fullObjectChecksum = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = r.header(a.headerName());
            if (v != null) {
                fullObjectChecksum = v.trim();
            }
        }
        WriteResult result = multipart.complete(r.bucket(), r.key(), uploadId(r), parts,
                RequestHeaders.writePrecondition(r.headers()), fullObjectChecksum);
        ObjectApi.noteWrite(r, result);
        String host = r.header("host") == null ? "localhost" : r.header("host");
        String scheme = r.http().secure() ? "https" : "http";
        XmlWriter xml = new XmlWriter().root("CompleteMultipartUploadResult")
                .element("Location", scheme + "://" + host + "/" + r.bucket().value() + "/"
                        + dev.arca.s3.http.UriEncoding.encode(r.key().value(), false))
                .element("Bucket", r.bucket().value())
                .element("Key", r.key().value())
                .element("ETag", Responses.quote(result.etag()));
        if (result.checksum() != null) {
            xml.element(result.checksum().algorithm().xmlElement(), result.checksum().value());
            xml.element("ChecksumType", result.checksum().type().name());
        }
        Headers out = new Headers();
        ObjectApi.versionHeader(buckets, r.bucket(), result.versionId(), out);
        Sse.responseHeaders(result.encryption(), buckets.region(), null, out);
        return Responses.xml(200, out, xml.end());
    }

    HttpResponse abort(S3Request r) {
        multipart.abort(r.bucket(), r.key(), uploadId(r));
        return Responses.empty(204);
    }

    HttpResponse listParts(S3Request r) {
        int max = r.query().intParam("max-parts", Limits.MAX_PARTS_PER_PAGE, 0, Limits.MAX_PARTS_PER_PAGE);
        int marker = r.query().intParam("part-number-marker", 0, 0, Integer.MAX_VALUE);
        Multipart.Parts parts = multipart.listParts(r.bucket(), r.key(), uploadId(r), marker, max);
        UploadRecord u = parts.upload();
        String ownerName = BucketApi.displayName(r, u.ownerId());
        XmlWriter xml = new XmlWriter().root("ListPartsResult")
                .element("Bucket", r.bucket().value()).element("Key", r.key().value()).element("UploadId", u.uploadId())
                .element("PartNumberMarker", marker);
        if (parts.listing().truncated()) {
            xml.element("NextPartNumberMarker", parts.listing().nextMarker());
        }
        xml.element("MaxParts", max).element("IsTruncated", parts.listing().truncated());
        if (u.checksumAlgorithm() != null) {
            xml.element("ChecksumAlgorithm", u.checksumAlgorithm().awsName());
            xml.element("ChecksumType", u.checksumType().name());
        }
        for (PartRecord p : parts.listing().parts()) {
            xml.start("Part").element("PartNumber", p.partNumber())
                    .element("LastModified", HttpDates.iso(p.lastModifiedMillis()))
                    .element("ETag", Responses.quote(p.etag())).element("Size", p.size());
            if (p.checksum() != null) {
                xml.element(u.checksumAlgorithm().xmlElement(), p.checksum());
            }
            xml.end();
        }
        xml.start("Initiator").element("ID", u.ownerId()).element("DisplayName", ownerName).end()
                .start("Owner").element("ID", u.ownerId()).element("DisplayName", ownerName).end()
                .element("StorageClass", StorageClasses.of(u.attributes()));
        return Responses.xml(200, xml.end());
    }

    HttpResponse listUploads(S3Request r) {
        Query q = r.query();
        boolean url = BucketApi.encodingTypeUrl(q);
        int max = q.intParam("max-uploads", Limits.MAX_UPLOADS_PER_PAGE, 0, Limits.MAX_UPLOADS_PER_PAGE);
        UploadQuery query = new UploadQuery(q.get("prefix"), q.get("delimiter"), q.get("key-marker"),
                q.get("upload-id-marker"), max);
        UploadListing page = multipart.listUploads(r.bucket(), query);
        XmlWriter xml = new XmlWriter().root("ListMultipartUploadsResult")
                .element("Bucket", r.bucket().value())
                .element("KeyMarker", query.keyMarker() == null ? "" : BucketApi.enc(query.keyMarker(), url))
                .element("UploadIdMarker", query.uploadIdMarker() == null ? "" : query.uploadIdMarker());
        if (page.truncated()) {
            xml.element("NextKeyMarker", BucketApi.enc(page.nextKeyMarker(), url));
            xml.element("NextUploadIdMarker", page.nextUploadIdMarker() == null ? "" : page.nextUploadIdMarker());
        }
        if (!query.prefix().isEmpty()) {
            xml.element("Prefix", BucketApi.enc(query.prefix(), url));
        }
        if (query.delimiter() != null) {
            xml.element("Delimiter", BucketApi.enc(query.delimiter(), url));
        }
        xml.element("MaxUploads", max);
        if (url) {
            xml.element("EncodingType", "url");
        }
        xml.element("IsTruncated", page.truncated());
        for (UploadRecord u : page.uploads()) {
            String ownerName = BucketApi.displayName(r, u.ownerId());
            xml.start("Upload").element("Key", BucketApi.enc(u.key(), url)).element("UploadId", u.uploadId())
                    .start("Initiator").element("ID", u.ownerId()).element("DisplayName", ownerName).end()
                    .start("Owner").element("ID", u.ownerId()).element("DisplayName", ownerName).end()
                    .element("StorageClass", StorageClasses.of(u.attributes()))
                    .element("Initiated", HttpDates.iso(u.initiatedMillis()));
            if (u.checksumAlgorithm() != null) {
                xml.element("ChecksumAlgorithm", u.checksumAlgorithm().awsName());
                xml.element("ChecksumType", u.checksumType().name());
            }
            xml.end();
        }
        for (String p : page.commonPrefixes()) {
            xml.start("CommonPrefixes").element("Prefix", BucketApi.enc(p, url)).end();
        }
        return Responses.xml(200, xml.end());
    }

    private static String uploadId(S3Request r) {
        String id = r.query().get("uploadId");
        if (id == null || id.isEmpty()) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "This operation requires an uploadId", "",
                    Map.of("ArgumentName", "uploadId")));
        }
        return id;
    }

    private static int partNumber(S3Request r) {
        if (!r.query().has("partNumber")) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                    "Part number must be an integer between 1 and 10000, inclusive", "", Map.of("ArgumentName", "partNumber")));
        }
        return r.query().intParam("partNumber", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
}
