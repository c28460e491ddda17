package dev.arca.client.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A WebDataset: samples stored as tar shards. Each shard is streamed once, front to back, through
 * an {@link ObjectReader} (adaptive prefetch, verified); consecutive members with the same key
 * (path up to the first '.' of the file name) form one sample; samples pass through a
 * {@link ShuffleBuffer} of {@code shuffleBuffer} samples seeded by {@code (seed, epoch, worker)}.
 * Shards are shuffled per epoch with the seed and split across workers like
 * {@link MapDataset}'s keys: worker {@code w} of {@code W} takes shard positions {@code w, w+W, ...}.
 *
 * <p>Memory per iterator: the shuffle buffer's samples, one sample being assembled, and one
 * reader's prefetch window of pool buffers. Immutable and thread-safe; iterators are for one thread.
 */
public final class WebDatasetShards {

    /** Samples held by the shuffle buffer unless told otherwise. */
    public static final int DEFAULT_SHUFFLE_BUFFER = 256;
    /** No member is materialised beyond this size; larger ones fail the read. */
    public static final int MAX_MEMBER_BYTES = 256 * 1024 * 1024;
    /** Members of one sample beyond this count fail the read: a runaway group, not a sample. */
    public static final int MAX_MEMBERS_PER_SAMPLE = 1024;

    private final List<String> shards;
    private final long seed;
    private final int shuffleBuffer;

    /** Shards (object keys of tar files) in base order, the shuffle seed, and the shuffle buffer size. */
    public WebDatasetShards(List<String> shards, long seed, int shuffleBuffer) {
        if (shuffleBuffer < 0 || shuffleBuffer > ShuffleBuffer.MAX_CAPACITY) {
            throw new IllegalArgumentException("shuffleBuffer must be 0.." + ShuffleBuffer.MAX_CAPACITY);
        }
        this.shards = List.copyOf(shards);
        this.seed = seed;
        this.shuffleBuffer = shuffleBuffer;
    }

    /** The shard keys in base order. */
    public List<String> shards() {
        return shards;
    }

    /** The shard order of an epoch. */
    public List<String> order(long epoch) {
        List<String> order = new ArrayList<>(shards);
        Collections.shuffle(order, Seeds.random(seed, epoch, -1));
        return order;
    }

    /** The shards worker {@code worker} of {@code workers} streams in epoch {@code epoch}, in order. */
    public List<String> shardsFor(long epoch, int worker, int workers) {
        WorkerSplit.check(worker, workers);
        return WorkerSplit.slice(order(epoch), worker, workers);
    }

    /** Worker {@code worker}'s samples of one epoch, shuffled through the buffer. Close it if you stop early. */
    public CloseableIterator<WebDatasetSample> samples(Loader loader, long epoch, int worker, int workers) {
        return new SampleIterator(loader, shardsFor(epoch, worker, workers).iterator(),
                new ShuffleBuffer<>(shuffleBuffer, Seeds.random(seed, epoch, worker)));
    }

    /**
     * An endless sample stream for one worker: shard positions {@code worker, worker+workers, ...}
     * of the epochs' shard orders laid end to end (works for more workers than shards).
     */
    public CloseableIterator<WebDatasetSample> stream(Loader loader, int worker, int workers) {
        WorkerSplit.check(worker, workers);
        if (shards.isEmpty()) {
            throw new IllegalStateException("no shards");
        }
        Iterator<String> endless = WorkerSplit.endless(shards.size(), this::order, worker, workers);
        return new SampleIterator(loader, endless, new ShuffleBuffer<>(shuffleBuffer, Seeds.random(seed, -1, worker)));
    }

    /**
     * Splits a member path into {key, extension} the WebDataset way: the key ends at the first
     * '.' of the last path component.
     */
    public static String[] keyAndExtension(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.indexOf('.', slash + 1);
        return dot < 0 ? new String[] {name, ""} : new String[] {name.substring(0, dot), name.substring(dot + 1)};
    }


    /** Streams shards one at a time, groups members, shuffles samples. */
    private static final class SampleIterator implements CloseableIterator<WebDatasetSample> {
        private final Loader loader;
        private final Iterator<String> shardKeys;
        private final ShuffleBuffer<WebDatasetSample> buffer;
        private ObjectReader reader;
        private TarReader tar;
        private String shard;
        private String groupKey;
        private Map<String, byte[]> group;
        private WebDatasetSample ready;
        private boolean exhausted;
        private boolean closed;

        SampleIterator(Loader loader, Iterator<String> shardKeys, ShuffleBuffer<WebDatasetSample> buffer) {
            this.loader = loader;
            this.shardKeys = shardKeys;
            this.buffer = buffer;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            try {
                while (ready == null && !exhausted) {
                    WebDatasetSample s = produce();
                    if (s == null) {
                        exhausted = true;
                    } else {
                        ready = buffer.offer(s);
                    }
                }
                if (ready == null) {
                    ready = buffer.poll();
                }
                return ready != null;
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public WebDatasetSample next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            WebDatasetSample s = ready;
            ready = null;
            return s;
        }

        @Override
        public void close() {
            closed = true;
            closeReader();
        }

        /** The next complete sample in archive order, or null when every shard is done. */
        private WebDatasetSample produce() throws IOException {
            while (true) {
                if (tar == null) {
                    if (!shardKeys.hasNext()) {
                        return null;
                    }
                    shard = shardKeys.next();
                    reader = loader.open(shard);
                    tar = new TarReader(reader.asInputStream());
                }
                TarEntry entry = tar.next();
                if (entry == null) {
                    drainToEnd(); // so the whole-shard CRC is checked
                    closeReader();
                    WebDatasetSample last = flush();
                    if (last != null) {
                        return last;
                    }
                    continue;
                }
                String[] ke = keyAndExtension(entry.name());
                WebDatasetSample done = null;
                if (group != null && !ke[0].equals(groupKey)) {
                    done = flush();
                }
                if (group == null) {
                    groupKey = ke[0];
                    group = new LinkedHashMap<>();
                }
                if (group.containsKey(ke[1])) {
                    throw new IOException(shard + ": sample " + groupKey + " has two '" + ke[1] + "' members");
                }
                if (group.size() >= MAX_MEMBERS_PER_SAMPLE) {
                    throw new IOException(shard + ": sample " + groupKey + " has over " + MAX_MEMBERS_PER_SAMPLE + " members");
                }
                group.put(ke[1], tar.readContent(MAX_MEMBER_BYTES));
                if (done != null) {
                    return done;
                }
            }
        }

        private WebDatasetSample flush() {
            if (group == null) {
                return null;
            }
            WebDatasetSample s = new WebDatasetSample(shard, groupKey, Collections.unmodifiableMap(group));
            group = null;
            groupKey = null;
            return s;
        }

        private void drainToEnd() throws IOException {
            byte[] sink = new byte[TarReader.BLOCK_SIZE * 16];
            while (reader.read(sink, 0, sink.length) >= 0) {
                // tar end blocks and record padding: read so the reader sees the whole object
            }
        }

        private void closeReader() {
            if (reader != null) {
                reader.close();
                reader = null;
            }
            tar = null;
        }
    }
}
