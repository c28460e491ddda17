package dev.arca.client.loader;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongFunction;

/**
 * How a dataset's items (keys, shards) are split across workers: worker w of n takes positions
 * w, w+n, w+2n, ... of each epoch's shuffled order. Shared by {@link MapDataset} and
 * {@link WebDatasetShards}.
 */
final class WorkerSplit {
    private WorkerSplit() {}

    static void check(int worker, int workers) {
        if (workers < 1 || worker < 0 || worker >= workers) {
            throw new IllegalArgumentException("worker " + worker + " of " + workers);
        }
    }

    /** Worker {@code worker}'s items of one epoch's {@code order}, in order. */
    static List<String> slice(List<String> order, int worker, int workers) {
        check(worker, workers);
        List<String> mine = new ArrayList<>(order.size() / workers + 1);
        for (int i = worker; i < order.size(); i += workers) {
            mine.add(order.get(i));
        }
        return mine;
    }

    /**
     * An endless stream for one worker over the epochs' orders laid end to end ({@code orderOf(e)}
     * is epoch e's order of {@code size} items): it works for more workers than items and keeps
     * every worker busy across epoch boundaries.
     */
    static Iterator<String> endless(int size, LongFunction<List<String>> orderOf, int worker, int workers) {
        check(worker, workers);
        if (size == 0) {
            throw new IllegalStateException("empty dataset");
        }
        return new Iterator<>() {
            private long position = worker;
            private long epoch = -1;
            private List<String> order;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public String next() {
                long e = position / size;
                if (e != epoch) {
                    epoch = e;
                    order = orderOf.apply(e);
                }
                String item = order.get((int) (position % size));
                position += workers;
                return item;
            }
        };
    }
}
