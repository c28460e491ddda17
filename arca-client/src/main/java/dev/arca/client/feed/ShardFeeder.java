package dev.arca.client.feed;

import dev.arca.client.loader.CloseableIterator;
import dev.arca.client.loader.Loader;
import dev.arca.client.loader.WebDatasetSample;
import dev.arca.client.loader.WebDatasetShards;
import java.io.UncheckedIOException;

/**
 * Feeds one accelerator from tar shards: each read thread is a WebDataset worker streaming its
 * own shards ({@code accelerator * threads + thread} of {@code accelerators * threads}).
 */
final class ShardFeeder extends Feeder {

    private final Loader loader;
    private final WebDatasetShards shards;
    private final int accelerator;
    private final int accelerators;

    ShardFeeder(Loader loader, WebDatasetShards shards, int accelerator, int accelerators, int batch,
            int prefetchBatches, TrialErrors errors) {
        super(batch, prefetchBatches, errors);
        this.loader = loader;
        this.shards = shards;
        this.accelerator = accelerator;
        this.accelerators = accelerators;
    }

    @Override
    void readLoop(int thread, int threads) throws InterruptedException {
        int worker = accelerator * threads + thread;
        while (!stopped()) {
            // A failed stream is closed; the next one starts over at this worker's first shard.
            try (CloseableIterator<WebDatasetSample> samples = shards.stream(loader, worker, accelerators * threads)) {
                while (!stopped()) {
                    takeCredit();
                    try {
                        delivered(samples.next().bytes());
                    } catch (UncheckedIOException e) {
                        failed("shard stream of worker " + worker, e.getCause());
                        break;
                    }
                }
            }
        }
    }
}
