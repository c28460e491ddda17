package dev.arca.client.feed;

import dev.arca.client.bench.LatencyHistogram;
import java.time.Duration;

/**
 * One simulated accelerator, DLIO style: take a batch from the feeder, "compute" (sleep) for the
 * batch's compute time, repeat until the deadline. The first step is excluded from every figure:
 * it pays for connections and the first reads, as a real job's first step does.
 *
 * <p>AU = (measured steps x nominal compute time) / (time from the end of the first step until
 * the accelerator stopped). Nominal rather than slept time, so that oversleeping cannot inflate
 * AU. A wait cut short by the deadline counts as wall time: starving at the end is starving. An
 * accelerator that never finished two steps has AU 0.
 */
final class Accelerator implements Runnable {

    private final Feeder feeder;
    private final long computeNanos;
    private final long deadlineNanos;
    private final LatencyHistogram batchWaits = new LatencyHistogram();
    private long steps;
    private long sleptNanos;
    private long firstStepEnd;
    private long end;
    private volatile Throwable failure;

    Accelerator(Feeder feeder, Duration compute, long deadlineNanos) {
        this.feeder = feeder;
        this.computeNanos = compute.toNanos();
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public void run() {
        try {
            while (System.nanoTime() < deadlineNanos) {
                long t0 = System.nanoTime();
                if (!feeder.awaitBatch(deadlineNanos)) {
                    break;
                }
                long t1 = System.nanoTime();
                if (steps > 0) {
                    batchWaits.record(t1 - t0);
                }
                if (computeNanos > 0) {
                    Thread.sleep(Duration.ofNanos(computeNanos));
                }
                long t2 = System.nanoTime();
                if (steps > 0) {
                    sleptNanos += t2 - t1;
                }
                steps++;
                if (steps == 1) {
                    firstStepEnd = t2;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            end = System.nanoTime();
        }
    }

    /** Steps completed, the first included. */
    long steps() {
        return steps;
    }

    /** Steps that count for AU: all but the first. */
    long measuredSteps() {
        return Math.max(0, steps - 1);
    }

    /** Accelerator utilisation, 0..1. */
    double au() {
        if (steps < 2) {
            return 0;
        }
        long wall = end - firstStepEnd;
        return wall <= 0 ? 0 : Math.min(1.0, (double) measuredSteps() * computeNanos / wall);
    }

    /**
     * How much longer the emulated compute took than asked, summed over measured steps: the
     * timer's overshoot, which AU counts as idle. Large when scaled compute times shrink toward
     * the timer's resolution.
     */
    long overshootNanos() {
        return Math.max(0, sleptNanos - measuredSteps() * computeNanos);
    }

    /** Nominal compute time of the measured steps. */
    long computeNanos() {
        return measuredSteps() * computeNanos;
    }

    /** Batch waits of the measured steps. */
    LatencyHistogram batchWaits() {
        return batchWaits;
    }

    /** What broke the loop, or null. */
    Throwable failure() {
        return failure;
    }
}
