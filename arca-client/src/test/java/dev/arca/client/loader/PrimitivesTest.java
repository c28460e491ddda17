package dev.arca.client.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** CRC32C combining, Content-Range parsing, retry delays and the buffer pool's bounds. */
class PrimitivesTest {

    @Test
    void crc32cCombineEqualsTheCrcOfTheConcatenation() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            byte[] data = new byte[random.nextInt(5000)];
            random.nextBytes(data);
            int split = data.length == 0 ? 0 : random.nextInt(data.length + 1);
            int a = Crc32c.of(data, 0, split);
            int b = Crc32c.of(data, split, data.length - split);
            CRC32C whole = new CRC32C();
            whole.update(data);
            assertThat(Crc32c.combine(a, b, data.length - split)).isEqualTo((int) whole.getValue());
        }
        assertThat(Crc32c.fromBase64(Crc32c.toBase64(0xDEADBEEF))).isEqualTo(0xDEADBEEF);
        // RFC 3720's check value: CRC32C("123456789") = 0xE3069283
        assertThat(Crc32c.of(ByteBuffer.wrap("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
                .isEqualTo(0xE3069283);
    }

    @Test
    void contentRangeParsing() {
        assertThat(ContentRange.parse("bytes 0-99/1000")).isEqualTo(new ContentRange(0, 99, 1000));
        assertThat(ContentRange.parse("BYTES 5-5/6")).isEqualTo(new ContentRange(5, 5, 6));
        assertThat(ContentRange.parse("bytes */0")).satisfies(r -> {
            assertThat(r.unsatisfied()).isTrue();
            assertThat(r.total()).isZero();
            assertThat(r.length()).isZero();
        });
        assertThat(ContentRange.parse("bytes 0-9/10").whole()).isTrue();
        assertThat(ContentRange.parse("bytes 1-9/10").whole()).isFalse();
        for (String bad : new String[] {null, "", "bytes 0-9/*", "items 0-9/10", "bytes 9-0/10", "bytes 0-10/10",
                "bytes -1-5/10", "bytes 0-5", "bytes +0-5/10", "bytes 0-99999999999999999999/1"}) {
            assertThat(ContentRange.parse(bad)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void retryDelaysGrowAreJitteredAndCapped() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(800));
        SplittableRandom random = new SplittableRandom(1);
        for (int attempt = 2; attempt <= 10; attempt++) {
            long cap = Math.min(800, 100L << (attempt - 2));
            for (int i = 0; i < 50; i++) {
                long d = p.delayBefore(attempt, random).toMillis();
                assertThat(d).isBetween(cap / 2, cap);
            }
        }
        assertThat(RetryPolicy.retryable(503)).isTrue();
        assertThat(RetryPolicy.retryable(500)).isTrue();
        assertThat(RetryPolicy.retryable(404)).isFalse();
        assertThat(RetryPolicy.retryable(412)).isFalse();
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bufferPoolIsBoundedAndReusesBuffers() throws Exception {
        BufferPool pool = new BufferPool(1024, 3);
        ByteBuffer a = pool.acquire();
        ByteBuffer b = pool.acquire();
        ByteBuffer c = pool.tryAcquire();
        assertThat(a.isDirect()).isTrue();
        assertThat(a.capacity()).isEqualTo(1024);
        assertThat(c).isNotNull();
        assertThat(pool.tryAcquire()).isNull();
        assertThat(pool.acquire(20)).isNull();
        assertThat(pool.leased()).isEqualTo(3);
        a.put(0, (byte) 9).position(10);
        pool.release(a);
        ByteBuffer again = pool.acquire();
        assertThat(again).isSameAs(a);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(1024);
        assertThatThrownBy(() -> pool.release(ByteBuffer.allocateDirect(1024))).isInstanceOf(IllegalStateException.class);
        pool.release(again);
        assertThatThrownBy(() -> pool.release(again)).isInstanceOf(IllegalStateException.class);
        pool.release(b);
        pool.release(c);
        assertThat(pool.allocated()).isEqualTo(3);
        assertThat(pool.leased()).isZero();
    }

    @Test
    void bufferPoolUnderContentionNeverExceedsItsCapacity() throws Exception {
        BufferPool pool = new BufferPool(64, 4);
        AtomicInteger inUse = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(32);
        List<Throwable> failures = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 32; t++) {
                ex.submit(() -> {
                    try {
                        for (int i = 0; i < 200; i++) {
                            ByteBuffer buf = pool.acquire();
                            peak.accumulateAndGet(inUse.incrementAndGet(), Math::max);
                            Thread.yield();
                            inUse.decrementAndGet();
                            pool.release(buf);
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
        }
        done.await();
        assertThat(failures).isEmpty();
        assertThat(peak.get()).isLessThanOrEqualTo(4);
        assertThat(pool.allocated()).isLessThanOrEqualTo(4);
        assertThat(pool.leased()).isZero();
    }

    @Test
    void configRejectsBadBounds() {
        var endpoint = new dev.arca.client.http.HttpEndpoint("127.0.0.1", 9000);
        LoaderConfig c = LoaderConfig.of(endpoint, null, null, "b");
        assertThat(c.rangeSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(c.buffers()).isEqualTo(32);
        assertThatThrownBy(() -> c.withMemoryBudget(1024)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withRangeSize(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.withWindow(4, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoaderConfig.of(endpoint, "ak", null, "b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.withRangeSize(1024 * 1024).buffers()).isEqualTo(32);
    }
}
