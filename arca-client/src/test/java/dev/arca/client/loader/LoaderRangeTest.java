package dev.arca.client.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.client.http.HttpTimeouts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loader against {@link RangeServer}: ranges, size discovery, retries, verification, prefetch, pool bounds. */
class LoaderRangeTest {

    private static final String BUCKET = "data";
    private static final int RANGE = 4096;
    private static final int BUFFERS = 8;
    /** Fast retries: tests must not sleep for seconds. */
    private static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));

    private RangeServer server;
    private Loader loader;
    private final Random random = new Random(42);

    @BeforeEach
    void start() throws IOException {
        server = new RangeServer(BUCKET);
        loader = new Loader(config());
    }

    @AfterEach
    void stop() {
        loader.close();
        server.close();
    }

    private LoaderConfig config() {
        return LoaderConfig.of(server.endpoint(), null, null, BUCKET)
                .withRangeSize(RANGE)
                .withMemoryBudget((long) RANGE * BUFFERS)
                .withParallelism(4)
                .withWindow(1, 4)
                .withRetry(FAST_RETRY);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    @Test
    void smallObjectIsOneRangedGetVerifiedByServerAndMetadataChecksums() throws Exception {
        byte[] data = bytes(1000);
        server.put("small", data);

        assertThat(loader.readFully("small")).isEqualTo(data);

        assertThat(server.count("HEAD")).isZero();
        assertThat(server.seen()).singleElement().satisfies(s -> {
            assertThat(s.range()).isEqualTo("bytes=0-" + (RANGE - 1));
            assertThat(s.ifMatch()).isNull();
            assertThat(s.checksumMode()).isEqualTo("ENABLED");
        });
        assertThat(loader.stats().serverChecksums()).isEqualTo(1);
        assertThat(loader.stats().wholeObjectCrcs()).isEqualTo(1);
        awaitNoLeases(loader);
    }

    @Test
    void largeObjectIsReadAsRangesWithIfMatchAndVerifiedWhole() throws Exception {
        byte[] data = bytes(RANGE * 10 + 123);
        server.put("large", data);

        assertThat(loader.readFully("large")).isEqualTo(data);

        List<RangeServer.Seen> gets = server.seen();
        assertThat(gets).hasSize(11);
        assertThat(gets.getFirst().range()).isEqualTo("bytes=0-" + (RANGE - 1));
        assertThat(gets.subList(1, gets.size())).allSatisfy(s -> {
            assertThat(s.ifMatch()).isEqualTo("\"v1\"");
            assertThat(s.checksumMode()).isNull();
        });
        assertThat(gets).extracting(RangeServer.Seen::range)
                .contains("bytes=" + RANGE * 10 + "-" + (RANGE * 10 + 122)); // the last range asks for exactly what is left
        assertThat(loader.stats().serverChecksums()).isZero(); // no response held the whole object
        assertThat(loader.stats().wholeObjectCrcs()).isEqualTo(1);
        awaitNoLeases(loader);
        assertThat(loader.pool().allocated()).isLessThanOrEqualTo(BUFFERS);
    }

    @Test
    void exactMultipleOfTheRangeSize() throws Exception {
        byte[] data = bytes(RANGE * 3);
        server.put("exact", data);
        assertThat(loader.readFully("exact")).isEqualTo(data);
        assertThat(server.gets("exact")).isEqualTo(3);
    }

    @Test
    void emptyObjectComesFromA416WithContentRangeStarSlashZero() throws Exception {
        server.put("empty", new byte[0]);
        assertThat(loader.readFully("empty")).isEmpty();
        try (ObjectReader r = loader.open("empty")) {
            assertThat(r.size()).isZero();
            assertThat(r.read(ByteBuffer.allocate(10))).isEqualTo(-1);
        }
        awaitNoLeases(loader);
    }

    @Test
    void slowDownIsRetriedWithBackoff() throws Exception {
        byte[] data = bytes(RANGE * 2 + 5);
        server.put("k", data);
        server.slowDown(3);

        assertThat(loader.readFully("k")).isEqualTo(data);
        assertThat(loader.stats().retries()).isEqualTo(3);
    }

    @Test
    void givesUpAfterTheRetryBound() throws Exception {
        server.put("k", bytes(100));
        server.slowDown(100);

        assertThatThrownBy(() -> loader.readFully("k"))
                .isInstanceOfSatisfying(LoaderException.RequestFailed.class, e -> assertThat(e.status()).isEqualTo(503))
                .hasMessageContaining("SlowDown");
        assertThat(server.gets("k")).isEqualTo(FAST_RETRY.maxAttempts());
        awaitNoLeases(loader);
    }

    @Test
    void readTimeoutIsRetried() throws Exception {
        loader.close();
        loader = new Loader(config().withTimeouts(new HttpTimeouts(Duration.ofSeconds(5), Duration.ofMillis(200))));
        byte[] data = bytes(RANGE + 1);
        server.put("k", data);
        server.stall(1, 1500);

        assertThat(loader.readFully("k")).isEqualTo(data);
        assertThat(loader.stats().retries()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void missingObjectFailsAtOnce() throws Exception {
        assertThatThrownBy(() -> loader.readFully("nope")).isInstanceOf(LoaderException.NotFound.class);
        assertThat(server.gets("nope")).isEqualTo(1);
    }

    @Test
    void replacedObjectFailsWithIfMatchInsteadOfMixingVersions() throws Exception {
        byte[] v1 = bytes(RANGE * 20);
        byte[] v2 = bytes(RANGE * 20);
        server.put("k", v1);
        AtomicBoolean replaced = new AtomicBoolean();
        server.beforeGetReply((key, first) -> {
            if (first == 0 && replaced.compareAndSet(false, true)) {
                server.put("k", v2); // after the first range's bytes were taken from v1
            }
        });
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (ObjectReader r = loader.open("k")) {
            byte[] buf = new byte[1000];
            assertThatThrownBy(() -> {
                int n;
                while ((n = r.read(buf, 0, buf.length)) >= 0) {
                    got.write(buf, 0, n);
                }
            }).isInstanceOf(LoaderException.ObjectChanged.class);
        }
        byte[] prefix = got.toByteArray();
        assertThat(prefix.length).isLessThan(v1.length);
        assertThat(prefix).isEqualTo(java.util.Arrays.copyOf(v1, prefix.length));
        assertThat(loader.readFully("k")).isEqualTo(v2); // a fresh read sees the new version whole
        awaitNoLeases(loader);
    }

    @Test
    void drainOfAReplacedObjectFailsToo() throws Exception {
        server.put("k", bytes(RANGE * 6));
        AtomicBoolean replaced = new AtomicBoolean();
        server.beforeGetReply((key, first) -> {
            if (first == 0 && replaced.compareAndSet(false, true)) {
                server.put("k", bytes(RANGE * 6));
            }
        });
        assertThatThrownBy(() -> loader.readFully("k")).isInstanceOf(LoaderException.ObjectChanged.class);
        awaitNoLeases(loader);
    }

    @Test
    void corruptRangeFailsTheWholeObjectCrc() throws Exception {
        server.put("big", bytes(RANGE * 5));
        server.corruptAt(RANGE * 3 + 7);
        assertThatThrownBy(() -> loader.readFully("big")).isInstanceOf(LoaderException.ChecksumMismatch.class)
                .hasMessageContaining(Loader.CRC32C_METADATA_HEADER);
    }

    @Test
    void corruptSmallObjectFailsTheServerChecksum() throws Exception {
        byte[] data = bytes(500);
        String crc = Crc32c.toBase64(Crc32c.of(data, 0, data.length));
        server.put("small", data, Map.of("x-amz-checksum-crc32c", crc)); // no metadata: only the server value
        server.corruptAt(10);
        assertThatThrownBy(() -> loader.readFully("small")).isInstanceOf(LoaderException.ChecksumMismatch.class)
                .hasMessageContaining("CRC32C").hasMessageContaining("server");
    }

    @Test
    void verificationCanBeTurnedOff() throws Exception {
        loader.close();
        loader = new Loader(config().withVerifyChecksums(false));
        server.put("big", bytes(RANGE * 2));
        server.corruptAt(5);
        assertThat(loader.readFully("big")).hasSize(RANGE * 2);
        assertThat(server.seen().getFirst().checksumMode()).isNull();
    }

    @Test
    void serverIgnoringRangeStillYieldsTheRightBytes() throws Exception {
        byte[] data = bytes(RANGE * 3 + 10);
        server.put("k", data);
        server.ignoreRange(true);
        assertThat(loader.readFully("k")).isEqualTo(data);
        try (ObjectReader r = loader.open("k")) {
            assertThat(r.asInputStream().readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void readerWindowGrowsWhileSequentialAndResetsOnSeek() throws Exception {
        byte[] data = bytes(RANGE * 30);
        server.put("k", data);
        try (ObjectReader r = loader.open("k")) {
            assertThat(r.window()).isEqualTo(1);
            byte[] buf = new byte[RANGE];
            List<Integer> windows = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                assertThat(r.read(buf, 0, RANGE)).isEqualTo(RANGE);
                assertThat(buf).isEqualTo(java.util.Arrays.copyOfRange(data, i * RANGE, (i + 1) * RANGE));
                windows.add(r.window());
            }
            assertThat(windows).containsExactly(2, 4, 4, 4); // doubles, capped at maxWindow 4
            assertThat(r.prefetched()).isLessThanOrEqualTo(4);
            assertThat(loader.pool().leased()).isLessThanOrEqualTo(5);

            r.seek(RANGE * 20 + 100);
            assertThat(r.window()).isEqualTo(1);
            assertThat(r.position()).isEqualTo(RANGE * 20 + 100);
            byte[] rest = r.asInputStream().readAllBytes();
            assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(data, RANGE * 20 + 100, data.length));
            assertThat(r.window()).isEqualTo(4);
        }
        awaitNoLeases(loader);
        assertThat(loader.stats().wholeObjectCrcs()).isZero(); // a seek turns the whole-object check off
    }

    @Test
    void sequentialReaderVerifiesTheWholeObject() throws Exception {
        byte[] data = bytes(RANGE * 7 + 99);
        server.put("k", data);
        try (ObjectReader r = loader.open("k")) {
            assertThat(r.asInputStream().readAllBytes()).isEqualTo(data);
        }
        assertThat(loader.stats().wholeObjectCrcs()).isEqualTo(1);

        server.corruptAt(RANGE * 6);
        try (ObjectReader r = loader.open("k")) {
            assertThatThrownBy(() -> r.asInputStream().readAllBytes()).isInstanceOf(LoaderException.ChecksumMismatch.class);
        }
        awaitNoLeases(loader);
    }

    @Test
    void manyConcurrentReadsStayWithinThePoolAndFinish() throws Exception {
        loader.close();
        loader = new Loader(config().withMemoryBudget(RANGE * 3L)); // 3 buffers for 16 readers
        List<byte[]> objects = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] data = bytes(RANGE * (1 + i % 5) + i);
            objects.add(data);
            server.put("o" + i, data);
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                int n = i;
                results.add(pool.submit(() -> {
                    if (n % 2 == 0) {
                        return java.util.Arrays.equals(loader.readFully("o" + n), objects.get(n));
                    }
                    try (ObjectReader r = loader.open("o" + n)) {
                        return java.util.Arrays.equals(r.asInputStream().readAllBytes(), objects.get(n));
                    }
                }));
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(loader.pool().allocated()).isLessThanOrEqualTo(3);
        awaitNoLeases(loader);
        assertThat(loader.stats().connects()).isLessThanOrEqualTo(3);
    }

    @Test
    void closingTheLoaderFailsReadsInsteadOfHanging() throws Exception {
        server.put("k", bytes(RANGE * 4));
        server.stall(10, 5000);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> f = pool.submit(() -> loader.readFully("k"));
            Thread.sleep(200);
            loader.close();
            assertThatThrownBy(() -> f.get(5, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IOException.class);
        }
    }

    @Test
    void contentRangeThatDoesNotMatchTheRequestIsRefusedBeforeTheBody() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(100);
        for (String bad : new String[] {"bytes 5-99/1000", "bytes 0-100/1000", "bytes 0-49/1000", "bytes */1000"}) {
            Loader.RangeSink sink = new Loader.RangeSink(buffer, 0, 100, "k");
            assertThatThrownBy(() -> sink.begin(206, List.of(new dev.arca.client.http.HttpHeader("Content-Range", bad))))
                    .as(bad).isInstanceOf(LoaderException.RequestFailed.class);
        }
        Loader.RangeSink last = new Loader.RangeSink(buffer, 900, 100, "k");
        last.begin(206, List.of(new dev.arca.client.http.HttpHeader("Content-Range", "bytes 900-949/950")));
        last.accept(new byte[50], 0, 50);
        last.finish();
        assertThat(last.kept()).isEqualTo(50);
        Loader.RangeSink noHeader = new Loader.RangeSink(buffer, 0, 100, "k");
        assertThatThrownBy(() -> noHeader.begin(206, List.of())).isInstanceOf(LoaderException.RequestFailed.class);
    }

    /** Ranges still in flight when a reader closed return their buffers when they land: wait for that. */
    static void awaitNoLeases(Loader loader) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (loader.pool().leased() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(loader.pool().leased()).isZero();
    }
}
