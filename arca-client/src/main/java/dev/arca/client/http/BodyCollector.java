package dev.arca.client.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@link BodySink} that keeps the first {@code limit} bytes of a body and counts the rest, so a
 * surprising response can never exhaust memory.
 */
public final class BodyCollector implements BodySink {

    private static final int INITIAL_CAPACITY = 256;

    private final int limit;
    private byte[] data = new byte[INITIAL_CAPACITY];
    private int kept;
    private long total;

    /** Keeps at most {@code limit} bytes. */
    public BodyCollector(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit");
        }
        this.limit = limit;
    }

    @Override
    public void accept(byte[] buffer, int offset, int length) {
        total += length;
        int take = Math.min(length, limit - kept);
        if (take <= 0) {
            return;
        }
        if (kept + take > data.length) {
            data = Arrays.copyOf(data, Math.min(limit, Math.max(kept + take, data.length * 2)));
        }
        System.arraycopy(buffer, offset, data, kept, take);
        kept += take;
    }

    /** The kept bytes (a copy). */
    public byte[] bytes() {
        return Arrays.copyOf(data, kept);
    }

    /** The kept bytes as UTF-8 text. */
    public String text() {
        return new String(data, 0, kept, StandardCharsets.UTF_8);
    }

    /** All bytes seen, kept or not. */
    public long total() {
        return total;
    }

    /** Forgets everything, to reuse this collector for the next response. */
    public void reset() {
        kept = 0;
        total = 0;
    }
}
