package dev.arca.client.feed;

import dev.arca.client.loader.Loader;
import dev.arca.client.loader.MapDataset;
import dev.arca.client.loader.ObjectInfo;
import dev.arca.client.loader.RangeConsumer;
import java.io.IOException;
import java.util.Iterator;

/** Feeds one accelerator from a map-style dataset: whole objects through {@link Loader#drain}. */
final class FileFeeder extends Feeder {

    private final Loader loader;
    private final Iterator<String> keys;

    /** Accelerator {@code accelerator} of {@code accelerators} reads its share of every epoch. */
    FileFeeder(Loader loader, MapDataset dataset, int accelerator, int accelerators, int batch, int prefetchBatches,
            TrialErrors errors) {
        super(batch, prefetchBatches, errors);
        this.loader = loader;
        this.keys = dataset.stream(accelerator, accelerators);
    }

    @Override
    void readLoop(int thread, int threads) throws InterruptedException {
        while (!stopped()) {
            takeCredit();
            String key = nextKey();
            try {
                ObjectInfo info = loader.drain(key, RangeConsumer.DISCARD);
                delivered(info.size());
            } catch (IOException e) {
                failed(key, e);
            }
        }
    }

    private String nextKey() {
        synchronized (keys) {
            return keys.next();
        }
    }
}
