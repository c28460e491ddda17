package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.s3.http.UriEncoding;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Helpers shared by the versioning and Object Lock tests: a settable clock for the server's object
 * layer, ListObjectVersions read raw (so that the interleaving of versions and delete markers, which
 * the SDK splits into two lists, can be checked), and small utilities.
 */
final class Versioned {
    private static final HexFormat HEX = HexFormat.of();

    private Versioned() {}

    /** An {@link InstantSource} the test sets by hand; starts at {@code start}. */
    static final class MutableClock implements InstantSource {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        void set(Instant t) {
            now.set(t);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public String toString() {
            return "MutableClock[" + now.get() + "]";
        }
    }

    /** One entry of a ListObjectVersions page, in document order: a version or a delete marker. */
    record Entry(boolean deleteMarker, String key, String versionId, boolean latest, String etag, long size) {
        String id() {
            return key + "@" + versionId + (deleteMarker ? "(marker)" : "");
        }
    }

    /** A raw ListObjectVersions page. */
    record Page(List<Entry> entries, List<String> commonPrefixes, boolean truncated, String nextKeyMarker,
            String nextVersionIdMarker, String body) {}

    private static final Pattern ENTRY = Pattern.compile("<(Version|DeleteMarker)>(.*?)</\\1>", Pattern.DOTALL);
    private static final Pattern PREFIX = Pattern.compile("<CommonPrefixes>\\s*<Prefix>(.*?)</Prefix>\\s*</CommonPrefixes>",
            Pattern.DOTALL);

    /** GET /bucket?versions with these parameters (path style), asserted 200. */
    static Page listVersions(RawS3 raw, String bucket, Map<String, String> params) {
        StringBuilder q = new StringBuilder("versions");
        for (Map.Entry<String, String> p : params.entrySet()) {
            q.append('&').append(p.getKey()).append('=').append(UriEncoding.encode(p.getValue(), true));
        }
        RawS3.Response r = raw.signed("GET", "/" + bucket, q.toString(), raw.headers(), new byte[0]);
        r.assertStatus(200);
        String body = r.text();
        assertThat(body).contains("<ListVersionsResult");
        List<Entry> entries = new ArrayList<>();
        Matcher m = ENTRY.matcher(body);
        while (m.find()) {
            String inner = m.group(2);
            String size = field(inner, "Size");
            entries.add(new Entry(m.group(1).equals("DeleteMarker"), unescape(field(inner, "Key")),
                    unescape(field(inner, "VersionId")), "true".equals(field(inner, "IsLatest")),
                    field(inner, "ETag") == null ? null : unescape(field(inner, "ETag")),
                    size == null ? -1 : Long.parseLong(size)));
        }
        List<String> prefixes = new ArrayList<>();
        Matcher p = PREFIX.matcher(body);
        while (p.find()) {
            prefixes.add(unescape(p.group(1)));
        }
        String truncated = field(body, "IsTruncated");
        assertThat(truncated).as("IsTruncated in %s", body).isIn("true", "false");
        return new Page(entries, prefixes, "true".equals(truncated), unescapeOrNull(field(body, "NextKeyMarker")),
                unescapeOrNull(field(body, "NextVersionIdMarker")), body);
    }

    /** Every version and delete marker under {@code prefix} (null: all), one page of up to 1000. */
    static List<Entry> allVersions(RawS3 raw, String bucket, String prefix) {
        Map<String, String> params = new LinkedHashMap<>();
        if (prefix != null) {
            params.put("prefix", prefix);
        }
        Page page = listVersions(raw, bucket, params);
        assertThat(page.truncated()).as("a test bucket's versions fit one page").isFalse();
        return page.entries();
    }

    /** The versions and delete markers of one key, newest first. */
    static List<Entry> versionsOf(RawS3 raw, String bucket, String key) {
        return allVersions(raw, bucket, key).stream().filter(e -> e.key().equals(key)).toList();
    }

    private static String field(String xml, String name) {
        Matcher m = Pattern.compile("<" + name + ">(.*?)</" + name + ">", Pattern.DOTALL).matcher(xml);
        return m.find() ? m.group(1) : null;
    }

    private static String unescapeOrNull(String s) {
        return s == null ? null : unescape(s);
    }

    static String unescape(String s) {
        if (s == null) {
            return null;
        }
        return s.replace("&quot;", "\"").replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&#34;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }

    /** Both lists of an SDK ListObjectVersions response, as "key@id" strings with IsLatest and kind. */
    static List<String> describe(ListObjectVersionsResponse r) {
        List<String> out = new ArrayList<>();
        for (ObjectVersion v : r.versions()) {
            out.add("V " + v.key() + "@" + v.versionId() + (Boolean.TRUE.equals(v.isLatest()) ? " latest" : "") + " "
                    + v.eTag() + " " + v.size() + " " + v.lastModified());
        }
        for (DeleteMarkerEntry d : r.deleteMarkers()) {
            out.add("M " + d.key() + "@" + d.versionId() + (Boolean.TRUE.equals(d.isLatest()) ? " latest" : "") + " "
                    + d.lastModified());
        }
        return out;
    }

    static void enableVersioning(S3Client s3, String bucket) {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
    }

    static void suspendVersioning(S3Client s3, String bucket) {
        s3.putBucketVersioning(b -> b.bucket(bucket).versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED)));
    }

    /** A header of an error response, as the SDK received it. */
    static Optional<String> header(S3Exception e, String name) {
        return e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader(name);
    }

    static String sha256(byte[] data) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads a version's bytes and returns their SHA-256. */
    static String sha256Of(S3Client s3, String bucket, String key, String versionId) {
        return sha256(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).versionId(versionId)).asByteArrayUnsafe());
    }
}
