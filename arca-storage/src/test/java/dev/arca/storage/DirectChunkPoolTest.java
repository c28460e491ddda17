package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DirectChunkPoolTest {

    @Test
    void releasedBuffersAreReusedBySize() {
        DirectChunkPool pool = new DirectChunkPool(1 << 20);
        ByteBuffer a = pool.take(1000);
        assertThat(a.isDirect()).isTrue();
        assertThat(a.capacity()).isEqualTo(1000);
        a.position(10).limit(20);
        pool.release(a);
        assertThat(pool.pooledBytes()).isEqualTo(1000);
        assertThat(pool.take(2000)).as("another size is a new buffer").isNotSameAs(a);
        ByteBuffer again = pool.take(1000);
        assertThat(again).isSameAs(a);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(1000);
        assertThat(pool.pooledBytes()).isZero();
    }

    @Test
    void keepsNoMoreThanItsBound() {
        DirectChunkPool pool = new DirectChunkPool(2500);
        ByteBuffer[] taken = {pool.take(1000), pool.take(1000), pool.take(1000)};
        for (ByteBuffer b : taken) {
            pool.release(b);
        }
        assertThat(pool.pooledBytes()).isEqualTo(2000);
        // Identity, not equals: ByteBuffer.equals compares contents.
        assertThat(isOneOf(pool.take(1000), taken)).isTrue();
        assertThat(isOneOf(pool.take(1000), taken)).isTrue();
        assertThat(isOneOf(pool.take(1000), taken)).as("the third was dropped").isFalse();
    }

    private static boolean isOneOf(ByteBuffer b, ByteBuffer[] buffers) {
        for (ByteBuffer x : buffers) {
            if (x == b) {
                return true;
            }
        }
        return false;
    }

    @Test
    void refusesHeapBuffers() {
        assertThatThrownBy(() -> new DirectChunkPool(1 << 20).release(ByteBuffer.allocate(10)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
