package dev.arca.it;

import static dev.arca.it.ErasureDrives.KIB;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Tampering with encrypted objects on the drives of a running server (2+2 on four drives): a flipped
 * bit in a ciphertext chunk, a truncated shard, and one shard swapped with another object's are healed
 * from parity and the GET serves the right bytes; every shard of an object replaced by another
 * object's fails the GET — never the other object's bytes, never wrong bytes. (Ciphertext changed
 * with valid storage checksums, which only the cipher can catch, is EncryptedDataTest's subject.)
 */
final class SealedTamperTest {
    private static final String BUCKET = "tamper";

    @TempDir
    Path dir;

    @Test
    void tamperedCiphertextIsHealedOrRefusedNeverServed() throws IOException {
        Random random = new Random(S3Assert.seed(SealedTamperTest.class));
        try (ArcaTestServer server = ArcaTestServer.start(dir.resolve("data"), "--scrub-rate", "0");
                S3Client s3 = ErasureDrives.client(server)) {
            s3.createBucket(b -> b.bucket(BUCKET));
            int size = 700 * KIB;
            byte[] a = S3Assert.randomBytes(random, size);
            byte[] b = S3Assert.randomBytes(random, size);
            byte[] c = S3Assert.randomBytes(random, size);
            String blobA = only(ErasureDrives.newBlobs(server, 4, () -> ErasureDrives.put(s3, BUCKET, "a", a)));
            String blobB = only(ErasureDrives.newBlobs(server, 4, () -> ErasureDrives.put(s3, BUCKET, "b", b)));
            String blobC = only(ErasureDrives.newBlobs(server, 4, () -> ErasureDrives.put(s3, BUCKET, "c", c)));
            Map<Integer, Path> shardsA = ErasureDrives.shardsOf(server, 4, blobA);
            Map<Integer, Path> shardsB = ErasureDrives.shardsOf(server, 4, blobB);
            Map<Integer, Path> shardsC = ErasureDrives.shardsOf(server, 4, blobC);

            // 1. A flipped bit inside a ciphertext chunk of data shard 0: healed from parity.
            ErasureDrives.flip(shardsA.get(0), ErasureDrives.HEADER_BYTES + random.nextInt(64 * KIB), 1 << random.nextInt(8));
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "a"), a, "a after a flipped bit");

            // 2. A truncated shard: healed.
            truncate(shardsB.get(1), 1000);
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "b"), b, "b after a truncated shard");

            // 3. One shard of c replaced by the same shard of a (same size, another object): healed.
            copy(shardsA.get(0), shardsC.get(0));
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "c"), c, "c after a foreign shard");

            // 4. Every shard of c replaced by b's: beyond parity, so the read fails; b's bytes never come out.
            for (int s = 0; s < 4; s++) {
                copy(shardsB.get(s), shardsC.get(s));
            }
            ErasureDrives.assertReadFails(server, s3, BUCKET, "c", c);
            byte[] maybe = null;
            try {
                maybe = ErasureDrives.get(s3, BUCKET, "c");
            } catch (RuntimeException expected) {
                // failing is the right answer
            }
            assertThat(maybe).as("c read as b").isNull();
            // The other objects are unharmed.
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "a"), a, "a");
            S3Assert.assertSameBytes(ErasureDrives.get(s3, BUCKET, "b"), b, "b");
        }
    }

    private static String only(SortedSet<String> blobs) {
        assertThat(blobs).hasSize(1);
        return blobs.first();
    }

    private static void truncate(Path file, int by) {
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - by);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
}
