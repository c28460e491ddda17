package dev.arca.s3;

/**
 * What unauthenticated {@code GET /metrics} answers (Prometheus text, through the server's metrics
 * registry). Like the health probes it is served only path-style and unsigned; a signed request to
 * {@code /metrics} stays an S3 request (bucket "metrics"). With {@link #NONE} there is no endpoint and
 * {@code GET /metrics} is an ordinary (anonymous) S3 request.
 */
@FunctionalInterface
public interface MetricsEndpoint {
    /** The Prometheus text exposition format, version 0.0.4. */
    String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** No metrics endpoint. */
    MetricsEndpoint NONE = new MetricsEndpoint() {
        @Override
        public String scrape() {
            throw new IllegalStateException("no metrics endpoint");
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /** The response body: every metric's current value. Called on the request's thread. */
    String scrape();

    /** The response's content type. */
    default String contentType() {
        return PROMETHEUS_TEXT;
    }

    /** Whether {@code GET /metrics} is served at all. */
    default boolean enabled() {
        return true;
    }
}
