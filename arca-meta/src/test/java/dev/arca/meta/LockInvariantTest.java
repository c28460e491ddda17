package dev.arca.meta;

import static dev.arca.meta.MetaFixtures.OWNER;
import static dev.arca.meta.MetaFixtures.blobObject;
import static dev.arca.meta.MetaFixtures.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.StoreException;
import dev.arca.meta.kv.MemoryKv;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random command sequences against a lock-enabled bucket: no command may remove a protected
 * version or weaken its retention, and the current-object table always equals the newest version
 * that is not a delete marker. Prints its seed; replay with -Darca.seed=N.
 */
final class LockInvariantTest {
    private static final long HOUR = 3_600_000L;
    private static final String[] KEYS = {"a", "b", "c"};

    @Test
    void noCommandSequenceRemovesAProtectedVersion() {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("LockInvariantTest seed " + seed);
        Random random = new Random(seed);
        int attempts = 0;
        int refused = 0;
        for (int round = 0; round < 20; round++) {
            MemoryKv kv = new MemoryKv();
            try (KvMetadataStore store = new KvMetadataStore(kv, false)) {
                // Odd rounds start unversioned without Object Lock (lock requests are refused there).
                BucketRecord bucket = new BucketRecord("b", OWNER, 1, "us-east-1");
                store.submit(new Command.CreateBucket(round % 2 == 0
                        ? bucket.withVersioning(Versioning.ENABLED).withObjectLock(null) : bucket, 10));
                long now = 100 * HOUR;
                int blobs = 0;
                for (int step = 0; step < 200; step++) {
                    now += random.nextInt(3) == 0 ? -random.nextLong(HOUR) : random.nextLong(HOUR); // clock jitters both ways
                    long lockNow = Math.max(now, MetaMachine.versionState(kv).highWaterMillis());
                    Map<String, ObjectRecord> protectedBefore = protectedVersions(store, lockNow);
                    String key = KEYS[random.nextInt(KEYS.length)];
                    String someVersion = randomVersion(store, key, random);
                    boolean bypass = random.nextBoolean();
                    Command c = switch (random.nextInt(7)) {
                        case 0, 1 -> {
                            String blob = id(++blobs);
                            store.submit(new Command.AddIntent(blob, now));
                            Retention r = random.nextBoolean() ? null : new Retention(
                                    random.nextBoolean() ? RetentionMode.COMPLIANCE : RetentionMode.GOVERNANCE,
                                    now + random.nextLong(10 * HOUR));
                            yield new Command.PutObject("b", key, blobObject(blob, 1, "e" + blobs)
                                    .withLock(r, random.nextInt(4) == 0), null, WritePrecondition.NONE, List.of(blob), now);
                        }
                        case 2, 3 -> new Command.DeleteObjects("b", List.of(new Command.DeleteTarget(key,
                                random.nextInt(4) == 0 ? null : someVersion, null)), WritePrecondition.NONE, bypass, now);
                        case 4 -> new Command.PutRetention("b", key, someVersion, random.nextBoolean() ? null
                                : new Retention(random.nextBoolean() ? RetentionMode.COMPLIANCE : RetentionMode.GOVERNANCE,
                                        now + random.nextLong(-HOUR, 10 * HOUR)), bypass, now);
                        case 5 -> new Command.PutLegalHold("b", key, someVersion, random.nextBoolean());
                        default -> random.nextInt(4) == 0 ? new Command.SetVersioning("b",
                                random.nextBoolean() ? Versioning.SUSPENDED : Versioning.ENABLED)
                                : new Command.DeleteObjects("b", List.of(Command.DeleteTarget.current(key)),
                                        WritePrecondition.NONE, bypass, now);
                    };
                    attempts++;
                    try {
                        Outcome o = store.execute(c);
                        refused += (int) o.deletes().stream().filter(d -> d.failure() != null).count();
                    } catch (StoreException e) {
                        refused++;
                    } catch (IllegalStateException | IllegalArgumentException e) {
                        // A random version id can be absent for PutRetention/LegalHold: a StoreException, not these.
                        throw new AssertionError("seed " + seed + " step " + step + ": " + c, e);
                    }
                    for (Map.Entry<String, ObjectRecord> p : protectedBefore.entrySet()) {
                        String[] parts = p.getKey().split("\u0000");
                        ObjectRecord after = store.objectVersion("b", parts[0], parts[1]).orElse(null);
                        assertThat(after).as("seed %d step %d: %s removed by %s", seed, step, p.getKey(), c).isNotNull();
                        assertThat(after.data()).isEqualTo(p.getValue().data());
                        Retention before = p.getValue().retention();
                        if (before != null && before.activeAt(lockNow) && before.mode() == RetentionMode.COMPLIANCE) {
                            assertThat(after.retention().mode()).isEqualTo(RetentionMode.COMPLIANCE);
                            assertThat(after.retention().retainUntilMillis()).isGreaterThanOrEqualTo(before.retainUntilMillis());
                        }
                    }
                    checkCurrentTable(store, seed, step);
                }
            }
        }
        System.out.println("LockInvariantTest: " + attempts + " commands, " + refused + " refused, no protected version lost");
    }

    private static Map<String, ObjectRecord> protectedVersions(KvMetadataStore store, long lockNow) {
        Map<String, ObjectRecord> out = new HashMap<>();
        store.forEachVersion("b", "", null, e -> {
            if (e.record().protectedAt(lockNow, true) || (e.record().retention() != null && e.record().retention().activeAt(lockNow)
                    && e.record().retention().mode() == RetentionMode.COMPLIANCE)) {
                out.put(e.key() + "\u0000" + e.record().versionId(), e.record());
            }
            return true;
        });
        return out;
    }

    private static String randomVersion(KvMetadataStore store, String key, Random random) {
        List<String> ids = new ArrayList<>();
        store.forEachVersion("b", key, null, e -> {
            if (e.key().equals(key)) {
                ids.add(e.record().versionId());
            }
            return true;
        });
        if (ids.isEmpty() || random.nextInt(8) == 0) {
            return random.nextBoolean() ? null : "v00000000000fffff";
        }
        return ids.get(random.nextInt(ids.size()));
    }

    private static void checkCurrentTable(KvMetadataStore store, long seed, int step) {
        for (String key : KEYS) {
            ObjectRecord newest = store.latestVersion("b", key).orElse(null);
            ObjectRecord current = store.object("b", key).orElse(null);
            if (newest == null || newest.deleteMarker()) {
                assertThat(current).as("seed %d step %d key %s", seed, step, key).isNull();
            } else {
                assertThat(current).as("seed %d step %d key %s", seed, step, key).isEqualTo(newest);
            }
            long[] nulls = {0};
            ObjectRecord[] scanned = {null};
            store.forEachVersion("b", key, null, e -> {
                if (e.key().equals(key) && e.record().versionId().equals("null")) {
                    nulls[0]++;
                    scanned[0] = e.record();
                }
                return true;
            });
            assertThat(store.objectVersion("b", key, "null").orElse(null))
                    .as("seed %d step %d: the null version of %s as looked up", seed, step, key).isEqualTo(scanned[0]);
            assertThat(nulls[0]).as("seed %d step %d: at most one null version of %s", seed, step, key).isLessThanOrEqualTo(1);
        }
    }
}
