package dev.arca.client.bench;

/** The operation a phase repeats. */
enum Op {
    PUT,
    GET,
    /** {@code POST /bucket?batchGet} of {@link BenchConfig#batchCount()} objects, answered as one tar stream. */
    BATCH_GET
}
