package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * {@code zero-copy = verified}: GETs of data stored as served (encryption off; one drive, k = 1,
 * m = 0, or four drives, 2+2) go out from the data shard files with sendfile and return exactly
 * the object's bytes, ranges included; encrypted and inline objects keep the ordinary path; a
 * chunk that fails its CRC is never sent: its stripe is read through the ordinary path, which
 * reconstructs it from parity (without parity the response is cut).
 */
class ZeroCopyTest {
    @TempDir
    Path tmp;

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    static byte[] get(S3Client s3, String bucket, String key, String range) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(range)).asByteArray();
    }

    @Test
    void oneDriveClearDataIsSentFromTheShardFilesExactly() throws Exception {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("data"), "--drive-count", "1", "--encryption", "off",
                "--zero-copy", "verified"); S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("zcopy"));
            Random random = new Random(77);
            byte[] big = bytes(random, 3 * 1024 * 1024 + 5);
            byte[] oneChunk = bytes(random, 200 * 1024);
            byte[] inline = bytes(random, 1000);
            s3.putObject(b -> b.bucket("zcopy").key("big"), RequestBody.fromBytes(big));
            s3.putObject(b -> b.bucket("zcopy").key("one-chunk"), RequestBody.fromBytes(oneChunk));
            s3.putObject(b -> b.bucket("zcopy").key("inline"), RequestBody.fromBytes(inline));
            s3.putObject(b -> b.bucket("zcopy").key("sealed").serverSideEncryption(ServerSideEncryption.AES256),
                    RequestBody.fromBytes(oneChunk));
            byte[] part1 = bytes(random, 5 * 1024 * 1024 + 3);
            byte[] part2 = bytes(random, 1024 * 1024 + 9);
            String upload = s3.createMultipartUpload(b -> b.bucket("zcopy").key("multi")).uploadId();
            String e1 = s3.uploadPart(b -> b.bucket("zcopy").key("multi").uploadId(upload).partNumber(1),
                    RequestBody.fromBytes(part1)).eTag();
            String e2 = s3.uploadPart(b -> b.bucket("zcopy").key("multi").uploadId(upload).partNumber(2),
                    RequestBody.fromBytes(part2)).eTag();
            s3.completeMultipartUpload(b -> b.bucket("zcopy").key("multi").uploadId(upload).multipartUpload(m -> m.parts(
                    CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
            byte[] multi = new byte[part1.length + part2.length];
            System.arraycopy(part1, 0, multi, 0, part1.length);
            System.arraycopy(part2, 0, multi, part1.length, part2.length);

            var zeroCopy = server.server().zeroCopy();
            long before = zeroCopy.sourcesOpened();
            assertThat(s3.getObjectAsBytes(b -> b.bucket("zcopy").key("big")).asByteArray()).isEqualTo(big);
            assertThat(get(s3, "zcopy", "big", "bytes=1048570-1048590")).isEqualTo(Arrays.copyOfRange(big, 1048570, 1048591));
            assertThat(get(s3, "zcopy", "big", "bytes=2097150-")).isEqualTo(Arrays.copyOfRange(big, 2097150, big.length));
            assertThat(get(s3, "zcopy", "big", "bytes=100-199")).isEqualTo(Arrays.copyOfRange(big, 100, 200));
            assertThat(get(s3, "zcopy", "big", "bytes=-7")).isEqualTo(Arrays.copyOfRange(big, big.length - 7, big.length));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("zcopy").key("one-chunk")).asByteArray()).isEqualTo(oneChunk);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("zcopy").key("multi")).asByteArray()).isEqualTo(multi);
            // A range across the two parts' blobs.
            int across = part1.length - 10;
            assertThat(get(s3, "zcopy", "multi", "bytes=" + across + "-" + (across + 30)))
                    .isEqualTo(Arrays.copyOfRange(multi, across, across + 31));
            assertThat(zeroCopy.sourcesOpened() - before).as("every blob GET above went zero-copy").isEqualTo(8);

            // Inline and encrypted objects are not stored as served: the ordinary path.
            long mid = zeroCopy.sourcesOpened();
            assertThat(s3.getObjectAsBytes(b -> b.bucket("zcopy").key("inline")).asByteArray()).isEqualTo(inline);
            assertThat(s3.getObjectAsBytes(b -> b.bucket("zcopy").key("sealed")).asByteArray()).isEqualTo(oneChunk);
            assertThat(zeroCopy.sourcesOpened()).isEqualTo(mid);

            // Many GETs on one keep-alive connection (the SDK pools it) stay correct.
            for (int i = 0; i < 30; i++) {
                assertThat(get(s3, "zcopy", "one-chunk", "bytes=" + i + "-" + (i + 99))).isEqualTo(Arrays.copyOfRange(oneChunk, i, i + 100));
            }

            // Damage in a later chunk: verified mode never sends it; with no parity to rebuild it from,
            // the ordinary path fails too and the response is cut, not wrong.
            Path shard = largestShard(server.dataDir().resolve("drive-1"));
            long chunk1 = 40 + (1024 * 1024 + 4) + 1000;
            try (var ch = java.nio.channels.FileChannel.open(shard, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
                ch.read(one, chunk1);
                one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
                ch.write(one, chunk1);
            }
            RawS3 raw = new RawS3(server);
            assertThatThrownBy(() -> raw.signed("GET", "/zcopy/multi", "", raw.headers(), new byte[0]))
                    .hasRootCauseInstanceOf(IOException.class);
        }
    }

    /** The biggest shard file of a one-drive node: the first part of "multi" (5 MiB). */
    static Path largestShard(Path drive) throws IOException {
        try (Stream<Path> files = Files.walk(drive.resolve("shards"))) {
            return files.filter(Files::isRegularFile).max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        }
    }

    @Test
    void overTlsTheSameBodyGoesThroughTheOrdinaryStream() {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("tls"), "--drive-count", "1", "--encryption", "off",
                "--zero-copy", "verified", "--tls-port", "0");
                S3Client plain = Clients.pathStyle(server);
                S3Client secure = TlsTest.https(server, server.dataDir().resolve("tls/cert.pem"))) {
            plain.createBucket(b -> b.bucket("zcopy-tls"));
            byte[] big = bytes(new Random(5), 2 * 1024 * 1024 + 333);
            plain.putObject(b -> b.bucket("zcopy-tls").key("big"), RequestBody.fromBytes(big));
            assertThat(secure.getObjectAsBytes(b -> b.bucket("zcopy-tls").key("big")).asByteArray()).isEqualTo(big);
            assertThat(get(secure, "zcopy-tls", "big", "bytes=1048575-1048577"))
                    .isEqualTo(Arrays.copyOfRange(big, 1048575, 1048578));
            assertThat(plain.getObjectAsBytes(b -> b.bucket("zcopy-tls").key("big")).asByteArray()).isEqualTo(big);
        }
    }

    @Test
    void encryptedDataKeepsTheOrdinaryPath() {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("ec"), "--zero-copy", "verified");
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ecbucket"));
            byte[] big = bytes(new Random(1), 2 * 1024 * 1024 + 1);
            s3.putObject(b -> b.bucket("ecbucket").key("big"), RequestBody.fromBytes(big));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("big")).asByteArray()).isEqualTo(big);
            assertThat(get(s3, "ecbucket", "big", "bytes=1048000-1049000")).isEqualTo(Arrays.copyOfRange(big, 1048000, 1049001));
            assertThat(server.server().zeroCopy().sourcesOpened()).as("encrypted by default (SSE-S3)").isZero();
        }
    }

    static final int MIB = 1024 * 1024;
    /** A 2+2 blob's chunk: a 1 MiB stripe split over two data shards. */
    static final int CHUNK = MIB / 2;

    /** GETs {@code key} whole and at ranges around its chunk and stripe boundaries (2+2), comparing every byte. */
    static int checkRanges(S3Client s3, String bucket, String key, byte[] data) {
        int n = data.length;
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).as(key).isEqualTo(data);
        java.util.List<long[]> ranges = new java.util.ArrayList<>(java.util.List.of(new long[] {0, 0}, new long[] {n - 1, n - 1},
                new long[] {0, n - 1}, new long[] {1, n - 2}));
        for (long at = CHUNK; at < n; at += CHUNK) {
            ranges.add(new long[] {at - 1, Math.min(n - 1, at)}); // across a chunk (and every other time a stripe) boundary
            ranges.add(new long[] {at - 100, Math.min(n - 1, at + CHUNK + 100)}); // across two boundaries
        }
        int gets = 1;
        for (long[] r : ranges) {
            if (r[0] >= 0 && r[0] <= r[1]) {
                assertThat(get(s3, bucket, key, "bytes=" + r[0] + "-" + r[1])).as("%s bytes %d-%d", key, r[0], r[1])
                        .isEqualTo(Arrays.copyOfRange(data, (int) r[0], (int) r[1] + 1));
                gets++;
            }
        }
        assertThat(get(s3, bucket, key, "bytes=-7")).isEqualTo(Arrays.copyOfRange(data, n - 7, n));
        assertThat(get(s3, bucket, key, "bytes=" + (n - 3) + "-")).isEqualTo(Arrays.copyOfRange(data, n - 3, n));
        return gets + 2;
    }

    static byte[] putMultipart(S3Client s3, String bucket, String key, byte[] part1, byte[] part2) {
        String upload = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        String e1 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(1), RequestBody.fromBytes(part1)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload).partNumber(2), RequestBody.fromBytes(part2)).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
        byte[] all = new byte[part1.length + part2.length];
        System.arraycopy(part1, 0, all, 0, part1.length);
        System.arraycopy(part2, 0, all, part1.length, part2.length);
        return all;
    }

    @Test
    void erasureCodedClearDataIsSentFromItsDataShardsExactly() {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("ec-clear"), "--zero-copy", "verified",
                "--encryption", "off"); S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ecbucket"));
            Random random = new Random(2);
            var zeroCopy = server.server().zeroCopy();
            int gets = 0;
            // One short stripe, one whole stripe, a last stripe of one byte, several stripes and a bit.
            for (int length : new int[] {200 * 1024 + 3, MIB, 2 * MIB + 1, 3 * MIB + 5}) {
                byte[] data = bytes(random, length);
                String key = "o" + length;
                s3.putObject(b -> b.bucket("ecbucket").key(key), RequestBody.fromBytes(data));
                gets += checkRanges(s3, "ecbucket", key, data);
            }
            byte[] multi = putMultipart(s3, "ecbucket", "multi", bytes(random, 5 * MIB + 3), bytes(random, MIB + 9));
            gets += checkRanges(s3, "ecbucket", "multi", multi);
            int across = 5 * MIB + 3 - 10;
            assertThat(get(s3, "ecbucket", "multi", "bytes=" + across + "-" + (across + 30)))
                    .isEqualTo(Arrays.copyOfRange(multi, across, across + 31));
            gets++;
            assertThat(zeroCopy.sourcesOpened()).as("every GET went zero-copy").isEqualTo(gets);
            assertThat(zeroCopy.ordinaryReads()).isZero();

            byte[] sealed = bytes(random, 300 * 1024);
            s3.putObject(b -> b.bucket("ecbucket").key("sealed").serverSideEncryption(ServerSideEncryption.AES256),
                    RequestBody.fromBytes(sealed));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("sealed")).asByteArray()).isEqualTo(sealed);
            assertThat(zeroCopy.sourcesOpened()).as("encrypted: the ordinary path").isEqualTo(gets);
        }
    }

    /** Shard {@code index} of the blob of {@code blobLength} bytes (lengths are unique in the tests), on any drive. */
    static Path shardFile(Path data, long blobLength, int index) throws IOException {
        java.util.List<Path> found = new java.util.ArrayList<>();
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.filter(f -> Files.isRegularFile(f) && f.getParent().getParent().getFileName().toString()
                    .equals("shards")).toList()) {
                try (var ch = java.nio.channels.FileChannel.open(p, StandardOpenOption.READ)) {
                    java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(40);
                    ch.read(h, 0);
                    java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(8);
                    ch.read(f, ch.size() - 20);
                    if ((h.get(30) & 0xFF) == index && f.getLong(0) == blobLength) {
                        found.add(p);
                    }
                }
            }
        }
        assertThat(found).as("shard %d of the blob of %d bytes", index, blobLength).hasSize(1);
        return found.getFirst();
    }

    static byte flip(Path file, long position) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, position);
            byte was = one.get(0);
            one.put(0, (byte) (was ^ 0x5A)).rewind();
            ch.write(one, position);
            return was;
        }
    }

    static byte byteAt(Path file, long position) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            ch.read(one, position);
            return one.get(0);
        }
    }

    @Test
    void damagedOrMissingDataShardsStillServeTheRightBytes() throws Exception {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("ec-damage"), "--zero-copy", "verified",
                "--encryption", "off"); S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ecbucket"));
            Random random = new Random(3);
            var zeroCopy = server.server().zeroCopy();
            byte[] damaged = bytes(random, 3 * MIB + 11);
            byte[] missing = bytes(random, 2 * MIB + 13);
            s3.putObject(b -> b.bucket("ecbucket").key("damaged"), RequestBody.fromBytes(damaged));
            s3.putObject(b -> b.bucket("ecbucket").key("missing"), RequestBody.fromBytes(missing));
            byte[] part2 = bytes(random, MIB + 19);
            byte[] multi = putMultipart(s3, "ecbucket", "multi", bytes(random, 5 * MIB + 17), part2);

            // A flipped byte in stripe 1's chunk of data shard 0 (the file keeps its size).
            Path shard0 = shardFile(server.dataDir(), damaged.length, 0);
            long at = 40 + (CHUNK + 4) + 1000;
            byte original = flip(shard0, at);
            assertThat(original).isEqualTo(damaged[MIB + 1000]);
            long opened = zeroCopy.sourcesOpened();
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("damaged")).asByteArray()).isEqualTo(damaged);
            assertThat(zeroCopy.sourcesOpened()).as("zero-copy").isEqualTo(opened + 1);
            assertThat(zeroCopy.ordinaryReads()).as("the damaged stripe through the ordinary path").isEqualTo(1);
            assertThat(get(s3, "ecbucket", "damaged", "bytes=" + (MIB - 5) + "-" + (MIB + 1005)))
                    .isEqualTo(Arrays.copyOfRange(damaged, MIB - 5, MIB + 1006));
            // The ordinary reader queued the blob for healing: the healer rewrites the shard.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (byteAt(shardFile(server.dataDir(), damaged.length, 0), at) != original) {
                assertThat(System.nanoTime()).as("healed in time").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(server.server().blobStore().stats().corruptChunks()).isPositive();
            long ordinary = zeroCopy.ordinaryReads();
            checkRanges(s3, "ecbucket", "damaged", damaged);
            assertThat(zeroCopy.ordinaryReads()).as("healed: all from the files again").isEqualTo(ordinary);

            // A deleted data shard: the GET takes the ordinary path, which reconstructs from parity. The
            // ordinary open also queues the heal, which may finish before zero-copy looks at the files:
            // then the GET goes zero-copy from complete files, and the shard must be back.
            Files.delete(shardFile(server.dataDir(), missing.length, 1));
            opened = zeroCopy.sourcesOpened();
            assertThat(get(s3, "ecbucket", "missing", "bytes=" + (CHUNK - 3) + "-" + (MIB + CHUNK + 3)))
                    .isEqualTo(Arrays.copyOfRange(missing, CHUNK - 3, MIB + CHUNK + 4));
            if (zeroCopy.sourcesOpened() != opened) {
                assertThat(zeroCopy.sourcesOpened()).isEqualTo(opened + 1);
                assertThat(shardFile(server.dataDir(), missing.length, 1)).as("healed before zero-copy looked").exists();
            }
            // (It also queued a heal, so by now the GET may go zero-copy again.)
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("missing")).asByteArray()).isEqualTo(missing);
            opened = zeroCopy.sourcesOpened();

            // A later blob of a multipart object lacking a data shard: that blob through the ordinary path
            // (unless, as above, the heal its open queued has already put the shard back).
            Files.delete(shardFile(server.dataDir(), part2.length, 0));
            ordinary = zeroCopy.ordinaryReads();
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("multi")).asByteArray()).isEqualTo(multi);
            assertThat(zeroCopy.sourcesOpened()).isEqualTo(opened + 1);
            if (zeroCopy.ordinaryReads() != ordinary + 1) {
                assertThat(zeroCopy.ordinaryReads()).isEqualTo(ordinary);
                assertThat(shardFile(server.dataDir(), part2.length, 0)).as("healed before zero-copy looked").exists();
            }
        }
    }
}
