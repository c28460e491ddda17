package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static dev.arca.it.ErasureDrives.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Bit rot on the drives (2+2 on four drives): flipped bytes in up to m = 2 shards of a blob are
 * caught by the chunk CRCs, reads serve the right bytes anyway, and healing (a deep admin heal, or
 * the background scrubber for data nobody reads) rewrites the damaged shard files to exactly what
 * they were. Damage beyond m shards in one stripe makes reads fail; they never serve wrong bytes.
 */
final class ErasureBitrotTest {
    private static final String BUCKET = "rot";
    /** Chunk size of a full stripe with 2 data shards. */
    private static final int CHUNK = ErasureDrives.STRIPE_BYTES / 2;

    @TempDir
    Path dir;

    @Test
    void rotInUpToTwoShardsIsDetectedServedCorrectlyAndHealed() {
        long seed = S3Assert.seed(ErasureBitrotTest.class);
        Random random = new Random(seed);
        // No scrubber: the reads and the admin heal must find the damage.
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("1MiB+1", S3Assert.randomBytes(random, MIB + 1));
            for (int i = 0; i < 7; i++) {
                objects.put("obj-" + i, S3Assert.randomBytes(random, 128 * KIB + random.nextInt(3 * MIB)));
            }
            Map<String, String> blobOf = putAll(server, s3, objects);
            Map<Path, byte[]> pristine = ErasureDrives.snapshot(server, 4);
            assertThat(pristine).hasSize(4 * objects.size());

            int damagedShards = 0;
            boolean firstObject = true;
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                Map<Integer, Path> shards = ErasureDrives.shardsOf(server, 4, blobOf.get(e.getKey()));
                assertThat(shards).containsOnlyKeys(0, 1, 2, 3);
                List<Integer> victims = new ArrayList<>(shards.keySet());
                Collections.shuffle(victims, random);
                int count = random.nextInt(3);
                if (firstObject) {
                    // At least one data chunk that a full GET reads is bad, so the read path must notice.
                    victims.remove(Integer.valueOf(0));
                    victims.addFirst(0);
                    count = 2;
                }
                for (int s : victims.subList(0, count)) {
                    Path file = shards.get(s);
                    long size = pristine.get(file).length;
                    int flips = firstObject ? 1 : 1 + random.nextInt(3);
                    for (int f = 0; f < flips; f++) {
                        // The first flip lands in a chunk or its CRC; further ones anywhere (header and footer too).
                        long at = f == 0 ? inChunk(random, e.getValue().length) : random.nextLong(size);
                        ErasureDrives.flip(file, at, 1 + random.nextInt(255));
                        System.out.println("flipped byte " + at + " of shard " + s + " of " + e.getKey() + " (" + file + ")");
                    }
                    // Two flips of one byte could cancel out: count what is really damaged.
                    damagedShards += Arrays.equals(ErasureDrives.read(file), pristine.get(file)) ? 0 : 1;
                    firstObject = false;
                }
                firstObject = false;
            }

            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 4);
            long corrupt = admin.stat("corruptChunks");
            assertThat(corrupt).as("corrupt chunks counted by the reads").isPositive();
            assertThat(server.server().blobStore().stats().corruptChunks()).isGreaterThanOrEqualTo(corrupt);

            Map<String, Object> first = admin.heal("deep=true");
            System.out.println("first deep heal: " + first + "; " + damagedShards + " shards were damaged");
            assertThat(ErasureAdmin.number(first, "unrecoverable")).isZero();
            assertThat(ErasureAdmin.number(first, "scanned")).isEqualTo(objects.size());
            for (Map.Entry<Path, byte[]> e : pristine.entrySet()) {
                S3Assert.assertSameBytes(ErasureDrives.read(e.getKey()), e.getValue(), "healed " + e.getKey());
            }
            // Each damaged shard file was rewritten once (by the heal a read queued, or by the admin heal).
            assertThat(server.server().blobStore().stats().shardsRebuilt()).isEqualTo(damagedShards);
            Map<String, Object> second = admin.heal("deep=true");
            assertThat(ErasureAdmin.number(second, "healed")).as("second deep heal %s", second).isZero();
            assertThat(ErasureAdmin.number(second, "unrecoverable")).isZero();
            assertThat(ErasureAdmin.number(second, "healthy")).isEqualTo(objects.size());
            for (int d = 1; d <= 4; d++) {
                assertThat(ErasureDrives.tmpFiles(ErasureDrives.drive(server, d))).as("tmp of drive %d", d).isEmpty();
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 1);
        }
    }

    // In clear (encryption off): the test reads plaintext ranges by storage stripe, which holds only when
    // stored bytes are the object's bytes (sealed chunks add 16 bytes per 64 KiB and shift the stripes).
    // Damaged sealed objects are covered by SealedTamperTest and EncryptedDataTest.
    @Test
    void threeBadShardsInOneStripeFailTheReadAndNeverServeWrongBytes() {
        long seed = S3Assert.seed(ErasureBitrotTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0", "--encryption", "off");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("victim", S3Assert.randomBytes(random, 3 * MIB));
            objects.put("bystander", S3Assert.randomBytes(random, 300 * KIB));
            Map<String, String> blobOf = putAll(server, s3, objects);
            String victim = blobOf.get("victim");
            Map<Integer, Path> shards = ErasureDrives.shardsOf(server, 4, victim);
            List<Integer> bad = new ArrayList<>(shards.keySet());
            Collections.shuffle(bad, random);
            bad = bad.subList(0, 3);
            int stripe = random.nextInt(3);
            System.out.println("corrupting stripe " + stripe + " of shards " + bad + " of the victim " + victim);
            for (int s : bad) {
                long at = ErasureDrives.chunkPosition(CHUNK, stripe) + random.nextInt(CHUNK);
                ErasureDrives.flip(shards.get(s), at, 1 + random.nextInt(255));
            }
            long unrecoverableBefore = admin.stat("unrecoverableBlobs");

            byte[] want = objects.get("victim");
            ErasureDrives.assertReadFails(server, s3, BUCKET, "victim", want);
            // The damage stays in its stripe: the other stripes still read.
            for (int other = 0; other < 3; other++) {
                if (other != stripe) {
                    int from = other * MIB;
                    S3Assert.assertSameBytes(ErasureDrives.getRange(s3, BUCKET, "victim", from, from + MIB - 1),
                            Arrays.copyOfRange(want, from, from + MIB), "intact stripe " + other);
                }
            }
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "bystander"), objects.get("bystander"), "bystander");

            Map<String, Object> summary = admin.heal("bucket=" + BUCKET + "&deep=true");
            System.out.println("deep heal of the bucket: " + summary);
            assertThat(ErasureAdmin.number(summary, "unrecoverable")).isEqualTo(1);
            assertThat(ErasureAdmin.number(summary, "healthy")).isEqualTo(1);
            assertThat(admin.stat("unrecoverableBlobs")).isGreaterThan(unrecoverableBefore);
            // An unrecoverable blob is reported, not thrown away: its shards stay for whoever can salvage them.
            assertThat(ErasureDrives.shardsOf(server, 4, victim)).containsOnlyKeys(0, 1, 2, 3);
            ErasureDrives.assertReadFails(server, s3, BUCKET, "victim", want);
        }
    }

    @Test
    void theScrubberRepairsRotThatNoReadTouches() {
        long seed = S3Assert.seed(ErasureBitrotTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "256MiB", "--scrub-interval", "1s");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("a", S3Assert.randomBytes(random, 128 * KIB + random.nextInt(2 * MIB)));
            objects.put("b", S3Assert.randomBytes(random, 128 * KIB + random.nextInt(2 * MIB)));
            Map<String, String> blobOf = putAll(server, s3, objects);
            String key = random.nextBoolean() ? "a" : "b";
            int shard = random.nextInt(4);
            Path file = ErasureDrives.shardsOf(server, 4, blobOf.get(key)).get(shard);
            byte[] pristine = ErasureDrives.read(file);
            long rebuiltBefore = server.server().blobStore().stats().shardsRebuilt();
            long at = inChunk(random, objects.get(key).length);
            ErasureDrives.flip(file, at, 1 + random.nextInt(255));
            System.out.println("flipped byte " + at + " of shard " + shard + " of " + key + " (" + file + ")");

            // Nothing reads the object: only the scrubber can find the damage.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (server.server().blobStore().stats().shardsRebuilt() == rebuiltBefore && System.nanoTime() < deadline) {
                ErasureAdmin.sleep(100);
            }
            // The pass that healed it is counted when it ends, a moment after the heal.
            while (server.server().blobStore().stats().scrubPasses() == 0 && System.nanoTime() < deadline) {
                ErasureAdmin.sleep(100);
            }
            var stats = server.server().blobStore().stats();
            assertThat(stats.shardsRebuilt()).as("shards rebuilt within 20 s: %s", stats).isEqualTo(rebuiltBefore + 1);
            assertThat(stats.scrubPasses()).isPositive();
            assertThat(stats.corruptChunks()).isPositive();
            S3Assert.assertSameBytes(ErasureDrives.read(file), pristine, "scrubbed " + file);
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 1);
        }
    }

    /**
     * Stopping the server while the scrubber works (here: back-to-back deep passes) must not cost
     * any healthy blob a shard. Stopping interrupts the scrubber; an interrupted read is not rot.
     * The stop lands at a random point of a pass, so this repeats it over many restarts.
     */
    @Test
    void stoppingTheServerWhileTheScrubberRunsLosesNoShard() {
        long seed = S3Assert.seed(ErasureBitrotTest.class);
        Random random = new Random(seed);
        Path data = dir.resolve("data");
        Map<String, byte[]> objects = new LinkedHashMap<>();
        Map<String, String> blobOf;
        try (ArcaTestServer server = ArcaTestServer.start(data, "--scrub-rate", "0"); S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            // Many small blobs: a pass spends most of its time healing blobs rather than listing directories.
            for (int i = 0; i < 100; i++) {
                objects.put("o" + i, S3Assert.randomBytes(random, 128 * KIB));
            }
            blobOf = putAll(server, s3, objects);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int rounds = 0;
        while (System.nanoTime() < deadline) {
            rounds++;
            try (ArcaTestServer server = ArcaTestServer.start(data, "--scrub-rate", "64GiB", "--scrub-interval", "1ms")) {
                ErasureAdmin.sleep(20 + random.nextInt(100));
            }
            for (Map.Entry<String, String> e : blobOf.entrySet()) {
                int shards = 0;
                for (int d = 1; d <= 4; d++) {
                    shards += Files.exists(ErasureDrives.shardFile(data.resolve("drive-" + d), e.getValue())) ? 1 : 0;
                }
                assertThat(shards).as("shard files of healthy %s (blob %s) after stop %d", e.getKey(), e.getValue(), rounds)
                        .isEqualTo(4);
            }
        }
        System.out.println(rounds + " stops during scrubbing lost nothing");
        try (ArcaTestServer server = ArcaTestServer.start(data, "--scrub-rate", "0"); S3Client s3 = ErasureDrives.client(server)) {
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, e.getKey()), e.getValue(), e.getKey());
            }
        }
    }

    /** Puts every object (each must make exactly one blob); returns each key's blob id. */
    private static Map<String, String> putAll(ArcaTestServer server, S3Client s3, Map<String, byte[]> objects) {
        Map<String, String> blobOf = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            SortedSet<String> created = ErasureDrives.newBlobs(server, 4, () -> ErasureDrives.put(s3, BUCKET, e.getKey(), e.getValue()));
            assertThat(created).as("blobs of %s", e.getKey()).hasSize(1);
            blobOf.put(e.getKey(), created.first());
        }
        return blobOf;
    }

    /** A random position inside some stripe's chunk or its CRC, in any shard file of a blob of this length. */
    private static long inChunk(Random random, int blobLength) {
        int stripes = Math.ceilDiv(blobLength, ErasureDrives.STRIPE_BYTES);
        int stripe = random.nextInt(stripes);
        int stripeLength = Math.min(ErasureDrives.STRIPE_BYTES, blobLength - stripe * ErasureDrives.STRIPE_BYTES);
        int chunkLength = Math.ceilDiv(stripeLength, 2);
        return ErasureDrives.chunkPosition(CHUNK, stripe) + random.nextInt(chunkLength + ErasureDrives.CRC_BYTES);
    }
}
