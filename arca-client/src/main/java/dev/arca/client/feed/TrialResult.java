package dev.arca.client.feed;

import java.util.Locale;

/**
 * The figures of one trial.
 *
 * @param preset the workload label
 * @param scale the scale factor
 * @param accelerators simulated accelerators
 * @param sampleBytes bytes per sample after scaling
 * @param batch samples per batch
 * @param computeSeconds emulated compute per step after scaling
 * @param seconds measured wall time of the trial
 * @param au mean accelerator utilisation (0..1), first step excluded
 * @param auMin the lowest accelerator's AU
 * @param auThreshold the AU this trial had to reach
 * @param steps measured steps (first steps excluded), all accelerators
 * @param samples samples consumed by the accelerators, all steps
 * @param bytes sample bytes the loader delivered (verified) during the trial
 * @param batchWaitP50Ms median time an accelerator waited for a batch, measured steps
 * @param batchWaitP99Ms 99th percentile of the same
 * @param cpuSeconds CPU time of this whole process during the trial
 * @param sleepOvershoot how much longer the emulated compute slept than asked, as a fraction of
 *     the compute time (timer resolution; AU counts it as idle)
 * @param requests ranged GETs sent
 * @param retries of which retries
 * @param errors failed sample reads (not counting reads cut off at the end of the trial)
 */
record TrialResult(
        String preset,
        double scale,
        int accelerators,
        long sampleBytes,
        int batch,
        double computeSeconds,
        double seconds,
        double au,
        double auMin,
        double auThreshold,
        long steps,
        long samples,
        long bytes,
        double batchWaitP50Ms,
        double batchWaitP99Ms,
        double cpuSeconds,
        double sleepOvershoot,
        long requests,
        long retries,
        long errors) {

    private static final double GIB = 1024.0 * 1024 * 1024;

    /** Whether AU reached the threshold. */
    boolean passed() {
        return au >= auThreshold;
    }

    double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : 0;
    }

    /** Delivered gigabytes (10^9) per second. */
    double gbPerSecond() {
        return seconds > 0 ? bytes / seconds / 1e9 : 0;
    }

    /** Client CPU-seconds per GiB delivered (NaN when nothing was delivered). */
    double cpuSecondsPerGib() {
        return bytes > 0 ? cpuSeconds / (bytes / GIB) : Double.NaN;
    }

    /** One JSON object on one line. */
    String json(String endpoint) {
        return String.format(Locale.ROOT, "{\"tool\":\"arca-feed\",\"endpoint\":\"%s\",\"preset\":\"%s\",\"scale\":%s,"
                + "\"accelerators\":%d,\"sample_bytes\":%d,\"batch\":%d,\"compute_s\":%.6f,\"seconds\":%.3f,"
                + "\"au\":%.4f,\"au_min\":%.4f,\"au_threshold\":%.2f,\"pass\":%s,\"steps\":%d,\"samples\":%d,"
                + "\"samples_per_s\":%.2f,\"bytes\":%d,\"GBps\":%.4f,\"batch_wait_p50_ms\":%.3f,\"batch_wait_p99_ms\":%.3f,"
                + "\"cpu_s\":%.3f,\"cpu_s_per_GiB\":%s,\"sleep_overshoot\":%.4f,\"requests\":%d,\"retries\":%d,\"errors\":%d}",
                endpoint, preset, scale, accelerators, sampleBytes, batch, computeSeconds, seconds, au, auMin,
                auThreshold, passed(), steps, samples, samplesPerSecond(), bytes, gbPerSecond(), batchWaitP50Ms,
                batchWaitP99Ms, cpuSeconds, Double.isNaN(cpuSecondsPerGib()) ? "null"
                        : String.format(Locale.ROOT, "%.4f", cpuSecondsPerGib()),
                sleepOvershoot, requests, retries, errors);
    }

    /** Above this overshoot the human summary warns that the timer, not the storage, limits AU. */
    static final double OVERSHOOT_WARNING = 0.05;
    /** Compute steps shorter than this are at the mercy of the timer's resolution. */
    static final double SHORT_COMPUTE_SECONDS = 0.001;

    /** One human line (two when the timer overshoot distorts AU). */
    String summary() {
        String line = String.format(Locale.ROOT, "%s x%d (scale %s): AU %.1f%% (min %.1f%%, %s %.0f%%) | %.1f samples/s,"
                + " %.3f GB/s | batch wait p50 %.2f ms, p99 %.2f ms | %.2f CPU-s/GiB | %d steps, %d errors",
                preset, accelerators, scale, au * 100, auMin * 100, passed() ? "passes" : "below", auThreshold * 100,
                samplesPerSecond(), gbPerSecond(), batchWaitP50Ms, batchWaitP99Ms, cpuSecondsPerGib(), steps, errors);
        if (sleepOvershoot > OVERSHOOT_WARNING) {
            line += String.format(Locale.ROOT, "%n  note: emulated compute overslept by %.0f%% of %.3f ms per step (timer"
                    + " resolution, or CPU contention on this host); AU counts that as idle%s", sleepOvershoot * 100,
                    computeSeconds * 1e3, computeSeconds < SHORT_COMPUTE_SECONDS ? ": use a larger --scale" : "");
        }
        return line;
    }
}
