package dev.arca.storage;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link ErasureCrashTest}: writes erasure-coded blobs (2+2 on 4 drives) forever,
 * with content derived from the id and the seed, and prints each id only after
 * {@link BlobWriter#commit()} returned. Some writers are aborted on purpose. Usage:
 * {@code ErasureCrashWriterMain <root> <seed> <threads>}; the drives are {@code <root>/drive0..3}.
 */
final class ErasureCrashWriterMain {
    static final ErasureTesting.Shape SHAPE = new ErasureTesting.Shape(4, 2, 2, ErasureTesting.STRIPE);
    /** Largest blob the child writes: a few stripes, so a round commits many blobs. */
    private static final int MAX_SIZE = 3 * SHAPE.fullStripe() + 17;
    /** Largest piece given to one write call. */
    private static final int MAX_PIECE = 100 * 1024;
    /** One blob in this many is aborted instead of committed. */
    private static final int ABORT_ONE_IN = 8;

    private ErasureCrashWriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path root = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        ErasureBlobStore store = ErasureTesting.open(ErasureTesting.drives(root, SHAPE.drives()), SHAPE, seed);
        PrintStream out = System.out;
        SplittableRandom seeds = new SplittableRandom(seed);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = seeds.split();
            workers[t] = Thread.ofPlatform().start(() -> writeForever(store, seed, random, out));
        }
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static void writeForever(ErasureBlobStore store, long seed, SplittableRandom random, PrintStream out) {
        while (true) {
            String id = TestSeed.blobId(random);
            byte[] data = content(id, seed);
            boolean abort = random.nextInt(ABORT_ONE_IN) == 0;
            try (BlobWriter writer = store.create(id)) {
                int at = 0;
                while (at < data.length) {
                    int n = Math.min(data.length - at, 1 + random.nextInt(MAX_PIECE));
                    writer.write(data, at, n);
                    at += n;
                }
                if (!abort) {
                    writer.commit();
                }
            }
            if (!abort) {
                synchronized (out) {
                    out.println(id);
                    out.flush();
                }
            }
        }
    }

    /** The bytes of blob {@code id} in a run with {@code seed}: the size too is derived from both. */
    static byte[] content(String id, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ Long.parseUnsignedLong(id.substring(0, 16), 16)
                ^ Long.parseUnsignedLong(id.substring(16), 16));
        int size = switch (random.nextInt(5)) {
            case 0 -> random.nextInt(100);
            case 1 -> SHAPE.fullStripe() - 1 + random.nextInt(3);
            case 2 -> SHAPE.chunk() - 1 + random.nextInt(3);
            default -> random.nextInt(MAX_SIZE + 1);
        };
        return TestSeed.bytes(random, size);
    }
}
