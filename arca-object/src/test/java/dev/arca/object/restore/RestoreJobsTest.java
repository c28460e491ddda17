package dev.arca.object.restore;

import static dev.arca.object.restore.RestoreFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.BucketName;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request checks and the background job manager: bounded, remembered, resumable, stopped on close. */
final class RestoreJobsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private RestoreFixture f;
    private BucketName b;
    private Instant t;

    @BeforeEach
    void open() {
        f = new RestoreFixture(dir);
        b = f.bucket("jobs", false);
        f.put(b, "a", bytes(100, 1));
        f.put(b, "b", bytes(100, 2));
        t = f.tick();
        f.put(b, "a", bytes(100, 3));
        f.put(b, "b", bytes(100, 4));
        f.tick();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private static FailureKind kindOf(Runnable r) {
        try {
            r.run();
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("no failure");
    }

    @Test
    void badRequestsAreRefusedBeforeAnythingRuns() {
        Restore restore = f.restore();
        BucketName plain = new BucketName("plain");
        f.layer.buckets().create(plain, RestoreFixture.OWNER, null);
        assertThat(kindOf(() -> restore.check(new RestoreRequest(plain, "", t, false, null))))
                .isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(kindOf(() -> restore.check(new RestoreRequest(new BucketName("missing"), "", t, false, null))))
                .isEqualTo(FailureKind.NO_SUCH_BUCKET);
        Instant future = Instant.ofEpochMilli(f.now.get() + 1);
        assertThat(kindOf(() -> restore.check(new RestoreRequest(b, "", future, false, null))))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        RestoreJobs jobs = new RestoreJobs(restore, () -> "id");
        assertThat(kindOf(() -> jobs.start(new RestoreRequest(plain, "", t, false, null))))
                .isEqualTo(FailureKind.INVALID_REQUEST);
        assertThat(kindOf(() -> jobs.job("nope"))).isEqualTo(FailureKind.INVALID_ARGUMENT);
        jobs.close();
    }

    @Test
    void atMostTwoRunAtOnceAndFinishedJobsCanBeResumed() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(2);
        Restore restore = f.restore(key -> {
            blocked.countDown();
            try {
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger ids = new AtomicInteger();
        try (RestoreJobs jobs = new RestoreJobs(restore, () -> "job-" + ids.incrementAndGet())) {
            RestoreJobs.Job one = jobs.start(new RestoreRequest(b, "a", t, false, null));
            RestoreJobs.Job two = jobs.start(new RestoreRequest(b, "b", t, false, null));
            assertThat(blocked.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(one.state()).isEqualTo(RestoreJobs.State.RUNNING);
            assertThat(kindOf(() -> jobs.start(new RestoreRequest(b, "", t, true, null)))).isEqualTo(FailureKind.SLOW_DOWN);
            assertThat(kindOf(() -> jobs.resume(one.id(), false))).isEqualTo(FailureKind.INVALID_REQUEST);
            release.countDown();
            assertThat(one.await(WAIT)).isTrue();
            assertThat(two.await(WAIT)).isTrue();
            assertThat(one.state()).isEqualTo(RestoreJobs.State.DONE);
            assertThat(one.report().restored()).isEqualTo(1);
            assertThat(one.report().lastKey()).isEqualTo("a");
            assertThat(jobs.job(two.id()).report().restored()).isEqualTo(1);
            // A dry run of the whole bucket now finds nothing to do.
            RestoreJobs.Job dry = jobs.start(new RestoreRequest(b, "", t, true, null));
            assertThat(dry.await(WAIT)).isTrue();
            assertThat(RestorePlan.of(dry.report())).isEqualTo(new RestorePlan(2, 0, 0, 2, 0, 0, 0, java.util.List.of()));
            // Resuming a finished job continues after its last key: nothing left under its prefix.
            RestoreJobs.Job resumed = jobs.resume(one.id(), false);
            assertThat(resumed.await(WAIT)).isTrue();
            assertThat(resumed.resumedFrom()).isEqualTo(one.id());
            assertThat(resumed.request().afterKey()).isEqualTo("a");
            assertThat(resumed.report().keysExamined()).isZero();
        }
    }

    @Test
    void closingStopsARunningJobAfterTheKeyInHand() throws InterruptedException {
        CountDownLatch inWrite = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Restore restore = f.restore(key -> {
            inWrite.countDown();
            try {
                release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        RestoreJobs jobs = new RestoreJobs(restore, () -> "only");
        RestoreJobs.Job job = jobs.start(new RestoreRequest(b, "", t, false, null));
        assertThat(inWrite.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Thread closer = Thread.ofVirtual().start(jobs::close);
        // Once close() has asked jobs to stop it waits for this one: then let its key finish.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (closer.getState() != Thread.State.TIMED_WAITING && closer.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        release.countDown();
        closer.join(WAIT);
        assertThat(job.await(WAIT)).isTrue();
        assertThat(job.state()).isEqualTo(RestoreJobs.State.STOPPED);
        assertThat(job.report().lastKey()).isEqualTo("a");
        assertThat(job.report().restored()).isEqualTo(1);
        assertThatThrownBy(() -> jobs.start(new RestoreRequest(b, "", t, false, null)))
                .isInstanceOf(StoreException.class);
    }
}
