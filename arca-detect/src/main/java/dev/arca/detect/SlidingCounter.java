package dev.arca.detect;

/**
 * Events in a sliding window, kept in {@link #SLOTS} slots of window/SLOTS each: the count covers
 * the current slot and the SLOTS-1 before it, so an event stops counting between window - slot and
 * window after it happened. Constant memory and time per event. Not thread-safe.
 */
final class SlidingCounter {
    /** Slots per window: finer slots slide more smoothly and cost memory per tracked subject. */
    static final int SLOTS = 12;

    private final long slotMillis;
    private final long[] ids = new long[SLOTS];
    private final long[] counts = new long[SLOTS];

    SlidingCounter(long windowMillis) {
        this.slotMillis = Math.max(1, windowMillis / SLOTS);
        java.util.Arrays.fill(ids, Long.MIN_VALUE);
    }

    /** Adds {@code n} events at {@code nowMillis}; returns the count in the window ending now. */
    long add(long nowMillis, long n) {
        long id = Math.floorDiv(nowMillis, slotMillis);
        int i = Math.floorMod(id, SLOTS);
        if (ids[i] != id) {
            ids[i] = id;
            counts[i] = 0;
        }
        counts[i] += n;
        return total(id);
    }

    /** The count in the window ending at {@code nowMillis}. */
    long count(long nowMillis) {
        return total(Math.floorDiv(nowMillis, slotMillis));
    }

    private long total(long id) {
        long sum = 0;
        for (int j = 0; j < SLOTS; j++) {
            // A slot from a clock that stepped back (ids[j] > id) still counts: it is recent, not stale.
            if (ids[j] > id - SLOTS) {
                sum += counts[j];
            }
        }
        return sum;
    }
}
