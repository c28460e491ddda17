package dev.arca.detect;

import dev.arca.audit.AuditRecord;
import dev.arca.s3.RequestContext;
import dev.arca.s3.RequestEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/** Detectors over a temporary containment file, a settable clock, fake object layer access and a list audit sink. */
final class Fixture {
    static final String ACCOUNT = "111122223333";
    static final String ALICE = "arn:aws:iam::" + ACCOUNT + ":user/alice";
    static final String BOB = "arn:aws:iam::" + ACCOUNT + ":user/bob";
    static final String TENANT_ROOT = "arn:aws:iam::" + ACCOUNT + ":root";
    static final long START = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();

    /** A clock tests move by hand. */
    static final class Clock implements InstantSource {
        long millis = START;

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public long millis() {
            return millis;
        }

        void advance(long ms) {
            millis += ms;
        }
    }

    /** Runs submitted tasks only when told to. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            while (!tasks.isEmpty()) {
                tasks.poll().run();
            }
        }
    }

    final Clock clock = new Clock();
    final List<AuditRecord> audit = new CopyOnWriteArrayList<>();
    final Set<String> existing = new HashSet<>();
    /** "bucket/key/versionId" → sample the fake layer returns. */
    final Map<String, PreviousSampler.Sample> versions = new HashMap<>();
    final List<String> sampled = new ArrayList<>();
    final Path file;
    final Containment containment;
    final Detectors detectors;
    private long requests;

    Fixture(Path dir, DetectorSettings settings, Executor background) {
        this.file = dir.resolve(Containment.FILE_NAME);
        this.containment = Containment.open(file, (b, k) -> existing.contains(b + "/" + k), clock);
        PreviousSampler sampler = (b, k, v) -> {
            sampled.add(b + "/" + k + "/" + v);
            return Optional.ofNullable(versions.get(b + "/" + k + "/" + v));
        };
        this.detectors = new Detectors(settings, containment, sampler, background, audit::add, clock);
    }

    Fixture(Path dir) {
        this(dir, DetectorSettings.defaults(), Runnable::run);
    }

    /** An answered request: status 200 unless {@code errorCode} is set (then 403). */
    RequestEvent event(String principal, String operation, String bucket, String key, String errorCode,
            Map<String, String> details) {
        String account = principal == null || principal.equals("anonymous") ? null : principal.split(":")[4];
        return new RequestEvent(clock.millis(), "req-" + (++requests), operation, principal, account,
                principal == null ? null : "AKIA" + Math.abs(principal.hashCode()), "10.0.0.7", bucket, key, "v" + requests,
                errorCode == null ? 200 : 403, errorCode, 0, 0, false, 1, details);
    }

    void observe(String principal, String operation, String bucket, String key, Map<String, String> details) {
        detectors.observe(event(principal, operation, bucket, key, null, details));
    }

    void delete(String principal, String bucket, String key) {
        observe(principal, "DeleteObject", bucket, key, Map.of(RequestContext.DELETE, "true"));
    }

    /** A PutObject with a payload sample of {@code bytes} at {@code entropy}; an overwrite of {@code previousVersion} if not null. */
    RequestEvent put(String principal, String bucket, String key, double entropy, long bytes, String previousVersion,
            Map<String, String> extra) {
        Map<String, String> d = new HashMap<>(extra);
        d.put(RequestContext.ENTROPY, String.format(java.util.Locale.ROOT, "%.3f", entropy));
        d.put(RequestContext.ENTROPY + "Bytes", Long.toString(bytes));
        if (previousVersion != null) {
            d.put(RequestContext.OVERWRITE, "true");
            d.put(RequestContext.PREVIOUS_VERSION_ID, previousVersion);
        }
        RequestEvent e = event(principal, "PutObject", bucket, key, null, d);
        detectors.observe(e);
        return e;
    }

    List<AuditRecord> records(String kind) {
        return audit.stream().filter(r -> r.kind().equals(kind)).toList();
    }

    List<Detection> detections(Rule rule) {
        return detectors.recent().stream().filter(d -> d.rule() == rule).toList();
    }
}
