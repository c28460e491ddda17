package dev.arca.detect;

import dev.arca.audit.AuditRecord;
import dev.arca.object.ObjectLayer;
import dev.arca.s3.AdminExtension;
import dev.arca.s3.RequestGuard;
import dev.arca.s3.RequestObserver;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Detection and containment as the server wires them: the {@link Detectors} (a request observer),
 * the {@link Containment} guard with its state in {@code <data>/containment.arca}, and the admin
 * resources {@code quarantine}, {@code protect} and {@code detect}. {@link #stats()} is for metrics.
 */
public final class DetectionService implements AutoCloseable {
    /** How long close waits for the entropy sampler to finish what it is reading. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final Detectors detectors;
    private final Containment containment;
    private final ExecutorService sampler;
    private final List<AdminExtension> extensions;

    private DetectionService(Detectors detectors, Containment containment, ExecutorService sampler,
            List<AdminExtension> extensions) {
        this.detectors = detectors;
        this.containment = containment;
        this.sampler = sampler;
        this.extensions = extensions;
    }

    /**
     * Loads the containment state and the settings (the defaults, overridden by {@code rulesFile}).
     *
     * @param audit where detections, responses and manual containment changes are recorded
     * @throws DetectorSettings.RulesException if the rules file is unusable
     * @throws java.io.UncheckedIOException    if the containment state cannot be read or is damaged
     */
    public static DetectionService start(Path dataDir, Optional<Path> rulesFile, ObjectLayer layer,
            Consumer<AuditRecord> audit, InstantSource clock) {
        DetectorSettings settings = rulesFile.map(DetectorSettings::load).orElseGet(DetectorSettings::defaults);
        LayerAccess access = new LayerAccess(layer.objects());
        Containment containment = Containment.open(dataDir.resolve(Containment.FILE_NAME), access, clock);
        ExecutorService sampler = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("arca-detect-sampler")
                .daemon().unstarted(r));
        Detectors detectors = new Detectors(settings, containment, access, sampler, audit, clock);
        List<AdminExtension> extensions = new ContainmentAdmin(containment, detectors, audit, clock).extensions();
        return new DetectionService(detectors, containment, sampler, extensions);
    }

    public RequestObserver observer() {
        return detectors;
    }

    public RequestGuard guard() {
        return containment;
    }

    /** The admin API resources quarantine, protect and detect. */
    public List<AdminExtension> extensions() {
        return extensions;
    }

    public Detectors detectors() {
        return detectors;
    }

    public Containment containment() {
        return containment;
    }

    /** Counters for metrics (detections per rule, quarantined, protected, responses...). */
    public DetectionStats stats() {
        return detectors.stats();
    }

    @Override
    public void close() {
        sampler.shutdown();
        try {
            if (!sampler.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                sampler.shutdownNow();
            }
        } catch (InterruptedException e) {
            sampler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        detectors.close();
    }
}
