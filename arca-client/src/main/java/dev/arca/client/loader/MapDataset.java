package dev.arca.client.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A map-style dataset: a fixed list of object keys, one sample per object. Each epoch has its own
 * order, a shuffle seeded by {@code (seed, epoch)}; worker {@code w} of {@code W} takes positions
 * {@code w, w+W, w+2W, ...} of it, so the workers of one epoch partition the keys exactly.
 *
 * <p>Immutable and thread-safe; the iterators it returns are for one thread each.
 */
public final class MapDataset {

    /** Samples read ahead of the consumer by {@link #samples} unless told otherwise. */
    public static final int DEFAULT_READ_AHEAD = 4;
    /** Upper bound on read-ahead: memory is read-ahead times the sample size. */
    public static final int MAX_READ_AHEAD = 1024;

    private final List<String> keys;
    private final long seed;

    /** A dataset over {@code keys} (in the given base order) shuffled with {@code seed}. */
    public MapDataset(List<String> keys, long seed) {
        this.keys = List.copyOf(keys);
        this.seed = seed;
    }

    /** The keys in base order. */
    public List<String> keys() {
        return keys;
    }

    /** The number of samples per epoch. */
    public int size() {
        return keys.size();
    }

    /** The seed. */
    public long seed() {
        return seed;
    }

    /** The order of epoch {@code epoch}: a permutation of the keys, the same for the same seed. */
    public List<String> order(long epoch) {
        List<String> order = new ArrayList<>(keys);
        Collections.shuffle(order, Seeds.random(seed, epoch, 0));
        return order;
    }

    /** The keys worker {@code worker} of {@code workers} reads in epoch {@code epoch}, in order. */
    public List<String> keysFor(long epoch, int worker, int workers) {
        WorkerSplit.check(worker, workers);
        return WorkerSplit.slice(order(epoch), worker, workers);
    }

    /**
     * An endless key stream for one worker: positions {@code worker, worker+workers, ...} of the
     * epochs' orders laid end to end. Unlike {@link #keysFor} it works for any number of workers,
     * more than keys included, and keeps every worker busy across epoch boundaries.
     */
    public Iterator<String> stream(int worker, int workers) {
        return WorkerSplit.endless(keys.size(), this::order, worker, workers);
    }

    /**
     * Reads worker {@code worker}'s samples of epoch {@code epoch} in order, whole and verified,
     * with up to {@code readAhead} samples in flight. Close the iterator if you stop early.
     */
    public CloseableIterator<Sample> samples(Loader loader, long epoch, int worker, int workers, int readAhead) {
        if (readAhead < 1 || readAhead > MAX_READ_AHEAD) {
            throw new IllegalArgumentException("readAhead must be 1.." + MAX_READ_AHEAD + ": " + readAhead);
        }
        return new SampleIterator(loader, keysFor(epoch, worker, workers).iterator(), readAhead);
    }


    /** Keeps {@code readAhead} whole-object reads in flight, delivers them in key order. */
    private static final class SampleIterator implements CloseableIterator<Sample> {
        private final Loader loader;
        private final Iterator<String> keys;
        private final int readAhead;
        private final ArrayDeque<CompletableFuture<Sample>> inFlight = new ArrayDeque<>();
        private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        private boolean closed;

        SampleIterator(Loader loader, Iterator<String> keys, int readAhead) {
            this.loader = loader;
            this.keys = keys;
            this.readAhead = readAhead;
            fill();
        }

        @Override
        public boolean hasNext() {
            return !closed && !inFlight.isEmpty();
        }

        @Override
        public Sample next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            CompletableFuture<Sample> head = inFlight.poll();
            Sample s;
            try {
                s = head.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted"));
            } catch (ExecutionException e) {
                close();
                throw new UncheckedIOException(Loader.failure(e));
            }
            fill();
            return s;
        }

        @Override
        public void close() {
            // Reads in flight finish on their own and their arrays are dropped; pool buffers are
            // held only inside a read, so nothing leaks.
            closed = true;
            inFlight.clear();
            executor.shutdown();
        }

        private void fill() {
            while (!closed && inFlight.size() < readAhead && keys.hasNext()) {
                String key = keys.next();
                inFlight.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return new Sample(key, loader.readFully(key));
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, executor));
            }
        }
    }
}
