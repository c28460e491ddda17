package dev.arca.detect;

import dev.arca.audit.AuditRecord;
import dev.arca.s3.RequestContext;
import dev.arca.s3.RequestEvent;
import dev.arca.s3.RequestObserver;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The ransomware detectors on the live request stream ({@link Rule}): per principal, per bucket and
 * (access-denied) per source address, each over its own sliding window. A count that reaches its
 * threshold is a {@link Detection}: audited (kind detection, the evidence as details), logged, counted,
 * and answered with the rule's {@link Response}s, each audited too (kind response). At most one
 * detection per rule and subject per window.
 *
 * <p>Cheap on the request thread: a switch on the operation, and for counted events one bounded-LRU
 * lookup per scope and a constant-time window update. The only I/O — reading the first 64 KiB of the
 * version an encrypted-looking overwrite replaced — runs on {@code background}, at most
 * {@code limits.pending-samples} at a time; more are dropped and counted. The payload entropies of
 * recent writes are remembered (bounded), so most comparisons need no read at all, and overwrites in
 * unversioned buckets — whose previous version is gone — can still be judged.
 *
 * <p>Principals already quarantined are not watched (their requests are refused anyway). Detections
 * on the system root are audited and alerted, never contained: it is who releases containment.
 * Thread-safe.
 */
public final class Detectors implements RequestObserver, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("arca.detect");

    /** Error codes that count as access-denied (probing for keys, secrets or permissions). */
    static final Set<String> ACCESS_DENIED_CODES = Set.of("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch");
    /** Operations that count as reads for the exfiltration rule. */
    static final Set<String> READS = Set.of("GetObject", "HeadObject", "ListObjects", "ListObjectsV2", "ListObjectVersions",
            "BatchGetObjects");
    /** Writes that may replace a current version. */
    static final Set<String> WRITES = Set.of("PutObject", "CopyObject", "CompleteMultipartUpload");
    /** Operations whose weakening changes are config-tamper. */
    static final Set<String> LOCK_CHANGES = Set.of("PutBucketVersioning", "PutObjectLockConfiguration",
            "PutObjectRetention", "PutObjectLegalHold");
    /** Operations that are config-change whatever they do. */
    static final Set<String> CONFIG_CHANGES = Set.of("PutBucketEncryption", "DeleteBucketEncryption",
            "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle");
    /** Note the S3 layer writes next to {@link RequestContext#CHANGE}: the setting before the change, same format. */
    public static final String PREVIOUS = "previous";
    /** Note on CopyObject: "bucket/key" of its source (evidence for in-place re-encryption). */
    static final String COPY_SOURCE = "copySource";
    /** Note: bytes in the payload's entropy sample. */
    static final String ENTROPY_BYTES = RequestContext.ENTROPY + "Bytes";

    private final DetectorSettings settings;
    private final Containment containment;
    private final PreviousSampler sampler;
    private final Executor background;
    private final Consumer<AuditRecord> audit;
    private final InstantSource clock;
    private final AlertWebhook webhook;
    private final BoundedLru<String, Track> principals;
    private final BoundedLru<String, Track> buckets;
    private final BoundedLru<String, Track> sourceIps;
    /** Payload entropy of the latest write of "bucket/key" that this server saw. */
    private final BoundedLru<String, KnownEntropy> entropies;
    private final AtomicInteger pendingSamples = new AtomicInteger();
    private final AtomicLong samplesDropped = new AtomicLong();
    private final AtomicLong unknownPrevious = new AtomicLong();
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong alerts = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final EnumMap<Rule, AtomicLong> detections = new EnumMap<>(Rule.class);
    private final ArrayDeque<Detection> recent = new ArrayDeque<>();

    private record KnownEntropy(String versionId, double bitsPerByte, long sampledBytes) {}

    /**
     * @param sampler    reads the entropy sample of a replaced version (on {@code background})
     * @param background runs those reads; should be a single bounded thread
     * @param audit      where detection and response records go (must not throw; failures are logged)
     */
    public Detectors(DetectorSettings settings, Containment containment, PreviousSampler sampler, Executor background,
            Consumer<AuditRecord> audit, InstantSource clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.containment = containment;
        this.sampler = sampler;
        this.background = background;
        this.audit = audit;
        this.clock = clock;
        DetectorSettings.LimitSettings limits = settings.limits();
        this.principals = new BoundedLru<>(limits.principals());
        this.buckets = new BoundedLru<>(limits.buckets());
        this.sourceIps = new BoundedLru<>(limits.sourceIps());
        this.entropies = new BoundedLru<>(limits.entropyCache());
        for (Rule r : Rule.values()) {
            detections.put(r, new AtomicLong());
        }
        this.webhook = settings.webhook().map(AlertWebhook::new).orElse(null);
        containment.onRelease(this::forget);
    }

    public DetectorSettings settings() {
        return settings;
    }

    @Override
    public void observe(RequestEvent e) {
        try {
            watch(e);
        } catch (RuntimeException ex) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "detectors failed on request " + e.requestId(), ex);
        }
    }

    private void watch(RequestEvent e) {
        String principal = e.principal();
        if (principal != null && containment.isQuarantined(principal)) {
            return;
        }
        long now = clock.millis();
        String op = e.operation();
        Map<String, String> d = e.details();
        boolean exempt = containment.isExempt(principal, now);
        if (op.equals("DeleteObject")) {
            if (e.succeeded() && !exempt) {
                count(Rule.MASS_DELETE, e, 1, now, "objects deleted", item(e));
            }
        } else if (op.equals("DeleteObjects")) {
            long n = number(d.get(RequestContext.DELETED));
            if (n > 0 && !exempt) {
                count(Rule.MASS_DELETE, e, n, now, "objects deleted", e.bucket() + " (" + n + " keys)");
            }
        } else if (WRITES.contains(op)) {
            if (e.succeeded()) {
                write(e, now, exempt);
            }
        } else if (LOCK_CHANGES.contains(op)) {
            Optional<String> tamper = tamper(op, d);
            if (tamper.isPresent()) {
                count(Rule.CONFIG_TAMPER, e, 1, now, tamper.get() + outcome(e), describe(e));
            } else if (!d.containsKey(RequestContext.CHANGE) && !e.succeeded()) {
                // Refused before its body was read: what it tried is unknown, so only worth an alert.
                count(Rule.CONFIG_CHANGE, e, 1, now, op + " refused before its content was known" + outcome(e), describe(e));
            }
        } else if (CONFIG_CHANGES.contains(op)) {
            count(Rule.CONFIG_CHANGE, e, 1, now, op + outcome(e), describe(e));
        } else if (READS.contains(op) && e.succeeded()) {
            reads(e, now);
        }
        if (e.errorCode() != null && ACCESS_DENIED_CODES.contains(e.errorCode())) {
            count(Rule.ACCESS_DENIED, e, 1, now, "requests refused as " + e.errorCode(), op + " " + describe(e) + " -> "
                    + e.errorCode());
        }
    }

    /** A successful write: overwrite counting, SSE-C re-encryption, and the entropy comparison. */
    private void write(RequestEvent e, long now, boolean exempt) {
        Map<String, String> d = e.details();
        boolean overwrite = "true".equals(d.get(RequestContext.OVERWRITE));
        String entropyText = d.get(RequestContext.ENTROPY);
        String cacheKey = e.bucket() == null || e.key() == null ? null : e.bucket() + "/" + e.key();
        KnownEntropy known = cacheKey == null ? null : entropies.find(cacheKey);
        double entropy = decimal(entropyText);
        long sampled = number(d.get(ENTROPY_BYTES));
        if (cacheKey != null) {
            if (entropyText != null && !Double.isNaN(entropy)) {
                entropies.put(cacheKey, new KnownEntropy(e.versionId(), entropy, sampled));
            } else if (known != null) {
                // Replaced by a copy or a multipart upload: what was known no longer describes it.
                entropies.remove(cacheKey);
            }
        }
        if (!overwrite) {
            return;
        }
        String source = d.get(COPY_SOURCE);
        String sample = source == null ? item(e) : item(e) + " (copy of " + source + ")";
        if (!exempt) {
            count(Rule.MASS_OVERWRITE, e, 1, now, "objects overwritten", sample);
        }
        if ("SSE-C".equals(d.get(RequestContext.SSE))) {
            count(Rule.SSE_C_REENCRYPTION, e, 1, now, "existing objects overwritten under customer-provided keys (SSE-C)",
                    sample);
        }
        DetectorSettings.EntropySettings x = settings.entropy();
        if (!settings.rule(Rule.ENTROPY_OVERWRITE).enabled() || Double.isNaN(entropy) || sampled < x.minSampleBytes()
                || entropy < x.high()) {
            return;
        }
        String previousId = d.get(RequestContext.PREVIOUS_VERSION_ID);
        if (known != null && Objects.equals(known.versionId(), previousId)) {
            judge(e, entropy, known.bitsPerByte(), known.sampledBytes(), now);
        } else if (previousId != null && !previousId.equals(e.versionId()) && e.bucket() != null && e.key() != null) {
            sampleLater(e, entropy, previousId);
        } else {
            // Unversioned and not seen written: the replaced bytes are gone; mass-overwrite still counts it.
            unknownPrevious.incrementAndGet();
        }
    }

    private void sampleLater(RequestEvent e, double entropy, String previousId) {
        if (pendingSamples.incrementAndGet() > settings.limits().pendingSamples()) {
            pendingSamples.decrementAndGet();
            samplesDropped.incrementAndGet();
            return;
        }
        try {
            background.execute(() -> {
                try {
                    sampler.sample(e.bucket(), e.key(), previousId)
                            .ifPresentOrElse(s -> judge(e, entropy, s.bitsPerByte(), s.sampledBytes(), clock.millis()),
                                    unknownPrevious::incrementAndGet);
                } catch (RuntimeException ex) {
                    failures.incrementAndGet();
                    LOG.log(System.Logger.Level.WARNING, "cannot sample " + e.bucket() + "/" + e.key() + " version "
                            + previousId + ": " + ex);
                } finally {
                    pendingSamples.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException ex) {
            pendingSamples.decrementAndGet();
            samplesDropped.incrementAndGet();
        }
    }

    /** Counts an overwrite whose payload looks encrypted when the version it replaced did not. */
    private void judge(RequestEvent e, double entropy, double previous, long previousBytes, long now) {
        DetectorSettings.EntropySettings x = settings.entropy();
        if (previousBytes >= x.minPreviousBytes() && previous < x.previousLow()) {
            count(Rule.ENTROPY_OVERWRITE, e, 1, now, String.format(Locale.ROOT,
                    "overwrites with encrypted-looking payloads (%.2f bits/byte) of objects that were not (%.2f)", entropy,
                    previous), String.format(Locale.ROOT, "%s (%.2f -> %.2f b/B)", item(e), previous, entropy));
        }
    }

    private void reads(RequestEvent e, long now) {
        DetectorSettings.RuleSettings rule = settings.rule(Rule.EXFILTRATION);
        if (!rule.enabled() || e.principal() == null) {
            return;
        }
        Track t = principals.get(e.principal(), k -> new Track());
        // A batch GET reads as many objects as it was allowed to serve (its size is unknown up front).
        long count = e.operation().equals("BatchGetObjects")
                ? Math.max(1, number(e.details().get(RequestContext.BATCH_AUTHORIZED))) : 1;
        Track.Fired f = t.read(rule, settings.exfiltration(), now, count, e.bytesOut(), describe(e), e.bucket(),
                e.accessKeyId());
        if (f != null) {
            fire(Rule.EXFILTRATION, Scope.PRINCIPAL, e.principal(), e, f, "read spike: " + f.note(), now);
        }
    }

    /** Counts {@code n} events of {@code rule} in every scope the rule watches. */
    private void count(Rule rule, RequestEvent e, long n, long now, String reason, String sample) {
        DetectorSettings.RuleSettings s = settings.rule(rule);
        if (!s.enabled()) {
            return;
        }
        long windowMillis = s.window().toMillis();
        if (e.principal() != null) {
            hit(rule, Scope.PRINCIPAL, principals, e.principal(), s.threshold(), windowMillis, e, n, now, reason, sample);
        }
        // The operator's own bulk work never puts a bucket in protected mode.
        if (s.bucketThreshold() > 0 && e.bucket() != null && !Containment.SYSTEM_ROOT_ARN.equals(e.principal())) {
            hit(rule, Scope.BUCKET, buckets, e.bucket(), s.bucketThreshold(), windowMillis, e, n, now, reason, sample);
        }
        if (s.ipThreshold() > 0 && e.sourceIp() != null) {
            hit(rule, Scope.SOURCE_IP, sourceIps, e.sourceIp(), s.ipThreshold(), windowMillis, e, n, now, reason, sample);
        }
    }

    private void hit(Rule rule, Scope scope, BoundedLru<String, Track> tracks, String subject, long threshold,
            long windowMillis, RequestEvent e, long n, long now, String reason, String sample) {
        Track t = tracks.get(subject, k -> new Track());
        Track.Fired f = t.add(rule, windowMillis, threshold, now, n, sample, e.bucket(), e.accessKeyId());
        if (f != null) {
            fire(rule, scope, subject, e, f, f.count() + " " + reason + " within " + settings.rule(rule).window().toSeconds()
                    + " s (threshold " + threshold + ")", now);
        }
    }

    private void fire(Rule rule, Scope scope, String subject, RequestEvent e, Track.Fired f, String reason, long now) {
        String id = "det-" + now + "-" + sequence.incrementAndGet();
        List<String> involved = scope == Scope.BUCKET ? List.of(subject) : f.buckets();
        Detection d = new Detection(id, rule, scope, subject, e.principal(), e.accessKeyId(), e.accountId(), e.sourceIp(),
                e.bucket(), e.requestId(), f.count(), f.threshold(), settings.rule(rule).window(), f.samples(), involved,
                now, reason);
        detections.get(rule).incrementAndGet();
        synchronized (recent) {
            if (recent.size() >= settings.limits().recentDetections()) {
                recent.removeFirst();
            }
            recent.addLast(d);
        }
        LOG.log(System.Logger.Level.WARNING, "detection " + rule.id() + " (" + scope.id() + " " + subject + "): " + reason
                + "; principal " + e.principal() + ", key " + e.accessKeyId() + ", from " + e.sourceIp());
        record(new AuditRecord(now, e.requestId(), AuditRecord.KIND_DETECTION, e.principal(), e.accountId(), e.sourceIp(),
                "detect:" + rule.id(), e.bucket(), e.key(), null, 0, null, 0, 0, e.tls(), d.evidence()));
        respond(d, e, scope == Scope.PRINCIPAL ? f.accessKeys() : List.of());
    }

    /** Carries out the rule's responses to {@code d}, auditing each. */
    private void respond(Detection d, RequestEvent e, List<String> accessKeys) {
        boolean operator = Containment.SYSTEM_ROOT_ARN.equals(d.principal()) && d.scope() == Scope.PRINCIPAL;
        for (Response r : settings.rule(d.rule()).responses()) {
            try {
                switch (r) {
                    case ALERT -> {
                        alerts.incrementAndGet();
                        if (webhook != null) {
                            webhook.offer(d.toJson());
                        }
                        responded(d, e, "alert", d.subject(), webhook == null ? "logged" : "logged; posted to the alert webhook");
                    }
                    case QUARANTINE -> {
                        if (d.scope() != Scope.PRINCIPAL) {
                            continue;
                        }
                        if (!Containment.quarantinable(d.principal())) {
                            skipped(d, e, "quarantine", operator ? "the system root is never quarantined"
                                    : "not a principal that can be quarantined");
                            continue;
                        }
                        List<String> keys = accessKeys.isEmpty() && d.accessKeyId() != null ? List.of(d.accessKeyId()) : accessKeys;
                        if (containment.quarantine(new Containment.Quarantine(d.principal(), keys, d.rule().id(), d.reason(),
                                d.timeMillis(), d.id()))) {
                            LOG.log(System.Logger.Level.WARNING, "quarantined " + d.principal() + " (" + d.rule().id() + ")");
                            responded(d, e, "quarantine", d.principal(), "every request of this principal is refused");
                        }
                    }
                    case PROTECT -> {
                        if (operator) {
                            skipped(d, e, "protect", "the system root's own work never protects a bucket");
                            continue;
                        }
                        for (String bucket : d.buckets()) {
                            if (containment.protect(new Containment.Protection(bucket, d.rule().id(), d.reason(),
                                    d.timeMillis(), d.id()))) {
                                LOG.log(System.Logger.Level.WARNING, "protected bucket " + bucket + " (" + d.rule().id() + ")");
                                responded(d, e, "protect", bucket, "deletes and overwrites refused; reads allowed");
                            }
                        }
                    }
                }
            } catch (RuntimeException ex) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "response " + r.id() + " to " + d.id() + " failed", ex);
                skipped(d, e, r.id(), "failed: " + ex.getMessage());
            }
        }
    }

    private void responded(Detection d, RequestEvent e, String action, String target, String outcome) {
        responses.incrementAndGet();
        responseRecord(d, e, action, target, outcome);
    }

    private void skipped(Detection d, RequestEvent e, String action, String why) {
        responseRecord(d, e, action + "-skipped", d.subject(), why);
    }

    private void responseRecord(Detection d, RequestEvent e, String action, String target, String outcome) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("detection", d.id());
        details.put("rule", d.rule().id());
        details.put("action", action);
        details.put("target", target);
        details.put("outcome", outcome);
        record(new AuditRecord(clock.millis(), e.requestId(), AuditRecord.KIND_RESPONSE, d.principal(), d.accountId(),
                d.sourceIp(), "respond:" + action, d.bucket(), null, null, 0, null, 0, 0, e.tls(), details));
    }

    private void record(AuditRecord r) {
        try {
            audit.accept(r);
        } catch (RuntimeException ex) {
            failures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "cannot audit " + r.kind() + " " + r.operation(), ex);
        }
    }

    /** Forgets a released principal's windows, so that its next requests start from zero. */
    void forget(String principal) {
        principals.remove(principal);
    }

    /**
     * Whether a change to Object Lock or versioning weakens protection, from the CHANGE note and, where the
     * S3 layer noted it, the setting before ({@link #PREVIOUS}); the reason when it does.
     */
    static Optional<String> tamper(String operation, Map<String, String> details) {
        String change = details.get(RequestContext.CHANGE);
        if (change == null) {
            return Optional.empty();
        }
        String previous = details.get(PREVIOUS);
        return switch (operation) {
            case "PutBucketVersioning" -> change.equalsIgnoreCase("versioning:SUSPENDED")
                    ? Optional.of("attempt to suspend versioning") : Optional.empty();
            case "PutObjectLegalHold" -> change.equalsIgnoreCase("legal-hold:OFF")
                    ? Optional.of("attempt to remove a legal hold") : Optional.empty();
            case "PutObjectRetention" -> weaker(parseRetention(change, "retention:"), parseRetention(previous, "retention:"),
                    "retention");
            case "PutObjectLockConfiguration" -> weaker(parseLock(change), parseLock(previous), "default retention");
            default -> Optional.empty();
        };
    }

    /** A retention setting for comparison: mode rank (COMPLIANCE 2, GOVERNANCE 1, none 0) and its length or end. */
    private record Strength(int rank, long amount) {
        static final Strength NONE = new Strength(0, 0);
    }

    private static Optional<String> weaker(Strength next, Strength before, String what) {
        if (next == null) {
            return Optional.empty();
        }
        if (next.rank() == 0) {
            // Removing it weakens unless nothing was there; an unknown "before" counts as something.
            return before != null && before.rank() == 0 ? Optional.empty() : Optional.of("attempt to remove the " + what);
        }
        if (before == null || before.rank() == 0) {
            return Optional.empty();
        }
        if (next.rank() < before.rank()) {
            return Optional.of("attempt to downgrade the " + what + " from COMPLIANCE to GOVERNANCE");
        }
        if (next.amount() < before.amount()) {
            return Optional.of("attempt to shorten the " + what);
        }
        return Optional.empty();
    }

    /** "retention:none" or "retention:MODE:UNTIL_MILLIS"; null when absent or unreadable. */
    private static Strength parseRetention(String s, String prefix) {
        if (s == null || !s.startsWith(prefix)) {
            return null;
        }
        String rest = s.substring(prefix.length());
        if (rest.equals("none")) {
            return Strength.NONE;
        }
        String[] p = rest.split(":");
        if (p.length != 2) {
            return null;
        }
        long until = number(p[1]);
        return until < 0 ? null : new Strength(rank(p[0]), until);
    }

    /** "object-lock:no-default-retention" or "object-lock:MODE:Nd:Ny"; null when absent or unreadable. */
    private static Strength parseLock(String s) {
        if (s == null || !s.startsWith("object-lock:")) {
            return null;
        }
        String rest = s.substring("object-lock:".length());
        if (rest.equals("no-default-retention")) {
            return Strength.NONE;
        }
        String[] p = rest.split(":");
        if (p.length != 3 || !p[1].endsWith("d") || !p[2].endsWith("y")) {
            return null;
        }
        long days = number(p[1].substring(0, p[1].length() - 1));
        long years = number(p[2].substring(0, p[2].length() - 1));
        if (days < 0 || years < 0) {
            return null;
        }
        // Calendar years are at least 365 days: enough to order periods.
        return new Strength(rank(p[0]), days + years * 365);
    }

    private static int rank(String mode) {
        return switch (mode.toUpperCase(Locale.ROOT)) {
            case "COMPLIANCE" -> 2;
            case "GOVERNANCE" -> 1;
            default -> 0;
        };
    }

    private static String item(RequestEvent e) {
        return e.bucket() + "/" + e.key();
    }

    private static String describe(RequestEvent e) {
        return e.key() != null ? item(e) : e.bucket() != null ? e.bucket() : e.operation();
    }

    private static String outcome(RequestEvent e) {
        return e.succeeded() ? "" : " (refused: " + (e.errorCode() == null ? Integer.toString(e.status()) : e.errorCode()) + ")";
    }

    /** A non-negative whole number, or -1. */
    private static long number(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static double decimal(String s) {
        if (s == null) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Detections kept for the admin API, newest last (at most {@code limits.recent-detections}). */
    public List<Detection> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }

    /** Counters for metrics. */
    public DetectionStats stats() {
        Map<String, Long> byRule = new LinkedHashMap<>();
        detections.forEach((r, n) -> byRule.put(r.id(), n.get()));
        return new DetectionStats(byRule, containment.quarantinedCount(), containment.protectedCount(), responses.get(),
                alerts.get(), containment.refused(), samplesDropped.get(), webhook == null ? 0 : webhook.dropped(),
                principals.evictions() + buckets.evictions() + sourceIps.evictions());
    }

    /** Further counters for the admin API: entropy comparisons without a known previous version, detector failures. */
    Map<String, Long> internals() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("trackedPrincipals", (long) principals.size());
        m.put("trackedBuckets", (long) buckets.size());
        m.put("trackedSourceIps", (long) sourceIps.size());
        m.put("rememberedEntropies", (long) entropies.size());
        m.put("pendingSamples", (long) pendingSamples.get());
        m.put("unknownPrevious", unknownPrevious.get());
        m.put("failures", failures.get());
        m.put("webhookSent", webhook == null ? 0 : webhook.sent());
        return m;
    }

    /** The principal's read baseline (requests, bytes per window), for tests. */
    double[] readBaseline(String principal) {
        Track t = principals.find(principal);
        return t == null ? new double[] {0, 0} : t.readBaseline();
    }

    @Override
    public void close() {
        if (webhook != null) {
            webhook.close();
        }
    }
}
