package dev.arca.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CustomerKeysTest {
    private static final byte[] KEY = ObjectCipherTest.bytes(new SplittableRandom(11), 32);
    private static final byte[] OTHER_KEY = ObjectCipherTest.bytes(new SplittableRandom(12), 32);
    private static final byte[] CONTEXT = "bucket\0key".getBytes(UTF_8);

    @Test
    void fingerprintMatchesOnlyItsKey() {
        byte[] fp = CustomerKeys.fingerprint(KEY, Entropy.secure());
        assertThat(fp).hasSize(48);
        assertThat(CustomerKeys.matches(KEY, fp)).isTrue();
        assertThat(CustomerKeys.matches(OTHER_KEY, fp)).isFalse();
        byte[] again = CustomerKeys.fingerprint(KEY, Entropy.secure());
        assertThat(again).isNotEqualTo(fp); // salted
        assertThat(CustomerKeys.matches(KEY, again)).isTrue();
        for (int i = 0; i < fp.length; i++) {
            byte[] bad = fp.clone();
            bad[i] ^= 1;
            assertThat(CustomerKeys.matches(KEY, bad)).as("byte %d", i).isFalse();
        }
        assertThat(CustomerKeys.matches(KEY, Arrays.copyOf(fp, 47))).isFalse();
        assertThat(CustomerKeys.matches(KEY, new byte[0])).isFalse();
        assertThatThrownBy(() -> CustomerKeys.fingerprint(new byte[31], Entropy.secure()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CustomerKeys.matches(new byte[33], fp)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataKeyUnwrapsOnlyWithItsKeyAndContext() throws TamperedDataException {
        DataKey dk = CustomerKeys.generateDataKey(KEY, CONTEXT, Entropy.secure());
        assertThat(dk.plaintext()).hasSize(ObjectCipher.DEK_BYTES);
        assertThat(dk.wrapped().keyId()).isEqualTo(WrappedKey.CUSTOMER_KEY);
        assertThat(dk.wrapped().generation()).isZero();
        assertThat(dk.wrapped().ciphertext()).hasSize(12 + 32 + 16);
        assertThat(CustomerKeys.unwrap(KEY, dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());

        assertThatThrownBy(() -> CustomerKeys.unwrap(OTHER_KEY, dk.wrapped(), CONTEXT))
                .isInstanceOf(TamperedDataException.class);
        assertThatThrownBy(() -> CustomerKeys.unwrap(KEY, dk.wrapped(), "bucket\0other".getBytes(UTF_8)))
                .isInstanceOf(TamperedDataException.class);
        byte[] ct = dk.wrapped().ciphertext();
        for (int i = 0; i < ct.length; i++) {
            byte[] bad = ct.clone();
            bad[i] ^= 1;
            WrappedKey tampered = new WrappedKey(WrappedKey.CUSTOMER_KEY, 0, bad);
            assertThatThrownBy(() -> CustomerKeys.unwrap(KEY, tampered, CONTEXT)).isInstanceOf(TamperedDataException.class);
        }
        WrappedKey shortKey = new WrappedKey(WrappedKey.CUSTOMER_KEY, 0, Arrays.copyOf(ct, 20));
        assertThatThrownBy(() -> CustomerKeys.unwrap(KEY, shortKey, CONTEXT)).isInstanceOf(TamperedDataException.class);
        assertThatThrownBy(() -> CustomerKeys.generateDataKey(new byte[16], CONTEXT, Entropy.secure()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CustomerKeys.unwrap(KEY, new WrappedKey("arca/s3", 1, ct), CONTEXT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void freshDataKeysDiffer() {
        DataKey a = CustomerKeys.generateDataKey(KEY, CONTEXT, Entropy.secure());
        DataKey b = CustomerKeys.generateDataKey(KEY, CONTEXT, Entropy.secure());
        assertThat(a.plaintext()).isNotEqualTo(b.plaintext());
        a.wipe();
        assertThat(a.plaintext()).containsOnly(0);
    }
}
