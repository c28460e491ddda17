package dev.arca.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.arca.s3.MetricsEndpoint;
import dev.arca.s3.RequestEvent;
import dev.arca.storage.ErasureBlobStore;
import dev.arca.storage.ErasureStats;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private static RequestEvent event(String operation, int status, String errorCode, long in, long out, long nanos) {
        return new RequestEvent(1_700_000_000_000L, "req-1", operation, "arn:aws:iam::000000000000:user/secret-principal",
                "000000000000", "AKIDSECRETKEY", "10.1.2.3", "secret-bucket", "secret/key.bin", null, status, errorCode,
                in, out, false, nanos, Map.of());
    }

    /** Series (name and labels, as written) to value, from the text format; comments skipped. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String value = line.substring(space + 1);
            out.put(line.substring(0, space), switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            });
        }
        return out;
    }

    private Map<String, Double> scrape() {
        return samples(metrics.scrape());
    }

    private static long seriesOf(Map<String, Double> samples, String name) {
        return samples.keySet().stream().filter(s -> s.equals(name) || s.startsWith(name + "{")).count();
    }

    @Test
    void requestEventsBecomeCountersTimersAndByteTotals() {
        for (int i = 0; i < 3; i++) {
            metrics.observe(event("PutObject", 200, null, 1000, 0, 2_000_000));
        }
        metrics.observe(event("GetObject", 200, null, 0, 4096, 40_000_000));
        metrics.observe(event("GetObject", 404, "NoSuchKey", 0, 300, 1_000_000));
        metrics.observe(event("unknown", 403, "SignatureDoesNotMatch", 0, 400, 500_000));

        Map<String, Double> s = scrape();
        assertThat(s).containsEntry("arca_requests_total{operation=\"PutObject\",status=\"200\"}", 3.0)
                .containsEntry("arca_requests_total{operation=\"GetObject\",status=\"200\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"GetObject\",status=\"404\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"unknown\",status=\"403\"}", 1.0)
                .containsEntry("arca_request_bytes_in_total{operation=\"PutObject\"}", 3000.0)
                .containsEntry("arca_response_bytes_out_total{operation=\"GetObject\"}", 4396.0)
                .containsEntry("arca_request_errors_total{code=\"NoSuchKey\"}", 1.0)
                .containsEntry("arca_request_errors_total{code=\"SignatureDoesNotMatch\"}", 1.0)
                .containsEntry("arca_request_duration_seconds_count{operation=\"PutObject\"}", 3.0)
                // 2 ms: above the 1 ms bucket, inside the 5 ms one; 40 ms lands between 25 and 50 ms
                .containsEntry("arca_request_duration_seconds_bucket{operation=\"PutObject\",le=\"0.001\"}", 0.0)
                .containsEntry("arca_request_duration_seconds_bucket{operation=\"PutObject\",le=\"0.005\"}", 3.0)
                .containsEntry("arca_request_duration_seconds_bucket{operation=\"GetObject\",le=\"0.025\"}", 1.0)
                .containsEntry("arca_request_duration_seconds_bucket{operation=\"GetObject\",le=\"0.05\"}", 2.0)
                .containsEntry("arca_request_duration_seconds_bucket{operation=\"GetObject\",le=\"+Inf\"}", 2.0);
        assertThat(s.get("arca_request_duration_seconds_sum{operation=\"PutObject\"}")).isCloseTo(0.006, within(1e-9));
        // One bucket per configured bound plus +Inf, per operation.
        assertThat(s.keySet().stream().filter(k -> k.startsWith("arca_request_duration_seconds_bucket{operation=\"PutObject\"")))
                .hasSize(Metrics.DURATION_BUCKETS.size() + 1);
        // Successes count no error.
        assertThat(seriesOf(s, "arca_request_errors_total")).isEqualTo(2);
    }

    @Test
    void bucketKeyPrincipalAndAddressAreNeverLabels() {
        metrics.observe(event("PutObject", 200, null, 10, 0, 1000));
        metrics.observe(event("GetObject", 403, "AccessDenied", 0, 10, 1000));
        String text = metrics.scrape();
        assertThat(text).doesNotContain("secret-bucket", "secret/key", "secret-principal", "AKIDSECRETKEY", "10.1.2.3",
                "req-1");
    }

    @Test
    void unexpectedOperationNamesFoldIntoOther() {
        metrics.observe(event("NotAnOperation", 400, "InvalidRequest", 0, 0, 1000));
        metrics.observe(event(null, 500, "InternalError", 0, 0, 1000));
        metrics.observe(event("admin:../../etc/passwd", 400, "InvalidRequest", 0, 0, 1000));
        metrics.observe(event("admin:storage", 403, "AccessDenied", 0, 0, 1000));
        metrics.observe(event("iam:invalid", 400, null, 0, 0, 1000));
        Map<String, Double> s = scrape();
        assertThat(s).containsEntry("arca_requests_total{operation=\"other\",status=\"400\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"unknown\",status=\"500\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"admin:other\",status=\"400\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"admin:other\",status=\"403\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"iam:other\",status=\"400\"}", 1.0)
                // an error without an S3 code (the IAM API answers its own)
                .containsEntry("arca_request_errors_total{code=\"unknown\"}", 1.0);

        // Once a name has succeeded it is its own label, failures included.
        metrics.observe(event("admin:storage", 200, null, 0, 100, 1000));
        metrics.observe(event("admin:storage", 405, "MethodNotAllowed", 0, 0, 1000));
        metrics.observe(event("iam:CreateUser", 200, null, 50, 100, 1000));
        s = scrape();
        assertThat(s).containsEntry("arca_requests_total{operation=\"admin:storage\",status=\"200\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"admin:storage\",status=\"405\"}", 1.0)
                .containsEntry("arca_requests_total{operation=\"iam:CreateUser\",status=\"200\"}", 1.0);
    }

    @Test
    void labelValuesStayBoundedWhateverClientsSend() {
        for (int i = 0; i < 1000; i++) {
            metrics.observe(event("iam:Action" + i, 200, null, 0, 0, 1000));
            metrics.observe(event("sts:Junk" + i, 400, null, 0, 0, 1000));
            metrics.observe(event("Bogus" + i, 400, "Code" + i, 0, 0, 1000));
            metrics.observe(event("GetObject", 400, "Bad Code\n" + i, 0, 0, 1000));
        }
        Map<String, Double> s = scrape();
        long operations = s.keySet().stream().filter(k -> k.startsWith("arca_request_bytes_in_total{")).count();
        // the S3 operations seen (GetObject), other, sts:other, iam:other and the admitted dynamic names
        assertThat(operations).isLessThanOrEqualTo(OperationLabels.MAX_DYNAMIC + 4);
        assertThat(s).containsKey("arca_requests_total{operation=\"iam:other\",status=\"200\"}")
                .containsEntry("arca_requests_total{operation=\"sts:other\",status=\"400\"}", 1000.0)
                .containsEntry("arca_requests_total{operation=\"other\",status=\"400\"}", 1000.0);
        assertThat(s.get("arca_requests_total{operation=\"iam:other\",status=\"200\"}"))
                .isEqualTo(1000.0 - OperationLabels.MAX_DYNAMIC);
        assertThat(seriesOf(s, "arca_request_errors_total")).isLessThanOrEqualTo(Metrics.MAX_ERROR_CODES + 1);
        assertThat(s).containsKey("arca_request_errors_total{code=\"other\"}");
        // statuses are HTTP codes; anything else is "other"
        metrics.observe(event("GetObject", 999, null, 0, 0, 1000));
        assertThat(scrape()).containsEntry("arca_requests_total{operation=\"GetObject\",status=\"other\"}", 1.0);
    }

    @Test
    void storageDriveStatesAndCountersAreReadLiveAtEachScrape() {
        AtomicReference<ErasureStats.Snapshot> stats = new AtomicReference<>(
                new ErasureStats.Snapshot(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17));
        AtomicReference<List<ErasureBlobStore.DriveStatus>> drives = new AtomicReference<>(List.of(
                new ErasureBlobStore.DriveStatus(1, Path.of("/secret/drive-1"), "online"),
                new ErasureBlobStore.DriveStatus(2, Path.of("/secret/drive-2"), "online"),
                new ErasureBlobStore.DriveStatus(3, Path.of("/secret/drive-3"), "online")));
        AtomicInteger pending = new AtomicInteger(2);
        metrics.bindStorage(new Metrics.StorageSource(stats::get, drives::get, pending::get));

        String text = metrics.scrape();
        assertThat(text).doesNotContain("/secret/");
        Map<String, Double> s = samples(text);
        assertThat(s).containsEntry("arca_storage_corrupt_chunks_total", 1.0)
                .containsEntry("arca_storage_missing_shards_total", 2.0)
                .containsEntry("arca_storage_stripes_reconstructed_total", 3.0)
                .containsEntry("arca_storage_write_shard_failures_total", 4.0)
                .containsEntry("arca_storage_write_quorum_failures_total", 5.0)
                .containsEntry("arca_heal_queued_total", 6.0)
                .containsEntry("arca_heal_dropped_total", 7.0)
                .containsEntry("arca_heal_blobs_total", 8.0)
                .containsEntry("arca_heal_shards_rebuilt_total", 9.0)
                .containsEntry("arca_heal_unrecoverable_blobs_total", 10.0)
                .containsEntry("arca_storage_dangling_removed_total", 11.0)
                .containsEntry("arca_scrub_bytes_total", 12.0)
                .containsEntry("arca_scrub_blobs_total", 13.0)
                .containsEntry("arca_scrub_passes_total", 14.0)
                .containsEntry("arca_storage_drives_formatted_total", 15.0)
                .containsEntry("arca_storage_tombstones_written_total", 16.0)
                .containsEntry("arca_storage_deleted_leftovers_removed_total", 17.0)
                .containsEntry("arca_heal_pending", 2.0)
                .containsEntry("arca_drive_online{drive=\"1\"}", 1.0)
                .containsEntry("arca_drive_online{drive=\"3\"}", 1.0)
                .containsEntry("arca_drives{state=\"online\"}", 3.0)
                .containsEntry("arca_drives{state=\"offline\"}", 0.0);

        // A drive goes away, the scrubber reads more: the next scrape shows it.
        drives.set(List.of(new ErasureBlobStore.DriveStatus(1, Path.of("/secret/drive-1"), "online"),
                new ErasureBlobStore.DriveStatus(2, Path.of("/secret/drive-2"), "offline"),
                new ErasureBlobStore.DriveStatus(3, Path.of("/secret/drive-3"), "empty")));
        stats.set(new ErasureStats.Snapshot(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 1 << 20, 13, 14, 15, 16, 17));
        pending.set(0);
        s = scrape();
        assertThat(s).containsEntry("arca_drive_online{drive=\"1\"}", 1.0)
                .containsEntry("arca_drive_online{drive=\"2\"}", 0.0)
                .containsEntry("arca_drive_online{drive=\"3\"}", 0.0)
                .containsEntry("arca_drives{state=\"online\"}", 1.0)
                .containsEntry("arca_drives{state=\"offline\"}", 1.0)
                .containsEntry("arca_drives{state=\"empty\"}", 1.0)
                .containsEntry("arca_scrub_bytes_total", (double) (1 << 20))
                .containsEntry("arca_heal_pending", 0.0);
        assertThatThrownBy(() -> metrics.bindStorage(new Metrics.StorageSource(stats::get, drives::get, pending::get)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void securitySignalsShowDetectionsByRuleAndContainment() {
        Map<String, Long> detections = new ConcurrentHashMap<>();
        AtomicLong quarantined = new AtomicLong();
        AtomicLong responses = new AtomicLong();
        metrics.bindSecurity(new SecuritySignals() {
            @Override
            public Map<String, Long> detections() {
                return detections;
            }

            @Override
            public long quarantinedPrincipals() {
                return quarantined.get();
            }

            @Override
            public long protectedBuckets() {
                return 3;
            }

            @Override
            public long responses() {
                return responses.get();
            }
        });
        Map<String, Double> s = scrape();
        assertThat(s).containsEntry("arca_quarantined_principals", 0.0).containsEntry("arca_protected_buckets", 3.0)
                .containsEntry("arca_security_responses_total", 0.0);
        assertThat(seriesOf(s, "arca_detections_total")).isZero();

        detections.put("mass-delete", 2L);
        quarantined.set(1);
        responses.set(2);
        s = scrape();
        assertThat(s).containsEntry("arca_detections_total{rule=\"mass-delete\"}", 2.0)
                .containsEntry("arca_quarantined_principals", 1.0)
                .containsEntry("arca_security_responses_total", 2.0);
        detections.put("mass-delete", 5L);
        detections.put("high-entropy-overwrite", 1L);
        s = scrape();
        assertThat(s).containsEntry("arca_detections_total{rule=\"mass-delete\"}", 5.0)
                .containsEntry("arca_detections_total{rule=\"high-entropy-overwrite\"}", 1.0);

        for (int i = 0; i < 200; i++) {
            detections.put("rule-" + i, 1L);
        }
        assertThat(seriesOf(scrape(), "arca_detections_total")).isEqualTo(Metrics.MAX_RULES);
    }

    @Test
    void noSecuritySignalsMeansZeroes() {
        metrics.bindSecurity(SecuritySignals.NONE);
        assertThat(scrape()).containsEntry("arca_quarantined_principals", 0.0).containsEntry("arca_protected_buckets", 0.0);
        assertThatThrownBy(() -> metrics.bindSecurity(SecuritySignals.NONE)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void jvmAndProcessMetricsComeFromMicrometersBinders() {
        Map<String, Double> s = scrape();
        assertThat(seriesOf(s, "jvm_memory_used_bytes")).isPositive();
        assertThat(seriesOf(s, "jvm_threads_live_threads")).isOne();
        assertThat(seriesOf(s, "process_uptime_seconds")).isOne();
        assertThat(seriesOf(s, "system_cpu_count")).isOne();
        assertThat(seriesOf(s, "jvm_classes_loaded_classes")).isOne();
    }

    @Test
    void servesThePrometheusTextFormat() {
        assertThat(metrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8")
                .isEqualTo(MetricsEndpoint.PROMETHEUS_TEXT);
        assertThat(metrics.enabled()).isTrue();
        metrics.observe(event("PutObject", 200, null, 1, 0, 1000));
        String text = metrics.scrape();
        assertThat(text).contains("# TYPE arca_requests_total counter\n")
                .contains("# TYPE arca_request_duration_seconds histogram\n")
                .contains("# HELP arca_requests_total ")
                .endsWith("\n");
        assertThat(MetricsEndpoint.NONE.enabled()).isFalse();
    }
}
