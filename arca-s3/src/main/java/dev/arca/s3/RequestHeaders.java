package dev.arca.s3;

import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.Checksums;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.WritePrecondition;
import dev.arca.object.StorageClasses;
import dev.arca.object.ChecksumInput;
import dev.arca.object.ObjectLock;
import dev.arca.s3.auth.AuthenticatedRequest;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.UriEncoding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads S3 semantics out of request headers: attributes, conditions, checksums, unsupported features. */
final class RequestHeaders {
    /** Stored HTTP headers returned on GET/HEAD, by lower-case name. */
    static final List<String> STORED_HEADERS = List.of(
            "content-type", "content-encoding", "content-disposition", "content-language", "cache-control", "expires");
    private static final String META_PREFIX = "x-amz-meta-";
    static final String LOCK_MODE = "x-amz-object-lock-mode";
    static final String LOCK_RETAIN_UNTIL = "x-amz-object-lock-retain-until-date";
    static final String LOCK_LEGAL_HOLD = "x-amz-object-lock-legal-hold";

    private RequestHeaders() {}

    /**
     * The attributes a write stores: stored headers, the storage class if not STANDARD, user
     * metadata and (if {@code withTags}) x-amz-tagging.
     */
    static ObjectAttributes attributes(Headers h, boolean withTags) {
        Map<String, String> stored = new LinkedHashMap<>();
        for (String name : STORED_HEADERS) {
            String v = h.get(name);
            if (v == null) {
                continue;
            }
            if (name.equals("content-encoding")) {
                v = stripAwsChunked(v);
                if (v.isEmpty()) {
                    continue;
                }
            }
            stored.put(name, v);
        }
        String storageClass = h.get(StorageClasses.HEADER);
        if (storageClass != null && storageClass.trim().equals(StorageClasses.REDUCED_REDUNDANCY)) {
            stored.put(StorageClasses.HEADER, StorageClasses.REDUCED_REDUNDANCY);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : h.asMap().entrySet()) {
            if (e.getKey().startsWith(META_PREFIX) && e.getKey().length() > META_PREFIX.length()) {
                meta.put(e.getKey().substring(META_PREFIX.length()), String.join(",", e.getValue()));
            }
        }
        Map<String, String> tags = withTags ? tagging(h.get("x-amz-tagging")) : Map.of();
        return new ObjectAttributes(stored, meta, tags);
    }

    /** Removes the aws-chunked token, which describes the transfer, not the object. */
    static String stripAwsChunked(String contentEncoding) {
        List<String> kept = new ArrayList<>();
        for (String token : contentEncoding.split(",")) {
            String t = token.trim();
            if (!t.isEmpty() && !t.equalsIgnoreCase("aws-chunked")) {
                kept.add(t);
            }
        }
        return String.join(",", kept);
    }

    /** Parses an x-amz-tagging value (URL query form, "k1=v1&k2=v2"). */
    static Map<String, String> tagging(String value) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (value == null || value.isEmpty()) {
            return tags;
        }
        for (Map.Entry<String, String> e : UriEncoding.parseQuery(value)) {
            if (tags.put(e.getKey(), e.getValue()) != null) {
                throw StoreException.of(FailureKind.INVALID_TAG, "Cannot provide multiple Tags with the same key");
            }
        }
        return tags;
    }

    /** GET/HEAD conditions, or x-amz-copy-source-if-* with {@code prefix} "x-amz-copy-source-". */
    static Conditions conditions(Headers h, String prefix) {
        return new Conditions(h.get(prefix + "if-match"), h.get(prefix + "if-none-match"),
                HttpDates.parse(h.get(prefix + "if-modified-since")), HttpDates.parse(h.get(prefix + "if-unmodified-since")));
    }

    /** Conditional writes: If-None-Match: * (create only) or If-Match: etag. */
    static WritePrecondition writePrecondition(Headers h) {
        String ifNoneMatch = h.get("if-none-match");
        String ifMatch = h.get("if-match");
        if (ifNoneMatch != null && ifMatch != null) {
            throw StoreException.of(FailureKind.NOT_IMPLEMENTED,
                    "If-Match and If-None-Match cannot be combined on a write");
        }
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.trim().equals("*")) {
                throw StoreException.of(FailureKind.NOT_IMPLEMENTED,
                        "A header you provided implies functionality that is not implemented: If-None-Match accepts only *");
            }
            return new WritePrecondition.MustNotExist();
        }
        if (ifMatch != null) {
            return new WritePrecondition.EtagMatches(Conditions.unquote(ifMatch));
        }
        return WritePrecondition.NONE;
    }

    /**
     * The checksum a write asks for: at most one x-amz-checksum-* header, or one declared in
     * x-amz-trailer (its value read after the body), or only an algorithm
     * (x-amz-sdk-checksum-algorithm / x-amz-checksum-algorithm) to compute.
     */
    static ChecksumInput checksum(Headers h, AuthenticatedRequest auth) {
        ChecksumAlgorithm fromHeader = null;
        String headerValue = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = h.get(a.headerName());
            if (v != null) {
                if (fromHeader != null) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST,
                            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
                }
                fromHeader = a;
                headerValue = v.trim();
            }
        }
        ChecksumAlgorithm fromTrailer = null;
        for (String trailer : auth.declaredTrailers()) {
            var a = ChecksumAlgorithm.fromHeaderName(trailer);
            if (a.isPresent()) {
                if (fromTrailer != null || fromHeader != null) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST,
                            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
                }
                fromTrailer = a.get();
            }
        }
        String sdkAlgorithm = h.get("x-amz-sdk-checksum-algorithm");
        if (sdkAlgorithm == null) {
            sdkAlgorithm = h.get("x-amz-checksum-algorithm");
        }
        ChecksumAlgorithm declared = null;
        if (sdkAlgorithm != null) {
            declared = ChecksumAlgorithm.fromAwsName(sdkAlgorithm.trim()).orElseThrow(() -> StoreException.of(
                    FailureKind.INVALID_REQUEST, "Value for x-amz-sdk-checksum-algorithm header is invalid."));
        }
        if (fromHeader != null) {
            if (!Checksums.isValidBase64Digest(fromHeader, headerValue)) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "Value for " + fromHeader.headerName() + " header is invalid.");
            }
            mustAgree(declared, fromHeader);
            return ChecksumInput.of(fromHeader, headerValue);
        }
        if (fromTrailer != null) {
            mustAgree(declared, fromTrailer);
            String name = fromTrailer.headerName();
            ChecksumAlgorithm alg = fromTrailer;
            return new ChecksumInput(fromTrailer, () -> {
                String v = auth.trailers().get(name);
                if (v == null) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST,
                            "The trailer " + name + " was declared but not sent.");
                }
                if (!Checksums.isValidBase64Digest(alg, v.trim())) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST, "Value for " + name + " trailing header is invalid.");
                }
                return v.trim();
            });
        }
        return declared == null ? ChecksumInput.NONE : new ChecksumInput(declared, () -> null);
    }

    private static void mustAgree(ChecksumAlgorithm declared, ChecksumAlgorithm actual) {
        if (declared != null && declared != actual) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "Value for x-amz-sdk-checksum-algorithm header is invalid.");
        }
    }

    /** Checksum algorithm named by x-amz-checksum-algorithm (CreateMultipartUpload, CopyObject), or null. */
    static ChecksumAlgorithm algorithmHeader(Headers h) {
        String v = h.get("x-amz-checksum-algorithm");
        if (v == null) {
            return null;
        }
        return ChecksumAlgorithm.fromAwsName(v.trim()).orElseThrow(() -> new StoreException(new Failure(
                FailureKind.INVALID_REQUEST, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
                "", Map.of())));
    }

    /** PutObject and UploadPart need the body's length up front, as in S3 (411 MissingContentLength). */
    static void requireContentLength(AuthenticatedRequest auth) {
        if (auth.decodedContentLength() < 0) {
            throw StoreException.of(FailureKind.MISSING_CONTENT_LENGTH, "You must provide the Content-Length HTTP header.");
        }
    }

    /** Refuses what this server cannot honour rather than silently ignoring it. */
    static void rejectUnsupported(Headers h) {
        String storageClass = h.get(StorageClasses.HEADER);
        if (storageClass != null && !storageClass.trim().equals(StorageClasses.STANDARD)
                && !storageClass.trim().equals(StorageClasses.REDUCED_REDUNDANCY)) {
            throw StoreException.of(FailureKind.INVALID_STORAGE_CLASS, "The storage class you specified is not valid");
        }
        String acl = h.get("x-amz-acl");
        if (acl != null) {
            String a = acl.trim().toLowerCase(Locale.ROOT);
            if (!a.equals("private") && !a.equals("bucket-owner-full-control")) {
                throw StoreException.of(FailureKind.ACCESS_CONTROL_LIST_NOT_SUPPORTED, "The bucket does not allow ACLs");
            }
        }
        for (String grant : List.of("x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
                "x-amz-grant-write-acp", "x-amz-grant-full-control")) {
            if (h.contains(grant)) {
                throw StoreException.of(FailureKind.ACCESS_CONTROL_LIST_NOT_SUPPORTED, "The bucket does not allow ACLs");
            }
        }
    }

    /**
     * The Object Lock settings of a write (PutObject, CopyObject, CreateMultipartUpload):
     * x-amz-object-lock-mode and x-amz-object-lock-retain-until-date (both or neither) and
     * x-amz-object-lock-legal-hold; malformed values are InvalidArgument, with AWS's messages.
     */
    static ObjectLock objectLock(Headers h) {
        String mode = h.get(LOCK_MODE);
        String until = h.get(LOCK_RETAIN_UNTIL);
        Retention retention = null;
        if (mode != null || until != null) {
            if (mode == null || until == null) {
                throw lockArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
                        mode == null ? LOCK_MODE : LOCK_RETAIN_UNTIL, "");
            }
            RetentionMode m = retentionMode(mode.trim());
            if (m == null) {
                throw lockArgument("Unknown wormMode directive.", LOCK_MODE, mode);
            }
            Instant instant = HttpDates.parseIso(until);
            if (instant == null) {
                throw lockArgument("The retain until date must be provided in ISO 8601 format", LOCK_RETAIN_UNTIL, until);
            }
            retention = new Retention(m, instant.toEpochMilli());
        }
        boolean legalHold = false;
        String hold = h.get(LOCK_LEGAL_HOLD);
        if (hold != null) {
            legalHold = switch (hold.trim()) {
                case "ON" -> true;
                case "OFF" -> false;
                default -> throw lockArgument("Legal Hold must be either of 'ON' or 'OFF'", LOCK_LEGAL_HOLD, hold);
            };
        }
        return new ObjectLock(retention, legalHold);
    }

    /** Whether any Object Lock header is present (such writes need an integrity header, as in S3). */
    static boolean hasObjectLock(Headers h) {
        return h.contains(LOCK_MODE) || h.contains(LOCK_RETAIN_UNTIL) || h.contains(LOCK_LEGAL_HOLD);
    }

    /** An S3 retention mode by its exact name (S3 is case-sensitive here), or null. */
    static RetentionMode retentionMode(String name) {
        return switch (name) {
            case "GOVERNANCE" -> RetentionMode.GOVERNANCE;
            case "COMPLIANCE" -> RetentionMode.COMPLIANCE;
            default -> null;
        };
    }

    /** Whether x-amz-bypass-governance-retention asks to bypass GOVERNANCE retention. */
    static boolean bypassGovernanceRequested(Headers h) {
        String v = h.get("x-amz-bypass-governance-retention");
        return v != null && v.trim().equalsIgnoreCase("true");
    }

    private static StoreException lockArgument(String message, String name, String value) {
        return new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, message, "",
                Map.of("ArgumentName", name, "ArgumentValue", value)));
    }
}
