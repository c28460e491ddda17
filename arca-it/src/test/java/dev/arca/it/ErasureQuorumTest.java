package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static dev.arca.it.ErasureDrives.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The write quorum of 2+2 on four drives is k + 1 = 3 shards: with two drives gone every write
 * that needs the drives (PutObject, UploadPart, CopyObject of 128 KiB and more) fails with 503
 * ServiceUnavailable and leaves nothing behind, neither a visible object nor a shard or temporary
 * file; with one drive gone writes still succeed, and the replacement drive gets every shard back
 * from an admin heal.
 */
final class ErasureQuorumTest {
    private static final String BUCKET = "quorum";

    @TempDir
    Path dir;

    @Test
    void belowTheWriteQuorumEveryDriveWriteFailsWith503AndLeavesNothing() {
        long seed = S3Assert.seed(ErasureQuorumTest.class);
        Random random = new Random(seed);
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("source", S3Assert.randomBytes(random, 300 * KIB + random.nextInt(MIB)));
            objects.forEach((k, v) -> ErasureDrives.put(s3, BUCKET, k, v));

            List<Integer> drives = new ArrayList<>(List.of(1, 2, 3, 4));
            Collections.shuffle(drives, random);
            List<Integer> gone = drives.subList(0, 2);
            List<Integer> left = drives.subList(2, 4);
            System.out.println("removing drives " + gone);
            gone.forEach(d -> ErasureDrives.remove(ErasureDrives.drive(server, d)));
            Map<Integer, SortedSet<String>> shardsBefore = new LinkedHashMap<>();
            left.forEach(d -> shardsBefore.put(d, ErasureDrives.shardNames(ErasureDrives.drive(server, d))));
            long quorumFailures = server.server().blobStore().stats().writeQuorumFailures();

            S3Assert.assertS3Error(() -> ErasureDrives.put(s3, BUCKET, "put", S3Assert.randomBytes(random, 128 * KIB)),
                    503, "ServiceUnavailable");
            S3Assert.assertS3Error(() -> ErasureDrives.put(s3, BUCKET, "put", S3Assert.randomBytes(random, 3 * MIB + 7)),
                    503, "ServiceUnavailable");

            // Creating an upload touches only metadata; its parts need the drives.
            String upload = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("multipart")).uploadId();
            S3Assert.assertS3Error(() -> s3.uploadPart(b -> b.bucket(BUCKET).key("multipart").uploadId(upload).partNumber(1),
                    RequestBody.fromBytes(S3Assert.randomBytes(random, 5 * MIB))), 503, "ServiceUnavailable");
            // Parts are never stored inline, however small.
            S3Assert.assertS3Error(() -> s3.uploadPart(b -> b.bucket(BUCKET).key("multipart").uploadId(upload).partNumber(2),
                    RequestBody.fromBytes(S3Assert.randomBytes(random, 1000))), 503, "ServiceUnavailable");
            assertThat(s3.listParts(b -> b.bucket(BUCKET).key("multipart").uploadId(upload)).parts()).isEmpty();
            S3Exception complete = catchThrowableOfType(S3Exception.class, () -> s3.completeMultipartUpload(b -> b.bucket(BUCKET)
                    .key("multipart").uploadId(upload)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"00000000000000000000000000000000\"").build()))));
            assertThat(complete).as("completing an upload whose part failed").isNotNull();
            assertThat(complete.statusCode()).as(complete.getMessage()).isBetween(400, 599);
            s3.abortMultipartUpload(b -> b.bucket(BUCKET).key("multipart").uploadId(upload));

            S3Assert.assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("source")
                    .destinationBucket(BUCKET).destinationKey("copy")), 503, "ServiceUnavailable");

            assertThat(server.server().blobStore().stats().writeQuorumFailures() - quorumFailures)
                    .as("writes refused for want of drives").isGreaterThanOrEqualTo(5);
            for (String key : List.of("put", "multipart", "copy")) {
                S3Assert.assertS3Error(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, null);
            }
            assertThat(keys(s3)).containsExactly("source");
            assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
            for (int d : left) {
                Path drive = ErasureDrives.drive(server, d);
                assertThat(ErasureDrives.shardNames(drive)).as("shards on drive %d", d).isEqualTo(shardsBefore.get(d));
                assertThat(ErasureDrives.tmpFiles(drive)).as("tmp of drive %d", d).isEmpty();
            }
            for (int d : gone) {
                assertThat(ErasureDrives.drive(server, d)).as("a failed write must not recreate drive %d", d).doesNotExist();
            }

            // Objects under 128 KiB live inline in the metadata database, not on the drives: they
            // need no drive quorum and keep working.
            SortedSet<String> inline = ErasureDrives.newBlobs(server, 4, () -> {
                objects.put("small/empty", new byte[0]);
                objects.put("small/1KiB", S3Assert.randomBytes(random, KIB));
                objects.put("small/just-under-128KiB", S3Assert.randomBytes(random, 128 * KIB - 1));
                objects.forEach((k, v) -> {
                    if (k.startsWith("small/")) {
                        ErasureDrives.put(s3, BUCKET, k, v);
                    }
                });
            });
            assertThat(inline).as("shard files written for inline objects").isEmpty();
            ErasureDrives.assertAllReadable(s3, BUCKET, Map.of("small/1KiB", objects.get("small/1KiB"),
                    "small/just-under-128KiB", objects.get("small/just-under-128KiB"), "source", objects.get("source")), random, 2);
            assertThat(ErasureDrives.get(s3, BUCKET, "small/empty")).isEmpty();
            assertThat(keys(s3)).containsExactlyInAnyOrder("source", "small/empty", "small/1KiB", "small/just-under-128KiB");
        }
    }

    @Test
    void withOneDriveGoneWritesSucceedAndTheReplacementIsRefilled() {
        long seed = S3Assert.seed(ErasureQuorumTest.class);
        Random random = new Random(seed);
        // The background drive check would refill the replacement by itself; the admin heal must do it here.
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0",
                "--drive-check-interval", "1h");
                S3Client s3 = ErasureDrives.client(server)) {
            ErasureAdmin admin = new ErasureAdmin(server);
            s3.createBucket(b -> b.bucket(BUCKET));
            Map<String, byte[]> objects = new LinkedHashMap<>();
            objects.put("before", S3Assert.randomBytes(random, 200 * KIB));
            ErasureDrives.put(s3, BUCKET, "before", objects.get("before"));

            int gone = 1 + random.nextInt(4);
            System.out.println("removing drive " + gone);
            ErasureDrives.remove(ErasureDrives.drive(server, gone));
            objects.put("put", S3Assert.randomBytes(random, 128 * KIB + random.nextInt(3 * MIB)));
            objects.put("multipart", S3Assert.randomBytes(random, 5 * MIB + 100 * KIB));
            SortedSet<String> written = ErasureDrives.newBlobs(server, 4, () -> {
                ErasureDrives.put(s3, BUCKET, "put", objects.get("put"));
                ErasureDrives.putMultipart(s3, BUCKET, "multipart", objects.get("multipart"), 5 * MIB, 0);
                s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("put").destinationBucket(BUCKET).destinationKey("copy"));
            });
            objects.put("copy", objects.get("put"));
            assertThat(written).as("blobs written with a drive gone").hasSize(4);
            for (String id : written) {
                assertThat(ErasureDrives.shardsOf(server, 4, id)).as("shards of %s", id).hasSize(3);
            }
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 2);

            ErasureDrives.replace(ErasureDrives.drive(server, gone));
            Map<String, Object> summary = admin.heal("");
            System.out.println("heal: " + summary);
            SortedSet<String> all = ErasureDrives.blobIds(server, 4);
            assertThat(all).hasSize(5);
            assertThat(ErasureAdmin.number(summary, "healed")).isEqualTo(all.size());
            assertThat(ErasureAdmin.number(summary, "shardsRebuilt")).isEqualTo(all.size());
            assertThat(ErasureAdmin.number(summary, "unrecoverable")).isZero();
            assertThat(ErasureDrives.shardNames(ErasureDrives.drive(server, gone))).as("refilled drive %d", gone).isEqualTo(all);
            for (String id : all) {
                assertThat(ErasureDrives.shardsOf(server, 4, id)).as("shards of %s", id).containsOnlyKeys(0, 1, 2, 3);
            }
            // The refilled drive carries real data: two other drives can now go.
            List<Integer> others = new ArrayList<>(List.of(1, 2, 3, 4));
            others.remove(Integer.valueOf(gone));
            Collections.shuffle(others, random);
            System.out.println("then removing drives " + others.subList(0, 2));
            others.subList(0, 2).forEach(d -> ErasureDrives.remove(ErasureDrives.drive(server, d)));
            ErasureDrives.assertAllReadable(s3, BUCKET, objects, random, 2);
        }
    }

    private static List<String> keys(S3Client s3) {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(S3Object::key).toList();
    }
}
