package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static dev.arca.it.ErasureDrives.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Losing whole drives. With 2+2 coding any two of the four drives can vanish (rm -rf while the
 * server runs) and every object still reads back byte-identical, while writes stop (503) below the
 * write quorum; empty replacement drives are refilled by an admin heal with exactly the shard files
 * they lost, so that the other two drives can then be lost too. Also the other geometries: one
 * drive (1+0, checksums only) and six drives (4+2).
 */
final class ErasureDriveLossTest {
    private static final String BUCKET = "loss";

    @TempDir
    Path dir;

    @Test
    void anyTwoOfFourDrivesCanBeLostAndThenReplaced() {
        long seed = S3Assert.seed(ErasureDriveLossTest.class);
        Random random = new Random(seed);
        // The background drive check refills replacement drives by itself; here the admin heal must be
        // the one that does it, so that its summary is exact.
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--drive-check-interval", "1h",
                "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            // 128 KiB is the smallest size stored on the drives rather than inline in the metadata.
            objects.put("exactly-128KiB", S3Assert.randomBytes(random, 128 * KIB));
            objects.put("200KiB", S3Assert.randomBytes(random, 200 * KIB));
            objects.put("1MiB+1", S3Assert.randomBytes(random, MIB + 1));
            objects.put("3MiB", S3Assert.randomBytes(random, 3 * MIB));
            objects.put("dir/random size", S3Assert.randomBytes(random, 128 * KIB + random.nextInt(2 * MIB)));
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                assertThat(ErasureDrives.newBlobs(server, 4, () -> ErasureDrives.put(s3, BUCKET, e.getKey(), e.getValue())))
                        .as("blobs of %s", e.getKey()).hasSize(1);
            }
            byte[] multipart = S3Assert.randomBytes(random, 10 * MIB + 300 * KIB);
            assertThat(ErasureDrives.newBlobs(server, 4,
                    () -> ErasureDrives.putMultipart(s3, BUCKET, "multipart", multipart, 5 * MIB, 5 * MIB, 0)))
                    .as("one blob per part").hasSize(3);
            objects.put("multipart", multipart);
            SortedSet<String> blobs = ErasureDrives.blobIds(server, 4);
            assertThat(blobs).hasSize(8);
            for (int d = 1; d <= 4; d++) {
                assertThat(ErasureDrives.shardNames(ErasureDrives.drive(server, d))).as("shards on drive %d", d).isEqualTo(blobs);
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 3);

            List<Integer> order = new ArrayList<>(List.of(1, 2, 3, 4));
            Collections.shuffle(order, random);
            List<Integer> first = order.subList(0, 2);
            List<Integer> second = order.subList(2, 4);
            System.out.println("losing drives " + first + ", then (after healing) drives " + second);
            Map<Path, String> lost = new TreeMap<>();
            for (int d : first) {
                for (String id : blobs) {
                    Path f = ErasureDrives.shardFile(ErasureDrives.drive(server, d), id);
                    lost.put(f, ErasureDrives.sha256(ErasureDrives.read(f)));
                }
                ErasureDrives.remove(ErasureDrives.drive(server, d));
            }
            for (int d : first) {
                assertThat(admin.driveState(d)).as("drive %d", d).isEqualTo("offline");
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 3);

            // Two drives left is below the write quorum (k + 1 = 3): nothing new may be stored.
            S3Assert.assertS3Error(() -> ErasureDrives.put(s3, BUCKET, "during-outage", S3Assert.randomBytes(random, 300 * KIB)),
                    503, "ServiceUnavailable");
            S3Assert.assertS3Error(() -> s3.headObject(b -> b.bucket(BUCKET).key("during-outage")), 404, null);
            assertThat(keys(s3)).containsExactlyInAnyOrderElementsOf(objects.keySet());
            assertThat(ErasureDrives.blobIds(server, 4)).as("blobs after the refused write").isEqualTo(blobs);

            for (int d : first) {
                ErasureDrives.replace(ErasureDrives.drive(server, d));
                assertThat(admin.driveState(d)).as("drive %d", d).isEqualTo("empty");
            }
            Map<String, Object> summary = admin.heal("");
            System.out.println("heal after replacing drives " + first + ": " + summary);
            assertThat(ErasureAdmin.number(summary, "scanned")).isEqualTo(blobs.size());
            assertThat(ErasureAdmin.number(summary, "healed")).isEqualTo(blobs.size());
            assertThat(ErasureAdmin.number(summary, "shardsRebuilt")).isEqualTo(2L * blobs.size());
            assertThat(ErasureAdmin.number(summary, "unrecoverable")).isZero();
            assertThat(ErasureAdmin.number(summary, "degraded")).isZero();
            for (int d = 1; d <= 4; d++) {
                assertThat(admin.driveState(d)).as("drive %d", d).isEqualTo("online");
                assertThat(ErasureDrives.shardNames(ErasureDrives.drive(server, d))).as("shards on drive %d", d).isEqualTo(blobs);
                assertThat(ErasureDrives.tmpFiles(ErasureDrives.drive(server, d))).as("tmp of drive %d", d).isEmpty();
            }
            // Coding is deterministic: a rebuilt shard file is the very file that was lost.
            for (Map.Entry<Path, String> e : lost.entrySet()) {
                assertThat(ErasureDrives.sha256(ErasureDrives.read(e.getKey()))).as("rebuilt %s", e.getKey()).isEqualTo(e.getValue());
            }

            for (int d : second) {
                ErasureDrives.remove(ErasureDrives.drive(server, d));
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 3);
        }
    }

    @Test
    void sixDrivesCodeFourPlusTwoAndSurviveLosingTwo() {
        long seed = S3Assert.seed(ErasureDriveLossTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--drive-count", "6", "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            Map<String, Object> storage = admin.storage();
            assertThat(ErasureAdmin.number(storage, "dataShards")).isEqualTo(4);
            assertThat(ErasureAdmin.number(storage, "parityShards")).isEqualTo(2);
            assertThat(ErasureAdmin.list(storage.get("drives"))).hasSize(6);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("200KiB", S3Assert.randomBytes(random, 200 * KIB));
            objects.put("3MiB+5", S3Assert.randomBytes(random, 3 * MIB + 5));
            objects.put("random", S3Assert.randomBytes(random, 128 * KIB + random.nextInt(3 * MIB)));
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                SortedSet<String> created = ErasureDrives.newBlobs(server, 6, () -> ErasureDrives.put(s3, BUCKET, e.getKey(), e.getValue()));
                assertThat(created).hasSize(1);
                assertThat(ErasureDrives.shardsOf(server, 6, created.first())).as("shards of %s", e.getKey())
                        .containsOnlyKeys(0, 1, 2, 3, 4, 5);
            }
            List<Integer> drives = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6));
            Collections.shuffle(drives, random);
            List<Integer> gone = drives.subList(0, 2);
            System.out.println("losing drives " + gone + " of 6");
            gone.forEach(d -> ErasureDrives.remove(ErasureDrives.drive(server, d)));
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 3);
            // Four of six left is below the write quorum of 4+2 (k + 1 = 5).
            S3Assert.assertS3Error(() -> ErasureDrives.put(s3, BUCKET, "late", S3Assert.randomBytes(random, 200 * KIB)),
                    503, "ServiceUnavailable");
        }
    }

    @Test
    void losingMoreThanParityDrivesFailsReadsWithServiceUnavailableBeforeAnyByte() {
        long seed = S3Assert.seed(ErasureDriveLossTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            byte[] data = S3Assert.randomBytes(random, 2 * MIB + 7);
            ErasureDrives.put(s3, BUCKET, "k", data);
            List<Integer> drives = new ArrayList<>(List.of(1, 2, 3, 4));
            Collections.shuffle(drives, random);
            drives.subList(0, 3).forEach(d -> ErasureDrives.remove(ErasureDrives.drive(server, d)));
            // One shard of 2+2 left: the read quorum (k = 2) is gone, maybe for a while: 503, not a 200 cut short.
            S3Assert.assertS3Error(() -> ErasureDrives.get(s3, BUCKET, "k"), 503, "ServiceUnavailable");
            S3Assert.assertS3Error(() -> ErasureDrives.getRange(s3, BUCKET, "k", 5, 99), 503, "ServiceUnavailable");
            // Metadata is not on the drives: HEAD still answers.
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("k")).contentLength()).isEqualTo(data.length);
        }
    }

    @Test
    void oneDriveRoundTripsWithChecksumsOnly() {
        long seed = S3Assert.seed(ErasureDriveLossTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--drive-count", "1", "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            Map<String, Object> storage = admin.storage();
            assertThat(ErasureAdmin.number(storage, "dataShards")).isEqualTo(1);
            assertThat(ErasureAdmin.number(storage, "parityShards")).isZero();
            assertThat(ErasureAdmin.list(storage.get("drives"))).hasSize(1);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("exactly-128KiB", S3Assert.randomBytes(random, 128 * KIB));
            objects.put("1MiB+1", S3Assert.randomBytes(random, MIB + 1));
            objects.put("2.5MiB", S3Assert.randomBytes(random, 5 * MIB / 2));
            Map<String, String> blobOf = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                SortedSet<String> created = ErasureDrives.newBlobs(server, 1, () -> ErasureDrives.put(s3, BUCKET, e.getKey(), e.getValue()));
                assertThat(created).hasSize(1);
                blobOf.put(e.getKey(), created.first());
                Path shard = ErasureDrives.shardFile(ErasureDrives.drive(server, 1), created.first());
                byte[] file = ErasureDrives.read(shard);
                assertThat(file[28]).as("k").isEqualTo((byte) 1);
                assertThat(file[29]).as("m").isZero();
                // Objects are sealed (SSE-S3 by default): the blob is the ciphertext, a tag longer per 64 KiB chunk.
                long sealed = dev.arca.crypto.ObjectCipher.sealedLength(e.getValue().length);
                long stripes = Math.ceilDiv(sealed, ErasureDrives.STRIPE_BYTES);
                // The whole sealed object, plus a header, a CRC per stripe and a footer: no parity.
                assertThat((long) file.length).isEqualTo(ErasureDrives.HEADER_BYTES + sealed
                        + ErasureDrives.CRC_BYTES * stripes + ErasureDrives.FOOTER_BYTES);
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 3);

            // Without parity a flipped bit cannot be repaired, but it must still be caught.
            Path shard = ErasureDrives.shardFile(ErasureDrives.drive(server, 1), blobOf.get("2.5MiB"));
            long at = ErasureDrives.chunkPosition(ErasureDrives.STRIPE_BYTES, 0) + random.nextInt(ErasureDrives.STRIPE_BYTES);
            ErasureDrives.flip(shard, at, 1 + random.nextInt(255));
            long corruptBefore = server.server().blobStore().stats().corruptChunks();
            ErasureDrives.assertReadFails(server, s3, BUCKET, "2.5MiB", objects.get("2.5MiB"));
            assertThat(server.server().blobStore().stats().corruptChunks()).isGreaterThan(corruptBefore);
            // The damage stays in its stripe: the rest of the object and the other objects read fine.
            byte[] want = objects.get("2.5MiB");
            S3Assert.assertSameBytes(ErasureDrives.getRange(s3, BUCKET, "2.5MiB", MIB, want.length - 1),
                    Arrays.copyOfRange(want, MIB, want.length), "stripes 1-2 of the damaged object");
            objects.remove("2.5MiB");
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 1);
        }
    }

    private static List<String> keys(S3Client s3) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
    }
}
