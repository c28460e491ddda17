package dev.arca.client.feed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The loader side of one simulated accelerator: {@code readThreads} virtual threads read samples
 * ahead of the accelerator, at most {@code prefetchBatches} batches ahead (credits), and announce
 * each finished sample (ready permits). The accelerator takes a batch by taking {@code batch}
 * ready permits, which returns as many credits. Sample bytes are verified and dropped, not kept:
 * the benchmark measures delivery, and holding prefetched batches would only cost memory.
 */
abstract sealed class Feeder permits FileFeeder, ShardFeeder {

    /** After a failed read a thread waits this long, so a dead server is not hammered in a loop. */
    static final Duration ERROR_PAUSE = Duration.ofMillis(100);

    private final int batch;
    private final Semaphore credits;
    private final Semaphore ready = new Semaphore(0);
    private final List<Thread> threads = new ArrayList<>();
    private final TrialErrors errors;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder samples = new LongAdder();
    private volatile boolean stopped;

    Feeder(int batch, int prefetchBatches, TrialErrors errors) {
        this.batch = batch;
        this.credits = new Semaphore(batch * prefetchBatches);
        this.errors = errors;
    }

    /** Reads samples until {@link #stopped()}, calling {@link #takeCredit}, then {@link #delivered} or {@link #failed}. */
    abstract void readLoop(int thread, int threads) throws InterruptedException;

    /** Starts the read threads. */
    final void start(String name, int readThreads) {
        for (int t = 0; t < readThreads; t++) {
            int thread = t;
            threads.add(Thread.ofVirtual().name(name + "-reader-" + t).start(() -> {
                try {
                    readLoop(thread, readThreads);
                } catch (InterruptedException e) {
                    // stopping
                } catch (RuntimeException e) {
                    if (!stopped) {
                        errors.record(name + " reader " + thread, e);
                    }
                }
            }));
        }
    }

    /**
     * Waits until a whole batch is ready or the deadline passes.
     *
     * @return whether a batch was taken
     */
    final boolean awaitBatch(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        boolean got = wait > 0 ? ready.tryAcquire(batch, wait, TimeUnit.NANOSECONDS) : ready.tryAcquire(batch);
        if (got) {
            credits.release(batch);
        }
        return got;
    }

    /** Stops the read threads (the caller closes the loader so that reads in flight end too). */
    final void stop() {
        stopped = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }

    /** Waits up to {@code grace} for the read threads to end. */
    final void join(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
    }

    final boolean stopped() {
        return stopped;
    }

    final void takeCredit() throws InterruptedException {
        credits.acquire();
    }

    final void delivered(long sampleBytes) {
        bytes.add(sampleBytes);
        samples.increment();
        ready.release();
    }

    /** A read failed: the credit goes back; the error counts unless the trial is stopping. */
    final void failed(String what, Exception e) throws InterruptedException {
        credits.release();
        if (!stopped) {
            errors.record(what, e);
            Thread.sleep(ERROR_PAUSE);
        }
    }

    /** Sample bytes delivered so far. */
    final long bytes() {
        return bytes.sum();
    }

    /** Samples delivered so far. */
    final long samples() {
        return samples.sum();
    }
}
