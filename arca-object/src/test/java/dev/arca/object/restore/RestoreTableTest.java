package dev.arca.object.restore;

import static dev.arca.object.restore.RestoreFixture.BLOB_SIZE;
import static dev.arca.object.restore.RestoreFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.BucketName;
import dev.arca.core.ObjectKey;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.object.ObjectLock;
import dev.arca.object.StorageClasses;
import dev.arca.object.WriteOptions;
import dev.arca.object.WriteResult;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Restore correctness, as a table: each row writes a history before T, attacks it after T,
 * restores to T and checks every key's current bytes (or absence) and how many versions the
 * restore added. Rows 10–12 (restore twice, undo, a concurrent write) are the tests after the table.
 */
final class RestoreTableTest {
    private static final byte[] A = bytes(BLOB_SIZE, 1);
    private static final byte[] B = bytes(1_000, 2);
    private static final byte[] C = bytes(BLOB_SIZE + 7, 3);
    private static final byte[] D = bytes(10, 4);
    private static final int MIB = 1 << 20;
    private static final ObjectAttributes RICH = new ObjectAttributes(
            Map.of("content-type", "text/plain", "cache-control", "no-cache",
                    StorageClasses.HEADER, StorageClasses.REDUCED_REDUNDANCY),
            Map.of("color", "blue"), Map.of("team", "red", "tier", "1"));

    @TempDir
    Path dir;
    private RestoreFixture f;

    @BeforeEach
    void open() {
        f = new RestoreFixture(dir);
    }

    @AfterEach
    void close() {
        f.close();
    }

    /** What one key must read as after the restore, and how many versions the restore adds to it. */
    private record Expect(String key, byte[] bytes, int versionsAdded) {
        static Expect reads(String key, byte[] bytes, int added) {
            return new Expect(key, bytes, added);
        }

        static Expect absent(String key, int added) {
            return new Expect(key, null, added);
        }
    }

    /** A row's world: the fixture, its bucket, and notes the history leaves for the checks (version ids, ETags). */
    private record World(RestoreFixture f, BucketName b, Map<String, String> notes) {}

    /**
     * One row: the history before T and after T, the prefix restored, the expected keys and counts
     * (restored, hidden, unchanged), and any further check.
     */
    private record Row(String name, boolean lockBucket, String prefix, Consumer<World> beforeT, Consumer<World> afterT,
            List<Expect> expects, long restored, long hidden, long unchanged, BiConsumer<World, RestoreReport> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Row row(String name, Consumer<World> beforeT, Consumer<World> afterT, List<Expect> expects,
            long restored, long hidden, long unchanged) {
        return new Row(name, false, "", beforeT, afterT, expects, restored, hidden, unchanged, (w, r) -> { });
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row("1 overwritten after T: T's bytes and metadata come back", false, "",
                        w -> w.f().put(w.b(), "k", A, RICH, ObjectLock.NONE),
                        w -> w.f().put(w.b(), "k", B),
                        List.of(Expect.reads("k", A, 1)), 1, 0, 0,
                        (w, r) -> {
                            ObjectRecord now = w.f().currentRecord(w.b(), "k").orElseThrow();
                            assertThat(now.attributes()).isEqualTo(RICH);
                            assertThat(r.bytesCopied()).isEqualTo(A.length);
                        }),
                row("2 deleted after T (delete marker): restored",
                        w -> w.f().put(w.b(), "k", A),
                        w -> w.f().delete(w.b(), "k"),
                        List.of(Expect.reads("k", A, 1)), 1, 0, 0),
                row("3 delete marker before T, recreated after: hidden again",
                        w -> {
                            w.f().put(w.b(), "k", A);
                            w.f().delete(w.b(), "k");
                        },
                        w -> w.f().put(w.b(), "k", B),
                        List.of(Expect.absent("k", 1)), 0, 1, 0),
                row("3b deleted before T and still deleted: untouched",
                        w -> {
                            w.f().put(w.b(), "k", A);
                            w.f().delete(w.b(), "k");
                        },
                        w -> { },
                        List.of(Expect.absent("k", 0)), 0, 0, 1),
                row("4 created after T: hidden by a delete marker",
                        w -> { },
                        w -> w.f().put(w.b(), "k", C),
                        List.of(Expect.absent("k", 1)), 0, 1, 0),
                row("5 unchanged since T: no new version",
                        w -> w.f().put(w.b(), "k", A),
                        w -> { },
                        List.of(Expect.reads("k", A, 0)), 0, 0, 1),
                row("6 overwritten several times: the T version comes back",
                        w -> {
                            w.f().put(w.b(), "k", D);
                            w.f().put(w.b(), "k", A);
                        },
                        w -> {
                            w.f().put(w.b(), "k", B);
                            w.f().delete(w.b(), "k");
                            w.f().put(w.b(), "k", C);
                            w.f().put(w.b(), "k", D);
                        },
                        List.of(Expect.reads("k", A, 1)), 1, 0, 0),
                new Row("7 a later version under COMPLIANCE: kept, restore adds a newer one", true, "",
                        w -> w.f().put(w.b(), "k", A),
                        w -> w.notes().put("locked", w.f().putLocked(w.b(), "k", B,
                                new Retention(RetentionMode.COMPLIANCE, w.f().now.get() + Duration.ofDays(30).toMillis()))
                                .versionId()),
                        List.of(Expect.reads("k", A, 1)), 1, 0, 0,
                        (w, r) -> {
                            assertThat(w.f().read(w.b(), "k", w.notes().get("locked"))).hasValue(B);
                            assertThat(r.lockedVersionsKept()).isEqualTo(1);
                            // The restored version carries no retention of its own (no bucket default here).
                            assertThat(w.f().currentRecord(w.b(), "k").orElseThrow().retention()).isNull();
                        }),
                new Row("8 key outside the prefix: untouched", false, "in/",
                        w -> {
                            w.f().put(w.b(), "in/k", A);
                            w.f().put(w.b(), "out/k", A);
                        },
                        w -> {
                            w.f().put(w.b(), "in/k", B);
                            w.f().put(w.b(), "out/k", B);
                            w.f().put(w.b(), "out/new", C);
                        },
                        List.of(Expect.reads("in/k", A, 1), Expect.reads("out/k", B, 0), Expect.reads("out/new", C, 0)),
                        1, 0, 0,
                        (w, r) -> assertThat(r.keysExamined()).isEqualTo(1)),
                new Row("9 multipart object at T: same bytes, parts, ETag and checksum", false, "",
                        w -> {
                            WriteResult mp = w.f().putMultipart(w.b(), "k",
                                    List.of(bytes(5 * MIB, 5), bytes(5 * MIB, 6), bytes(MIB + 3, 7)));
                            w.notes().put("etag", mp.etag());
                            w.notes().put("checksum", mp.checksum().value());
                        },
                        w -> w.f().put(w.b(), "k", B),
                        List.of(Expect.reads("k", multipartBytes(), 1)), 1, 0, 0,
                        (w, r) -> {
                            ObjectRecord now = w.f().currentRecord(w.b(), "k").orElseThrow();
                            assertThat(now.etag()).isEqualTo(w.notes().get("etag")).endsWith("-3");
                            assertThat(now.checksum().value()).isEqualTo(w.notes().get("checksum"));
                            assertThat(now.parts()).hasSize(3);
                            assertThat(w.f().layer.multipart().listUploads(w.b(),
                                    new dev.arca.meta.UploadQuery("", null, null, null, 10)).uploads()).isEmpty();
                        }));
    }

    private static byte[] multipartBytes() {
        byte[] all = new byte[11 * MIB + 3];
        System.arraycopy(bytes(5 * MIB, 5), 0, all, 0, 5 * MIB);
        System.arraycopy(bytes(5 * MIB, 6), 0, all, 5 * MIB, 5 * MIB);
        System.arraycopy(bytes(MIB + 3, 7), 0, all, 10 * MIB, MIB + 3);
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void restoreRow(Row row) {
        World w = new World(f, f.bucket("table", row.lockBucket()), new HashMap<>());
        row.beforeT().accept(w);
        Instant t = f.tick();
        row.afterT().accept(w);
        f.tick();
        Map<String, Integer> before = new LinkedHashMap<>();
        for (Expect e : row.expects()) {
            before.put(e.key(), f.versionCount(w.b(), e.key()));
        }
        RestoreReport r = f.run(w.b(), row.prefix(), t);
        for (Expect e : row.expects()) {
            Optional<byte[]> now = f.current(w.b(), e.key());
            if (e.bytes() == null) {
                assertThat(now).as("%s reads as absent", e.key()).isEmpty();
            } else {
                assertThat(now).as("%s bytes", e.key()).hasValueSatisfying(v -> assertThat(v).isEqualTo(e.bytes()));
            }
            assertThat(f.versionCount(w.b(), e.key()) - before.get(e.key()))
                    .as("versions the restore added to %s", e.key()).isEqualTo(e.versionsAdded());
        }
        assertThat(List.of(r.restored(), r.hidden(), r.unchanged(), r.changedDuringRestore(), r.skipped(), r.failed()))
                .as("restored, hidden, unchanged, changed, skipped, failed: %s", r)
                .containsExactly(row.restored(), row.hidden(), row.unchanged(), 0L, 0L, 0L);
        assertThat(r.complete()).isTrue();
        assertThat(r.errors()).isEmpty();
        row.check().accept(w, r);
        assertThat(f.layer.checkConsistency().missingBlobs()).isEmpty();
    }

    /** Rows 1–4 in one bucket: the history every whole-bucket test below starts from. */
    private Instant history(BucketName b) {
        f.put(b, "overwritten", A);
        f.put(b, "deleted", C);
        f.put(b, "unchanged", D);
        f.put(b, "gone-before", B);
        f.delete(b, "gone-before");
        Instant t = f.tick();
        f.put(b, "overwritten", B);
        f.delete(b, "deleted");
        f.put(b, "gone-before", C);
        f.put(b, "created", D);
        f.tick();
        return t;
    }

    private static final List<String> KEYS = List.of("created", "deleted", "gone-before", "overwritten", "unchanged");

    private Map<String, Integer> counts(BucketName b) {
        Map<String, Integer> m = new LinkedHashMap<>();
        KEYS.forEach(k -> m.put(k, f.versionCount(b, k)));
        return m;
    }

    private void assertStateAtT(BucketName b) {
        assertThat(f.current(b, "overwritten")).hasValueSatisfying(v -> assertThat(v).isEqualTo(A));
        assertThat(f.current(b, "deleted")).hasValueSatisfying(v -> assertThat(v).isEqualTo(C));
        assertThat(f.current(b, "unchanged")).hasValueSatisfying(v -> assertThat(v).isEqualTo(D));
        assertThat(f.current(b, "gone-before")).isEmpty();
        assertThat(f.current(b, "created")).isEmpty();
    }

    @Test
    void row10RestoringTwiceChangesNothingTheSecondTime() {
        BucketName b = f.bucket("twice", false);
        Instant t = history(b);
        RestoreReport first = f.run(b, "", t);
        assertThat(List.of(first.restored(), first.hidden(), first.unchanged())).containsExactly(2L, 2L, 1L);
        assertStateAtT(b);
        Map<String, Integer> afterFirst = counts(b);
        f.tick();
        RestoreReport second = f.run(b, "", t);
        assertThat(List.of(second.keysExamined(), second.restored(), second.hidden(), second.unchanged()))
                .containsExactly(5L, 0L, 0L, 5L);
        assertThat(counts(b)).isEqualTo(afterFirst);
        assertStateAtT(b);
    }

    @Test
    void row11RestoringToJustBeforeARestoreUndoesIt() {
        BucketName b = f.bucket("undo", false);
        Instant t = history(b);
        Instant beforeRestore = f.tick();
        f.tick();
        Map<String, Integer> start = counts(b);
        f.run(b, "", t);
        assertStateAtT(b);
        f.tick();
        RestoreReport undo = f.run(b, "", beforeRestore);
        assertThat(List.of(undo.restored(), undo.hidden(), undo.unchanged())).containsExactly(3L, 1L, 1L);
        // The attacked state is back, byte for byte.
        assertThat(f.current(b, "overwritten")).hasValueSatisfying(v -> assertThat(v).isEqualTo(B));
        assertThat(f.current(b, "deleted")).isEmpty();
        assertThat(f.current(b, "gone-before")).hasValueSatisfying(v -> assertThat(v).isEqualTo(C));
        assertThat(f.current(b, "created")).hasValueSatisfying(v -> assertThat(v).isEqualTo(D));
        assertThat(f.current(b, "unchanged")).hasValueSatisfying(v -> assertThat(v).isEqualTo(D));
        // Each restore added at most one version per key and removed none.
        Map<String, Integer> end = counts(b);
        start.forEach((k, n) -> assertThat(end.get(k)).as(k).isBetween(n, n + 2));
        assertThat(end.get("unchanged")).isEqualTo(start.get("unchanged"));
    }

    @Test
    void row12AKeyWrittenAfterTheRestoreLookedAtItIsLeftAsTheClientMadeIt() {
        BucketName b = f.bucket("race", false);
        f.put(b, "copy-back", A);
        f.put(b, "hide", A);
        f.put(b, "other", A);
        Instant t = f.tick();
        f.put(b, "copy-back", B);
        f.put(b, "hide", B);
        f.delete(b, "other");
        f.put(b, "created", C);
        f.tick();
        byte[] x = bytes(500, 9);
        // A client writes each of these keys after the restore decided them, right before its write.
        Restore restore = f.restore(key -> {
            switch (key) {
                case "copy-back" -> f.put(b, key, x);
                case "created" -> f.put(b, key, x);
                case "hide" -> f.layer.objects().put(b, new ObjectKey(key), RestoreFixture.OWNER,
                        new ByteArrayInputStream(x), WriteOptions.simple(x.length));
                default -> { }
            }
        });
        Map<String, Integer> before = new LinkedHashMap<>();
        for (String k : List.of("copy-back", "created", "hide", "other")) {
            before.put(k, f.versionCount(b, k));
        }
        RestoreReport r = restore.run(new RestoreRequest(b, "", t, false, null), s -> { }, () -> false);
        assertThat(r.changedDuringRestore()).as("%s", r).isEqualTo(3);
        assertThat(r.restored()).isEqualTo(1);
        assertThat(r.failed()).isZero();
        for (String k : List.of("copy-back", "created", "hide")) {
            assertThat(f.current(b, k)).as(k).hasValueSatisfying(v -> assertThat(v).isEqualTo(x));
            assertThat(f.versionCount(b, k)).as(k).isEqualTo(before.get(k) + 1);
        }
        assertThat(f.current(b, "other")).hasValueSatisfying(v -> assertThat(v).isEqualTo(A));
    }

    @Test
    void aDryRunCountsWhatARunDoesAndWritesNothing() {
        BucketName b = f.bucket("dry", false);
        Instant t = history(b);
        Map<String, Integer> start = counts(b);
        RestorePlan plan = f.restore().plan(new RestoreRequest(b, "", t, true, null));
        assertThat(plan).isEqualTo(new RestorePlan(5, 2, 2, 1, 0, 0, A.length + C.length, List.of()));
        assertThat(counts(b)).isEqualTo(start);
        assertThat(f.current(b, "overwritten")).hasValueSatisfying(v -> assertThat(v).isEqualTo(B));
        RestoreReport run = f.run(b, "", t);
        assertThat(List.of(run.keysExamined(), run.restored(), run.hidden(), run.unchanged(), run.bytesCopied()))
                .containsExactly(plan.keysExamined(), plan.toRestore(), plan.toHide(), plan.unchanged(), plan.bytesToCopy());
    }

    @Test
    void aResumedRestoreContinuesAfterTheLastKeyDone() {
        BucketName b = f.bucket("resume", false);
        for (String k : List.of("k1", "k2", "k3", "k4")) {
            f.put(b, k, A);
        }
        Instant t = f.tick();
        for (String k : List.of("k1", "k2", "k3", "k4")) {
            f.put(b, k, B);
        }
        f.tick();
        // A run stopped after its second key (as by a shutdown) ...
        int[] seen = {0};
        RestoreReport stopped = f.restore().run(new RestoreRequest(b, "", t, false, null), s -> seen[0]++,
                () -> seen[0] >= 4);
        assertThat(stopped.complete()).isFalse();
        assertThat(stopped.lastKey()).isEqualTo("k2");
        assertThat(stopped.restored()).isEqualTo(2);
        assertThat(stopped.keysTotal()).isEqualTo(4);
        assertThat(f.current(b, "k3")).hasValueSatisfying(v -> assertThat(v).isEqualTo(B));
        // ... continues after k2.
        RestoreReport rest = f.restore().run(new RestoreRequest(b, "", t, false, stopped.lastKey()), s -> { }, () -> false);
        assertThat(List.of(rest.keysTotal(), rest.keysExamined(), rest.restored())).containsExactly(2L, 2L, 2L);
        assertThat(rest.complete()).isTrue();
        for (String k : List.of("k1", "k2", "k3", "k4")) {
            assertThat(f.current(b, k)).as(k).hasValueSatisfying(v -> assertThat(v).isEqualTo(A));
            assertThat(f.versionCount(b, k)).as(k).isEqualTo(3);
        }
    }

    @Test
    void withVersioningSuspendedAKeyWhoseNullVersionARestoreWouldReplaceIsSkipped() {
        BucketName b = f.bucket("suspended", false);
        f.put(b, "old", A);
        f.put(b, "rewritten", A);
        Instant t = f.tick();
        f.layer.buckets().setVersioning(b, dev.arca.meta.Versioning.SUSPENDED);
        f.put(b, "rewritten", B);
        f.put(b, "new", C);
        f.tick();
        RestoreReport r = f.run(b, "", t);
        assertThat(List.of(r.unchanged(), r.skipped(), r.restored(), r.hidden())).containsExactly(1L, 2L, 0L, 0L);
        assertThat(r.errors()).extracting(RestoreReport.KeyError::key).containsExactly("new", "rewritten");
        assertThat(r.errors().getFirst().message()).contains("enable versioning");
        assertThat(f.current(b, "rewritten")).hasValueSatisfying(v -> assertThat(v).isEqualTo(B));
        // Enabled again, the same restore completes without destroying anything.
        f.layer.buckets().setVersioning(b, dev.arca.meta.Versioning.ENABLED);
        RestoreReport again = f.run(b, "", t);
        assertThat(List.of(again.restored(), again.hidden(), again.skipped())).containsExactly(1L, 1L, 0L);
        assertThat(f.current(b, "rewritten")).hasValueSatisfying(v -> assertThat(v).isEqualTo(A));
        assertThat(f.current(b, "new")).isEmpty();
        assertThat(f.versions(b, "rewritten")).extracting(ObjectRecord::versionId).contains("null");
    }

    @Test
    void aRestoreIntoABucketWithDefaultRetentionGetsOnlyTheDefault() {
        BucketName b = f.bucket("worm", true);
        f.layer.buckets().setObjectLock(b, new dev.arca.meta.DefaultRetention(RetentionMode.GOVERNANCE, 1, 0));
        f.put(b, "k", A, ObjectAttributes.EMPTY, new ObjectLock(null, false));
        Instant t = f.tick();
        f.put(b, "k", B);
        f.tick();
        RestoreReport r = f.run(b, "", t);
        assertThat(r.restored()).isEqualTo(1);
        ObjectRecord restored = f.currentRecord(b, "k").orElseThrow();
        assertThat(restored.retention()).isNotNull();
        assertThat(restored.retention().mode()).isEqualTo(RetentionMode.GOVERNANCE);
        assertThat(restored.legalHold()).isFalse();
        // Every version is still there: the two writes and the restore.
        assertThat(f.versionCount(b, "k")).isEqualTo(3);
    }
}
