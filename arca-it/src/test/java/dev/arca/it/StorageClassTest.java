package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static dev.arca.it.ErasureDrives.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * Storage classes over the same four drives: STANDARD is 2+2, REDUCED_REDUNDANCY is 3+1 (less
 * parity, more of each stripe is data). The class is chosen per object on PutObject,
 * CreateMultipartUpload and CopyObject, reported by HEAD/GET and listings, and decides how the
 * blob is coded on the drives.
 */
final class StorageClassTest {
    private static final String BUCKET = "classes";
    /** Shard header bytes holding k and m (docs/FORMATS.md, "Shard file"). */
    private static final int HEADER_K = 28;
    private static final int HEADER_M = 29;

    @TempDir
    Path dir;

    /** k and m of every shard file of the blobs created by {@code write}; asserts they agree and returns them. */
    private static int[] coding(ArcaTestServer server, Runnable write) {
        SortedSet<String> created = ErasureDrives.newBlobs(server, 4, write);
        assertThat(created).isNotEmpty();
        int[] km = null;
        for (String id : created) {
            Collection<Path> shards = ErasureDrives.shardsOf(server, 4, id).values();
            for (Path shard : shards) {
                byte[] bytes = ErasureDrives.read(shard);
                int[] here = {bytes[HEADER_K] & 0xFF, bytes[HEADER_M] & 0xFF};
                if (km == null) {
                    km = here;
                }
                assertThat(here).as("coding of %s", shard).containsExactly(km);
            }
            assertThat(shards).hasSize(km[0] + km[1]);
        }
        return km;
    }

    @Test
    void reducedRedundancyIsThreePlusOneAndReportedEverywhere() {
        Random random = new Random(S3Assert.seed(StorageClassTest.class));
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            byte[] rrs = S3Assert.randomBytes(random, 3 * MIB + 11);
            byte[] std = S3Assert.randomBytes(random, 300 * KIB);
            int[] rrsCoding = coding(server, () -> s3.putObject(b -> b.bucket(BUCKET).key("rrs")
                    .storageClass(StorageClass.REDUCED_REDUNDANCY), RequestBody.fromBytes(rrs)));
            assertThat(rrsCoding).containsExactly(3, 1);
            int[] stdCoding = coding(server, () -> s3.putObject(b -> b.bucket(BUCKET).key("std")
                    .storageClass(StorageClass.STANDARD), RequestBody.fromBytes(std)));
            assertThat(stdCoding).containsExactly(2, 2);

            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("rrs")).storageClass()).isEqualTo(StorageClass.REDUCED_REDUNDANCY);
            // S3 does not name STANDARD in HEAD/GET responses.
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("std")).storageClassAsString()).isNull();
            StorageClass onGet = s3.getObject(b -> b.bucket(BUCKET).key("rrs"), (resp, in) -> resp.storageClass());
            assertThat(onGet).isEqualTo(StorageClass.REDUCED_REDUNDANCY);
            Map<String, String> listed = new java.util.TreeMap<>();
            for (S3Object o : s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()) {
                listed.put(o.key(), o.storageClassAsString());
            }
            assertThat(listed).containsEntry("rrs", "REDUCED_REDUNDANCY").containsEntry("std", "STANDARD");
            assertThat(ErasureDrives.get(s3, BUCKET, "rrs")).isEqualTo(rrs);
            assertThat(ErasureDrives.getRange(s3, BUCKET, "rrs", MIB - 3, 2 * MIB + 5))
                    .isEqualTo(java.util.Arrays.copyOfRange(rrs, MIB - 3, 2 * MIB + 6));

            // Copies take the request's class (STANDARD when none), whatever the metadata directive.
            int[] copied = coding(server, () -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("rrs")
                    .destinationBucket(BUCKET).destinationKey("rrs-copy")));
            assertThat(copied).containsExactly(2, 2);
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("rrs-copy")).storageClassAsString()).isNull();
            int[] demoted = coding(server, () -> s3.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("std")
                    .destinationBucket(BUCKET).destinationKey("std-rrs").storageClass(StorageClass.REDUCED_REDUNDANCY)));
            assertThat(demoted).containsExactly(3, 1);
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("std-rrs")).storageClass()).isEqualTo(StorageClass.REDUCED_REDUNDANCY);

            // One drive lost: 3+1 still reads (and so does 2+2).
            ErasureDrives.remove(ErasureDrives.drive(server, 1 + random.nextInt(4)));
            assertThat(ErasureDrives.get(s3, BUCKET, "rrs")).isEqualTo(rrs);
            assertThat(ErasureDrives.get(s3, BUCKET, "std-rrs")).isEqualTo(std);
            assertThat(ErasureDrives.get(s3, BUCKET, "std")).isEqualTo(std);
        }
    }

    @Test
    void multipartUploadsCodeTheirPartsInTheUploadsClass() {
        Random random = new Random(S3Assert.seed(StorageClassTest.class));
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            byte[] data = S3Assert.randomBytes(random, 5 * MIB + 300 * KIB);
            String upload = s3.createMultipartUpload(b -> b.bucket(BUCKET).key("mp")
                    .storageClass(StorageClass.REDUCED_REDUNDANCY)).uploadId();
            assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads().getFirst().storageClassAsString())
                    .isEqualTo("REDUCED_REDUNDANCY");
            List<CompletedPart> parts = new ArrayList<>();
            int[] first = coding(server, () -> parts.add(CompletedPart.builder().partNumber(1).eTag(
                    s3.uploadPart(b -> b.bucket(BUCKET).key("mp").uploadId(upload).partNumber(1),
                            RequestBody.fromBytes(java.util.Arrays.copyOf(data, 5 * MIB))).eTag()).build()));
            assertThat(first).containsExactly(3, 1);
            assertThat(s3.listParts(b -> b.bucket(BUCKET).key("mp").uploadId(upload)).storageClassAsString())
                    .isEqualTo("REDUCED_REDUNDANCY");
            parts.add(CompletedPart.builder().partNumber(2).eTag(
                    s3.uploadPart(b -> b.bucket(BUCKET).key("mp").uploadId(upload).partNumber(2),
                            RequestBody.fromBytes(java.util.Arrays.copyOfRange(data, 5 * MIB, data.length))).eTag()).build());
            s3.completeMultipartUpload(b -> b.bucket(BUCKET).key("mp").uploadId(upload).multipartUpload(m -> m.parts(parts)));
            assertThat(s3.headObject(b -> b.bucket(BUCKET).key("mp")).storageClass()).isEqualTo(StorageClass.REDUCED_REDUNDANCY);
            assertThat(ErasureDrives.get(s3, BUCKET, "mp")).isEqualTo(data);
        }
    }

    @Test
    void classesArcaDoesNotStoreAreRefusedAndNothingIsWritten() {
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            for (StorageClass c : List.of(StorageClass.GLACIER, StorageClass.STANDARD_IA, StorageClass.DEEP_ARCHIVE)) {
                S3Assert.assertS3Error(() -> s3.putObject(b -> b.bucket(BUCKET).key("x").storageClass(c),
                        RequestBody.fromBytes(new byte[200 * KIB])), 400, "InvalidStorageClass");
                S3Assert.assertS3Error(() -> s3.createMultipartUpload(b -> b.bucket(BUCKET).key("x").storageClass(c)),
                        400, "InvalidStorageClass");
            }
            assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty();
            assertThat(ErasureDrives.blobIds(server, 4)).isEmpty();
        }
    }

    @Test
    void reducedParityIsConfigurable() {
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--drive-count", "6", "--erasure-parity-rrs", "2",
                "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            SortedSet<String> created = ErasureDrives.newBlobs(server, 6, () -> s3.putObject(b -> b.bucket(BUCKET).key("k")
                    .storageClass(StorageClass.REDUCED_REDUNDANCY), RequestBody.fromBytes(new byte[400 * KIB])));
            assertThat(created).hasSize(1);
            // Six drives: STANDARD is 4+2, and REDUCED_REDUNDANCY configured with parity 2 is 4+2 too.
            Path shard = ErasureDrives.shardsOf(server, 6, created.first()).values().iterator().next();
            byte[] header = ErasureDrives.read(shard);
            assertThat(new int[] {header[HEADER_K] & 0xFF, header[HEADER_M] & 0xFF}).containsExactly(4, 2);
        }
    }
}
