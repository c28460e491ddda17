package dev.arca.storage;

import dev.arca.core.Limits;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Child process of {@link BlobCrashTest}: writes blobs forever with content derived from the id and
 * the seed, and prints each id only after {@link BlobWriter#commit()} returned. Some writers are
 * aborted on purpose. Usage: {@code CrashWriterMain <root> <seed> <threads>}.
 */
final class CrashWriterMain {
    private static final int BLOCK = Limits.BLOB_BLOCK_BYTES;
    /** Largest blob the child writes: a few blocks, so a round commits many blobs. */
    private static final int MAX_SIZE = 3 * BLOCK + 17;
    /** Largest piece given to one write call. */
    private static final int MAX_PIECE = 300 * 1024;
    /** One blob in this many is aborted instead of committed. */
    private static final int ABORT_ONE_IN = 8;

    private CrashWriterMain() {}

    public static void main(String[] args) throws InterruptedException {
        Path root = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        FileBlobStore store = FileBlobStore.open(root);
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

    private static void writeForever(FileBlobStore store, long seed, SplittableRandom random, PrintStream out) {
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
        int size = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(100);
            case 1 -> BLOCK - 1 + random.nextInt(3);
            default -> random.nextInt(MAX_SIZE + 1);
        };
        return TestSeed.bytes(random, size);
    }
}
