package dev.arca.client.feed;

import dev.arca.client.bench.Units;
import dev.arca.client.http.HttpHeader;
import dev.arca.client.http.HttpResponse;
import dev.arca.client.loader.Crc32c;
import dev.arca.client.loader.Loader;
import dev.arca.client.loader.LoaderConfig;
import dev.arca.client.loader.LoaderException;
import dev.arca.client.loader.ObjectClient;
import dev.arca.client.loader.RetryPolicy;
import dev.arca.client.loader.TarWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The synthetic dataset a feed run reads, and its generator. Objects live under a prefix that
 * names everything that shapes them ({@code feed/unet3d-7330031B-168s/}), so presets that share a
 * workload share data and a changed size or count gets a fresh prefix. A {@value #MANIFEST} object
 * written last marks the dataset complete.
 *
 * <p>File workloads store one object per sample; ResNet-50 stores tar shards of records, each
 * record a {@code .jpg} member of the sample size plus a {@code .cls} label. Every object carries
 * its CRC32C twice: as {@code x-amz-checksum-crc32c} (the server verifies it on PUT and returns it
 * on whole-object reads) and as {@value Loader#CRC32C_METADATA_HEADER} (which the loader checks on
 * every complete read, whatever the size). Bytes are pseudo-random from a fixed seed, so a
 * dataset is the same every time it is generated.
 *
 * @param preset the workload
 * @param sampleBytes bytes per sample (record) after scaling
 * @param objects objects holding samples: samples for files, shards for tar shards
 * @param recordsPerShard records per shard (1 for files)
 * @param prefix the key prefix, ending in '/'
 */
record FeedDataset(Preset preset, long sampleBytes, int objects, int recordsPerShard, String prefix) {

    /** The default dataset stays near this size: enough to defeat nothing, small enough for a laptop. */
    static final long DEFAULT_DATASET_BYTES = 2 * Units.GIB;
    /** File datasets get at most this many samples by default (object count drives generation time). */
    static final int MAX_DEFAULT_SAMPLES = 1024;
    /** Shard datasets get at most this many shards by default. */
    static final int MAX_DEFAULT_SHARDS = 16;
    /** A default dataset holds at least this many batches. */
    static final int MIN_DEFAULT_BATCHES = 2;
    /** The object written last; its presence means the dataset is complete. */
    static final String MANIFEST = "MANIFEST";
    /** Objects are uploaded this many at a time. */
    static final int GENERATOR_THREADS = 4;
    /** Fixed: the dataset's bytes must not depend on the run's shuffle seed. */
    static final long DATA_SEED = 0x00A7CAFEEDL;
    /** A generated object must fit in one array. */
    static final long MAX_OBJECT_BYTES = Integer.MAX_VALUE - 1024;
    /** Member extensions of a ResNet-50 record. */
    static final String RECORD_EXTENSION = "jpg";
    static final String LABEL_EXTENSION = "cls";
    /** Labels cycle through ImageNet's class count. */
    private static final int CLASSES = 1000;

    /** Sizes the dataset for a run: the preset's shape at the run's scale, or {@code --samples}. */
    static FeedDataset plan(FeedConfig c) {
        Preset p = c.preset();
        long sample = c.sampleBytes();
        if (p.format() == Preset.Format.FILES) {
            int samples = c.samples() > 0 ? c.samples()
                    : (int) Math.max((long) p.batch() * MIN_DEFAULT_BATCHES,
                            Math.min(Math.min(p.dlioSamples(), MAX_DEFAULT_SAMPLES), DEFAULT_DATASET_BYTES / sample));
            return new FeedDataset(p, sample, samples, 1,
                    String.format(Locale.ROOT, "feed/%s-%dB-%ds/", p.family(), sample, samples));
        }
        int shards;
        int perShard;
        if (c.samples() > 0) {
            shards = Math.ceilDiv(c.samples(), Preset.RECORDS_PER_SHARD);
            perShard = Math.ceilDiv(c.samples(), shards);
        } else {
            perShard = Preset.RECORDS_PER_SHARD;
            shards = Math.clamp(DEFAULT_DATASET_BYTES / (sample * perShard), 1, MAX_DEFAULT_SHARDS);
        }
        return new FeedDataset(p, sample, shards, perShard,
                String.format(Locale.ROOT, "feed/%s-%dB-%dx%d/", p.family(), sample, shards, perShard));
    }

    /** Samples in the dataset. */
    long samples() {
        return (long) objects * recordsPerShard;
    }

    /** Bytes of sample data (tar headers and labels not counted). */
    long bytes() {
        return samples() * sampleBytes;
    }

    /** The keys of the data objects (samples or shards), in base order. */
    List<String> objectKeys() {
        List<String> keys = new ArrayList<>(objects);
        for (int i = 0; i < objects; i++) {
            keys.add(objectKey(i));
        }
        return keys;
    }

    String objectKey(int i) {
        return preset.format() == Preset.Format.FILES
                ? String.format(Locale.ROOT, "%ssample-%07d.bin", prefix, i)
                : String.format(Locale.ROOT, "%sshard-%06d.tar", prefix, i);
    }

    /** The manifest text: what a complete dataset under this prefix holds. */
    String manifest() {
        return "arca-feed dataset v1\nfamily=" + preset.family() + "\nformat=" + preset.format()
                + "\nsample_bytes=" + sampleBytes + "\nobjects=" + objects + "\nrecords_per_object=" + recordsPerShard + "\n";
    }

    /** Whether the dataset is complete in the bucket (its manifest is there and matches). */
    boolean present(Loader loader) throws IOException {
        try {
            byte[] m = loader.readFully(prefix + MANIFEST);
            return new String(m, StandardCharsets.UTF_8).equals(manifest());
        } catch (LoaderException.NotFound e) {
            return false;
        }
    }

    /** Creates the bucket if needed and uploads every object, then the manifest. */
    void generate(LoaderConfig config, PrintStream log) throws IOException, InterruptedException {
        if (objectBytes() > MAX_OBJECT_BYTES) {
            throw new IOException("objects of " + objectBytes() + " bytes are too large to generate; lower --scale");
        }
        try (ObjectClient client = new ObjectClient(config)) {
            HttpResponse r = client.createBucket();
            if (!r.isSuccess() && !(r.status() == 409 && r.errorText().contains("BucketAlreadyOwnedByYou"))) {
                throw new IOException("cannot create bucket " + config.bucket() + ": HTTP " + r.status() + " " + r.errorText().strip());
            }
        }
        log.printf(Locale.ROOT, "arca-feed: generating %d %s of %s (%s of samples) under s3://%s/%s%n", objects,
                preset.format() == Preset.Format.FILES ? "samples" : "shards of " + recordsPerShard + " records",
                Units.formatSize(sampleBytes), Units.formatSize(bytes()), config.bucket(), prefix);
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < Math.min(GENERATOR_THREADS, objects); t++) {
            threads.add(Thread.ofVirtual().name("feed-generator-" + t).start(() -> {
                try (ObjectClient client = new ObjectClient(config)) {
                    int i;
                    while (failure.get() == null && (i = next.getAndIncrement()) < objects) {
                        put(client, config.retry(), objectKey(i), content(i));
                    }
                } catch (IOException | RuntimeException | InterruptedException e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IOException("dataset generation failed: " + failure.get().getMessage(), failure.get());
        }
        try (ObjectClient client = new ObjectClient(config)) {
            put(client, config.retry(), prefix + MANIFEST, manifest().getBytes(StandardCharsets.UTF_8));
        }
        log.printf(Locale.ROOT, "arca-feed: generated in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    /** Bytes of one data object (an estimate for shards: records plus tar overhead). */
    long objectBytes() {
        if (preset.format() == Preset.Format.FILES) {
            return sampleBytes;
        }
        long block = 512;
        long record = block + Math.ceilDiv(sampleBytes, block) * block + 2 * block;
        return recordsPerShard * record + 2 * block;
    }

    /** The bytes of data object {@code i}: deterministic. */
    byte[] content(int i) throws IOException {
        SplittableRandom random = new SplittableRandom(DATA_SEED * 31 + i);
        if (preset.format() == Preset.Format.FILES) {
            byte[] data = new byte[(int) sampleBytes];
            random.nextBytes(data);
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) objectBytes());
        byte[] record = new byte[(int) sampleBytes];
        try (TarWriter tar = new TarWriter(out)) {
            for (int r = 0; r < recordsPerShard; r++) {
                random.nextBytes(record);
                String key = String.format(Locale.ROOT, "%06d-%06d", i, r);
                tar.add(key + "." + RECORD_EXTENSION, record);
                tar.add(key + "." + LABEL_EXTENSION, Integer.toString(r % CLASSES).getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    /** PUT with both CRC32C headers, retrying what the loader would retry. */
    private static void put(ObjectClient client, RetryPolicy retry, String key, byte[] body)
            throws IOException, InterruptedException {
        String crc = Crc32c.toBase64(Crc32c.of(body, 0, body.length));
        List<HttpHeader> headers = List.of(
                new HttpHeader("x-amz-checksum-crc32c", crc),
                new HttpHeader(Loader.CRC32C_METADATA_HEADER, crc),
                new HttpHeader("Content-Type", "application/octet-stream"));
        String last = "";
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                Thread.sleep(retry.delayBefore(attempt, ThreadLocalRandom.current()));
            }
            try {
                HttpResponse r = client.put(key, body, headers);
                if (r.isSuccess()) {
                    return;
                }
                last = "HTTP " + r.status() + " " + r.errorText().strip();
                if (!RetryPolicy.retryable(r.status())) {
                    break;
                }
            } catch (IOException e) {
                last = e.toString();
            }
        }
        throw new IOException("PUT " + key + " failed: " + last);
    }
}
