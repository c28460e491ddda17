package dev.arca.client.bench;

import java.util.Locale;

/**
 * What one phase measured. Only requests started inside the measured window count; the window
 * ends when the last of them completes, so {@code seconds} is at least the configured duration.
 *
 * @param scenario the scenario
 * @param op the operation
 * @param size object size in bytes
 * @param concurrency worker threads
 * @param seconds measured wall time
 * @param requests requests counted, failed ones included
 * @param errors counted requests that failed
 * @param bytes payload bytes moved by the successful requests
 * @param latencies latencies of the successful requests
 * @param cpuSeconds client process CPU time over the window, or -1 if the JVM cannot tell
 * @param objectsPerRequest objects one successful request moves (a batch GET's batch size, else 1)
 */
record PhaseResult(Scenario scenario, Op op, long size, int concurrency, double seconds, long requests,
        long errors, long bytes, LatencyHistogram latencies, double cpuSeconds, int objectsPerRequest) {

    private static final double NANOS_PER_MILLI = 1e6;
    private static final double BYTES_PER_GB = 1e9;
    private static final double P50 = 0.50;
    private static final double P99 = 0.99;

    /** Decimal gigabytes per second. */
    double gbps() {
        return seconds > 0 ? bytes / seconds / BYTES_PER_GB : 0;
    }

    /** Successful operations per second. */
    double opsPerSecond() {
        return seconds > 0 ? (requests - errors) / seconds : 0;
    }

    /** Objects moved per second by successful requests. */
    double objectsPerSecond() {
        return opsPerSecond() * objectsPerRequest;
    }

    double p50Millis() {
        return latencies.quantile(P50) / NANOS_PER_MILLI;
    }

    double p99Millis() {
        return latencies.quantile(P99) / NANOS_PER_MILLI;
    }

    double maxMillis() {
        return latencies.max() / NANOS_PER_MILLI;
    }

    /** The machine-readable line: one flat JSON object. */
    String json(String endpoint) {
        return "{\"tool\":\"arca-bench\""
                + ",\"endpoint\":" + quote(endpoint)
                + ",\"scenario\":" + quote(scenario.label())
                + ",\"op\":" + quote(op.name())
                + ",\"size\":" + size
                + ",\"concurrency\":" + concurrency
                + ",\"seconds\":" + fixed(seconds, 6)
                + ",\"requests\":" + requests
                + ",\"errors\":" + errors
                + ",\"bytes\":" + bytes
                + ",\"GBps\":" + fixed(gbps(), 4)
                + ",\"ops_per_s\":" + fixed(opsPerSecond(), 1)
                + ",\"objects_per_s\":" + fixed(objectsPerSecond(), 1)
                + ",\"p50_ms\":" + fixed(p50Millis(), 3)
                + ",\"p99_ms\":" + fixed(p99Millis(), 3)
                + ",\"max_ms\":" + fixed(maxMillis(), 3)
                + ",\"client_cpu_s\":" + fixed(cpuSeconds, 3)
                + "}";
    }

    /** The human line. */
    String summary() {
        return String.format(Locale.ROOT,
                "%-5s %-3s %7s x%d: %d requests, %d errors in %.2f s | %.3f GB/s | %.1f ops/s%s"
                        + " | p50 %.2f ms, p99 %.2f ms, max %.2f ms | client CPU %.2f s",
                scenario.label(), op, Units.formatSize(size), concurrency, requests, errors, seconds,
                gbps(), opsPerSecond(), objectsPerRequest == 1 ? ""
                        : String.format(Locale.ROOT, " (%.1f objects/s, %d per request)", objectsPerSecond(), objectsPerRequest),
                p50Millis(), p99Millis(), maxMillis(), cpuSeconds);
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < ' ') {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
