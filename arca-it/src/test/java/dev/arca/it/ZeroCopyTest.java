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
 * {@code zero-copy = verified}: GETs of data stored as served (encryption off, one drive: k = 1,
 * m = 0 blobs) go out from the shard files with sendfile and return exactly the object's bytes,
 * ranges included; encrypted, inline and erasure-coded objects keep the ordinary path; a chunk
 * that fails its CRC is never sent.
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

            // Damage in a later chunk: verified mode never sends it (the response is cut, not wrong).
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
    void erasureCodedAndEncryptedDataKeepsTheOrdinaryPath() {
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("ec"), "--zero-copy", "verified");
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ecbucket"));
            byte[] big = bytes(new Random(1), 2 * 1024 * 1024 + 1);
            s3.putObject(b -> b.bucket("ecbucket").key("big"), RequestBody.fromBytes(big));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("big")).asByteArray()).isEqualTo(big);
            assertThat(get(s3, "ecbucket", "big", "bytes=1048000-1049000")).isEqualTo(Arrays.copyOfRange(big, 1048000, 1049001));
            assertThat(server.server().zeroCopy().sourcesOpened()).isZero();
        }
        try (ArcaTestServer server = ArcaTestServer.start(tmp.resolve("ec-clear"), "--zero-copy", "verified",
                "--encryption", "off"); S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("ecbucket"));
            byte[] big = bytes(new Random(2), 2 * 1024 * 1024 + 1);
            s3.putObject(b -> b.bucket("ecbucket").key("big"), RequestBody.fromBytes(big));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("ecbucket").key("big")).asByteArray()).isEqualTo(big);
            assertThat(server.server().zeroCopy().sourcesOpened()).as("clear but erasure-coded (k > 1)").isZero();
        }
    }
}
