package dev.arca.server;

import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.StoreException;
import dev.arca.meta.MetadataStore;
import dev.arca.object.ObjectLayer;
import dev.arca.object.restore.Restore;
import dev.arca.object.restore.RestoreJobs;
import dev.arca.object.restore.RestorePlan;
import dev.arca.object.restore.RestoreReport;
import dev.arca.object.restore.RestoreRequest;
import dev.arca.s3.AdminExtension;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * The admin API's point-in-time restore resource (root only, like all of {@code /_arca/admin/}):
 *
 * <ul>
 *   <li>{@code POST /_arca/admin/restore?bucket=B&to=TIME[&prefix=P][&dry-run=true]}: checks the
 *       request and starts a restore job ({@link Restore} says what it does); answers the job's JSON.
 *       A dry run is waited for up to {@link #DRY_RUN_WAIT}, so a small one answers with its
 *       {@code plan} at once. TIME is ISO-8601 with a zone: {@code 2026-05-01T12:00:00Z} or
 *       {@code 2026-05-01T14:00:00+02:00}.
 *   <li>{@code POST /_arca/admin/restore?resume=JOB[&dry-run=true]}: runs job JOB's restore again,
 *       after the last key it examined (bucket, prefix and to, if given, must be JOB's).
 *   <li>{@code GET /_arca/admin/restore?job=JOB}: the job's progress, or its summary once done.
 * </ul>
 *
 * Bad input: no bucket, no or unparsable time, a malformed dry-run flag: InvalidArgument; a time in
 * the future: InvalidArgument; an unversioned bucket: InvalidRequest; a missing bucket: NoSuchBucket;
 * two restores already running: SlowDown.
 */
public final class RestoreAdmin implements AdminExtension, AutoCloseable {
    static final String NAME = "restore";
    /** How long a dry-run POST waits for its plan before answering with the job's progress. */
    static final Duration DRY_RUN_WAIT = Duration.ofSeconds(10);

    private final RestoreJobs jobs;

    /**
     * @param clock the object layer's clock (version times, the future check)
     * @param ids   makes job ids
     */
    public RestoreAdmin(ObjectLayer layer, MetadataStore meta, InstantSource clock, Ids ids) {
        this(new RestoreJobs(new Restore(layer, meta, clock), ids::requestId));
    }

    RestoreAdmin(RestoreJobs jobs) {
        this.jobs = jobs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String handle(String method, Map<String, String> query) {
        return switch (method) {
            case "POST" -> start(query);
            case "GET" -> json(jobs.job(query.get("job")));
            default -> throw StoreException.of(FailureKind.METHOD_NOT_ALLOWED,
                    "The specified method is not allowed against this resource: " + method);
        };
    }

    private String start(Map<String, String> query) {
        boolean dryRun = flag(query, "dry-run");
        RestoreJobs.Job job;
        String resume = query.get("resume");
        if (resume != null) {
            RestoreRequest old = jobs.job(resume).request();
            requireSame("bucket", query.get("bucket"), old.bucket().value());
            requireSame("prefix", query.get("prefix"), old.prefix());
            if (query.get("to") != null && !parseTime(query.get("to")).equals(old.to())) {
                throw StoreException.of(FailureKind.INVALID_ARGUMENT, "to differs from job " + resume + "'s: " + old.to());
            }
            job = jobs.resume(resume, dryRun);
        } else {
            String bucket = query.get("bucket");
            if (bucket == null || bucket.isEmpty()) {
                throw StoreException.of(FailureKind.INVALID_ARGUMENT, "bucket is required");
            }
            String to = query.get("to");
            if (to == null || to.isEmpty()) {
                throw StoreException.of(FailureKind.INVALID_ARGUMENT, "to (an ISO-8601 time) is required");
            }
            job = jobs.start(new RestoreRequest(new BucketName(bucket), query.getOrDefault("prefix", ""), parseTime(to),
                    dryRun, null));
        }
        if (dryRun) {
            try {
                job.await(DRY_RUN_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return json(job);
    }

    private static void requireSame(String name, String given, String expected) {
        if (given != null && !given.equals(expected)) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, name + " differs from the resumed job's: " + expected);
        }
    }

    private static boolean flag(Map<String, String> query, String name) {
        String v = query.get(name);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "", "true" -> true;
            case "false" -> false;
            default -> throw StoreException.of(FailureKind.INVALID_ARGUMENT, name + " must be true or false: " + v);
        };
    }

    /** An ISO-8601 date-time with a zone ("Z" or an offset); InvalidArgument otherwise. */
    static Instant parseTime(String text) {
        // A '+' sent unencoded in a query decodes as a space; a time never contains one.
        String s = text.trim().replace(' ', '+');
        try {
            return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(s, OffsetDateTime::from).toInstant();
        } catch (DateTimeException e) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "to must be an ISO-8601 time with a zone, such as "
                    + "2026-05-01T12:00:00Z or 2026-05-01T14:00:00+02:00: " + text);
        }
    }

    /** The job's JSON: its request, state, counters, errors, and for a finished dry run its plan. */
    static String json(RestoreJobs.Job job) {
        RestoreReport r = job.report();
        RestoreRequest q = job.request();
        StringBuilder b = new StringBuilder("{");
        string(b, "job", job.id()).append(',');
        string(b, "state", job.state().name().toLowerCase(Locale.ROOT)).append(',');
        b.append("\"done\":").append(job.state() != RestoreJobs.State.RUNNING).append(',');
        b.append("\"dryRun\":").append(q.dryRun()).append(',');
        string(b, "bucket", q.bucket().value()).append(',');
        string(b, "prefix", q.prefix()).append(',');
        string(b, "to", q.to().toString()).append(',');
        if (q.afterKey() != null) {
            string(b, "after", q.afterKey()).append(',');
        }
        if (job.resumedFrom() != null) {
            string(b, "resumedFrom", job.resumedFrom()).append(',');
        }
        number(b, "keysTotal", r.keysTotal());
        number(b, "keysExamined", r.keysExamined());
        number(b, "restored", r.restored());
        number(b, "hidden", r.hidden());
        number(b, "unchanged", r.unchanged());
        number(b, "changedDuringRestore", r.changedDuringRestore());
        number(b, "skipped", r.skipped());
        number(b, "failed", r.failed());
        number(b, "lockedVersionsKept", r.lockedVersionsKept());
        number(b, "bytesCopied", r.bytesCopied());
        number(b, "durationMillis", r.durationMillis());
        b.append("\"complete\":").append(r.complete()).append(',');
        if (r.lastKey() == null) {
            b.append("\"lastKey\":null,");
        } else {
            string(b, "lastKey", r.lastKey()).append(',');
        }
        b.append("\"errors\":[");
        for (int i = 0; i < r.errors().size(); i++) {
            RestoreReport.KeyError e = r.errors().get(i);
            b.append(i == 0 ? "{" : ",{");
            string(b, "key", e.key()).append(',');
            string(b, "message", e.message()).append('}');
        }
        b.append(']');
        if (q.dryRun() && job.state() == RestoreJobs.State.DONE) {
            RestorePlan p = RestorePlan.of(r);
            b.append(",\"plan\":{");
            number(b, "keysExamined", p.keysExamined());
            number(b, "toRestore", p.toRestore());
            number(b, "toHide", p.toHide());
            number(b, "unchanged", p.unchanged());
            number(b, "skipped", p.skipped());
            number(b, "lockedVersionsKept", p.lockedVersionsKept());
            b.append("\"bytesToCopy\":").append(p.bytesToCopy()).append('}');
        }
        if (job.error() != null) {
            b.append(',');
            string(b, "error", job.error());
        }
        return b.append('}').toString();
    }

    private static void number(StringBuilder b, String name, long value) {
        b.append('"').append(name).append("\":").append(value).append(',');
    }

    private static StringBuilder string(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u%04x".formatted((int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /** Asks running restores to stop after the key in hand (a rerun or resume completes them). */
    @Override
    public void close() {
        jobs.close();
    }
}
