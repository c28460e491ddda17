package dev.arca.client.bench;

/**
 * A workload: objects of one size, written in a PUT phase and read back in a GET phase; the batch
 * scenario then reads the same objects again with batch GETs ({@code POST /bucket?batchGet}) and
 * compares objects per second.
 */
enum Scenario {
    LARGE("large"),
    SMALL("small"),
    BATCH("batch");

    private final String label;

    Scenario(String label) {
        this.label = label;
    }

    /** The name used on the command line and in reports. */
    String label() {
        return label;
    }

    /** The scenario with this label, or {@code null}. */
    static Scenario byLabel(String label) {
        for (Scenario s : values()) {
            if (s.label.equals(label)) {
                return s;
            }
        }
        return null;
    }
}
