package dev.arca.core;

import java.time.Instant;

/**
 * HTTP conditional request headers (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since), evaluated against an object's ETag and Last-Modified time with the
 * precedence RFC 7232 and S3 use: If-Match decides before If-Unmodified-Since, and If-None-Match
 * before If-Modified-Since. ETags are compared without quotes; {@code *} matches any existing
 * object. Dates have one-second resolution, as HTTP dates do.
 */
public record Conditions(String ifMatch, String ifNoneMatch, Instant ifModifiedSince, Instant ifUnmodifiedSince) {
    public static final Conditions NONE = new Conditions(null, null, null, null);

    public enum Outcome { PROCEED, NOT_MODIFIED, PRECONDITION_FAILED }

    public boolean isEmpty() {
        return ifMatch == null && ifNoneMatch == null && ifModifiedSince == null && ifUnmodifiedSince == null;
    }

    /** Evaluates against an existing object. */
    public Outcome evaluate(String etag, Instant lastModified) {
        long modified = lastModified.getEpochSecond();
        if (ifMatch != null) {
            if (!matches(ifMatch, etag)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else if (ifUnmodifiedSince != null && modified > ifUnmodifiedSince.getEpochSecond()) {
            return Outcome.PRECONDITION_FAILED;
        }
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag)) {
                return Outcome.NOT_MODIFIED;
            }
        } else if (ifModifiedSince != null && modified <= ifModifiedSince.getEpochSecond()) {
            return Outcome.NOT_MODIFIED;
        }
        return Outcome.PROCEED;
    }

    /** True if a header value (a list of quoted or bare ETags, or *) names {@code etag}. */
    public static boolean matches(String header, String etag) {
        for (String part : header.split(",")) {
            String candidate = unquote(part.trim());
            if (candidate.equals("*") || candidate.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    public static String unquote(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e;
    }
}
