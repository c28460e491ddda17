package dev.arca.server.metrics;

import dev.arca.s3.MetricsEndpoint;
import dev.arca.s3.RequestEvent;
import dev.arca.s3.RequestObserver;
import dev.arca.storage.ErasureBlobStore;
import dev.arca.storage.ErasureStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The server's metrics, in a Micrometer {@link PrometheusMeterRegistry}, served as Prometheus text by
 * {@code GET /metrics} ({@link MetricsEndpoint}):
 * <ul>
 *   <li>requests, from every {@link RequestEvent} ({@link RequestObserver}): {@code arca_requests_total{operation,status}},
 *       {@code arca_request_duration_seconds{operation}} (a histogram), {@code arca_request_bytes_in_total{operation}},
 *       {@code arca_response_bytes_out_total{operation}}, {@code arca_request_errors_total{code}}. Labels are
 *       bounded: operations are a fixed set ({@link OperationLabels}), statuses are HTTP codes, error codes are
 *       capped; bucket, key and principal are never labels.</li>
 *   <li>storage ({@link #bindStorage}): drive states, heal, scrub and damage counters, read live at each scrape.</li>
 *   <li>security ({@link #bindSecurity}): detections by rule, quarantined principals, protected buckets.</li>
 *   <li>JVM and process: memory, GC, threads, class loading, CPU, uptime, file descriptors (Micrometer's binders).</li>
 * </ul>
 * Recording a request costs two map lookups and a few atomic adds. Thread-safe.
 */
public final class Metrics implements RequestObserver, MetricsEndpoint, AutoCloseable {
    /** Upper bounds of the request-duration histogram buckets (+Inf is added). */
    static final List<Duration> DURATION_BUCKETS = List.of(Duration.ofMillis(1), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    /** Most distinct {@code code} labels on {@code arca_request_errors_total} (S3 has about 60 codes). */
    static final int MAX_ERROR_CODES = 128;
    /** Most distinct {@code rule} labels on {@code arca_detections_total}. */
    static final int MAX_RULES = 64;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final OperationLabels labels = new OperationLabels();
    /** Meters by operation label (an operation that is its own label is found here directly). */
    private final Map<String, OperationMeters> operations = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Set<String> rules = ConcurrentHashMap.newKeySet();

    private volatile StorageSource storageSource;
    private volatile StorageState storage = StorageState.EMPTY;
    private volatile SecuritySignals security = SecuritySignals.NONE;
    private boolean securityBound;
    private volatile Map<String, Long> detections = Map.of();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry, for further meters. */
    public MeterRegistry registry() {
        return registry;
    }

    // ---- requests ----

    private final class OperationMeters {
        final String operation;
        final Timer duration;
        final Counter bytesIn;
        final Counter bytesOut;
        /** Request counters by HTTP status (100 … 599), created on first use; slot 0 for anything else. */
        final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);

        OperationMeters(String operation) {
            this.operation = operation;
            this.duration = Timer.builder("arca.request.duration")
                    .description("Time from a request's arrival until its response was chosen, by operation")
                    .tag("operation", operation)
                    .serviceLevelObjectives(DURATION_BUCKETS.toArray(Duration[]::new))
                    .register(registry);
            this.bytesIn = Counter.builder("arca.request.bytes.in")
                    .description("Request body bytes received (as declared), by operation")
                    .tag("operation", operation).register(registry);
            this.bytesOut = Counter.builder("arca.response.bytes.out")
                    .description("Response body bytes sent (as declared), by operation")
                    .tag("operation", operation).register(registry);
        }

        Counter requests(int status) {
            int slot = status >= 100 && status < 600 ? status : 0;
            Counter c = byStatus.get(slot);
            if (c == null) {
                c = Counter.builder("arca.requests").description("Requests answered, by operation and HTTP status")
                        .tag("operation", operation).tag("status", slot == 0 ? "other" : Integer.toString(status))
                        .register(registry);
                byStatus.set(slot, c);
            }
            return c;
        }
    }

    @Override
    public void observe(RequestEvent event) {
        OperationMeters m = meters(event.operation(), event.status());
        m.requests(event.status()).increment();
        m.duration.record(Math.max(0, event.durationNanos()), TimeUnit.NANOSECONDS);
        if (event.bytesIn() > 0) {
            m.bytesIn.increment(event.bytesIn());
        }
        if (event.bytesOut() > 0) {
            m.bytesOut.increment(event.bytesOut());
        }
        if (event.status() >= 400 || event.errorCode() != null) {
            error(event.errorCode()).increment();
        }
    }

    private OperationMeters meters(String operation, int status) {
        OperationMeters m = operation == null ? null : operations.get(operation);
        if (m != null) {
            return m;
        }
        // Keyed by label only: a raw name folded into "other" must not grow the map.
        return operations.computeIfAbsent(labels.label(operation, status), OperationMeters::new);
    }

    private Counter error(String code) {
        String label = code == null ? "unknown" : code;
        Counter c = errors.get(label);
        if (c != null) {
            return c;
        }
        if (!validCode(label) || errors.size() >= MAX_ERROR_CODES) {
            label = "other";
        }
        return errors.computeIfAbsent(label, l -> Counter.builder("arca.request.errors")
                .description("Requests answered with an error, by S3 error code (unknown: an error without one)")
                .tag("code", l).register(registry));
    }

    private static boolean validCode(String code) {
        if (code.isEmpty() || code.length() > 64) {
            return false;
        }
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    // ---- storage ----

    /** Where storage numbers come from: read once per scrape. */
    record StorageSource(Supplier<ErasureStats.Snapshot> stats, Supplier<List<ErasureBlobStore.DriveStatus>> drives,
            IntSupplier pendingHeals) {}

    private record StorageState(ErasureStats.Snapshot stats, List<ErasureBlobStore.DriveStatus> drives, int pendingHeals) {
        static final StorageState EMPTY = new StorageState(
                new ErasureStats.Snapshot(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), List.of(), 0);

        long drivesIn(String state) {
            return drives.stream().filter(d -> d.state().equals(state)).count();
        }

        double online(int number) {
            for (ErasureBlobStore.DriveStatus d : drives) {
                if (d.number() == number) {
                    return d.state().equals("online") ? 1 : 0;
                }
            }
            return 0;
        }
    }

    private record StatCounter(String name, String description, ToLongFunction<ErasureStats.Snapshot> value) {}

    private static final List<StatCounter> STORAGE_COUNTERS = List.of(
            new StatCounter("arca.storage.corrupt.chunks", "Chunks whose CRC failed (or that could not be read) on read, heal or scrub",
                    ErasureStats.Snapshot::corruptChunks),
            new StatCounter("arca.storage.missing.shards", "Shard files found missing or invalid when a blob was opened on an online drive",
                    ErasureStats.Snapshot::missingShards),
            new StatCounter("arca.storage.stripes.reconstructed", "Stripes a read served by Reed-Solomon reconstruction",
                    ErasureStats.Snapshot::stripesReconstructed),
            new StatCounter("arca.storage.write.shard.failures", "Shards a write lost to a failing drive",
                    ErasureStats.Snapshot::writeShardFailures),
            new StatCounter("arca.storage.write.quorum.failures", "Writes refused because fewer than the write quorum of drives took them",
                    ErasureStats.Snapshot::writeQuorumFailures),
            new StatCounter("arca.storage.dangling.removed", "Blobs with fewer than k shards whose leftovers were removed",
                    ErasureStats.Snapshot::danglingRemoved),
            new StatCounter("arca.storage.drives.formatted", "Empty (replacement) drives formatted while running",
                    ErasureStats.Snapshot::drivesFormatted),
            new StatCounter("arca.storage.tombstones.written", "Deletes that left tombstones because a drive was away",
                    ErasureStats.Snapshot::tombstonesWritten),
            new StatCounter("arca.storage.deleted.leftovers.removed", "Shard files of deleted blobs removed when their drive came back",
                    ErasureStats.Snapshot::deletedLeftoversRemoved),
            new StatCounter("arca.heal.queued", "Heals asked for by reads that found damage", ErasureStats.Snapshot::healsQueued),
            new StatCounter("arca.heal.dropped", "Heal requests dropped because the queue was full (the scrubber finds them later)",
                    ErasureStats.Snapshot::healsDropped),
            new StatCounter("arca.heal.blobs", "Blobs that had shards rebuilt", ErasureStats.Snapshot::blobsHealed),
            new StatCounter("arca.heal.shards.rebuilt", "Shard files rewritten by healing", ErasureStats.Snapshot::shardsRebuilt),
            new StatCounter("arca.heal.unrecoverable.blobs", "Heals that found fewer than k good chunks in some stripe",
                    ErasureStats.Snapshot::unrecoverableBlobs),
            new StatCounter("arca.scrub.bytes", "Shard bytes the scrubber verified", ErasureStats.Snapshot::scrubbedBytes),
            new StatCounter("arca.scrub.blobs", "Blobs the scrubber checked", ErasureStats.Snapshot::scrubbedBlobs),
            new StatCounter("arca.scrub.passes", "Completed scrub passes", ErasureStats.Snapshot::scrubPasses));

    /** Exports {@code store}'s drive states and counters, read at each scrape. Call once. */
    public void bindStorage(ErasureBlobStore store) {
        bindStorage(new StorageSource(store::stats, store::driveStatus, store::pendingHeals));
    }

    synchronized void bindStorage(StorageSource source) {
        if (storageSource != null) {
            throw new IllegalStateException("storage already bound");
        }
        storageSource = source;
        storage = read(source);
        for (StatCounter s : STORAGE_COUNTERS) {
            ToLongFunction<ErasureStats.Snapshot> f = s.value();
            FunctionCounter.builder(s.name(), this, m -> f.applyAsLong(m.storage.stats()))
                    .description(s.description()).register(registry);
        }
        for (ErasureBlobStore.DriveStatus d : storage.drives()) {
            int number = d.number();
            Gauge.builder("arca.drive.online", this, m -> m.storage.online(number))
                    .description("1 if the drive is online (formatted for this deployment), else 0 (offline or empty)")
                    .tag("drive", Integer.toString(number)).register(registry);
        }
        for (String state : List.of("online", "offline", "empty")) {
            Gauge.builder("arca.drives", this, m -> m.storage.drivesIn(state))
                    .description("Drives by state").tag("state", state).register(registry);
        }
        Gauge.builder("arca.heal.pending", this, m -> m.storage.pendingHeals())
                .description("Heals queued and not yet done").register(registry);
    }

    private static StorageState read(StorageSource source) {
        return new StorageState(source.stats().get(), List.copyOf(source.drives().get()), source.pendingHeals().getAsInt());
    }

    // ---- security ----

    /** Exports detections, quarantines and protections from {@code signals}, read at each scrape. Call once. */
    public synchronized void bindSecurity(SecuritySignals signals) {
        if (securityBound) {
            throw new IllegalStateException("security signals already bound");
        }
        securityBound = true;
        security = signals;
        Gauge.builder("arca.quarantined.principals", this, m -> m.security.quarantinedPrincipals())
                .description("Principals whose keys are quarantined now").register(registry);
        Gauge.builder("arca.protected.buckets", this, m -> m.security.protectedBuckets())
                .description("Buckets in protected mode (no deletes or overwrites) now").register(registry);
        FunctionCounter.builder("arca.security.responses", this, m -> m.security.responses())
                .description("Responses taken by the detectors (alerts, quarantines, protections)").register(registry);
        refreshSecurity();
    }

    /** Reads the detection counts once and registers a counter for each rule not seen before (at most {@link #MAX_RULES}). */
    private void refreshSecurity() {
        Map<String, Long> now = Map.copyOf(security.detections());
        detections = now;
        for (String rule : now.keySet()) {
            if (!rules.contains(rule) && rules.size() < MAX_RULES) {
                rules.add(rule);
                FunctionCounter.builder("arca.detections", this, m -> m.detections.getOrDefault(rule, 0L))
                        .description("Detections by rule").tag("rule", rule).register(registry);
            }
        }
    }

    // ---- exposition ----

    /** Reads storage and security numbers once, for the gauges and counters that show them. */
    synchronized void refresh() {
        StorageSource source = storageSource;
        if (source != null) {
            storage = read(source);
        }
        refreshSecurity();
    }

    /** Every metric now, in the Prometheus text format (version 0.0.4). */
    @Override
    public String scrape() {
        refresh();
        return registry.scrape(PROMETHEUS_TEXT);
    }

    @Override
    public String contentType() {
        return PROMETHEUS_TEXT;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
