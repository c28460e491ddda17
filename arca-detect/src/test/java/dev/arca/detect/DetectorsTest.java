package dev.arca.detect;

import static dev.arca.detect.Fixture.ALICE;
import static dev.arca.detect.Fixture.BOB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.audit.AuditRecord;
import dev.arca.s3.RequestContext;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorsTest {
    @TempDir
    Path dir;

    private static DetectorSettings with(String rules) {
        return DetectorSettings.parse(rules, "test rules");
    }

    @Test
    void massDeleteFiresAtItsThresholdNotBelowAndContains() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 99; i++) {
            f.delete(ALICE, "photos", "k" + i);
        }
        assertThat(f.detectors.recent()).isEmpty();
        assertThat(f.containment.isQuarantined(ALICE)).isFalse();
        f.delete(ALICE, "photos", "k99");
        assertThat(f.detections(Rule.MASS_DELETE)).singleElement().satisfies(d -> {
            assertThat(d.scope()).isEqualTo(Scope.PRINCIPAL);
            assertThat(d.subject()).isEqualTo(ALICE);
            assertThat(d.count()).isEqualTo(100);
            assertThat(d.threshold()).isEqualTo(100);
            assertThat(d.accountId()).isEqualTo(Fixture.ACCOUNT);
            assertThat(d.accessKeyId()).startsWith("AKIA");
            assertThat(d.sampleKeys()).hasSize(Detection.MAX_SAMPLES).last().isEqualTo("photos/k99");
            assertThat(d.buckets()).containsExactly("photos");
        });
        assertThat(f.containment.isQuarantined(ALICE)).isTrue();
        assertThat(f.containment.quarantined()).singleElement().satisfies(q -> {
            assertThat(q.rule()).isEqualTo("mass-delete");
            assertThat(q.accessKeyIds()).hasSize(1);
        });
        assertThat(f.containment.isProtected("photos")).isTrue();
        AuditRecord detection = f.records(AuditRecord.KIND_DETECTION).getFirst();
        assertThat(detection.operation()).isEqualTo("detect:mass-delete");
        assertThat(detection.principal()).isEqualTo(ALICE);
        assertThat(detection.details()).containsEntry("rule", "mass-delete").containsEntry("count", "100")
                .containsEntry("windowMillis", "60000").containsEntry("sample.9", "photos/k99").containsKey("accessKeyId");
        assertThat(f.records(AuditRecord.KIND_RESPONSE)).extracting(r -> r.details().get("action"))
                .containsExactly("alert", "quarantine", "protect");
        DetectionStats s = f.detectors.stats();
        assertThat(s.detectionsByRule()).containsEntry("mass-delete", 1L).containsEntry("mass-overwrite", 0L);
        assertThat(s.quarantined()).isEqualTo(1);
        assertThat(s.protectedBuckets()).isEqualTo(1);
        assertThat(s.responses()).isEqualTo(3);
        assertThat(s.alerts()).isEqualTo(1);
    }

    @Test
    void deleteObjectsCountsEachDeletedKey() {
        Fixture f = new Fixture(dir);
        f.observe(BOB, "DeleteObjects", "b", null, Map.of(RequestContext.DELETED, "99"));
        assertThat(f.detectors.recent()).isEmpty();
        f.observe(BOB, "DeleteObjects", "b", null, Map.of(RequestContext.DELETED, "1"));
        assertThat(f.detections(Rule.MASS_DELETE)).hasSize(1);
        assertThat(f.containment.isQuarantined(BOB)).isTrue();
    }

    @Test
    void windowsSlide() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 99; i++) {
            f.delete(ALICE, "b", "k" + i);
        }
        f.clock.advance(61_000);
        f.delete(ALICE, "b", "late");
        assertThat(f.detectors.recent()).as("the first 99 left the window").isEmpty();
        // Spread over 55 s: all of them still in the window (it covers at least window - window/12).
        for (int i = 0; i < 98; i++) {
            f.clock.advance(550);
            f.delete(ALICE, "b", "m" + i);
        }
        assertThat(f.detectors.recent()).isEmpty();
        f.delete(ALICE, "b", "last");
        assertThat(f.detections(Rule.MASS_DELETE)).singleElement().extracting(Detection::count).isEqualTo(100L);
    }

    @Test
    void oneDetectionPerRuleAndSubjectPerWindow() {
        DetectorSettings s = with("mass-delete.responses = alert\nmass-delete.bucket-threshold = 0");
        Fixture f = new Fixture(dir, s, Runnable::run);
        for (int i = 0; i < 350; i++) {
            f.delete(ALICE, "b", "k" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).hasSize(1);
        f.clock.advance(60_000);
        f.delete(ALICE, "b", "again");
        assertThat(f.detections(Rule.MASS_DELETE)).as("the earlier deletes left the window").hasSize(1);
        for (int i = 0; i < 100; i++) {
            f.delete(ALICE, "b", "n" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).hasSize(2);
        assertThat(f.containment.isQuarantined(ALICE)).as("alert only").isFalse();
    }

    @Test
    void bucketScopeCountsAllPrincipalsTogether() {
        DetectorSettings s = with("mass-delete.threshold = 1000\nmass-delete.bucket-threshold = 50\n"
                + "mass-delete.responses = alert, protect");
        Fixture f = new Fixture(dir, s, Runnable::run);
        for (int i = 0; i < 25; i++) {
            f.delete(ALICE, "shared", "a" + i);
            f.delete(BOB, "shared", "b" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).singleElement().satisfies(d -> {
            assertThat(d.scope()).isEqualTo(Scope.BUCKET);
            assertThat(d.subject()).isEqualTo("shared");
            assertThat(d.count()).isEqualTo(50);
        });
        assertThat(f.containment.isProtected("shared")).isTrue();
        assertThat(f.containment.quarantinedCount()).isZero();
    }

    @Test
    void massOverwriteOnlyAlertsByDefault() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 200; i++) {
            f.put(ALICE, "docs", "f" + i, 4.2, 8192, "old" + i, Map.of());
        }
        assertThat(f.detections(Rule.MASS_OVERWRITE)).singleElement().extracting(Detection::count).isEqualTo(200L);
        assertThat(f.detections(Rule.ENTROPY_OVERWRITE)).isEmpty();
        assertThat(f.containment.isQuarantined(ALICE)).isFalse();
        assertThat(f.containment.isProtected("docs")).isFalse();
        assertThat(f.records(AuditRecord.KIND_RESPONSE)).extracting(r -> r.details().get("action")).containsExactly("alert");
    }

    @Test
    void newKeysAreNotOverwrites() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 500; i++) {
            f.put(ALICE, "docs", "new" + i, 7.99, 65536, null, Map.of());
        }
        assertThat(f.detectors.recent()).isEmpty();
    }

    @Test
    void entropyOverwriteFromRememberedWrites() {
        Fixture f = new Fixture(dir);
        String[] versions = new String[10];
        for (int i = 0; i < 10; i++) {
            versions[i] = f.put(BOB, "docs", "f" + i, 4.5, 8192, null, Map.of()).versionId();
        }
        for (int i = 0; i < 9; i++) {
            f.put(ALICE, "docs", "f" + i, 7.99, 65536, versions[i], Map.of());
        }
        assertThat(f.detections(Rule.ENTROPY_OVERWRITE)).isEmpty();
        f.put(ALICE, "docs", "f9", 7.99, 65536, versions[9], Map.of());
        assertThat(f.detections(Rule.ENTROPY_OVERWRITE)).singleElement().satisfies(d -> {
            assertThat(d.count()).isEqualTo(10);
            assertThat(d.sampleKeys().getLast()).isEqualTo("docs/f9 (4.50 -> 7.99 b/B)");
            assertThat(d.reason()).contains("encrypted-looking");
        });
        assertThat(f.sampled).as("no read needed").isEmpty();
        assertThat(f.containment.isQuarantined(ALICE)).isTrue();
        assertThat(f.containment.isProtected("docs")).isTrue();
    }

    @Test
    void entropyOverwriteReadsThePreviousVersionInTheBackground() {
        Fixture.ManualExecutor bg = new Fixture.ManualExecutor();
        Fixture f = new Fixture(dir, DetectorSettings.defaults(), bg);
        for (int i = 0; i < 10; i++) {
            f.versions.put("docs/f" + i + "/old" + i, new PreviousSampler.Sample(3.9, 65536));
            f.put(ALICE, "docs", "f" + i, 7.95, 65536, "old" + i, Map.of());
        }
        assertThat(f.detectors.recent()).as("nothing judged on the request thread").isEmpty();
        assertThat(bg.tasks).hasSize(10);
        bg.runAll();
        assertThat(f.sampled).hasSize(10).first().isEqualTo("docs/f0/old0");
        assertThat(f.detections(Rule.ENTROPY_OVERWRITE)).hasSize(1);
    }

    @Test
    void entropyNeedsALowPreviousAndEnoughBytes() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 30; i++) {
            // Previous already random-looking (a compressed file replaced by another): benign.
            f.versions.put("z/a" + i + "/p" + i, new PreviousSampler.Sample(7.97, 65536));
            f.put(ALICE, "z", "a" + i, 7.99, 65536, "p" + i, Map.of());
            // Payload sample too small to judge.
            f.versions.put("z/b" + i + "/q" + i, new PreviousSampler.Sample(2.0, 65536));
            f.put(ALICE, "z", "b" + i, 7.99, 1000, "q" + i, Map.of());
            // Previous too small to judge.
            f.versions.put("z/c" + i + "/r" + i, new PreviousSampler.Sample(5.0, 200));
            f.put(ALICE, "z", "c" + i, 7.99, 65536, "r" + i, Map.of());
            // Previous unreadable (SSE-C or gone).
            f.put(ALICE, "z", "d" + i, 7.99, 65536, "s" + i, Map.of());
        }
        assertThat(f.detections(Rule.ENTROPY_OVERWRITE)).isEmpty();
    }

    @Test
    void samplesAreDroppedWhenTheQueueIsFull() {
        Fixture.ManualExecutor bg = new Fixture.ManualExecutor();
        Fixture f = new Fixture(dir, with("limits.pending-samples = 3"), bg);
        for (int i = 0; i < 5; i++) {
            f.put(ALICE, "docs", "f" + i, 7.95, 65536, "old" + i, Map.of());
        }
        assertThat(bg.tasks).hasSize(3);
        assertThat(f.detectors.stats().samplesDropped()).isEqualTo(2);
        bg.runAll();
        f.put(ALICE, "docs", "g", 7.95, 65536, "old", Map.of());
        assertThat(bg.tasks).as("room again once the queue drained").hasSize(1);
    }

    @Test
    void sseCReencryptionOfExistingObjects() {
        Fixture f = new Fixture(dir);
        Map<String, String> ssec = Map.of(RequestContext.SSE, "SSE-C");
        for (int i = 0; i < 10; i++) {
            f.put(ALICE, "vault", "new" + i, 3.0, 100, null, ssec);
        }
        for (int i = 0; i < 4; i++) {
            f.put(ALICE, "vault", "k" + i, 3.0, 100, "v" + i, ssec);
        }
        assertThat(f.detections(Rule.SSE_C_REENCRYPTION)).isEmpty();
        f.observe(ALICE, "CopyObject", "vault", "k4", Map.of(RequestContext.SSE, "SSE-C", RequestContext.OVERWRITE, "true",
                RequestContext.PREVIOUS_VERSION_ID, "v4", Detectors.COPY_SOURCE, "vault/k4"));
        assertThat(f.detections(Rule.SSE_C_REENCRYPTION)).singleElement().satisfies(d -> {
            assertThat(d.count()).isEqualTo(5L);
            assertThat(d.sampleKeys().getLast()).isEqualTo("vault/k4 (copy of vault/k4)");
        });
        assertThat(f.containment.isQuarantined(ALICE)).isTrue();
        assertThat(f.containment.isProtected("vault")).isTrue();
    }

    @Test
    void configTamperQuarantinesOnTheFirstAttemptAllowedOrRefused() {
        Fixture f = new Fixture(dir);
        f.observe(ALICE, "PutBucketVersioning", "b", null, Map.of(RequestContext.CHANGE, "versioning:ENABLED"));
        assertThat(f.detectors.recent()).isEmpty();
        f.detectors.observe(f.event(ALICE, "PutBucketVersioning", "b", null, "InvalidBucketState",
                Map.of(RequestContext.CHANGE, "versioning:SUSPENDED")));
        assertThat(f.detections(Rule.CONFIG_TAMPER)).singleElement().satisfies(d -> {
            assertThat(d.count()).isEqualTo(1);
            assertThat(d.reason()).contains("suspend versioning").contains("refused: InvalidBucketState");
        });
        assertThat(f.containment.isQuarantined(ALICE)).isTrue();
        assertThat(f.containment.isProtected("b")).as("config-tamper quarantines only").isFalse();
    }

    @Test
    void tamperClassification() {
        long t = Fixture.START;
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:COMPLIANCE:" + (t + 1000),
                Detectors.PREVIOUS, "retention:COMPLIANCE:" + (t + 5000)))).get().asString().contains("shorten");
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:COMPLIANCE:" + (t + 9000),
                Detectors.PREVIOUS, "retention:COMPLIANCE:" + (t + 5000)))).isEmpty();
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:GOVERNANCE:" + (t + 9000),
                Detectors.PREVIOUS, "retention:COMPLIANCE:" + (t + 5000)))).get().asString().contains("downgrade");
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:none",
                Detectors.PREVIOUS, "retention:GOVERNANCE:" + t))).get().asString().contains("remove");
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:none"))).isPresent();
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:none",
                Detectors.PREVIOUS, "retention:none"))).isEmpty();
        assertThat(Detectors.tamper("PutObjectRetention", Map.of(RequestContext.CHANGE, "retention:GOVERNANCE:" + t)))
                .as("a first retention").isEmpty();
        assertThat(Detectors.tamper("PutObjectLockConfiguration", Map.of(RequestContext.CHANGE, "object-lock:no-default-retention",
                Detectors.PREVIOUS, "object-lock:COMPLIANCE:30d:0y"))).isPresent();
        assertThat(Detectors.tamper("PutObjectLockConfiguration", Map.of(RequestContext.CHANGE, "object-lock:COMPLIANCE:1d:0y",
                Detectors.PREVIOUS, "object-lock:COMPLIANCE:0d:1y"))).get().asString().contains("shorten");
        assertThat(Detectors.tamper("PutObjectLockConfiguration", Map.of(RequestContext.CHANGE, "object-lock:COMPLIANCE:0d:2y",
                Detectors.PREVIOUS, "object-lock:GOVERNANCE:30d:0y"))).isEmpty();
        assertThat(Detectors.tamper("PutObjectLockConfiguration", Map.of(RequestContext.CHANGE, "object-lock:GOVERNANCE:30d:0y",
                Detectors.PREVIOUS, "object-lock:no-default-retention"))).isEmpty();
        assertThat(Detectors.tamper("PutObjectLegalHold", Map.of(RequestContext.CHANGE, "legal-hold:OFF"))).isPresent();
        assertThat(Detectors.tamper("PutObjectLegalHold", Map.of(RequestContext.CHANGE, "legal-hold:ON"))).isEmpty();
        assertThat(Detectors.tamper("PutBucketVersioning", Map.of())).isEmpty();
    }

    @Test
    void encryptionAndLifecycleChangesAlert() {
        Fixture f = new Fixture(dir);
        f.observe(ALICE, "DeleteBucketEncryption", "b", null, Map.of());
        f.observe(BOB, "PutBucketLifecycleConfiguration", "b", null, Map.of());
        assertThat(f.detections(Rule.CONFIG_CHANGE)).hasSize(2);
        assertThat(f.containment.quarantinedCount()).isZero();
        // A refused versioning change whose body was never read: an alert, not a quarantine.
        f.detectors.observe(f.event(Fixture.TENANT_ROOT, "PutBucketVersioning", "b", null, "AccessDenied", Map.of()));
        assertThat(f.detections(Rule.CONFIG_CHANGE)).hasSize(3);
        assertThat(f.containment.quarantinedCount()).isZero();
    }

    @Test
    void accessDeniedBurstsPerPrincipalAndPerAddress() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 19; i++) {
            f.detectors.observe(f.event(null, "GetObject", "b", "k", "SignatureDoesNotMatch", Map.of()));
        }
        assertThat(f.detectors.recent()).isEmpty();
        f.detectors.observe(f.event(null, "GetObject", "b", "k", "InvalidAccessKeyId", Map.of()));
        assertThat(f.detections(Rule.ACCESS_DENIED)).singleElement().satisfies(d -> {
            assertThat(d.scope()).isEqualTo(Scope.SOURCE_IP);
            assertThat(d.subject()).isEqualTo("10.0.0.7");
            assertThat(d.principal()).isNull();
        });
        f.clock.advance(31_000);
        for (int i = 0; i < 20; i++) {
            f.detectors.observe(f.event(ALICE, "GetObject", "b", "k" + i, "AccessDenied", Map.of()));
        }
        assertThat(f.detections(Rule.ACCESS_DENIED)).hasSize(3).extracting(Detection::scope)
                .contains(Scope.PRINCIPAL, Scope.SOURCE_IP);
        assertThat(f.containment.isQuarantined(ALICE)).as("alert only by default").isFalse();
        f.detectors.observe(f.event(ALICE, "GetObject", "b", "k", "NoSuchKey", Map.of()));
        assertThat(f.detections(Rule.ACCESS_DENIED)).hasSize(3);
    }

    @Test
    void exfiltrationAboveTheFloorAndAboveTheBaseline() {
        DetectorSettings s = with("exfiltration.threshold = 100\nexfiltration.multiplier = 5\nexfiltration.bytes-floor = 1GiB\n"
                + "exfiltration.baseline-weight = 0.5");
        Fixture f = new Fixture(dir, s, Runnable::run);
        for (int i = 0; i < 99; i++) {
            f.observe(ALICE, "GetObject", "b", "k" + i, Map.of());
        }
        assertThat(f.detectors.recent()).isEmpty();
        f.observe(ALICE, "ListObjectsV2", "b", null, Map.of());
        assertThat(f.detections(Rule.EXFILTRATION)).singleElement().extracting(Detection::count).isEqualTo(100L);
        // A principal that always reads 60 a minute: its limit becomes 5 × 60 = 300.
        f.clock.millis = Fixture.START + 3_600_000;
        for (int minute = 0; minute < 6; minute++) {
            for (int i = 0; i < 60; i++) {
                f.observe(BOB, "GetObject", "b", "k" + i, Map.of());
                f.clock.advance(1_000);
            }
        }
        assertThat(f.detectors.readBaseline(BOB)[0]).isCloseTo(60, org.assertj.core.data.Offset.offset(1.0));
        assertThat(f.detections(Rule.EXFILTRATION)).hasSize(1);
        // A burst: it fires exactly when the window holds 5 × 60 reads, not before.
        for (int i = 0; i < 1_000 && f.detections(Rule.EXFILTRATION).size() == 1; i++) {
            f.observe(BOB, "HeadObject", "b", "k", Map.of());
        }
        assertThat(f.detections(Rule.EXFILTRATION)).hasSize(2).last().satisfies(d -> {
            assertThat(d.subject()).isEqualTo(BOB);
            assertThat(d.count()).isEqualTo(300);
            assertThat(d.threshold()).isEqualTo(300);
            assertThat(d.reason()).contains("baseline 60.0 reads");
        });
        assertThat(f.containment.quarantinedCount()).as("alert only").isZero();
    }

    @Test
    void exfiltrationByBytes() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 3; i++) {
            f.detectors.observe(new dev.arca.s3.RequestEvent(f.clock.millis(), "r" + i, "GetObject", ALICE, Fixture.ACCOUNT,
                    "AKIA1", "10.0.0.7", "b", "big" + i, null, 200, null, 0, 1L << 30, false, 1, Map.of()));
        }
        assertThat(f.detections(Rule.EXFILTRATION)).singleElement().extracting(Detection::count).isEqualTo(2L);
    }

    @Test
    void aBatchGetCountsAsManyReadsAsObjectsItServes() {
        Fixture f = new Fixture(dir);
        f.observe(ALICE, "BatchGetObjects", "b", null, Map.of(dev.arca.s3.RequestContext.BATCH_AUTHORIZED, "1999"));
        assertThat(f.detections(Rule.EXFILTRATION)).isEmpty();
        f.observe(ALICE, "BatchGetObjects", "b", null, Map.of(dev.arca.s3.RequestContext.BATCH_AUTHORIZED, "1"));
        assertThat(f.detections(Rule.EXFILTRATION)).singleElement().extracting(Detection::count).isEqualTo(2000L);
    }

    @Test
    void exemptBulkJobsSkipMassDeleteAndOverwriteOnly() {
        Fixture f = new Fixture(dir);
        f.containment.exempt(ALICE, Fixture.START + 3_600_000);
        for (int i = 0; i < 300; i++) {
            f.delete(ALICE, "b", "k" + i);
            f.put(ALICE, "b", "o" + i, 3.0, 8192, "v" + i, Map.of());
        }
        assertThat(f.detectors.recent()).isEmpty();
        f.observe(ALICE, "PutBucketVersioning", "b", null, Map.of(RequestContext.CHANGE, "versioning:SUSPENDED"));
        assertThat(f.detections(Rule.CONFIG_TAMPER)).as("not exempt from tampering").hasSize(1);
        f.containment.release(ALICE);
        f.clock.advance(3_600_000);
        for (int i = 0; i < 100; i++) {
            f.delete(ALICE, "b", "late" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).as("the exemption expired").hasSize(1);
    }

    @Test
    void theSystemRootIsAlertedOnNeverContained() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 600; i++) {
            f.delete(Containment.SYSTEM_ROOT_ARN, "b", "k" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).singleElement().extracting(Detection::scope).isEqualTo(Scope.PRINCIPAL);
        assertThat(f.containment.quarantinedCount()).isZero();
        assertThat(f.containment.protectedCount()).isZero();
        assertThat(f.records(AuditRecord.KIND_RESPONSE)).extracting(r -> r.details().get("action"))
                .containsExactly("alert", "quarantine-skipped", "protect-skipped");
    }

    @Test
    void quarantinedPrincipalsAreNotWatchedAndReleaseForgetsTheirWindows() {
        Fixture f = new Fixture(dir);
        for (int i = 0; i < 100; i++) {
            f.delete(ALICE, "b", "k" + i);
        }
        assertThat(f.containment.isQuarantined(ALICE)).isTrue();
        for (int i = 0; i < 50; i++) {
            f.detectors.observe(f.event(ALICE, "GetObject", "b", "k", "AccessDenied", Map.of()));
        }
        assertThat(f.detections(Rule.ACCESS_DENIED)).as("its refusals are no news").isEmpty();
        f.containment.release(ALICE);
        f.containment.unprotect("b");
        f.delete(ALICE, "b", "after-release");
        f.clock.advance(60_000);
        for (int i = 0; i < 99; i++) {
            f.delete(ALICE, "b", "x" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).hasSize(1);
        assertThat(f.containment.isQuarantined(ALICE)).isFalse();
    }

    @Test
    void trackedSubjectsAreBoundedLeastRecentlyUsedFirst() {
        DetectorSettings s = with("limits.principals = 3\nmass-delete.bucket-threshold = 0");
        Fixture f = new Fixture(dir, s, Runnable::run);
        String[] users = new String[4];
        for (int u = 0; u < 4; u++) {
            users[u] = "arn:aws:iam::" + Fixture.ACCOUNT + ":user/u" + u;
        }
        for (int u = 0; u < 3; u++) {
            for (int i = 0; i < 60; i++) {
                f.delete(users[u], "b", "k" + i);
            }
        }
        for (int i = 0; i < 60; i++) {
            f.delete(users[1], "b", "again" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).extracting(Detection::subject).containsExactly(users[1]);
        // u0 is the least recently seen: u3 evicts it, and u0's 60 deletes are forgotten.
        f.delete(users[3], "b", "x");
        assertThat(f.detectors.stats().evictions()).isEqualTo(1);
        for (int i = 0; i < 60; i++) {
            f.delete(users[0], "b", "y" + i);
        }
        assertThat(f.detections(Rule.MASS_DELETE)).extracting(Detection::subject).containsExactly(users[1]);
        assertThat(f.detectors.internals().get("trackedPrincipals")).isEqualTo(3L);
    }

    @Test
    void recentDetectionsAreBounded() {
        DetectorSettings s = with("limits.recent-detections = 5\nconfig-change.responses = none");
        Fixture f = new Fixture(dir, s, Runnable::run);
        for (int i = 0; i < 12; i++) {
            f.observe("arn:aws:iam::" + Fixture.ACCOUNT + ":user/u" + i, "DeleteBucketLifecycle", "b", null, Map.of());
        }
        assertThat(f.detectors.recent()).hasSize(5).last().extracting(Detection::subject)
                .isEqualTo("arn:aws:iam::" + Fixture.ACCOUNT + ":user/u11");
        assertThat(f.detectors.stats().detectionsByRule()).containsEntry("config-change", 12L);
        assertThat(f.records(AuditRecord.KIND_RESPONSE)).isEmpty();
    }

    @Test
    void disabledRulesStaySilent() {
        Fixture f = new Fixture(dir, with("mass-delete.enabled = false"), Runnable::run);
        for (int i = 0; i < 1000; i++) {
            f.delete(ALICE, "b", "k" + i);
        }
        assertThat(f.detectors.recent()).isEmpty();
    }

    @Test
    void aThrowingAuditSinkDoesNotStopContainment() {
        Fixture f = new Fixture(dir);
        Detectors d = new Detectors(DetectorSettings.defaults(), f.containment, (b, k, v) -> java.util.Optional.empty(),
                Runnable::run, r -> {
                    throw new IllegalStateException("audit is down");
                }, f.clock);
        for (int i = 0; i < 100; i++) {
            d.observe(f.event(BOB, "DeleteObject", "b", "k" + i, null, Map.of(RequestContext.DELETE, "true")));
        }
        assertThat(f.containment.isQuarantined(BOB)).isTrue();
    }
}
