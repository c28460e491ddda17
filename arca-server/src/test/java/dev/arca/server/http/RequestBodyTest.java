package dev.arca.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The body queue on its own: ownership of buffers, watermarks, failures. */
final class RequestBodyTest {
    static {
        LeakTracker.install();
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final AtomicInteger firstReads = new AtomicInteger();
    private final AtomicInteger drained = new AtomicInteger();
    private final AtomicLong maxQueued = new AtomicLong();
    private final List<ByteBuf> offered = new ArrayList<>();

    private RequestBody body(Duration timeout) {
        return new RequestBody(timeout, firstReads::incrementAndGet, drained::incrementAndGet,
                n -> maxQueued.accumulateAndGet(n, Math::max));
    }

    private ByteBuf buffer(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
        offered.add(buf);
        return buf;
    }

    private ByteBuf buffer(int size) {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[size]);
        offered.add(buf);
        return buf;
    }

    private void assertAllReleased() {
        assertThat(offered).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void readsAcrossBuffersAndReleasesEachOnce() throws IOException {
        RequestBody body = body(TIMEOUT);
        body.offer(buffer("hel"));
        body.offer(buffer("lo, "));
        body.offer(buffer("world"));
        body.end();
        byte[] into = new byte[64];
        int n = body.read(into, 0, into.length);
        assertThat(new String(into, 0, n, StandardCharsets.UTF_8)).isEqualTo("hello, world");
        assertThat(body.read()).isEqualTo(-1);
        assertThat(firstReads).hasValue(1);
        assertAllReleased();
        body.close(); // nothing left to release twice
        assertAllReleased();
    }

    @Test
    void pausesAboveTheHighWatermarkAndResumesAtTheLowOne() throws IOException {
        RequestBody body = body(TIMEOUT);
        int piece = 512 * 1024;
        int pieces = 0;
        boolean pause = false;
        while (!pause) {
            pause = body.offer(buffer(piece));
            pieces++;
        }
        assertThat((long) pieces * piece).isGreaterThan(RequestBody.HIGH_WATERMARK);
        assertThat(body.paused()).isTrue();
        byte[] sink = new byte[piece];
        while (drained.get() == 0) {
            assertThat(body.read(sink, 0, sink.length)).isPositive();
        }
        assertThat(body.paused()).isFalse();
        assertThat(body.available()).isLessThanOrEqualTo(RequestBody.LOW_WATERMARK);
        assertThat(maxQueued.get()).isEqualTo((long) pieces * piece);
        body.close();
        assertAllReleased();
    }

    @Test
    void closeReleasesEverythingAndLaterBytesCountAgainstTheDrainLimit() throws IOException {
        RequestBody body = body(TIMEOUT);
        body.offer(buffer(1000));
        body.offer(buffer(1000));
        assertThat(body.read(new byte[10], 0, 10)).isEqualTo(10); // one buffer is now the reader's
        body.close();
        assertAllReleased();
        assertThatThrownBy(() -> body.read(new byte[1], 0, 1)).isInstanceOf(IOException.class);
        int mib = 1 << 20;
        boolean stop = false;
        for (int i = 0; i <= RequestBody.DRAIN_LIMIT / mib && !stop; i++) {
            stop = body.offer(buffer(mib));
        }
        assertThat(stop).isTrue();
        assertThat(body.drainLimitExceeded()).isTrue();
        assertThat(body.paused()).isTrue();
        assertAllReleased();
    }

    @Test
    void aFailureComesAfterTheBytesAlreadyReceived() throws IOException {
        RequestBody body = body(TIMEOUT);
        body.offer(buffer("partial"));
        body.fail(new IOException("connection reset"));
        assertThat(body.isFailed()).isTrue();
        byte[] into = new byte[7];
        assertThat(body.read(into, 0, 7)).isEqualTo(7);
        assertThatThrownBy(() -> body.read(into, 0, 7)).isInstanceOf(IOException.class).hasMessageContaining("connection reset");
        assertAllReleased();
    }

    @Test
    void aStalledClientFailsTheReadAfterTheTimeout() {
        RequestBody body = body(Duration.ofMillis(50));
        long start = System.nanoTime();
        assertThatThrownBy(() -> body.read(new byte[1], 0, 1)).isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(body.isFailed()).isTrue();
        assertThat(body.offer(buffer(10))).isFalse(); // discarded, released at once
        assertAllReleased();
    }

    @Test
    void anEmptyBodyEndsAtOnceWithoutTheFirstReadHook() throws IOException {
        RequestBody body = RequestBody.empty();
        assertThat(body.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(body.isEnded()).isTrue();
    }
}
