package dev.arca.meta.kv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child process of {@link RocksKvCrashTest}: writes synced batches forever and prints each
 * batch's sequence number only after {@code write(batch, true)} returned, until it is killed.
 *
 * <p>Batch {@code seq} puts {@link #keysPerBatch} keys {@code b/<seq>/<i>} with values derived
 * from (seq, i) of varying size (some span several write-ahead-log blocks), puts
 * {@code last = seq}, puts {@code t/<seq>} and deletes {@code t/<seq - 1>}.
 */
final class RocksKvCrashChild {
    /** Largest value; the WAL's 32 KiB blocks make bigger records fragment across blocks. */
    static final int MAX_VALUE_BYTES = 48 * 1024;

    private RocksKvCrashChild() {}

    /** Arguments: the store's directory and the first sequence number to write. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long seq = Long.parseLong(args[1]);
        try (RocksKv store = RocksKv.open(dir, RocksKvTest.TEST_OPTIONS)) {
            while (true) {
                store.write(batch(seq), true);
                System.out.println(seq);
                System.out.flush();
                seq++;
            }
        }
    }

    static int keysPerBatch(long seq) {
        return 1 + (int) (seq % 7);
    }

    static KvBatch batch(long seq) {
        KvBatch batch = new KvBatch();
        for (int i = 0; i < keysPerBatch(seq); i++) {
            batch.put(dataKey(seq, i), value(seq, i));
        }
        batch.put(LAST, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
        batch.put(tombKey(seq), new byte[] {1});
        if (seq > 0) {
            batch.delete(tombKey(seq - 1));
        }
        return batch;
    }

    static final byte[] LAST = "last".getBytes(StandardCharsets.UTF_8);

    static byte[] dataKey(long seq, int i) {
        return String.format("b/%012d/%02d", seq, i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] tombKey(long seq) {
        return String.format("t/%012d", seq).getBytes(StandardCharsets.UTF_8);
    }

    /** Deterministic content so that the parent can check every byte. */
    static byte[] value(long seq, int i) {
        long mix = seq * 0x9E3779B97F4A7C15L + i;
        int length = (int) Math.floorMod(mix ^ (mix >>> 29), MAX_VALUE_BYTES + 1L);
        byte[] value = new byte[length];
        for (int j = 0; j < length; j++) {
            value[j] = (byte) (mix + j * 31L);
        }
        return value;
    }
}
