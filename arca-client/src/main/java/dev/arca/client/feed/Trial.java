package dev.arca.client.feed;

import dev.arca.client.bench.LatencyHistogram;
import dev.arca.client.loader.Loader;
import dev.arca.client.loader.MapDataset;
import dev.arca.client.loader.WebDatasetShards;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One trial: N accelerators fed by one loader for the configured duration. The loader is made for
 * the trial and closed at its end, which cuts off reads still in flight; those are not errors.
 */
final class Trial {

    /** Shuffle buffer of each shard reader: small, since N x threads of them exist at once. */
    static final int SHARD_SHUFFLE_BUFFER = 16;
    /** How long stopping may take before the trial gives up waiting for its threads. */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final double NANOS_PER_MS = 1e6;

    private Trial() {
    }

    static TrialResult run(FeedConfig config, FeedDataset dataset, int accelerators, PrintStream err)
            throws InterruptedException {
        TrialErrors errors = new TrialErrors(err);
        Preset p = config.preset();
        Loader loader = new Loader(config.loaderConfig());
        List<Feeder> feeders = new ArrayList<>(accelerators);
        MapDataset files = new MapDataset(dataset.objectKeys(), config.seed());
        WebDatasetShards shards = new WebDatasetShards(dataset.objectKeys(), config.seed(), SHARD_SHUFFLE_BUFFER);
        for (int a = 0; a < accelerators; a++) {
            feeders.add(p.format() == Preset.Format.FILES
                    ? new FileFeeder(loader, files, a, accelerators, p.batch(), config.prefetchBatches(), errors)
                    : new ShardFeeder(loader, shards, a, accelerators, p.batch(), config.prefetchBatches(), errors));
        }
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long deadline = start + config.duration().toNanos();
        List<Accelerator> accs = new ArrayList<>(accelerators);
        List<Thread> threads = new ArrayList<>(accelerators);
        for (int a = 0; a < accelerators; a++) {
            feeders.get(a).start("accelerator-" + a, config.readThreads());
            Accelerator acc = new Accelerator(feeders.get(a), config.computeTime(), deadline);
            accs.add(acc);
            // Platform threads: their sleeps overshoot less than a virtual thread's timer wake-up.
            threads.add(Thread.ofPlatform().daemon().name("accelerator-" + a).start(acc));
        }
        for (Thread t : threads) {
            t.join();
        }
        long end = System.nanoTime();
        long cpu1 = processCpuNanos();
        long bytes = 0;
        for (Feeder f : feeders) {
            bytes += f.bytes();
        }
        Loader.Stats stats = loader.stats();
        for (Feeder f : feeders) {
            f.stop();
        }
        loader.close();
        for (Feeder f : feeders) {
            f.join(STOP_GRACE);
        }

        LatencyHistogram waits = new LatencyHistogram();
        double auSum = 0;
        double auMin = 1;
        long steps = 0;
        long samples = 0;
        long overshoot = 0;
        long compute = 0;
        for (Accelerator a : accs) {
            if (a.failure() != null) {
                errors.record("accelerator", a.failure());
            }
            waits.add(a.batchWaits());
            auSum += a.au();
            auMin = Math.min(auMin, a.au());
            steps += a.measuredSteps();
            overshoot += a.overshootNanos();
            compute += a.computeNanos();
            samples += a.steps() * p.batch();
        }
        return new TrialResult(p.label(), config.scale(), accelerators, config.sampleBytes(), p.batch(),
                config.computeTime().toNanos() / 1e9, (end - start) / 1e9, auSum / accelerators, auMin,
                config.auThreshold(), steps, samples, bytes,
                waits.quantile(0.50) / NANOS_PER_MS, waits.quantile(0.99) / NANOS_PER_MS,
                (cpu1 - cpu0) / 1e9, compute > 0 ? (double) overshoot / compute : 0, stats.requests(), stats.retries(),
                errors.count());
    }

    /** CPU time of the whole process, all threads (-1 where the JVM cannot tell). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
