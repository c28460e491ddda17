package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Bodies stream through the server with bounded memory: a server whose heap is far smaller than
 * the object stores and serves it intact. Default 1 GiB through a 128 MiB heap; the 5 GiB
 * case runs with {@code -Darca.large.size=5368709120} (needs that much free disk).
 */
class LargeObjectTest {
    private static final long SIZE = Long.getLong("arca.large.size", 1L << 30);
    private static final String HEAP = "-Xmx128m";
    private static final int BLOCK = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void anObjectMuchLargerThanTheServerHeapStreamsInAndOut() throws Exception {
        long seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("LargeObjectTest seed " + seed + " size " + SIZE + " (replay with -Darca.test.seed=" + seed + ")");
        try (ChildServer child = ChildServer.start(dir.resolve("data"), dir.resolve("server.log"), HEAP);
                S3Client s3 = Clients.builder(child.endpoint, true).build()) {
            s3.createBucket(b -> b.bucket("large"));
            MessageDigest sent = MessageDigest.getInstance("MD5");
            s3.putObject(b -> b.bucket("large").key("big"),
                    RequestBody.fromContentProvider(() -> new Pattern(seed, SIZE, sent), SIZE, "application/octet-stream"));
            String expected = HexFormat.of().formatHex(sent.digest());
            MessageDigest received = MessageDigest.getInstance("MD5");
            long n = 0;
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket("large").key("big"))) {
                assertThat(in.response().contentLength()).isEqualTo(SIZE);
                assertThat(in.response().eTag()).isEqualTo("\"" + expected + "\"");
                byte[] buf = new byte[BLOCK];
                int r;
                while ((r = in.read(buf)) > 0) {
                    received.update(buf, 0, r);
                    n += r;
                }
            }
            assertThat(n).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(expected);
            // A tail range reads only what it needs.
            try (InputStream in = s3.getObject(b -> b.bucket("large").key("big").range("bytes=-100"))) {
                byte[] tail = in.readAllBytes();
                byte[] want = new byte[100];
                Pattern p = new Pattern(seed, SIZE, null);
                p.skipTo(SIZE - 100);
                assertThat(p.read(want, 0, 100)).isEqualTo(100);
                assertThat(tail).isEqualTo(want);
            }
            // Declaring more than 5 GiB is refused before any byte is read.
            S3Exception tooLarge = org.junit.jupiter.api.Assertions.assertThrows(S3Exception.class, () -> s3.putObject(
                    b -> b.bucket("large").key("huge"),
                    RequestBody.fromContentProvider(() -> new Pattern(seed, (5L << 30) + 1, null), (5L << 30) + 1, "application/octet-stream")));
            assertThat(tooLarge.awsErrorDetails().errorCode()).isEqualTo("EntityTooLarge");
            assertThat(child.process.isAlive()).isTrue();
            URI health = URI.create(child.endpoint + "/health/ready");
            assertThat(java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(health).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
            child.stopGracefully("large");
        }
    }

    /**
     * {@code size} deterministic bytes, generated on the fly (a random 1 MiB block, varied per
     * block), optionally fed to a digest as they are read.
     */
    private static final class Pattern extends InputStream {
        private final byte[] block = new byte[BLOCK];
        private final long size;
        private final MessageDigest digest;
        private long position;

        Pattern(long seed, long size, MessageDigest digest) {
            new SplittableRandom(seed).nextBytes(block);
            this.size = size;
            this.digest = digest;
        }

        void skipTo(long target) {
            position = target;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int inBlock = (int) (position % BLOCK);
            int n = (int) Math.min(Math.min(len, BLOCK - inBlock), size - position);
            System.arraycopy(block, inBlock, b, off, n);
            long blockIndex = position / BLOCK;
            // Vary each block so that misplaced blocks are detected: the first byte encodes the index.
            if (inBlock == 0) {
                b[off] ^= (byte) (blockIndex * 31 + 7);
            }
            if (digest != null) {
                digest.update(b, off, n);
            }
            position += n;
            return n;
        }
    }
}
