package dev.arca.detect;

import dev.arca.audit.AuditRecord;
import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.time.Instant;
import java.time.InstantSource;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The admin API of detection and containment (system root only, like all of {@code /_arca/admin/}):
 *
 * <ul>
 *   <li>{@code quarantine}: GET lists quarantined principals; POST {@code ?principal=ARN[&reason=TEXT]}
 *       quarantines one by hand; POST {@code ?release=ARN} releases one.
 *   <li>{@code protect}: GET lists protected buckets; POST {@code ?bucket=B} protects one by hand;
 *       POST {@code ?release=B} ends protected mode.
 *   <li>{@code detect}: GET shows the settings, counters, exempt bulk jobs and recent detections
 *       ({@code ?limit=N}, default {@value #DEFAULT_RECENT}); POST {@code ?exempt=ARN[&until=ISO-8601]}
 *       marks a bulk job; POST {@code ?unexempt=ARN} ends that.
 * </ul>
 *
 * Every change is audited (kind admin) with what was changed.
 */
final class ContainmentAdmin {
    /** Recent detections a GET detect returns unless asked for another number. */
    static final int DEFAULT_RECENT = 100;

    private final Containment containment;
    private final Detectors detectors;
    private final Consumer<AuditRecord> audit;
    private final InstantSource clock;
    private final AtomicLong sequence = new AtomicLong();

    ContainmentAdmin(Containment containment, Detectors detectors, Consumer<AuditRecord> audit, InstantSource clock) {
        this.containment = containment;
        this.detectors = detectors;
        this.audit = audit;
        this.clock = clock;
    }

    List<dev.arca.s3.AdminExtension> extensions() {
        return List.of(extension("quarantine", this::quarantine), extension("protect", this::protect),
                extension("detect", this::detect));
    }

    private interface Handler {
        String handle(String method, Map<String, String> query);
    }

    private static dev.arca.s3.AdminExtension extension(String name, Handler h) {
        return new dev.arca.s3.AdminExtension() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String handle(String method, Map<String, String> query) {
                return h.handle(method, query);
            }
        };
    }

    private String quarantine(String method, Map<String, String> q) {
        if (method.equals("GET")) {
            Json j = new Json().object().array("quarantined");
            for (Containment.Quarantine x : containment.quarantined()) {
                j.object().field("principal", x.principal()).strings("accessKeyIds", x.accessKeyIds())
                        .field("rule", x.rule()).field("reason", x.reason())
                        .field("since", Instant.ofEpochMilli(x.sinceMillis()).toString())
                        .field("detection", x.detectionId().isEmpty() ? null : x.detectionId()).end();
            }
            return j.end().end().toString();
        }
        requirePost(method);
        if (q.containsKey("release")) {
            String arn = q.get("release");
            Containment.Quarantine released = containment.release(arn).orElseThrow(() -> invalid(arn + " is not quarantined"));
            record("release-quarantine", arn, "quarantined since " + Instant.ofEpochMilli(released.sinceMillis())
                    + " by rule " + released.rule());
            return new Json().object().field("released", arn).field("rule", released.rule())
                    .field("since", Instant.ofEpochMilli(released.sinceMillis()).toString()).end().toString();
        }
        String arn = required(q, "principal", "POST needs ?principal=ARN to quarantine or ?release=ARN to release");
        String reason = q.getOrDefault("reason", "quarantined by an administrator");
        boolean added;
        try {
            added = containment.quarantine(new Containment.Quarantine(arn, List.of(), "manual", reason, clock.millis(), ""));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw invalid(e.getMessage());
        }
        record("quarantine", arn, reason);
        return new Json().object().field("quarantined", arn).field("new", added).end().toString();
    }

    private String protect(String method, Map<String, String> q) {
        if (method.equals("GET")) {
            Json j = new Json().object().array("protected");
            for (Containment.Protection x : containment.protectedBuckets()) {
                j.object().field("bucket", x.bucket()).field("rule", x.rule()).field("reason", x.reason())
                        .field("since", Instant.ofEpochMilli(x.sinceMillis()).toString())
                        .field("detection", x.detectionId().isEmpty() ? null : x.detectionId()).end();
            }
            return j.end().end().toString();
        }
        requirePost(method);
        if (q.containsKey("release")) {
            String bucket = q.get("release");
            Containment.Protection released = containment.unprotect(bucket)
                    .orElseThrow(() -> invalid("bucket " + bucket + " is not protected"));
            record("release-protection", bucket, "protected since " + Instant.ofEpochMilli(released.sinceMillis())
                    + " by rule " + released.rule());
            return new Json().object().field("released", bucket).field("rule", released.rule())
                    .field("since", Instant.ofEpochMilli(released.sinceMillis()).toString()).end().toString();
        }
        String bucket = required(q, "bucket", "POST needs ?bucket=NAME to protect or ?release=NAME to release");
        String problem = BucketName.problem(bucket);
        if (problem != null) {
            throw invalid("invalid bucket name " + bucket + ": " + problem);
        }
        String reason = q.getOrDefault("reason", "protected by an administrator");
        boolean added;
        try {
            added = containment.protect(new Containment.Protection(bucket, "manual", reason, clock.millis(), ""));
        } catch (IllegalStateException e) {
            throw invalid(e.getMessage());
        }
        record("protect", bucket, reason);
        return new Json().object().field("protected", bucket).field("new", added).end().toString();
    }

    private String detect(String method, Map<String, String> q) {
        if (method.equals("GET")) {
            return status(limit(q.get("limit")));
        }
        requirePost(method);
        if (q.containsKey("unexempt")) {
            String arn = q.get("unexempt");
            if (!containment.unexempt(arn)) {
                throw invalid(arn + " is not exempt");
            }
            record("unexempt", arn, "no longer a bulk job");
            return new Json().object().field("unexempted", arn).end().toString();
        }
        String arn = required(q, "exempt", "POST needs ?exempt=ARN[&until=ISO-8601] or ?unexempt=ARN");
        if (!Containment.quarantinable(arn)) {
            throw invalid("not an IAM user, role, session or tenant root ARN: " + arn);
        }
        long until = Containment.NO_EXPIRY;
        String untilText = q.get("until");
        if (untilText != null && !untilText.isEmpty()) {
            try {
                until = Instant.parse(untilText).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw invalid("until must be an ISO-8601 instant such as 2030-01-01T00:00:00Z, not " + untilText);
            }
            if (until <= clock.millis()) {
                throw invalid("until must be in the future: " + untilText);
            }
        }
        Containment.Exemption e;
        try {
            e = containment.exempt(arn, until);
        } catch (IllegalStateException ex) {
            throw invalid(ex.getMessage());
        }
        record("exempt", arn, "bulk job: exempt from mass-delete and mass-overwrite" + (until == Containment.NO_EXPIRY ? ""
                : " until " + Instant.ofEpochMilli(until)));
        return new Json().object().field("exempt", e.principal()).field("until", untilText(e)).end().toString();
    }

    private String status(int limit) {
        DetectorSettings s = detectors.settings();
        Json j = new Json().object().object("settings");
        for (Rule r : Rule.values()) {
            DetectorSettings.RuleSettings rs = s.rule(r);
            j.object(r.id()).field("enabled", rs.enabled()).field("threshold", rs.threshold())
                    .field("windowMillis", rs.window().toMillis()).field("bucketThreshold", rs.bucketThreshold())
                    .field("ipThreshold", rs.ipThreshold())
                    .strings("responses", rs.responses().stream().map(Response::id).toList()).end();
        }
        j.object("entropy").field("high", s.entropy().high()).field("previousLow", s.entropy().previousLow())
                .field("minSampleBytes", s.entropy().minSampleBytes())
                .field("minPreviousBytes", s.entropy().minPreviousBytes()).end();
        j.object("exfiltration").field("requestFloor", s.rule(Rule.EXFILTRATION).threshold())
                .field("bytesFloor", s.exfiltration().bytesFloor()).field("multiplier", s.exfiltration().multiplier())
                .field("baselineWeight", s.exfiltration().baselineWeight()).end();
        DetectorSettings.LimitSettings l = s.limits();
        j.object("limits").field("principals", l.principals()).field("buckets", l.buckets())
                .field("sourceIps", l.sourceIps()).field("recentDetections", l.recentDetections())
                .field("pendingSamples", l.pendingSamples()).field("entropyCache", l.entropyCache()).end();
        j.field("webhook", s.webhook().map(Object::toString).orElse(null)).end();
        DetectionStats st = detectors.stats();
        j.object("counters").object("detections");
        st.detectionsByRule().forEach(j::field);
        j.end().field("quarantined", st.quarantined()).field("protected", st.protectedBuckets())
                .field("responses", st.responses()).field("alerts", st.alerts()).field("refused", st.refused())
                .field("samplesDropped", st.samplesDropped()).field("webhookDropped", st.webhookDropped())
                .field("evictions", st.evictions());
        detectors.internals().forEach(j::field);
        j.end();
        j.array("exempt");
        long now = clock.millis();
        for (Containment.Exemption e : containment.exemptions()) {
            j.object().field("principal", e.principal()).field("until", untilText(e)).field("active", e.activeAt(now))
                    .field("since", Instant.ofEpochMilli(e.sinceMillis()).toString()).end();
        }
        j.end().array("recent");
        List<Detection> recent = detectors.recent();
        for (Detection d : recent.subList(Math.max(0, recent.size() - limit), recent.size())) {
            j.raw(d.toJson());
        }
        return j.end().end().toString();
    }

    private int limit(String text) {
        if (text == null) {
            return DEFAULT_RECENT;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, detectors.settings().limits().recentDetections());
        } catch (NumberFormatException e) {
            throw invalid("limit must be a whole number >= 0, not " + text);
        }
    }

    private static String untilText(Containment.Exemption e) {
        return e.untilMillis() == Containment.NO_EXPIRY ? null : Instant.ofEpochMilli(e.untilMillis()).toString();
    }

    /** Audits a change made by hand (kind admin). */
    private void record(String action, String target, String why) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("action", action);
        details.put("target", target);
        details.put("reason", why);
        long now = clock.millis();
        try {
            audit.accept(new AuditRecord(now, "containment-" + now + "-" + sequence.incrementAndGet(),
                    AuditRecord.KIND_ADMIN, Containment.SYSTEM_ROOT_ARN, dev.arca.iam.Account.SYSTEM_ID, null,
                    "containment:" + action, null, null, null, 200, null, 0, 0, false, details));
        } catch (RuntimeException ex) {
            System.getLogger("arca.detect").log(System.Logger.Level.ERROR, "cannot audit " + action + " " + target, ex);
        }
    }

    private static void requirePost(String method) {
        if (!method.equals("POST")) {
            throw StoreException.of(FailureKind.METHOD_NOT_ALLOWED, "The specified method is not allowed against this resource.");
        }
    }

    private static String required(Map<String, String> q, String name, String usage) {
        String v = q.get(name);
        if (v == null || v.isBlank()) {
            throw invalid(usage);
        }
        return v;
    }

    private static StoreException invalid(String message) {
        return StoreException.of(FailureKind.INVALID_REQUEST, message);
    }
}
