package dev.arca.client.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Map-style and WebDataset iteration: shuffles, worker splits, grouping, shuffle-buffer determinism. */
class DatasetTest {

    private static final String BUCKET = "ds";
    private static final int RANGE = 2048;

    private RangeServer server;
    private Loader loader;

    @BeforeEach
    void start() throws IOException {
        server = new RangeServer(BUCKET);
        loader = new Loader(LoaderConfig.of(server.endpoint(), null, null, BUCKET)
                .withRangeSize(RANGE).withMemoryBudget(RANGE * 16L)
                .withRetry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2))));
    }

    @AfterEach
    void stop() {
        loader.close();
        server.close();
    }

    private static List<String> keys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("k" + i);
        }
        return keys;
    }

    @Test
    void epochOrdersArePermutationsFixedBySeed() throws Exception {
        MapDataset a = new MapDataset(keys(50), 11);
        MapDataset b = new MapDataset(keys(50), 11);
        MapDataset c = new MapDataset(keys(50), 12);
        assertThat(a.order(0)).containsExactlyInAnyOrderElementsOf(keys(50));
        assertThat(a.order(0)).isEqualTo(b.order(0));
        assertThat(a.order(0)).isNotEqualTo(a.order(1));
        assertThat(a.order(0)).isNotEqualTo(c.order(0));
    }

    @Test
    void workersPartitionEachEpoch() throws Exception {
        MapDataset d = new MapDataset(keys(103), 5);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<String> all = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                List<String> mine = d.keysFor(epoch, w, 4);
                assertThat(mine.size()).isBetween(25, 26);
                all.addAll(mine);
            }
            assertThat(all).containsExactlyInAnyOrderElementsOf(keys(103));
        }
    }

    @Test
    void endlessStreamsCoverEveryEpochEvenWithMoreWorkersThanKeys() throws Exception {
        MapDataset d = new MapDataset(keys(3), 1);
        Map<String, Integer> counts = new HashMap<>();
        for (int w = 0; w < 5; w++) {
            Iterator<String> it = d.stream(w, 5);
            for (int i = 0; i < 6; i++) { // 5 workers x 6 = 30 positions = 10 epochs of 3
                counts.merge(it.next(), 1, Integer::sum);
            }
        }
        assertThat(counts).containsOnlyKeys("k0", "k1", "k2").allSatisfy((k, n) -> assertThat(n).isEqualTo(10));
    }

    @Test
    void mapDatasetSamplesMatchAndEachKeyIsReadOncePerEpoch() throws Exception {
        Random random = new Random(9);
        Map<String, byte[]> data = new HashMap<>();
        for (String k : keys(40)) {
            byte[] b = new byte[random.nextInt(RANGE * 4)];
            random.nextBytes(b);
            data.put(k, b);
            server.put(k, b);
        }
        MapDataset d = new MapDataset(keys(40), 77);
        Set<String> seen = new HashSet<>();
        for (int w = 0; w < 3; w++) {
            List<String> expected = d.keysFor(0, w, 3);
            List<String> got = new ArrayList<>();
            try (CloseableIterator<Sample> it = d.samples(loader, 0, w, 3, 4)) {
                while (it.hasNext()) {
                    Sample s = it.next();
                    assertThat(s.data()).as(s.key()).isEqualTo(data.get(s.key()));
                    got.add(s.key());
                }
            }
            assertThat(got).isEqualTo(expected);
            seen.addAll(got);
        }
        assertThat(seen).hasSize(40);
        for (String k : keys(40)) {
            // one GET per range, none repeated
            assertThat(server.gets(k)).isEqualTo(Math.max(1, (data.get(k).length + RANGE - 1) / RANGE));
        }
        LoaderRangeTest.awaitNoLeases(loader);
    }

    @Test
    void shuffleBufferIsDeterministicAndAPermutation() throws Exception {
        List<Integer> input = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            input.add(i);
        }
        List<Integer> a = shuffle(input, 32, 1);
        assertThat(a).containsExactlyInAnyOrderElementsOf(input);
        assertThat(a).isEqualTo(shuffle(input, 32, 1));
        assertThat(a).isNotEqualTo(shuffle(input, 32, 2));
        assertThat(a).isNotEqualTo(input);
        assertThat(shuffle(input, 1, 1)).isEqualTo(input);
        assertThat(shuffle(input, 0, 1)).isEqualTo(input);
        assertThat(shuffle(List.of(1, 2, 3), 10, 1)).containsExactlyInAnyOrder(1, 2, 3);
    }

    private static List<Integer> shuffle(List<Integer> input, int capacity, long seed) {
        ShuffleBuffer<Integer> b = new ShuffleBuffer<>(capacity, new SplittableRandom(seed));
        List<Integer> out = new ArrayList<>();
        for (Integer i : input) {
            Integer o = b.offer(i);
            if (o != null) {
                out.add(o);
            }
        }
        Integer o;
        while ((o = b.poll()) != null) {
            out.add(o);
        }
        return out;
    }

    /** Writes shards of samples {key.jpg, key.cls, key.json}; returns every sample's members by key. */
    private Map<String, Map<String, byte[]>> writeShards(int shards, int perShard) throws IOException {
        Random random = new Random(4);
        Map<String, Map<String, byte[]>> samples = new HashMap<>();
        for (int s = 0; s < shards; s++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (TarWriter w = new TarWriter(out)) {
                for (int i = 0; i < perShard; i++) {
                    String key = "train/s" + s + "/" + "n".repeat(i % 3 == 0 ? 110 : 3) + i;
                    Map<String, byte[]> m = new java.util.LinkedHashMap<>();
                    byte[] jpg = new byte[random.nextInt(3000)];
                    random.nextBytes(jpg);
                    m.put("jpg", jpg);
                    m.put("cls", Integer.toString(i % 10).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    m.put("json", ("{\"i\":" + i + "}").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    for (var e : m.entrySet()) {
                        w.add(key + "." + e.getKey(), e.getValue());
                    }
                    samples.put(key, m);
                }
            }
            server.put("shard-" + s + ".tar", out.toByteArray());
        }
        return samples;
    }

    @Test
    void webDatasetSamplesAreCompleteAndTheShuffleIsSeeded() throws Exception {
        Map<String, Map<String, byte[]>> expected = writeShards(4, 25);
        List<String> shards = List.of("shard-0.tar", "shard-1.tar", "shard-2.tar", "shard-3.tar");
        WebDatasetShards ds = new WebDatasetShards(shards, 5, 16);

        List<String> order = readKeys(ds, expected, 2);
        assertThat(order).hasSize(100).doesNotHaveDuplicates();
        assertThat(order).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(readKeys(new WebDatasetShards(shards, 5, 16), expected, 2)).isEqualTo(order);
        assertThat(readKeys(new WebDatasetShards(shards, 6, 16), expected, 2)).isNotEqualTo(order);
        assertThat(loader.stats().wholeObjectCrcs()).isEqualTo(12); // every shard streamed whole, 3 runs
        LoaderRangeTest.awaitNoLeases(loader);
    }

    private List<String> readKeys(WebDatasetShards ds, Map<String, Map<String, byte[]>> expected, int workers) {
        List<String> keys = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            try (CloseableIterator<WebDatasetSample> it = ds.samples(loader, 0, w, workers)) {
                while (it.hasNext()) {
                    WebDatasetSample s = it.next();
                    Map<String, byte[]> want = expected.get(s.key());
                    assertThat(want).as(s.key()).isNotNull();
                    assertThat(s.members().keySet()).containsExactly("jpg", "cls", "json");
                    want.forEach((ext, bytes) -> assertThat(s.members().get(ext)).as(s.key() + "." + ext).isEqualTo(bytes));
                    keys.add(s.key());
                }
            }
        }
        return keys;
    }

    @Test
    void endlessShardStreamKeepsGoingAcrossEpochs() throws Exception {
        writeShards(2, 5);
        WebDatasetShards ds = new WebDatasetShards(List.of("shard-0.tar", "shard-1.tar"), 1, 4);
        try (CloseableIterator<WebDatasetSample> it = ds.stream(loader, 0, 3)) {
            for (int i = 0; i < 40; i++) {
                assertThat(it.hasNext()).isTrue();
                assertThat(it.next().members()).containsKeys("jpg", "cls", "json");
            }
        }
        LoaderRangeTest.awaitNoLeases(loader);
    }
}
