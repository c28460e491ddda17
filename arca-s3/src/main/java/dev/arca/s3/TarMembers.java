package dev.arca.s3;

import dev.arca.core.ByteRange;
import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.meta.ObjectRecord;
import dev.arca.object.Buckets;
import dev.arca.object.ObjectRead;
import dev.arca.object.ObjectStore;
import dev.arca.object.ReadOptions;
import dev.arca.object.SseRequest;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.tar.TarIndex;
import java.util.Map;

/**
 * GetObject / HeadObject with {@code ?archpath=NAME}: one member of a tar archive object, served
 * as a ranged read of the archive. The archive's index (member → offset, size) is built on the
 * first such request by scanning the tar headers ({@link TarIndex}) and kept in a
 * {@link TarIndexCache} keyed by the exact version (bucket, key, version id, ETag, last-modified,
 * size), so an overwritten archive is indexed afresh and a stale index is never used.
 *
 * <p>Every read after the first names the version the index was built from and carries
 * {@code If-Match: <etag>}; if the archive is replaced meanwhile the request starts over with the
 * new version (at most {@link #MAX_ATTEMPTS} times). The caller's conditions (If-Match, ...) and
 * SSE-C key apply to the archive object; a Range header applies to the member's bytes.
 */
final class TarMembers {
    /** The query parameter naming the member. */
    static final String ARCHPATH = "archpath";
    /** Regular file members one archive may have for archpath reads (bounds one index's memory). */
    static final int MAX_ARCHIVE_MEMBERS = 250_000;
    /** Attempts when the archive is replaced while a request reads it. */
    static final int MAX_ATTEMPTS = 3;
    /** The Content-Type of a member (tar keeps none). */
    static final String MEMBER_CONTENT_TYPE = "application/octet-stream";

    private final ObjectStore objects;
    private final Buckets buckets;
    private final boolean allowSseCOverHttp;
    private final TarIndexCache cache;

    TarMembers(ObjectStore objects, Buckets buckets, boolean allowSseCOverHttp, TarIndexCache cache) {
        this.objects = objects;
        this.buckets = buckets;
        this.allowSseCOverHttp = allowSseCOverHttp;
        this.cache = cache;
    }

    /** Whether a GET/HEAD asks for a member rather than the whole object. */
    static boolean wanted(S3Request r) {
        return r.query().has(ARCHPATH);
    }

    HttpResponse get(S3Request r, boolean withBody) {
        String member = r.query().get(ARCHPATH);
        if (member == null || member.isEmpty()) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "archpath must name a member of the archive",
                    "", Map.of("ArgumentName", ARCHPATH, "ArgumentValue", member == null ? "" : member)));
        }
        if (r.query().has("partNumber")) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Cannot specify both archpath and partNumber");
        }
        r.note(RequestContext.ARCHPATH, member);
        String versionId = ObjectApi.versionIdParam(r);
        SseRequest.Customer customer = Sse.customerKey(r.headers(), "", r.http().secure(), allowSseCOverHttp);
        byte[] customerKey = customer == null ? null : customer.key();
        Conditions conditions = RequestHeaders.conditions(r.headers(), "");
        for (int attempt = 1; ; attempt++) {
            try {
                return serve(r, member, versionId, customerKey, conditions, withBody);
            } catch (StoreException e) {
                if (!e.failure().details().containsKey(REPLACED)) {
                    throw e;
                }
                // The version we pinned was replaced or removed under us: start over with the current one.
                if (attempt == MAX_ATTEMPTS) {
                    throw StoreException.of(FailureKind.SLOW_DOWN, "The archive is being replaced too often to read it; retry.");
                }
            }
        }
    }

    /** Detail marking a failure of our own pinned reads (never sent: it becomes a retry or SlowDown). */
    private static final String REPLACED = "ArchiveReplaced";

    private HttpResponse serve(S3Request r, String member, String versionId, byte[] customerKey, Conditions conditions,
            boolean withBody) {
        ObjectRecord archive = objects.get(r.bucket(), r.key(), new ReadOptions(null, null, conditions, versionId, customerKey),
                false).record();
        objects.crypto().checkCustomerKey(archive.encryption(), customerKey);
        r.version(archive.versionId());
        ReadOptions pinned = new ReadOptions(null, null, new Conditions(archive.etag(), null, null, null),
                archive.versionId(), customerKey);
        TarIndex index = cache.get(TarIndexCache.Key.of(r.bucket().value(), r.key().value(), archive),
                () -> TarIndex.scan(archive.size(), offset -> open(r, pinned, new RangeSpec.From(offset)), MAX_ARCHIVE_MEMBERS));
        TarIndex.Member m = index.find(member).orElseThrow(() -> new StoreException(new Failure(FailureKind.NO_SUCH_KEY,
                "The archive " + r.key().value() + " has no regular file member named " + member, "",
                Map.of("Key", r.key().value(), "ArchPath", member))));
        ByteRange within = RangeSpec.parse(r.header("range")).map(spec -> spec.resolve(m.size())).orElse(null);
        Headers out = new Headers();
        out.set("content-type", MEMBER_CONTENT_TYPE);
        out.set("last-modified", HttpDates.http((m.mtimeSeconds() > 0 ? m.mtimeSeconds() * 1000 : archive.lastModifiedMillis())));
        out.set("accept-ranges", "bytes");
        ObjectApi.versionHeader(buckets, r.bucket(), archive.versionId(), out);
        long length = within == null ? m.size() : within.length();
        int status = 200;
        if (within != null) {
            status = 206;
            out.set("content-range", "bytes " + within.first() + "-" + within.last() + "/" + m.size());
        }
        out.set("content-length", Long.toString(length));
        if (!withBody || length == 0) {
            return Responses.empty(status, out);
        }
        long first = m.offset() + (within == null ? 0 : within.first());
        ObjectRead read = openRead(r, pinned, new RangeSpec.FromTo(first, first + length - 1));
        return new HttpResponse(status, out, new HttpResponse.Streamed(length, read.body()));
    }

    private java.io.InputStream open(S3Request r, ReadOptions pinned, RangeSpec range) {
        return openRead(r, pinned, range).body();
    }

    /** A ranged read of exactly the pinned archive version; a replaced archive is a marked precondition failure. */
    private ObjectRead openRead(S3Request r, ReadOptions pinned, RangeSpec range) {
        try {
            return objects.get(r.bucket(), r.key(), new ReadOptions(range, null, pinned.conditions(), pinned.versionId(),
                    pinned.customerKey()), true);
        } catch (StoreException e) {
            if (e.kind() == FailureKind.PRECONDITION_FAILED || e.kind() == FailureKind.NO_SUCH_KEY
                    || e.kind() == FailureKind.NO_SUCH_VERSION) {
                throw new StoreException(e.failure().withDetail(REPLACED, "true"));
            }
            throw e;
        }
    }
}
