package dev.arca.client.loader;

import dev.arca.client.http.HttpEndpoint;
import dev.arca.client.http.HttpTimeouts;
import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * Everything a {@link Loader} needs. Start from {@link #of} and adjust with the {@code with*}
 * methods; the canonical constructor validates every bound.
 *
 * @param endpoint the S3 endpoint (path-style requests)
 * @param accessKey SigV4 access key, or null for unsigned requests
 * @param secretKey SigV4 secret key, null exactly when {@code accessKey} is
 * @param region SigV4 region
 * @param bucket the bucket all keys live in
 * @param rangeSize bytes per ranged GET and per pooled buffer
 * @param memoryBudget off-heap bytes for range buffers; {@code memoryBudget / rangeSize} buffers,
 *     which also bounds ranges in flight and connections
 * @param parallelism ranges of one object fetched at once by {@link Loader#drain}
 * @param initialWindow ranges an {@link ObjectReader} prefetches after opening or a seek
 * @param maxWindow the prefetch window never grows past this many ranges
 * @param retry retries of a ranged GET
 * @param verifyChecksums whether to verify checksums (see {@link Loader} for exactly which)
 * @param timeouts connect and read timeouts of each connection
 * @param tls TLS sockets for an https endpoint, or null for the JDK's default trust
 */
public record LoaderConfig(
        HttpEndpoint endpoint,
        String accessKey,
        String secretKey,
        String region,
        String bucket,
        int rangeSize,
        long memoryBudget,
        int parallelism,
        int initialWindow,
        int maxWindow,
        RetryPolicy retry,
        boolean verifyChecksums,
        HttpTimeouts timeouts,
        SSLSocketFactory tls) {

    /** 8 MiB per ranged GET: large enough to amortise a request, small enough to parallelise. */
    public static final int DEFAULT_RANGE_SIZE = 8 * 1024 * 1024;
    /** Small ranges are for tests; below this, request overhead dominates everything. */
    public static final int MIN_RANGE_SIZE = 1024;
    /** One range must fit one direct buffer comfortably. */
    public static final int MAX_RANGE_SIZE = 256 * 1024 * 1024;
    /** 256 MiB of range buffers: 32 ranges of 8 MiB in flight or waiting to be consumed. */
    public static final long DEFAULT_MEMORY_BUDGET = 256L * 1024 * 1024;
    /** Ranges of one object fetched at once by a drain. */
    public static final int DEFAULT_PARALLELISM = 8;
    /** Upper bound on per-object parallelism. */
    public static final int MAX_PARALLELISM = 256;
    /** A fresh or re-positioned reader prefetches this many ranges... */
    public static final int DEFAULT_INITIAL_WINDOW = 2;
    /** ...doubling while reads stay sequential, up to this many. */
    public static final int DEFAULT_MAX_WINDOW = 8;
    /** Upper bound on any prefetch window. */
    public static final int MAX_WINDOW_LIMIT = 256;
    /** The default SigV4 region. */
    public static final String DEFAULT_REGION = "us-east-1";
    /** 10 s to connect; 30 s without a byte fails a read (and is retried). */
    public static final HttpTimeouts DEFAULT_TIMEOUTS = new HttpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

    /** Validates bounds and the credential pair. */
    public LoaderConfig {
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both access key and secret key, or neither");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("empty region");
        }
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("empty bucket");
        }
        if (rangeSize < MIN_RANGE_SIZE || rangeSize > MAX_RANGE_SIZE) {
            throw new IllegalArgumentException("rangeSize must be " + MIN_RANGE_SIZE + ".." + MAX_RANGE_SIZE + ": " + rangeSize);
        }
        long buffers = memoryBudget / rangeSize;
        if (buffers < 1 || buffers > BufferPool.MAX_BUFFERS) {
            throw new IllegalArgumentException("memoryBudget must hold 1.." + BufferPool.MAX_BUFFERS
                    + " ranges of " + rangeSize + " bytes: " + memoryBudget);
        }
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1.." + MAX_PARALLELISM + ": " + parallelism);
        }
        if (initialWindow < 1 || maxWindow < initialWindow || maxWindow > MAX_WINDOW_LIMIT) {
            throw new IllegalArgumentException("need 1 <= initialWindow <= maxWindow <= " + MAX_WINDOW_LIMIT);
        }
        if (retry == null || timeouts == null || endpoint == null) {
            throw new IllegalArgumentException("endpoint, retry and timeouts are required");
        }
    }

    /** Defaults for everything but where to read from and as whom. */
    public static LoaderConfig of(HttpEndpoint endpoint, String accessKey, String secretKey, String bucket) {
        return new LoaderConfig(endpoint, accessKey, secretKey, DEFAULT_REGION, bucket, DEFAULT_RANGE_SIZE,
                DEFAULT_MEMORY_BUDGET, DEFAULT_PARALLELISM, DEFAULT_INITIAL_WINDOW, DEFAULT_MAX_WINDOW,
                RetryPolicy.DEFAULT, true, DEFAULT_TIMEOUTS, null);
    }

    /** Range buffers in the pool. */
    public int buffers() {
        return (int) (memoryBudget / rangeSize);
    }

    /** Whether requests are signed. */
    public boolean signed() {
        return accessKey != null;
    }

    /** A copy with another SigV4 region. */
    public LoaderConfig withRegion(String value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, value, bucket, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, retry, verifyChecksums, timeouts, tls);
    }

    /** A copy reading another bucket. */
    public LoaderConfig withBucket(String value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, value, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, retry, verifyChecksums, timeouts, tls);
    }

    /** Sets the range size and keeps the number of buffers ({@code memoryBudget} scales with it). */
    public LoaderConfig withRangeSize(int value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, value, (long) buffers() * value,
                parallelism, initialWindow, maxWindow, retry, verifyChecksums, timeouts, tls);
    }

    /** A copy with another off-heap budget (a whole number of ranges). */
    public LoaderConfig withMemoryBudget(long value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, value, parallelism,
                initialWindow, maxWindow, retry, verifyChecksums, timeouts, tls);
    }

    /** A copy with another per-object drain parallelism. */
    public LoaderConfig withParallelism(int value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, value,
                initialWindow, maxWindow, retry, verifyChecksums, timeouts, tls);
    }

    /** A copy with other initial and maximum prefetch windows, in ranges. */
    public LoaderConfig withWindow(int initial, int max) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, parallelism,
                initial, max, retry, verifyChecksums, timeouts, tls);
    }

    /** A copy with another retry policy. */
    public LoaderConfig withRetry(RetryPolicy value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, value, verifyChecksums, timeouts, tls);
    }

    /** A copy with checksum verification on or off. */
    public LoaderConfig withVerifyChecksums(boolean value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, retry, value, timeouts, tls);
    }

    /** A copy with other socket timeouts. */
    public LoaderConfig withTimeouts(HttpTimeouts value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, retry, verifyChecksums, value, tls);
    }

    /** A copy with other TLS sockets (null: the JDK default trust). */
    public LoaderConfig withTls(SSLSocketFactory value) {
        return new LoaderConfig(endpoint, accessKey, secretKey, region, bucket, rangeSize, memoryBudget, parallelism,
                initialWindow, maxWindow, retry, verifyChecksums, timeouts, value);
    }
}
