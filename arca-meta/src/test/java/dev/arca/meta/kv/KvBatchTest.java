package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KvBatchTest {
    @Test
    void keepsOpsInOrderAndCountsBytes() {
        byte[] key = b(1, 2);
        KvBatch batch = new KvBatch();
        assertThat(batch.isEmpty()).isTrue();
        batch.put(key, b(9, 9, 9)).delete(b(3)).put(key, b());
        assertThat(batch.size()).isEqualTo(3);
        assertThat(batch.isEmpty()).isFalse();
        assertThat(batch.byteSize()).isEqualTo(2 + 3 + 1 + 2);
        assertThat(batch).containsExactly(
                new KvOp.Put(b(1, 2), b(9, 9, 9)), new KvOp.Delete(b(3)), new KvOp.Put(b(1, 2), b()));
        // Copy-free: the op holds the caller's array.
        assertThat(batch.ops().getFirst().key()).isSameAs(key);
        assertThatThrownBy(() -> batch.ops().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void opsCompareByContent() {
        assertThat(new KvOp.Put(b(1), b(2))).isEqualTo(new KvOp.Put(b(1), b(2)))
                .hasSameHashCodeAs(new KvOp.Put(b(1), b(2)))
                .isNotEqualTo(new KvOp.Put(b(1), b(3)));
        assertThat(new KvOp.Delete(b(1))).isEqualTo(new KvOp.Delete(b(1))).isNotEqualTo(new KvOp.Delete(b(2)));
        assertThatThrownBy(() -> new KvBatch().put(b(1), null)).isInstanceOf(NullPointerException.class);
    }
}
