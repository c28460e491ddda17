package dev.arca.object.restore;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Restores run in the background: at most {@link #MAX_RUNNING} at once (more are refused with
 * SlowDown), the last {@link #MAX_REMEMBERED} jobs remembered (in memory only) for progress
 * queries and for resuming. Closing asks running jobs to stop after the key in hand and waits for
 * them; a stopped job can be resumed (or, after a restart, the same restore simply run again:
 * it is idempotent).
 */
public final class RestoreJobs implements AutoCloseable {
    /** Restores running at once. */
    public static final int MAX_RUNNING = 2;
    /** Jobs (running or finished) remembered for queries and resumes. */
    public static final int MAX_REMEMBERED = 64;
    /** How long close() waits for running jobs to stop. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);
    private static final System.Logger LOG = System.getLogger("arca.restore");

    /** A job's state: running, done (every key examined), stopped (by close) or failed (see its error). */
    public enum State { RUNNING, DONE, STOPPED, FAILED }

    /** One background restore. Its report is a snapshot, replaced as the job advances. */
    public static final class Job {
        private final String id;
        private final RestoreRequest request;
        private final String resumedFrom;
        private final CountDownLatch finished = new CountDownLatch(1);
        private volatile RestoreReport report;
        private volatile State state = State.RUNNING;
        private volatile String error;

        Job(String id, RestoreRequest request, String resumedFrom) {
            this.id = id;
            this.request = request;
            this.resumedFrom = resumedFrom;
            this.report = RestoreReport.empty(request.dryRun());
        }

        public String id() {
            return id;
        }

        public RestoreRequest request() {
            return request;
        }

        /** The job this one resumes, or null. */
        public String resumedFrom() {
            return resumedFrom;
        }

        public RestoreReport report() {
            return report;
        }

        public State state() {
            return state;
        }

        /** Why the job failed, or null. */
        public String error() {
            return error;
        }

        /** Waits up to {@code timeout} for the job to end; returns whether it has. */
        public boolean await(Duration timeout) throws InterruptedException {
            return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final Restore restore;
    private final Supplier<String> newId;
    private final Map<String, Job> jobs = new HashMap<>();
    private final Deque<String> order = new ArrayDeque<>();
    private final List<Thread> threads = new ArrayList<>();
    private int running;
    private volatile boolean closing;

    /**
     * @param restore the restore the jobs run
     * @param newId   makes job ids (unique)
     */
    public RestoreJobs(Restore restore, Supplier<String> newId) {
        this.restore = Objects.requireNonNull(restore, "restore");
        this.newId = Objects.requireNonNull(newId, "newId");
    }

    /**
     * Checks {@code request} (failing as {@link Restore#check} does) and starts it in the background.
     * SlowDown when {@link #MAX_RUNNING} restores are running.
     */
    public Job start(RestoreRequest request) {
        return start(request, null);
    }

    /**
     * Starts the restore job {@code jobId} ran again, after the last key it examined (a dry run if
     * {@code dryRun}). InvalidArgument for an unknown job, InvalidRequest while it still runs.
     */
    public Job resume(String jobId, boolean dryRun) {
        Job old = job(jobId);
        if (old.state() == State.RUNNING) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Restore job " + jobId + " is still running.");
        }
        String after = old.report().lastKey() != null ? old.report().lastKey() : old.request().afterKey();
        return start(old.request().resumedAfter(after, dryRun), jobId);
    }

    private Job start(RestoreRequest request, String resumedFrom) {
        restore.check(request);
        Job job;
        synchronized (this) {
            if (closing) {
                throw StoreException.of(FailureKind.SERVICE_UNAVAILABLE, "The server is shutting down.");
            }
            if (running >= MAX_RUNNING) {
                throw StoreException.of(FailureKind.SLOW_DOWN,
                        "Too many restores are running; try again when one finishes.");
            }
            job = new Job(newId.get(), request, resumedFrom);
            running++;
            jobs.put(job.id, job);
            order.addLast(job.id);
            forgetOldest();
            try {
                threads.add(Thread.ofVirtual().name("arca-restore-" + job.id).start(() -> runJob(job)));
            } catch (RuntimeException e) {
                running--;
                throw e;
            }
        }
        return job;
    }

    /** Forgets the oldest finished jobs beyond {@link #MAX_REMEMBERED} (running ones are kept). */
    private void forgetOldest() {
        var it = order.iterator();
        while (order.size() > MAX_REMEMBERED && it.hasNext()) {
            String id = it.next();
            if (jobs.get(id).state() != State.RUNNING) {
                it.remove();
                jobs.remove(id);
            }
        }
    }

    private void runJob(Job job) {
        try {
            RestoreReport r = restore.run(job.request, s -> job.report = s, () -> closing);
            job.report = r;
            job.state = r.complete() ? State.DONE : State.STOPPED;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "restore job " + job.id + " failed", e);
            job.error = e instanceof StoreException s ? s.getMessage() : e.toString();
            job.state = State.FAILED;
        } finally {
            synchronized (this) {
                running--;
                threads.remove(Thread.currentThread());
            }
            job.finished.countDown();
        }
    }

    /** A remembered job; InvalidArgument if there is none with that id. */
    public synchronized Job job(String id) {
        if (id == null || id.isEmpty()) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "job is required");
        }
        Job j = jobs.get(id);
        if (j == null) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT, "No such restore job: " + id
                    + " (jobs are remembered in memory only; run the restore again, it skips keys already restored)");
        }
        return j;
    }

    /** Asks running jobs to stop after the key in hand and waits up to {@link #CLOSE_WAIT} for them. */
    @Override
    public void close() {
        List<Thread> waiting;
        synchronized (this) {
            closing = true;
            waiting = List.copyOf(threads);
        }
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        for (Thread t : waiting) {
            try {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    t.join(Duration.ofNanos(left));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
