package dev.arca.s3;

import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.StoreException;
import dev.arca.object.ObjectLayer;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import dev.arca.s3.http.HttpResponse;
import dev.arca.storage.ErasureBlobStore;
import dev.arca.storage.ErasureStats;
import dev.arca.storage.HealJob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The admin API under {@code /_arca/admin/} (a path no bucket can have: bucket names cannot
 * contain '_'), for the root account only, signed with SigV4 like any request. JSON responses.
 *
 * <ul>
 *   <li>{@code GET /_arca/admin/storage}: drives and their states, erasure geometry, coder, counters.
 *   <li>{@code POST /_arca/admin/heal[?bucket=B[&prefix=P]][&drive=N][&deep=true|false]}: starts a heal job
 *       (202 with its id). Without a bucket it heals every blob (after formatting empty replacement
 *       drives); {@code deep} (default true, false with {@code drive}) verifies every chunk.
 *   <li>{@code GET /_arca/admin/heal?job=ID}: the job's progress, or its summary once done.
 *   <li>{@code POST /_arca/admin/lifecycle}: runs every bucket's lifecycle rules now and returns what
 *       was done. Lifecycle never bypasses Object Lock; there is no admin call that removes or edits
 *       object versions.
 *   <li>{@code GET /_arca/admin/keys}: the key service's KEKs (ids, state, generations; never material).
 *   <li>{@code POST /_arca/admin/keys?create=ID[&description=D]}, {@code ?disable=ID}, {@code ?enable=ID}:
 *       KMS key management. {@code ?rotate=ID} adds a generation, rewraps every data key sealed by an
 *       older one (object data is not rewritten) and destroys the old material; {@code ?finish=ID}
 *       resumes an interrupted rotation. {@code ?rotate-master} replaces the master key.
 * </ul>
 */
final class AdminApi {
    static final String PREFIX = "/_arca/admin/";
    /** Heal jobs running at once; more get 503 SlowDown. */
    static final int MAX_RUNNING_JOBS = 2;
    /** Finished jobs remembered for status queries. */
    static final int MAX_REMEMBERED_JOBS = 64;

    private final ErasureBlobStore store;
    private final ObjectLayer layer;
    private final Ids ids;
    private final Semaphore running = new Semaphore(MAX_RUNNING_JOBS);
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Deque<String> order = new ArrayDeque<>();

    private final dev.arca.iam.Iam iam;

    private final Map<String, AdminExtension> extensions = new java.util.concurrent.ConcurrentHashMap<>();

    AdminApi(ErasureBlobStore store, ObjectLayer layer, Ids ids, dev.arca.iam.Iam iam, List<AdminExtension> extensions) {
        for (AdminExtension e : extensions) {
            if (this.extensions.put(e.name(), e) != null) {
                throw new IllegalArgumentException("two admin extensions named " + e.name());
            }
        }
        this.store = store;
        this.layer = layer;
        this.ids = ids;
        this.iam = iam;
    }

    static boolean isAdminPath(String rawPath) {
        return rawPath.startsWith(PREFIX);
    }

    private static final class Job {
        final String id;
        final String scope;
        final boolean deep;
        volatile HealJob.Summary summary = new HealJob.Summary(0, 0, 0, 0, 0, 0, 0, 0, false);
        volatile String error;

        Job(String id, String scope, boolean deep) {
            this.id = id;
            this.scope = scope;
            this.deep = deep;
        }
    }

    HttpResponse handle(HttpExchange exchange) {
        String path = exchange.rawPath().substring(PREFIX.length());
        Query query = new Query(exchange.rawQuery());
        String method = exchange.method();
        return switch (path) {
            case "storage" -> {
                requireMethod(method, "GET");
                yield json(200, storage());
            }
            case "heal" -> switch (method) {
                case "POST" -> startHeal(query);
                case "GET" -> json(200, jobJson(job(query.get("job"))));
                default -> throw methodNotAllowed(method);
            };
            case "accounts" -> switch (method) {
                case "GET" -> json(200, accountsJson());
                case "POST" -> json(200, createAccount(query.get("name")));
                case "DELETE" -> {
                    deleteAccount(query.get("id"));
                    yield json(200, "{\"deleted\":" + quote(query.get("id")) + "}");
                }
                default -> throw methodNotAllowed(method);
            };
            case "lifecycle" -> {
                requireMethod(method, "POST");
                yield json(200, lifecycleJson(layer.lifecycle().runOnce()));
            }
            case "keys" -> switch (method) {
                case "GET" -> json(200, keysJson());
                case "POST" -> json(200, keyAction(query));
                default -> throw methodNotAllowed(method);
            };
            default -> {
                AdminExtension extension = extensions.get(path);
                if (extension == null) {
                    throw StoreException.of(FailureKind.INVALID_REQUEST, "Unknown admin operation: " + path);
                }
                yield json(200, extension.handle(method, query.decoded()));
            }
        };
    }

    private dev.arca.crypto.KeyService keyService() {
        return layer.objects().crypto().keys().orElseThrow(() -> StoreException.of(FailureKind.NOT_IMPLEMENTED,
                "This server has no key service."));
    }

    private String keysJson() {
        StringBuilder b = new StringBuilder("{\"keys\":[");
        List<dev.arca.crypto.KeyInfo> all = keyService().listKeys();
        for (int i = 0; i < all.size(); i++) {
            b.append(i == 0 ? "" : ",").append(keyJson(all.get(i)));
        }
        return b.append("]}").toString();
    }

    private static String keyJson(dev.arca.crypto.KeyInfo k) {
        return "{\"keyId\":" + quote(k.keyId()) + ",\"description\":" + quote(k.description()) + ",\"enabled\":"
                + k.enabled() + ",\"currentGeneration\":" + k.currentGeneration() + ",\"generations\":"
                + k.generations() + ",\"created\":" + k.createdMillis() + "}";
    }

    private String keyAction(Query query) {
        dev.arca.crypto.KeyService keys = keyService();
        if (query.has("create")) {
            String d = query.get("description");
            return keyJson(keys.createKey(query.get("create"), d == null ? "" : d));
        } else if (query.has("disable")) {
            return keyJson(keys.setEnabled(query.get("disable"), false));
        } else if (query.has("enable")) {
            return keyJson(keys.setEnabled(query.get("enable"), true));
        } else if (query.has("rotate") || query.has("finish")) {
            dev.arca.object.KeyRotation rotation = layer.objects().crypto().rotation().orElseThrow();
            dev.arca.object.KeyRotation.Report r = query.has("rotate")
                    ? rotation.rotate(query.get("rotate")) : rotation.finish(query.get("finish"));
            return "{\"keyId\":" + quote(r.keyId()) + ",\"generation\":" + r.generation() + ",\"versionsRewrapped\":"
                    + r.versionsRewrapped() + ",\"uploadsRewrapped\":" + r.uploadsRewrapped()
                    + ",\"retiredGenerationsBelow\":" + r.retiredBelow() + "}";
        } else if (query.has("rotate-master")) {
            keys.rotateMasterKey();
            return "{\"masterKeyRotated\":true}";
        }
        throw StoreException.of(FailureKind.INVALID_REQUEST,
                "Name a key action: create, disable, enable, rotate, finish or rotate-master.");
    }

    private String accountsJson() {
        StringBuilder b = new StringBuilder("{\"accounts\":[");
        List<dev.arca.iam.Account> all = iam.accounts();
        for (int i = 0; i < all.size(); i++) {
            dev.arca.iam.Account a = all.get(i);
            b.append(i == 0 ? "" : ",").append("{\"accountId\":").append(quote(a.id())).append(",\"name\":")
                    .append(quote(a.name())).append(",\"canonicalId\":").append(quote(a.canonicalId())).append('}');
        }
        return b.append("]}").toString();
    }

    /** Creates a tenant account; the answer carries its root user's secret, shown this once. */
    private String createAccount(String name) {
        if (name == null || name.isEmpty()) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "name is required");
        }
        dev.arca.iam.Iam.AccountCreated created = iam.createAccount(name);
        return "{\"accountId\":" + quote(created.account().id()) + ",\"name\":" + quote(created.account().name())
                + ",\"canonicalId\":" + quote(created.account().canonicalId()) + ",\"accessKeyId\":"
                + quote(created.accessKeyId()) + ",\"secretAccessKey\":" + quote(created.secretAccessKey()) + "}";
    }

    /** Deletes a tenant account that owns no buckets (and, as IAM checks, no identities). */
    private void deleteAccount(String id) {
        if (id == null) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "id is required");
        }
        dev.arca.iam.Account account = iam.account(id).orElseThrow(() ->
                StoreException.of(FailureKind.NO_SUCH_ENTITY, "The account " + id + " cannot be found."));
        boolean ownsBuckets = layer.buckets().list(new dev.arca.object.Owner(account.canonicalId(), account.name()))
                .stream().findAny().isPresent();
        if (ownsBuckets) {
            throw StoreException.of(FailureKind.DELETE_CONFLICT, "The account still owns buckets; delete them first.");
        }
        iam.deleteAccount(id);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder();
        field(b, "", s);
        return b.substring(3); // drop the empty name and its ":"
    }

    private static String lifecycleJson(dev.arca.object.lifecycle.Lifecycle.Report r) {
        return "{\"bucketsScanned\":" + r.bucketsScanned() + ",\"versionsExamined\":" + r.versionsExamined()
                + ",\"uploadsExamined\":" + r.uploadsExamined() + ",\"expiredCurrent\":" + r.expiredCurrent()
                + ",\"deleteMarkersRemoved\":" + r.deleteMarkersRemoved() + ",\"noncurrentRemoved\":" + r.noncurrentRemoved()
                + ",\"uploadsAborted\":" + r.uploadsAborted() + ",\"skippedLocked\":" + r.skippedLocked()
                + ",\"complete\":" + r.complete() + "}";
    }

    private HttpResponse startHeal(Query q) {
        String bucket = q.get("bucket");
        String prefix = q.get("prefix") == null ? "" : q.get("prefix");
        String drive = q.get("drive");
        if (drive != null) {
            // Query.intParam clamps large values; a drive number out of range is an error here.
            int n;
            try {
                n = Integer.parseInt(drive);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1 || n > store.driveCount()) {
                throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                        "drive must be a drive number from 1 to " + store.driveCount() + ": " + drive);
            }
            drive = Integer.toString(n);
        }
        if (bucket == null && !prefix.isEmpty()) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "prefix needs a bucket");
        }
        String deepParam = q.get("deep");
        boolean deep = deepParam == null ? drive == null : switch (deepParam) {
            case "true" -> true;
            case "false" -> false;
            default -> throw StoreException.of(FailureKind.INVALID_ARGUMENT, "deep must be true or false");
        };
        HealJob.BlobSource source;
        String scope;
        if (bucket != null) {
            BucketName name = new BucketName(bucket);
            layer.buckets().get(name);
            source = action -> layer.forEachBlobOf(name, prefix, action);
            scope = "bucket " + bucket + (prefix.isEmpty() ? "" : " prefix " + prefix);
        } else {
            source = store::forEachHealable;
            scope = drive == null ? "all blobs" : "all blobs (drive " + drive + ")";
        }
        if (!running.tryAcquire()) {
            throw StoreException.of(FailureKind.SLOW_DOWN, "Too many heal jobs are running; try again when one finishes.");
        }
        Job job = new Job(ids.requestId(), scope, deep);
        remember(job);
        try {
            Thread.ofVirtual().name("arca-heal-" + job.id).start(() -> {
                try {
                    if (bucket == null) {
                        store.formatEmptyDrives();
                    }
                    job.summary = HealJob.run(store, source, deep, s -> job.summary = s);
                } catch (RuntimeException e) {
                    job.error = e.toString();
                    job.summary = new HealJob.Summary(job.summary.scanned(), job.summary.healthy(), job.summary.healed(),
                            job.summary.degraded(), job.summary.unrecoverable(), job.summary.danglingRemoved(),
                            job.summary.shardsRebuilt(), job.summary.bytesVerified(), true);
                } finally {
                    running.release();
                }
            });
        } catch (RuntimeException e) {
            running.release();
            throw e;
        }
        return json(202, jobJson(job));
    }

    private synchronized void remember(Job job) {
        jobs.put(job.id, job);
        order.addLast(job.id);
        while (order.size() > MAX_REMEMBERED_JOBS) {
            jobs.remove(order.removeFirst());
        }
    }

    private synchronized Job job(String id) {
        if (id == null) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "job is required");
        }
        Job j = jobs.get(id);
        if (j == null) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "No such heal job: " + id);
        }
        return j;
    }

    private String storage() {
        ErasureStats.Snapshot s = store.stats();
        StringBuilder b = new StringBuilder("{");
        field(b, "deploymentId", store.deploymentId()).append(',');
        b.append("\"dataShards\":").append(store.geometry().dataShards()).append(',');
        b.append("\"parityShards\":").append(store.geometry().parityShards()).append(',');
        field(b, "coder", store.coder().name()).append(',');
        b.append("\"pendingHeals\":").append(store.pendingHeals()).append(',');
        b.append("\"drives\":[");
        var drives = store.driveStatus();
        for (int i = 0; i < drives.size(); i++) {
            var d = drives.get(i);
            b.append(i == 0 ? "{" : ",{").append("\"number\":").append(d.number()).append(',');
            field(b, "path", d.path().toString()).append(',');
            field(b, "state", d.state()).append('}');
        }
        b.append("],\"stats\":{");
        long[] values = {s.corruptChunks(), s.missingShards(), s.stripesReconstructed(), s.writeShardFailures(),
                s.writeQuorumFailures(), s.healsQueued(), s.healsDropped(), s.blobsHealed(), s.shardsRebuilt(),
                s.unrecoverableBlobs(), s.danglingRemoved(), s.scrubbedBytes(), s.scrubbedBlobs(), s.scrubPasses(),
                s.drivesFormatted(), s.tombstonesWritten(), s.deletedLeftoversRemoved()};
        String[] names = {"corruptChunks", "missingShards", "stripesReconstructed", "writeShardFailures",
                "writeQuorumFailures", "healsQueued", "healsDropped", "blobsHealed", "shardsRebuilt",
                "unrecoverableBlobs", "danglingRemoved", "scrubbedBytes", "scrubbedBlobs", "scrubPasses", "drivesFormatted",
                "tombstonesWritten", "deletedLeftoversRemoved"};
        for (int i = 0; i < names.length; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(names[i]).append("\":").append(values[i]);
        }
        return b.append("}}").toString();
    }

    private static String jobJson(Job job) {
        HealJob.Summary s = job.summary;
        StringBuilder b = new StringBuilder("{");
        field(b, "job", job.id).append(',');
        field(b, "scope", job.scope).append(',');
        b.append("\"deep\":").append(job.deep).append(',');
        b.append("\"done\":").append(s.done()).append(',');
        b.append("\"scanned\":").append(s.scanned()).append(',');
        b.append("\"healthy\":").append(s.healthy()).append(',');
        b.append("\"healed\":").append(s.healed()).append(',');
        b.append("\"degraded\":").append(s.degraded()).append(',');
        b.append("\"unrecoverable\":").append(s.unrecoverable()).append(',');
        b.append("\"danglingRemoved\":").append(s.danglingRemoved()).append(',');
        b.append("\"shardsRebuilt\":").append(s.shardsRebuilt()).append(',');
        b.append("\"bytesVerified\":").append(s.bytesVerified());
        if (job.error != null) {
            b.append(',');
            field(b, "error", job.error);
        }
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
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

    private static HttpResponse json(int status, String body) {
        Headers h = new Headers().set("content-type", "application/json");
        return new HttpResponse(status, h, new HttpResponse.Bytes((body + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw methodNotAllowed(method);
        }
    }

    private static StoreException methodNotAllowed(String method) {
        return StoreException.of(FailureKind.METHOD_NOT_ALLOWED, "The specified method is not allowed against this resource: " + method);
    }
}
