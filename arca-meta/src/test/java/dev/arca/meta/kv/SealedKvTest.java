package dev.arca.meta.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import dev.arca.crypto.ValueCipher;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sealing at rest: values never reach the underlying store in clear; a value moved under another key,
 * changed, or opened with another key fails loudly; and a store written before sealing is sealed on
 * first open, resuming where an interrupted sealing stopped.
 */
class SealedKvTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ValueCipher cipher(int keyByte) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) keyByte);
        return ValueCipher.of(key, Entropy.seeded(keyByte));
    }

    @Test
    void valuesAreSealedUnderneathAndBoundToTheirKeys() {
        MemoryKv raw = new MemoryKv();
        SealedKv kv = SealedKv.open(raw, cipher(1));
        kv.write(new KvBatch().put(b("k1"), b("secret-one")).put(b("k2"), b("secret-two")), true);
        assertThat(kv.get(b("k1"))).isEqualTo(b("secret-one"));
        assertThat(new String(raw.get(b("k1")), StandardCharsets.ISO_8859_1)).doesNotContain("secret");
        // The mark is invisible through the wrapper.
        Map<String, String> seen = new LinkedHashMap<>();
        try (KvCursor c = kv.scan(new byte[0], null)) {
            while (c.next()) {
                seen.put(new String(c.key(), StandardCharsets.UTF_8), new String(c.value(), StandardCharsets.UTF_8));
            }
        }
        assertThat(seen).containsExactly(Map.entry("k1", "secret-one"), Map.entry("k2", "secret-two"));
        assertThatThrownBy(() -> kv.write(new KvBatch().put(SealedKv.MARK_KEY, b("x")), true))
                .isInstanceOf(IllegalArgumentException.class);

        // Swapped values, a flipped bit, another key: each fails authentication.
        byte[] v1 = raw.get(b("k1"));
        byte[] v2 = raw.get(b("k2"));
        raw.write(new KvBatch().put(b("k1"), v2).put(b("k2"), v1), true);
        assertThatThrownBy(() -> kv.get(b("k1"))).isInstanceOf(KvException.class).hasMessageContaining("authentication");
        byte[] flipped = v1.clone();
        flipped[flipped.length - 1] ^= 1;
        raw.write(new KvBatch().put(b("k1"), flipped).put(b("k2"), v2), true);
        assertThatThrownBy(() -> kv.get(b("k1"))).isInstanceOf(KvException.class);
        assertThat(kv.get(b("k2"))).isEqualTo(b("secret-two"));
        SealedKv wrongKey = SealedKv.open(raw, cipher(2));
        assertThatThrownBy(() -> wrongKey.get(b("k2"))).isInstanceOf(KvException.class);
    }

    @Test
    void aStoreWrittenInClearIsSealedOnFirstOpenAndAnInterruptedSealingResumes() {
        MemoryKv raw = new MemoryKv();
        int count = SealedKv.SEAL_BATCH * 2 + 17;
        KvBatch batch = new KvBatch();
        for (int i = 0; i < count; i++) {
            batch.put(b(String.format("key-%05d", i)), b("clear-value-" + i));
        }
        raw.write(batch, true);

        // Simulate a crash after the first batch: seal it by hand and record progress, as sealing does.
        ValueCipher cipher = cipher(3);
        KvBatch first = new KvBatch();
        byte[] last = null;
        for (int i = 0; i < SealedKv.SEAL_BATCH; i++) {
            byte[] k = b(String.format("key-%05d", i));
            first.put(k, cipher.seal(k, raw.get(k)));
            last = k;
        }
        first.put(SealedKv.PROGRESS_KEY, last);
        raw.write(first, true);

        SealedKv kv = SealedKv.open(raw, cipher);
        for (int i = 0; i < count; i++) {
            assertThat(kv.get(b(String.format("key-%05d", i)))).as("key %d", i).isEqualTo(b("clear-value-" + i));
            assertThat(new String(raw.get(b(String.format("key-%05d", i))), StandardCharsets.ISO_8859_1))
                    .doesNotContain("clear-value");
        }
        assertThat(raw.get(SealedKv.PROGRESS_KEY)).isNull();
        assertThat(raw.get(SealedKv.MARK_KEY)).isNotNull();
        // A second open does not seal twice.
        SealedKv again = SealedKv.open(raw, cipher);
        assertThat(again.get(b("key-00000"))).isEqualTo(b("clear-value-0"));
    }
}
