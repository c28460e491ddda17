package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The on-disk side of the erasure-coding tests: drives as directories under the data directory
 * ({@code drive-N/shards/<2 hex>/<blob id>}, {@code drive-N/tmp/}), shard file geometry as
 * docs/FORMATS.md describes it, and the S3 helpers these tests share.
 */
final class ErasureDrives {
    /** Shard file header and per-chunk CRC sizes (ShardFormat). */
    static final int HEADER_BYTES = 40;
    static final int FOOTER_BYTES = 28;
    static final int CRC_BYTES = 4;
    /** Offset of the shard index byte in the header. */
    static final int HEADER_SHARD_INDEX = 30;
    /** Data bytes per stripe (Limits.BLOB_BLOCK_BYTES). */
    static final int STRIPE_BYTES = 1 << 20;
    static final int KIB = 1024;
    static final int MIB = 1024 * KIB;

    private ErasureDrives() {}

    /** A client that does not retry, so every failure the server gives is the one the test sees. */
    static S3Client client(ArcaTestServer server) {
        return Clients.builder(server.endpoint(), true)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    static Path drive(ArcaTestServer server, int number) {
        return server.dataDir().resolve("drive-" + number);
    }

    /** rm -rf: the drive fails while the server runs. */
    static void remove(Path drive) {
        if (!Files.exists(drive)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(drive)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(drive).doesNotExist();
    }

    /** An empty directory where a drive was: a replacement drive. */
    static void replace(Path drive) {
        try {
            Files.createDirectories(drive);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of the committed shard files on a drive (blob ids); empty if the drive is gone. */
    static SortedSet<String> shardNames(Path drive) {
        SortedSet<String> names = new TreeSet<>();
        Path shards = drive.resolve("shards");
        if (!Files.isDirectory(shards)) {
            return names;
        }
        try (Stream<Path> walk = Files.walk(shards, 2)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                String name = p.getFileName().toString();
                assertThat(p.getParent().getFileName().toString()).as("fan-out directory of %s", p).isEqualTo(name.substring(0, 2));
                names.add(name);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return names;
    }

    /** Every blob id with a shard on any of the first {@code drives} drives. */
    static SortedSet<String> blobIds(ArcaTestServer server, int drives) {
        SortedSet<String> ids = new TreeSet<>();
        for (int d = 1; d <= drives; d++) {
            ids.addAll(shardNames(drive(server, d)));
        }
        return ids;
    }

    /** Files in a drive's tmp/ (empty if there is no tmp/). */
    static List<Path> tmpFiles(Path drive) {
        Path tmp = drive.resolve("tmp");
        if (!Files.isDirectory(tmp)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(tmp)) {
            return list.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path shardFile(Path drive, String blobId) {
        return drive.resolve("shards").resolve(blobId.substring(0, 2)).resolve(blobId);
    }

    /** The blob's shard files by shard index (read from each header), over the first {@code drives} drives. */
    static Map<Integer, Path> shardsOf(ArcaTestServer server, int drives, String blobId) {
        Map<Integer, Path> shards = new TreeMap<>();
        for (int d = 1; d <= drives; d++) {
            Path f = shardFile(drive(server, d), blobId);
            if (Files.exists(f)) {
                int index = read(f)[HEADER_SHARD_INDEX] & 0xFF;
                assertThat(shards.put(index, f)).as("two files claim shard %d of %s", index, blobId).isNull();
            }
        }
        return shards;
    }

    /** File position of stripe {@code stripe}'s chunk for chunks of {@code chunk} bytes (full stripes). */
    static long chunkPosition(int chunk, long stripe) {
        return HEADER_BYTES + stripe * ((long) chunk + CRC_BYTES);
    }

    /** XORs the byte at {@code position} with a non-zero {@code mask}. */
    static void flip(Path file, long position, int mask) {
        assertThat(mask & 0xFF).isNotZero();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            assertThat(position).isBetween(0L, ch.size() - 1);
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ mask)).rewind();
            ch.write(b, position);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new AssertionError(file + " is missing", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Contents of every shard file on the first {@code drives} drives, by path. */
    static Map<Path, byte[]> snapshot(ArcaTestServer server, int drives) {
        Map<Path, byte[]> files = new TreeMap<>();
        for (int d = 1; d <= drives; d++) {
            for (String id : shardNames(drive(server, d))) {
                Path f = shardFile(drive(server, d), id);
                files.put(f, read(f));
            }
        }
        return files;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code write} and returns the blob ids it created (new shard file names on any drive). */
    static SortedSet<String> newBlobs(ArcaTestServer server, int drives, Runnable write) {
        SortedSet<String> before = blobIds(server, drives);
        write.run();
        SortedSet<String> after = blobIds(server, drives);
        after.removeAll(before);
        return after;
    }

    static void put(S3Client s3, String bucket, String key, byte[] data) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    }

    /** A multipart upload of {@code data} in parts of these sizes (the last takes the rest). */
    static void putMultipart(S3Client s3, String bucket, String key, byte[] data, int... partSizes) {
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        int at = 0;
        for (int p = 0; p < partSizes.length; p++) {
            int len = p == partSizes.length - 1 ? data.length - at : partSizes[p];
            byte[] part = Arrays.copyOfRange(data, at, at + len);
            at += len;
            int number = p + 1;
            String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(number),
                    RequestBody.fromBytes(part)).eTag();
            parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(parts)));
    }

    static byte[] get(S3Client s3, String bucket, String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** Bytes [first, last] (inclusive, as in an HTTP Range). */
    static byte[] getRange(S3Client s3, String bucket, String key, long first, long last) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=" + first + "-" + last)).asByteArray();
    }

    /**
     * Reads every object in full, compares SHA-256s, and reads ranges of each: the first and last
     * byte, a range across the first stripe boundary when there is one, and {@code randomRanges}
     * random ranges from {@code random}.
     */
    static void assertAllReadable(S3Client s3, String bucket, Map<String, byte[]> objects, Random random,
            int randomRanges) {
        for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            String key = e.getKey();
            byte[] want = e.getValue();
            assertThat(sha256(get(s3, bucket, key))).as("SHA-256 of %s (%d bytes)", key, want.length).isEqualTo(sha256(want));
            List<long[]> ranges = new ArrayList<>();
            ranges.add(new long[] {0, 0});
            ranges.add(new long[] {want.length - 1, want.length - 1});
            if (want.length > STRIPE_BYTES + 10) {
                ranges.add(new long[] {STRIPE_BYTES - 10, STRIPE_BYTES + 9});
            }
            for (int i = 0; i < randomRanges; i++) {
                long first = random.nextInt(want.length);
                ranges.add(new long[] {first, first + random.nextInt((int) (want.length - first))});
            }
            for (long[] r : ranges) {
                byte[] got = getRange(s3, bucket, key, r[0], r[1]);
                S3Assert.assertSameBytes(got, Arrays.copyOfRange(want, (int) r[0], (int) r[1] + 1),
                        key + " bytes " + r[0] + "-" + r[1]);
            }
        }
    }

    /**
     * The read of a damaged object must fail, and must never be a 200 that carries the full length
     * with wrong bytes. Checked twice: with the SDK (any exception counts as failing) and with a raw
     * socket, so that the SDK's own checksum validation cannot hide wrong bytes the server sent.
     */
    static void assertReadFails(ArcaTestServer server, S3Client s3, String bucket, String key, byte[] want) {
        AtomicReference<byte[]> returned = new AtomicReference<>();
        Throwable sdk = catchThrowable(() -> returned.set(get(s3, bucket, key)));
        if (returned.get() != null) {
            byte[] got = returned.get();
            throw new AssertionError("GET of damaged " + key + " succeeded with " + got.length + " bytes ("
                    + (Arrays.equals(got, want) ? "correct" : "WRONG") + " content)");
        }
        assertThat(sdk).as("SDK GET of damaged %s", key).isNotNull();
        RawS3 raw = new RawS3(server);
        RawS3.Response r;
        try {
            r = raw.signed("GET", "/" + bucket + "/" + RawS3.encodeKey(key), "", raw.headers(), new byte[0]);
        } catch (UncheckedIOException e) {
            return; // the body was cut short (or the connection dropped): the client knows the read failed
        }
        // A response read to its end (no cut) must be an error: a cleanly ended 200 is a successful read to any client.
        assertThat(r.status()).as("raw GET of damaged %s answered %d with %d bytes (%s content)", key, r.status(),
                r.body().length, Arrays.equals(r.body(), want) ? "correct" : "WRONG").isGreaterThanOrEqualTo(500);
    }
}
