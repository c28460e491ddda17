package dev.arca.client.bench;

import dev.arca.client.http.HttpResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;

/** Runs the configured scenarios: bucket, then PUT, GET and cleanup per scenario. */
final class Bench {

    private final BenchConfig config;
    private final PrintStream out;
    private final PrintStream err;
    private final ErrorLog log;

    Bench(BenchConfig config, PrintStream out, PrintStream err) {
        this.config = config;
        this.out = out;
        this.err = err;
        this.log = new ErrorLog(err);
    }

    /** Returns {@link BenchMain#EXIT_OK} when every request succeeded, else {@link BenchMain#EXIT_ERRORS}. */
    int run() throws InterruptedException {
        err.printf(Locale.ROOT, "arca-bench: %s bucket %s, %d workers, %.1f s per phase, %s%n",
                config.endpoint().url(), config.bucket(), config.concurrency(), config.duration().toMillis() / 1e3,
                config.signed() ? "SigV4 (unsigned payload)" : "unsigned requests");
        if (!ensureBucket()) {
            return BenchMain.EXIT_ERRORS;
        }
        for (Scenario scenario : config.scenarios()) {
            runScenario(scenario);
        }
        if (log.count() > 0) {
            err.println("arca-bench: " + log.count() + " requests failed");
            return BenchMain.EXIT_ERRORS;
        }
        return BenchMain.EXIT_OK;
    }

    private void runScenario(Scenario scenario) throws InterruptedException {
        int size = Math.toIntExact(config.sizeOf(scenario));
        Payload payload = Payload.create(size, config.seed(), config.checkEtags());
        Phase put = new Phase(config, scenario, Op.PUT, payload, new long[0], log);
        report(put.run());
        long[] written = put.writtenKeys();
        if (written.length == 0) {
            log.record(scenario.label() + " GET", "skipped: the PUT phase wrote no object");
        } else {
            PhaseResult get = new Phase(config, scenario, Op.GET, payload, written, log).run();
            report(get);
            if (scenario == Scenario.BATCH) {
                PhaseResult batch = new Phase(config, scenario, Op.BATCH_GET, payload, written, log).run();
                report(batch);
                compare(get, batch);
            }
        }
        if (!config.keep()) {
            Cleanup.deleteAll(config, size, written, log, err);
        }
    }

    private void report(PhaseResult result) {
        err.println(result.summary());
        out.println(result.json(config.endpoint().url()));
        out.flush();
    }

    /**
     * The batch scenario's verdict: objects per second of single GETs and of batch GETs of the same
     * objects, on the same connections count, and their ratio; one human line and one JSON line.
     */
    private void compare(PhaseResult single, PhaseResult batch) {
        double ratio = single.objectsPerSecond() > 0 ? batch.objectsPerSecond() / single.objectsPerSecond() : 0;
        err.printf(Locale.ROOT, "batch vs single GET of %s objects: %.1f vs %.1f objects/s = %.2fx (%d per batch)%n",
                Units.formatSize(batch.size()), batch.objectsPerSecond(), single.objectsPerSecond(), ratio,
                batch.objectsPerRequest());
        out.println(String.format(Locale.ROOT, "{\"tool\":\"arca-bench\",\"endpoint\":%s,\"scenario\":\"batch\","
                + "\"op\":\"COMPARE\",\"size\":%d,\"concurrency\":%d,\"batch_count\":%d,"
                + "\"single_objects_per_s\":%.1f,\"batch_objects_per_s\":%.1f,\"ratio\":%.3f}",
                PhaseResult.quote(config.endpoint().url()), batch.size(), batch.concurrency(), batch.objectsPerRequest(),
                single.objectsPerSecond(), batch.objectsPerSecond(), ratio));
        out.flush();
    }

    /** Creates the bucket; an existing bucket of ours is fine (200, or 409 BucketAlreadyOwnedByYou). */
    private boolean ensureBucket() {
        try (S3Client client = new S3Client(config)) {
            HttpResponse r = client.createBucket();
            if (r.isSuccess() || (r.status() == 409 && r.errorText().contains("BucketAlreadyOwnedByYou"))) {
                return true;
            }
            log.record("create bucket " + config.bucket(), "HTTP " + r.status() + " " + r.errorText().strip());
        } catch (IOException e) {
            log.record("create bucket " + config.bucket(), e.toString());
        }
        return false;
    }
}
