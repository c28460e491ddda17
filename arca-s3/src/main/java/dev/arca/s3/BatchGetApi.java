package dev.arca.s3;

import dev.arca.core.Conditions;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.ObjectKey;
import dev.arca.core.RangeSpec;
import dev.arca.core.StoreException;
import dev.arca.meta.VersionIds;
import dev.arca.object.Buckets;
import dev.arca.object.ObjectRead;
import dev.arca.object.ObjectStore;
import dev.arca.object.ReadOptions;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.tar.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Batch GET ({@code POST /bucket?batchGet}): many objects of one bucket in one response, as an
 * ordered tar stream (AIStore's GetBatch idea), so a data loader pays one request for a whole
 * batch of small samples.
 *
 * <p>Before the status line every entry is checked — key and version id syntax, range syntax,
 * and s3:GetObject (s3:GetObjectVersion with a version id) on that key — and the audit notes
 * count the outcome. Then the body streams: for each entry in request order the object is read
 * (like a GetObject, one object at a time, with the transport's backpressure) and becomes either
 * the member {@code <key>} holding exactly the bytes served — its header is written only once the
 * read is open, so size and bytes always agree — or the member {@code <key>.error.json} holding
 * {@code {"key","versionId","code","status","message"}} (denied, missing, bad range, SSE-C, ...).
 * The stream ends with two zero blocks. Each entry reads the version current when its turn comes,
 * as a sequence of GETs would. A failure after a member's header went out (storage damage
 * mid-object) can only abort the connection: the client sees a truncated stream, never wrong bytes.
 *
 * <p>Existence is not looked up before the response starts: that would cost a second metadata
 * read per object (about a quarter of a batch's server time for 10 KiB objects). So the audit
 * record, which is cut when the response starts, counts entries requested, authorized and
 * rejected; an authorized entry that turns out missing is reported in-band only.
 *
 * <p>The length is unknown up front, so the response is sent with chunked transfer coding
 * ({@link HttpResponse.Streamed#UNKNOWN_LENGTH}).
 */
final class BatchGetApi {
    private static final System.Logger LOG = System.getLogger("arca.s3.batch");

    /** The query parameter that selects batch GET on a bucket POST. */
    static final String SUBRESOURCE = "batchGet";
    /** The response's Content-Type. */
    static final String CONTENT_TYPE = "application/x-tar";
    /** Suffix of the member that reports a failed entry. */
    static final String ERROR_SUFFIX = ".error.json";

    private final ObjectStore objects;
    private final Buckets buckets;
    private final S3Authorizer authorizer;
    private final InstantSource clock;

    BatchGetApi(ObjectStore objects, Buckets buckets, S3Authorizer authorizer, InstantSource clock) {
        this.objects = objects;
        this.buckets = buckets;
        this.authorizer = authorizer;
        this.clock = clock;
    }

    /** What the body step does for one entry, decided before the response starts. */
    sealed interface Planned permits Serve, Fail {}

    /** Read {@code range} (null: all) of the key's current version, or of {@code versionId}. */
    record Serve(ObjectKey key, String versionId, RangeSpec range) implements Planned {}

    /** Report {@code failure} in-band for this entry. */
    record Fail(String key, String versionId, Failure failure) implements Planned {}

    HttpResponse batchGet(S3Request r) {
        buckets.get(r.bucket()); // NoSuchBucket for the whole request, before any per-key answer
        BatchRequest request = BatchRequest.parse(Bodies.read(r, BatchRequest.MAX_BODY_BYTES));
        List<Planned> plan = new ArrayList<>(request.objects().size());
        int authorized = 0;
        int denied = 0;
        // Bucket record and policies looked up once for the whole batch; each key is still authorized.
        Predicate<S3Access.Need> allowed = authorizer.allowedOn(r, r.bucket().value());
        for (BatchRequest.Entry entry : request.objects()) {
            Planned p = plan(r, entry, allowed);
            plan.add(p);
            if (p instanceof Serve) {
                authorized++;
            } else if (p instanceof Fail f && f.failure().kind() == FailureKind.ACCESS_DENIED) {
                denied++;
            }
        }
        r.note(RequestContext.BATCH_OBJECTS, Integer.toString(plan.size()));
        r.note(RequestContext.BATCH_AUTHORIZED, Integer.toString(authorized));
        r.note(RequestContext.BATCH_FAILED, Integer.toString(plan.size() - authorized));
        r.note(RequestContext.BATCH_DENIED, Integer.toString(denied));
        Headers out = new Headers().set("content-type", CONTENT_TYPE);
        return new HttpResponse(200, out, new HttpResponse.Streamed(HttpResponse.Streamed.UNKNOWN_LENGTH,
                new TarStream(r, plan)));
    }

    /** Checks one entry's syntax and permission; every expected failure becomes a Fail. */
    private Planned plan(S3Request r, BatchRequest.Entry e, Predicate<S3Access.Need> allowed) {
        try {
            ObjectKey key = new ObjectKey(e.key());
            if (e.versionId() != null && !VersionIds.isValid(e.versionId())) {
                throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT, "Invalid version id specified", "",
                        Map.of("ArgumentName", "versionId", "ArgumentValue", e.versionId())));
            }
            RangeSpec range = null;
            if (e.range() != null) {
                // Stricter than a Range header (which S3 ignores when malformed): a batch entry says what it means.
                range = RangeSpec.parse(e.range()).orElseThrow(() -> new StoreException(new Failure(
                        FailureKind.INVALID_ARGUMENT, "range must be one byte range, bytes=first-last, first- or -suffix",
                        "", Map.of("ArgumentName", "range", "ArgumentValue", e.range()))));
            }
            // Authorization comes before existence, so a denied key never tells whether it exists.
            S3Access.Need need = new S3Access.Need(e.versionId() == null ? "s3:GetObject" : "s3:GetObjectVersion",
                    r.bucket().value(), key.value());
            if (!allowed.test(need)) {
                throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied");
            }
            return new Serve(key, e.versionId(), range);
        } catch (StoreException ex) {
            return new Fail(e.key(), e.versionId(), ex.failure());
        }
    }

    /** The in-band error document of a failed entry. */
    static byte[] errorDocument(String key, String versionId, Failure failure) {
        S3Errors.S3Error e = S3Errors.of(failure);
        String json = "{\"key\":" + jsonString(key)
                + ",\"versionId\":" + (versionId == null ? "null" : jsonString(versionId))
                + ",\"code\":" + jsonString(e.code())
                + ",\"status\":" + e.status()
                + ",\"message\":" + jsonString(failure.message()) + "}\n";
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** A JSON string literal; control characters and unpaired surrogates are escaped, so the document stays valid UTF-8. */
    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
                b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /**
     * The response body: tar members produced one entry at a time as the transport reads. Holds at
     * most one object stream open; closing it closes that stream (releasing its blob leases).
     */
    private final class TarStream extends InputStream {
        private final S3Request request;
        private final List<Planned> plan;
        private int next;
        /** Bytes of the current member's header (or whole error member), then its padding. */
        private byte[] head = new byte[0];
        private int headPos;
        private InputStream body;
        private long bodyLeft;
        private int padLeft;
        private boolean ended;
        private boolean closed;

        TarStream(S3Request request, List<Planned> plan) {
            this.request = request;
            this.plan = plan;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("batch stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (headPos < head.length) {
                    int n = Math.min(len, head.length - headPos);
                    System.arraycopy(head, headPos, b, off, n);
                    headPos += n;
                    return n;
                }
                if (bodyLeft > 0) {
                    int n = body.read(b, off, (int) Math.min(len, bodyLeft));
                    if (n < 0) {
                        throw new IOException("object ended " + bodyLeft + " bytes early in a batch GET");
                    }
                    bodyLeft -= n;
                    return n;
                }
                if (padLeft > 0) {
                    int n = Math.min(len, padLeft);
                    java.util.Arrays.fill(b, off, off + n, (byte) 0);
                    padLeft -= n;
                    return n;
                }
                closeBody();
                if (!advance()) {
                    return -1;
                }
            }
        }

        /** Moves to the next member (or the end-of-archive blocks); false once everything was read. */
        private boolean advance() {
            if (next == plan.size()) {
                if (ended) {
                    return false;
                }
                ended = true;
                setHead(TarWriter.endOfArchive());
                return true;
            }
            Planned p = plan.get(next);
            plan.set(next, null); // done with it: let a long batch's plan shrink as it streams
            next++;
            switch (p) {
                case Serve s -> open(s);
                case Fail f -> error(f.key(), f.versionId(), f.failure());
            }
            return true;
        }

        private void open(Serve s) {
            ObjectRead read;
            try {
                // No SSE-C key: such an object fails here (InvalidRequest) before any of its bytes are read.
                read = objects.get(request.bucket(), s.key(), new ReadOptions(s.range(), null, Conditions.NONE,
                        s.versionId(), null), true);
            } catch (StoreException e) {
                error(s.key().value(), s.versionId(), e.failure());
                return;
            } catch (UncheckedIOException | IllegalStateException e) {
                // Damage found before the first byte (e.g. too few good shards): reported like a GET's 500.
                LOG.log(System.Logger.Level.ERROR, "batch GET " + request.requestId() + " could not read "
                        + request.bucket().value() + "/" + s.key().value(), e);
                error(s.key().value(), s.versionId(), Failure.of(FailureKind.INTERNAL_ERROR,
                        "We encountered an internal error reading this object. Please try again."));
                return;
            }
            long length = read.contentLength();
            setHead(TarWriter.header(s.key().value(), length, read.record().lastModifiedMillis() / 1000));
            body = read.body();
            bodyLeft = length;
            padLeft = TarWriter.padding(length);
            if (bodyLeft == 0) {
                closeBody();
            }
        }

        private void error(String key, String versionId, Failure failure) {
            byte[] doc = errorDocument(key, versionId, failure);
            byte[] header = TarWriter.header(key + ERROR_SUFFIX, doc.length, clock.millis() / 1000);
            byte[] member = new byte[header.length + doc.length + TarWriter.padding(doc.length)];
            System.arraycopy(header, 0, member, 0, header.length);
            System.arraycopy(doc, 0, member, header.length, doc.length);
            setHead(member);
        }

        private void setHead(byte[] bytes) {
            head = bytes;
            headPos = 0;
        }

        private void closeBody() {
            if (body != null) {
                InputStream b = body;
                body = null;
                try {
                    b.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing an object stream of a batch GET failed: {0}", e.toString());
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            closeBody();
        }
    }
}
