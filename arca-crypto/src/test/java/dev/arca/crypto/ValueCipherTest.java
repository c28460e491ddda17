package dev.arca.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ValueCipherTest {
    private static final byte[] KEY = ObjectCipherTest.bytes(new SplittableRandom(1), 32);
    private static final byte[] AAD = "b/bucket/key".getBytes(UTF_8);

    private static ValueCipher cipher() {
        return ValueCipher.of(KEY, Entropy.secure());
    }

    @Test
    void roundTrips() throws TamperedDataException {
        ValueCipher cipher = cipher();
        SplittableRandom rnd = new SplittableRandom(2);
        for (int length : new int[] {0, 1, 300, 100_000}) {
            byte[] plain = ObjectCipherTest.bytes(rnd, length);
            byte[] sealed = cipher.seal(AAD, plain);
            assertThat(sealed).hasSize(length + ValueCipher.OVERHEAD);
            assertThat(sealed[0]).isEqualTo((byte) 1);
            assertThat(cipher.open(AAD, sealed)).isEqualTo(plain);
            assertThat(ValueCipher.of(KEY.clone(), Entropy.secure()).open(AAD, sealed)).isEqualTo(plain);
        }
        assertThat(cipher.open(new byte[0], cipher.seal(new byte[0], AAD))).isEqualTo(AAD);
    }

    @Test
    void eachSealUsesAFreshSalt() {
        ValueCipher cipher = cipher();
        byte[] plain = "same".getBytes(UTF_8);
        assertThat(cipher.seal(AAD, plain)).isNotEqualTo(cipher.seal(AAD, plain));
    }

    @Test
    void repeatedSeededEntropyDoesNotBreakSealing() throws TamperedDataException {
        // Two ciphers replayed from one seed produce the same salts; sealing must still work.
        byte[] plain = "x".getBytes(UTF_8);
        byte[] a = ValueCipher.of(KEY, Entropy.seeded(7)).seal(AAD, plain);
        byte[] b = ValueCipher.of(KEY, Entropy.seeded(7)).seal(AAD, plain);
        assertThat(a).isEqualTo(b);
        assertThat(cipher().open(AAD, b)).isEqualTo(plain);
    }

    @Test
    void anyChangedByteIsDetected() {
        ValueCipher cipher = cipher();
        byte[] sealed = cipher.seal(AAD, "a metadata record".getBytes(UTF_8));
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x01;
            assertThatThrownBy(() -> cipher.open(AAD, bad)).as("byte %d", i).isInstanceOf(TamperedDataException.class);
        }
        for (int n = 0; n < sealed.length; n++) {
            byte[] cut = Arrays.copyOf(sealed, n);
            assertThatThrownBy(() -> cipher.open(AAD, cut)).as("cut to %d", n).isInstanceOf(TamperedDataException.class);
        }
    }

    @Test
    void wrongAadOrKeyIsDetected() {
        byte[] sealed = cipher().seal(AAD, "v".getBytes(UTF_8));
        assertThatThrownBy(() -> cipher().open("b/bucket/other".getBytes(UTF_8), sealed))
                .isInstanceOf(TamperedDataException.class);
        byte[] otherKey = KEY.clone();
        otherKey[31] ^= 1;
        assertThatThrownBy(() -> ValueCipher.of(otherKey, Entropy.secure()).open(AAD, sealed))
                .isInstanceOf(TamperedDataException.class);
        assertThatThrownBy(() -> ValueCipher.of(new byte[16], Entropy.secure()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void isThreadSafe() throws Exception {
        ValueCipher cipher = cipher();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 5_000; i++) {
                        byte[] plain = (thread + ":" + i).getBytes(UTF_8);
                        byte[] aad = ("k" + i).getBytes(UTF_8);
                        assertThat(cipher.open(aad, cipher.seal(aad, plain))).isEqualTo(plain);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** A sanity print, not an assertion. */
    @Test
    void smallValueCostSanityPrint() throws TamperedDataException {
        ValueCipher cipher = cipher();
        byte[] plain = ObjectCipherTest.bytes(new SplittableRandom(3), 300);
        int rounds = 50_000;
        double best = Double.MAX_VALUE;
        for (int r = 0; r < 3; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                cipher.open(AAD, cipher.seal(AAD, plain));
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / rounds);
        }
        System.out.printf("ValueCipher seal+open of 300 bytes: %.2f us (best of 3)%n", best);
    }
}
