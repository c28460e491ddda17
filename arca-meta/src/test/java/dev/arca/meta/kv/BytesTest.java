package dev.arca.meta.kv;

import static dev.arca.meta.kv.KvTesting.b;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BytesTest {
    @Test
    void comparesUnsignedWithPrefixFirst() {
        assertThat(Bytes.compare(b(0x7F), b(0x80))).isNegative();
        assertThat(Bytes.compare(b(0xFF), b(0x00))).isPositive();
        assertThat(Bytes.compare(b(), b(0x00))).isNegative();
        assertThat(Bytes.compare(b(1, 2), b(1, 2, 0))).isNegative();
        assertThat(Bytes.compare(b(1, 2), b(1, 2))).isZero();
        List<byte[]> keys = new ArrayList<>(List.of(b(0xFF), b(0x80, 0x00), b(), b(0x7F, 0xFF), b(0x80)));
        keys.sort(Bytes.COMPARATOR);
        assertThat(keys).containsExactly(b(), b(0x7F, 0xFF), b(0x80), b(0x80, 0x00), b(0xFF));
    }

    @Test
    void concatJoinsInOrder() {
        assertThat(Bytes.concat()).isEmpty();
        assertThat(Bytes.concat(b(1), b(), b(2, 3))).containsExactly(1, 2, 3);
    }

    @Test
    void prefixEnd() {
        assertThat(Bytes.prefixEnd(b())).isNull();
        assertThat(Bytes.prefixEnd(b(0xFF, 0xFF))).isNull();
        assertThat(Bytes.prefixEnd(b(1, 2))).isEqualTo(b(1, 3));
        assertThat(Bytes.prefixEnd(b(1, 0xFF))).isEqualTo(b(2));
        assertThat(Bytes.prefixEnd(b(0x7F))).isEqualTo(b(0x80));
        assertThat(Bytes.prefixEnd(b(0xFE, 0xFF, 0xFF))).isEqualTo(b(0xFF));
    }

    @Test
    void prefixEndBoundsExactlyTheKeysWithThePrefix() {
        long seed = KvTesting.seed("prefixEndBoundsExactlyTheKeysWithThePrefix");
        SplittableRandom random = new SplittableRandom(seed);
        int[] alphabet = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};
        for (int round = 0; round < 20_000; round++) {
            byte[] prefix = randomKey(random, alphabet);
            byte[] key = randomKey(random, alphabet);
            byte[] end = Bytes.prefixEnd(prefix);
            boolean inRange = Bytes.compare(key, prefix) >= 0 && (end == null || Bytes.compare(key, end) < 0);
            assertThat(inRange)
                    .as("seed=%d prefix=%s key=%s", seed, KvTesting.hex(prefix), KvTesting.hex(key))
                    .isEqualTo(Bytes.startsWith(key, prefix));
        }
    }

    private static byte[] randomKey(SplittableRandom random, int[] alphabet) {
        byte[] key = new byte[random.nextInt(4)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) alphabet[random.nextInt(alphabet.length)];
        }
        return key;
    }

    @Test
    void startsWith() {
        assertThat(Bytes.startsWith(b(1, 2, 3), b(1, 2))).isTrue();
        assertThat(Bytes.startsWith(b(1, 2), b(1, 2))).isTrue();
        assertThat(Bytes.startsWith(b(1, 2), b())).isTrue();
        assertThat(Bytes.startsWith(b(1), b(1, 2))).isFalse();
        assertThat(Bytes.startsWith(b(1, 3), b(1, 2))).isFalse();
    }
}
