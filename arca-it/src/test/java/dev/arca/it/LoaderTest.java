package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.client.http.HttpEndpoint;
import dev.arca.client.loader.CloseableIterator;
import dev.arca.client.loader.Crc32c;
import dev.arca.client.loader.Loader;
import dev.arca.client.loader.LoaderConfig;
import dev.arca.client.loader.LoaderException;
import dev.arca.client.loader.MapDataset;
import dev.arca.client.loader.ObjectReader;
import dev.arca.client.loader.Sample;
import dev.arca.client.loader.WebDatasetSample;
import dev.arca.client.loader.WebDatasetShards;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * The client loader ({@code arca-client}'s {@code dev.arca.client.loader}) against the real server:
 * a shuffled map dataset read by 4 workers and a WebDataset shard set built by GNU tar, both
 * byte-exact and verified; an object replaced mid-read fails with If-Match instead of mixing
 * versions. Objects are written by the AWS SDK v2 with a CRC32C checksum and the same CRC32C as
 * user metadata ({@link Loader#CRC32C_METADATA}).
 */
class LoaderTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static long seed;

    static final String BUCKET = "loader-it";
    static final int WORKERS = 4;
    static final int OBJECTS = 200;
    /** Objects above one 8 MiB range: the size and ETag of the first response must carry across ranges. */
    static final int LARGE_OBJECTS = 5;
    static final int MIB = 1024 * 1024;

    @BeforeAll
    static void start() throws java.io.IOException {
        seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println("LoaderTest seed: " + seed + " (rerun with -Darca.seed=" + seed + ")");
        server = ArcaTestServer.start(Files.createDirectories(dir.resolve("data")));
        s3 = Clients.pathStyle(server);
        s3.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    static LoaderConfig config() {
        return LoaderConfig.of(HttpEndpoint.parse(server.endpoint()), ArcaTestServer.ACCESS_KEY, ArcaTestServer.SECRET_KEY,
                BUCKET).withMemoryBudget(64L * MIB);
    }

    /** PUT through the SDK with a CRC32C checksum (stored by the server) and the same value as metadata. */
    static void put(String key, byte[] data) {
        String crc = Crc32c.toBase64(Crc32c.of(data, 0, data.length));
        s3.putObject(b -> b.bucket(BUCKET).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32_C)
                .metadata(Map.of(Loader.CRC32C_METADATA, crc)), RequestBody.fromBytes(data));
    }

    static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    @Test
    void shuffledMapDatasetReadByFourWorkersIsByteExactAndEachObjectReadOncePerEpoch() throws Exception {
        Random r = new Random(seed);
        Map<String, byte[]> data = new ConcurrentHashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < OBJECTS; i++) {
            int size;
            if (i == 0) {
                size = 0; // one empty object: a ranged GET answers 416 bytes */0
            } else if (i <= LARGE_OBJECTS) {
                size = 8 * MIB + 1 + r.nextInt(9 * MIB); // crosses one or two range boundaries
            } else if (i % 4 == 0) {
                size = 4096 + r.nextInt(MIB);
            } else {
                size = 1 + r.nextInt(4096);
            }
            String key = "map/" + String.format("%04d", i) + ".bin";
            keys.add(key);
            data.put(key, random(r, size));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> puts = new ArrayList<>();
            for (String k : keys) {
                puts.add(pool.submit(() -> put(k, data.get(k))));
            }
            for (Future<?> f : puts) {
                f.get(120, TimeUnit.SECONDS);
            }
        }

        MapDataset dataset = new MapDataset(keys, seed);
        try (Loader loader = new Loader(config())) {
            for (int epoch = 0; epoch < 2; epoch++) {
                long e = epoch;
                Map<String, Integer> reads = new ConcurrentHashMap<>();
                try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
                    List<Future<List<String>>> results = new ArrayList<>();
                    for (int w = 0; w < WORKERS; w++) {
                        int worker = w;
                        results.add(workers.submit(() -> {
                            List<String> order = new ArrayList<>();
                            try (CloseableIterator<Sample> it = dataset.samples(loader, e, worker, WORKERS, 4)) {
                                while (it.hasNext()) {
                                    Sample s = it.next();
                                    assertThat(s.data()).as(s.key()).isEqualTo(data.get(s.key()));
                                    reads.merge(s.key(), 1, Integer::sum);
                                    order.add(s.key());
                                }
                            }
                            return order;
                        }));
                    }
                    for (int w = 0; w < WORKERS; w++) {
                        assertThat(results.get(w).get(120, TimeUnit.SECONDS)).isEqualTo(dataset.keysFor(e, w, WORKERS));
                    }
                }
                assertThat(reads).hasSize(OBJECTS);
                assertThat(reads.values()).allMatch(n -> n == 1);
            }
            Loader.Stats stats = loader.stats();
            // Every non-empty object verified whole against its CRC32C metadata, twice (two epochs)...
            assertThat(stats.wholeObjectCrcs()).isEqualTo(2L * (OBJECTS - 1));
            // ...and the ones that fit one range also against the checksum the server stored.
            long fitOneRange = data.values().stream().filter(b -> b.length > 0 && b.length <= LoaderConfig.DEFAULT_RANGE_SIZE).count();
            assertThat(stats.serverChecksums()).isEqualTo(2 * fitOneRange);
            assertThat(stats.retries()).isZero();
            assertThat(loader.pool().allocated()).isLessThanOrEqualTo(config().buffers());
        }
        assertThat(dataset.order(0)).isNotEqualTo(dataset.order(1));
    }

    @Test
    void webDatasetShardsBuiltByGnuTarReadCompleteAndByteIdentical() throws Exception {
        Random r = new Random(seed + 1);
        int shards = 4;
        int perShard = 30;
        Map<String, Map<String, byte[]>> samples = new HashMap<>();
        List<String> shardKeys = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            Path src = Files.createDirectories(dir.resolve("wds-" + s));
            List<String> members = new ArrayList<>();
            for (int i = 0; i < perShard; i++) {
                // Some keys are long enough to need GNU long-name (or PAX) headers.
                String key = "train/" + (i % 5 == 0 ? "class-" + "x".repeat(120) + "/" : "") + String.format("s%d-%05d", s, i);
                Map<String, byte[]> m = new LinkedHashMap<>();
                m.put("jpg", random(r, 1 + r.nextInt(200_000)));
                m.put("cls", Integer.toString(r.nextInt(1000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                m.put("json", ("{\"shard\":" + s + ",\"i\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                for (var e : m.entrySet()) {
                    Path p = src.resolve(key + "." + e.getKey());
                    Files.createDirectories(p.getParent());
                    Files.write(p, e.getValue());
                    members.add(key + "." + e.getKey());
                }
                samples.put(key, m);
            }
            Path tar = dir.resolve("shard-" + s + ".tar");
            List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + (s % 2 == 0 ? "gnu" : "posix"),
                    "-cf", tar.toString(), "-C", src.toString()));
            cmd.addAll(members); // member order as listed: a sample's files stay consecutive
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(log).isZero();
            String shardKey = "wds/shard-" + s + ".tar";
            put(shardKey, Files.readAllBytes(tar));
            shardKeys.add(shardKey);
        }

        WebDatasetShards dataset = new WebDatasetShards(shardKeys, seed, 20);
        // Small ranges so each shard spans many ranges and the reader's prefetch window is exercised.
        try (Loader loader = new Loader(config().withRangeSize(256 * 1024))) {
            Map<String, Integer> seen = new HashMap<>();
            for (int w = 0; w < 2; w++) {
                try (CloseableIterator<WebDatasetSample> it = dataset.samples(loader, 0, w, 2)) {
                    while (it.hasNext()) {
                        WebDatasetSample s = it.next();
                        Map<String, byte[]> want = samples.get(s.key());
                        assertThat(want).as("unexpected sample " + s.key()).isNotNull();
                        assertThat(s.members().keySet()).containsExactlyInAnyOrder("jpg", "cls", "json");
                        want.forEach((ext, bytes) -> assertThat(s.members().get(ext)).as(s.key() + "." + ext).isEqualTo(bytes));
                        seen.merge(s.key(), 1, Integer::sum);
                    }
                }
            }
            assertThat(seen).hasSize(shards * perShard);
            assertThat(seen.values()).allMatch(n -> n == 1);
            assertThat(loader.stats().wholeObjectCrcs()).isEqualTo(shards);
        }
    }

    @Test
    void objectReplacedDuringReadFailsCleanlyInsteadOfMixingVersions() throws Exception {
        Random r = new Random(seed + 2);
        byte[] v1 = random(r, 3 * MIB);
        byte[] v2 = random(r, 3 * MIB);
        put("replaced.bin", v1);
        int range = 64 * 1024;
        try (Loader loader = new Loader(config().withRangeSize(range).withWindow(1, 4))) {
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            try (ObjectReader reader = loader.open("replaced.bin")) {
                assertThat(reader.size()).isEqualTo(v1.length);
                byte[] buf = new byte[range];
                int n = reader.read(buf, 0, buf.length);
                got.write(buf, 0, n);
                put("replaced.bin", v2);
                assertThatThrownBy(() -> {
                    int m;
                    while ((m = reader.read(buf, 0, buf.length)) >= 0) {
                        got.write(buf, 0, m);
                    }
                }).isInstanceOf(LoaderException.ObjectChanged.class);
            }
            byte[] prefix = got.toByteArray();
            assertThat(prefix.length).isLessThan(v1.length);
            assertThat(prefix).isEqualTo(Arrays.copyOf(v1, prefix.length));
            // A fresh read sees the new version, whole.
            assertThat(loader.readFully("replaced.bin")).isEqualTo(v2);
        }
    }
}
