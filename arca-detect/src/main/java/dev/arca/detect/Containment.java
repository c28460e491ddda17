package dev.arca.detect;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.Account;
import dev.arca.iam.Principal;
import dev.arca.s3.RequestContext;
import dev.arca.s3.RequestGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Where containment takes effect: refuses every request of a quarantined principal and every
 * delete or overwrite in a protected bucket, before the request runs. Also keeps the exempt bulk
 * jobs. The state survives restarts in {@code <data>/containment.arca} ({@link ContainmentFile}),
 * written on every change before the change is reported done.
 *
 * <p>A quarantined ARN matches a request when it is the request principal's ARN (any of its access
 * keys), or the role of an assumed-role session (so quarantining {@code arn:aws:iam::A:role/R}
 * stops every session of R, and quarantining one session ARN stops that session). The system
 * account's root ({@link #SYSTEM_ROOT_ARN}) is never quarantined: it is who releases quarantines.
 * Protected mode refuses everyone, the system root included; reads always pass. Thread-safe: checks
 * are lock-free, changes are serialized.
 */
public final class Containment implements RequestGuard {
    private static final System.Logger LOG = System.getLogger("arca.detect");
    /** The state file's name under the data directory. */
    public static final String FILE_NAME = "containment.arca";
    public static final String SYSTEM_ROOT_ARN = "arn:aws:iam::" + Account.SYSTEM_ID + ":root";
    /** Bounds of the state (and of the file). */
    public static final int MAX_QUARANTINED = 10_000;
    public static final int MAX_PROTECTED = 10_000;
    public static final int MAX_EXEMPT = 1_000;
    /** Access key ids remembered per quarantined principal (evidence; the ARN is what is matched). */
    public static final int MAX_KEYS_PER_PRINCIPAL = 8;
    /** Longest ARN accepted (AWS's own bound). */
    public static final int MAX_ARN_CHARS = 2_048;
    /** Reasons are cut to this length. */
    public static final int MAX_REASON_CHARS = 1_000;
    /** An exemption without expiry. */
    public static final long NO_EXPIRY = Long.MAX_VALUE;

    /** Operations refused in a protected bucket whatever the key. */
    static final Set<String> REFUSED_WHEN_PROTECTED = Set.of("DeleteObject", "DeleteObjects", "DeleteBucket",
            "PutBucketVersioning", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", "PutBucketPolicy",
            "DeleteBucketPolicy", "PutObjectRetention", "PutObjectLegalHold", "PutObjectLockConfiguration",
            "PutBucketEncryption", "DeleteBucketEncryption");
    /** Writes refused in a protected bucket when their target key currently exists (overwrites); new keys pass. */
    static final Set<String> OVERWRITES = Set.of("PutObject", "CopyObject", "CompleteMultipartUpload", "UploadPart",
            "UploadPartCopy");

    /**
     * A quarantined principal.
     *
     * @param accessKeyIds the access keys seen in the detections (evidence; every key of the ARN is refused)
     * @param rule         the {@link Rule#id()} that caused it, or "manual"
     * @param detectionId  the detection, or "" for a manual quarantine
     */
    public record Quarantine(String principal, List<String> accessKeyIds, String rule, String reason, long sinceMillis,
            String detectionId) {
        public Quarantine {
            Objects.requireNonNull(principal, "principal");
            accessKeyIds = List.copyOf(accessKeyIds.subList(0, Math.min(MAX_KEYS_PER_PRINCIPAL, accessKeyIds.size())));
            Objects.requireNonNull(rule, "rule");
            reason = cut(reason);
            Objects.requireNonNull(detectionId, "detectionId");
        }
    }

    /** A bucket in protected mode. */
    public record Protection(String bucket, String rule, String reason, long sinceMillis, String detectionId) {
        public Protection {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(rule, "rule");
            reason = cut(reason);
            Objects.requireNonNull(detectionId, "detectionId");
        }
    }

    /** A principal marked as a bulk job: exempt from mass-delete and mass-overwrite until {@code untilMillis}. */
    public record Exemption(String principal, long untilMillis, long sinceMillis) {
        public Exemption {
            Objects.requireNonNull(principal, "principal");
        }

        public boolean activeAt(long nowMillis) {
            return nowMillis < untilMillis;
        }
    }

    /** Whether an object key currently exists (a current version that is not a delete marker). */
    @FunctionalInterface
    public interface KeyExists {
        boolean exists(String bucket, String key);
    }

    private final Path file;
    private final KeyExists keys;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Quarantine> quarantined = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Protection> protectedBuckets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Exemption> exemptions = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final Object changes = new Object();
    private volatile Consumer<String> onRelease = arn -> { };

    private Containment(Path file, KeyExists keys, InstantSource clock, ContainmentFile.State state) {
        this.file = file;
        this.keys = keys;
        this.clock = clock;
        state.quarantined().forEach(q -> quarantined.put(q.principal(), q));
        state.protectedBuckets().forEach(p -> protectedBuckets.put(p.bucket(), p));
        state.exemptions().forEach(e -> exemptions.put(e.principal(), e));
    }

    /**
     * Loads the state from {@code file} (none yet: empty).
     *
     * @throws UncheckedIOException when the file cannot be read or is damaged: the server must not
     *                              start and silently forget who is quarantined
     */
    public static Containment open(Path file, KeyExists keys, InstantSource clock) {
        try {
            return new Containment(file, keys, clock, ContainmentFile.read(file));
        } catch (ContainmentFile.DamagedException e) {
            throw new UncheckedIOException("the containment state " + file + " is damaged (" + e.getMessage()
                    + "); restore it from a backup, or delete it to start with no quarantined principals, protected "
                    + "buckets or exemptions", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the containment state " + file + ": " + e.getMessage(), e);
        }
    }

    /** Called with the ARN of each released principal (the detectors forget its windows). */
    void onRelease(Consumer<String> listener) {
        this.onRelease = listener;
    }

    @Override
    public void admit(RequestContext context) {
        if (quarantined.isEmpty() && protectedBuckets.isEmpty()) {
            return;
        }
        Principal p = context.principal();
        if (p != null && !p.isAnonymous()) {
            Quarantine q = quarantineOf(p.arn());
            if (q != null) {
                refused.incrementAndGet();
                throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied: this principal is quarantined by "
                        + "ransomware containment (rule " + q.rule() + ", since " + Instant.ofEpochMilli(q.sinceMillis())
                        + "); an administrator must release it.");
            }
        }
        String bucket = context.bucket();
        if (bucket != null && protectedBuckets.containsKey(bucket) && refusedInProtected(context.operation(), bucket,
                context.key())) {
            refused.incrementAndGet();
            throw StoreException.of(FailureKind.ACCESS_DENIED, "Access Denied: bucket " + bucket + " is protected by "
                    + "ransomware containment; deletes, overwrites and configuration changes are refused until an "
                    + "administrator releases it (reads are allowed).");
        }
    }

    private boolean refusedInProtected(String operation, String bucket, String key) {
        if (REFUSED_WHEN_PROTECTED.contains(operation)) {
            return true;
        }
        if (OVERWRITES.contains(operation) && key != null) {
            try {
                return keys.exists(bucket, key);
            } catch (RuntimeException e) {
                // Cannot tell whether it would overwrite: refuse rather than risk it.
                LOG.log(System.Logger.Level.WARNING, "cannot check whether " + bucket + "/" + key + " exists: " + e);
                return true;
            }
        }
        return false;
    }

    /** The quarantine matching {@code arn} (itself, or the role of an assumed-role session ARN), or null. */
    Quarantine quarantineOf(String arn) {
        if (arn == null || quarantined.isEmpty()) {
            return null;
        }
        Quarantine q = quarantined.get(arn);
        if (q == null) {
            String role = roleOfSession(arn);
            if (role != null) {
                q = quarantined.get(role);
            }
        }
        return q;
    }

    /** Whether requests of {@code arn} are refused now. */
    public boolean isQuarantined(String arn) {
        return quarantineOf(arn) != null;
    }

    public boolean isProtected(String bucket) {
        return protectedBuckets.containsKey(bucket);
    }

    /**
     * arn:aws:iam::A:role/R for a session ARN arn:aws:sts::A:assumed-role/R/S, else null (the same
     * mapping as {@link Principal#roleArn()}, from the ARN alone).
     */
    static String roleOfSession(String arn) {
        String prefix = "arn:aws:sts::";
        if (!arn.startsWith(prefix)) {
            return null;
        }
        int colon = arn.indexOf(':', prefix.length());
        String marker = ":assumed-role/";
        if (colon < 0 || !arn.startsWith(marker, colon)) {
            return null;
        }
        int slash = arn.indexOf('/', colon + marker.length());
        if (slash < 0) {
            return null;
        }
        return "arn:aws:iam::" + arn.substring(prefix.length(), colon) + ":role/" + arn.substring(colon + marker.length(), slash);
    }

    /** Whether {@code arn} may be quarantined at all: not the system root, not anonymous, an IAM or STS ARN. */
    public static boolean quarantinable(String arn) {
        return arn != null && !arn.equals(SYSTEM_ROOT_ARN) && arn.length() <= MAX_ARN_CHARS
                && (arn.startsWith("arn:aws:iam::") || arn.startsWith("arn:aws:sts::"));
    }

    /**
     * Quarantines {@code q.principal()}; if it already is, adds any new access key id to the record.
     * Returns whether it was newly quarantined.
     *
     * @throws IllegalArgumentException for the system root or an ARN that is not an IAM/STS principal
     * @throws IllegalStateException    when {@link #MAX_QUARANTINED} principals are quarantined already
     */
    public boolean quarantine(Quarantine q) {
        if (!quarantinable(q.principal())) {
            throw new IllegalArgumentException(q.principal().equals(SYSTEM_ROOT_ARN)
                    ? "the system root is never quarantined: it is who releases quarantines"
                    : "not an IAM user, role, session or account root ARN: " + q.principal());
        }
        synchronized (changes) {
            Quarantine existing = quarantined.get(q.principal());
            if (existing != null) {
                List<String> ids = new ArrayList<>(existing.accessKeyIds());
                q.accessKeyIds().stream().filter(k -> !ids.contains(k)).forEach(ids::add);
                if (ids.size() > existing.accessKeyIds().size() && existing.accessKeyIds().size() < MAX_KEYS_PER_PRINCIPAL) {
                    quarantined.put(q.principal(), new Quarantine(existing.principal(), ids, existing.rule(),
                            existing.reason(), existing.sinceMillis(), existing.detectionId()));
                    persist();
                }
                return false;
            }
            if (quarantined.size() >= MAX_QUARANTINED) {
                throw new IllegalStateException(MAX_QUARANTINED + " principals are quarantined already");
            }
            quarantined.put(q.principal(), q);
            persist();
            return true;
        }
    }

    /** Releases {@code arn}; returns its quarantine, or empty if it was not quarantined. */
    public Optional<Quarantine> release(String arn) {
        Quarantine q;
        synchronized (changes) {
            q = quarantined.remove(arn);
            if (q != null) {
                persist();
            }
        }
        if (q != null) {
            onRelease.accept(arn);
        }
        return Optional.ofNullable(q);
    }

    /**
     * Puts {@code p.bucket()} in protected mode; returns whether it newly is.
     *
     * @throws IllegalStateException when {@link #MAX_PROTECTED} buckets are protected already
     */
    public boolean protect(Protection p) {
        synchronized (changes) {
            if (protectedBuckets.containsKey(p.bucket())) {
                return false;
            }
            if (protectedBuckets.size() >= MAX_PROTECTED) {
                throw new IllegalStateException(MAX_PROTECTED + " buckets are protected already");
            }
            protectedBuckets.put(p.bucket(), p);
            persist();
            return true;
        }
    }

    /** Ends protected mode for {@code bucket}; returns its protection, or empty if it was not protected. */
    public Optional<Protection> unprotect(String bucket) {
        synchronized (changes) {
            Protection p = protectedBuckets.remove(bucket);
            if (p != null) {
                persist();
            }
            return Optional.ofNullable(p);
        }
    }

    /**
     * Marks {@code arn} as a bulk job until {@code untilMillis} ({@link #NO_EXPIRY}: until unexempted),
     * replacing any earlier exemption; expired exemptions are dropped.
     *
     * @throws IllegalStateException when {@link #MAX_EXEMPT} principals are exempt already
     */
    public Exemption exempt(String arn, long untilMillis) {
        synchronized (changes) {
            long now = clock.millis();
            exemptions.values().removeIf(e -> !e.activeAt(now));
            if (!exemptions.containsKey(arn) && exemptions.size() >= MAX_EXEMPT) {
                throw new IllegalStateException(MAX_EXEMPT + " principals are exempt already");
            }
            Exemption e = new Exemption(arn, untilMillis, now);
            exemptions.put(arn, e);
            persist();
            return e;
        }
    }

    /** Ends {@code arn}'s exemption; returns whether it had one. */
    public boolean unexempt(String arn) {
        synchronized (changes) {
            boolean had = exemptions.remove(arn) != null;
            if (had) {
                persist();
            }
            return had;
        }
    }

    public boolean isExempt(String arn, long nowMillis) {
        if (arn == null || exemptions.isEmpty()) {
            return false;
        }
        Exemption e = exemptions.get(arn);
        return e != null && e.activeAt(nowMillis);
    }

    public List<Quarantine> quarantined() {
        return quarantined.values().stream().sorted(Comparator.comparingLong(Quarantine::sinceMillis)
                .thenComparing(Quarantine::principal)).toList();
    }

    public List<Protection> protectedBuckets() {
        return protectedBuckets.values().stream().sorted(Comparator.comparingLong(Protection::sinceMillis)
                .thenComparing(Protection::bucket)).toList();
    }

    public List<Exemption> exemptions() {
        return exemptions.values().stream().sorted(Comparator.comparing(Exemption::principal)).toList();
    }

    public int quarantinedCount() {
        return quarantined.size();
    }

    public int protectedCount() {
        return protectedBuckets.size();
    }

    /** Requests refused since start. */
    public long refused() {
        return refused.get();
    }

    /** Writes the whole state; a failure leaves the change in effect in memory and is reported. */
    private void persist() {
        try {
            ContainmentFile.write(file, new ContainmentFile.State(List.copyOf(quarantined.values()),
                    List.copyOf(protectedBuckets.values()), List.copyOf(exemptions.values())));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot write the containment state " + file
                    + ": the change holds until restart only", e);
            throw new UncheckedIOException("cannot write the containment state " + file + ": " + e.getMessage(), e);
        }
    }

    private static String cut(String s) {
        Objects.requireNonNull(s, "reason");
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS);
    }
}
