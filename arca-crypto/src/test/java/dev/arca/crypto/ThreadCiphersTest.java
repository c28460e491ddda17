package dev.arca.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The per-thread Cipher instances of {@link Aead} (whole-unit opens of {@link ObjectCipher}, box
 * opens under KEKs) are confined to their thread and give exactly what a fresh instance gives, however
 * opens under other keys, failed opens and streams interleave with them.
 */
class ThreadCiphersTest {
    private static final byte[] AAD = "bucket\0key".getBytes(UTF_8);
    private static final int TASKS = 16;
    private static final int ROUNDS = 50;
    private static final int UNIT_BYTES = 10 * 1024;

    @Test
    void theThreadDecryptorIsConfinedToItsThread() throws Exception {
        Cipher mine = Aead.threadDecryptor();
        assertThat(Aead.threadDecryptor()).isSameAs(mine);
        AtomicReference<Cipher> platform = new AtomicReference<>();
        AtomicReference<Cipher> virtual = new AtomicReference<>();
        Thread p = Thread.ofPlatform().start(() -> platform.set(Aead.threadDecryptor()));
        Thread v = Thread.ofVirtual().start(() -> virtual.set(Aead.threadDecryptor()));
        p.join();
        v.join();
        assertThat(platform.get()).isNotNull().isNotSameAs(mine);
        assertThat(virtual.get()).isNotNull().isNotSameAs(mine).isNotSameAs(platform.get());
    }

    @Test
    void boxOpensUnderAlternatingKeysMatchAFreshCipher() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        SecretKeySpec a = Aead.aesKey(ObjectCipherTest.bytes(rnd, Aead.KEY_BYTES));
        SecretKeySpec b = Aead.aesKey(ObjectCipherTest.bytes(rnd, Aead.KEY_BYTES));
        ValueCipher values = ValueCipher.of(ObjectCipherTest.bytes(rnd, Aead.KEY_BYTES), Entropy.secure());
        byte[] dek = ObjectCipherTest.bytes(rnd, ObjectCipher.DEK_BYTES);
        byte[] plainA = ObjectCipherTest.bytes(rnd, ObjectCipher.DEK_BYTES);
        byte[] plainB = ObjectCipherTest.bytes(rnd, ObjectCipher.DEK_BYTES);
        byte[] boxA = Aead.seal(a, Entropy.secure(), AAD, plainA);
        byte[] boxB = Aead.seal(b, Entropy.secure(), AAD, plainB);
        byte[] value = values.seal(AAD, plainB);
        byte[] unitPlain = ObjectCipherTest.bytes(rnd, UNIT_BYTES);
        byte[] unit = ObjectCipher.forUnit(dek, "bucket", "key", "unit").seal(unitPlain, 0, unitPlain.length);
        for (int i = 0; i < ROUNDS; i++) {
            assertThat(Aead.open(a, AAD, boxA)).isEqualTo(plainA).isEqualTo(freshOpen(a, boxA));
            assertThat(values.open(AAD, value)).isEqualTo(plainB);
            assertThat(Aead.open(a, AAD, boxA)).isEqualTo(plainA);
            assertThat(ObjectCipher.forUnit(dek, "bucket", "key", "unit").open(unit, unitPlain.length)).isEqualTo(unitPlain);
            assertThat(Aead.open(b, AAD, boxB)).isEqualTo(plainB).isEqualTo(freshOpen(b, boxB));
        }
        // The instance keeps the last key's schedule; a box must still open only under its own key.
        assertThat(Aead.open(a, AAD, boxA)).isEqualTo(plainA);
        assertThatThrownBy(() -> Aead.open(b, AAD, boxA)).isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> Aead.open(a, "other".getBytes(UTF_8), boxA)).isInstanceOf(AEADBadTagException.class);
        assertThat(Aead.open(a, AAD, boxA)).isEqualTo(plainA);
    }

    @Test
    void wholeUnitOpensStayCorrectAroundFailuresAndStreams() throws Exception {
        SplittableRandom rnd = new SplittableRandom(12);
        byte[] dek = ObjectCipherTest.bytes(rnd, ObjectCipher.DEK_BYTES);
        ObjectCipher one = ObjectCipher.forUnit(dek, "bucket", "key", "unit-1");
        ObjectCipher two = ObjectCipher.forUnit(dek, "bucket", "key", "unit-2");
        byte[] plainOne = ObjectCipherTest.bytes(rnd, 3 * ObjectCipher.CHUNK_BYTES + 5);
        byte[] plainTwo = ObjectCipherTest.bytes(rnd, UNIT_BYTES);
        byte[] sealedOne = one.seal(plainOne, 0, plainOne.length);
        byte[] sealedTwo = two.seal(plainTwo, 0, plainTwo.length);
        byte[] tampered = sealedTwo.clone();
        tampered[tampered.length / 2] ^= 1;

        // A stream keeps its own instance: whole-unit opens between its reads must not disturb it.
        try (InputStream stream = one.open((offset, length) -> new java.io.ByteArrayInputStream(sealedOne,
                (int) offset, (int) length), plainOne.length, 0, plainOne.length)) {
            byte[] streamed = new byte[plainOne.length];
            int at = 0;
            while (at < streamed.length) {
                int n = stream.read(streamed, at, Math.min(ObjectCipher.CHUNK_BYTES / 2, streamed.length - at));
                assertThat(n).isPositive();
                at += n;
                assertThat(two.open(sealedTwo, plainTwo.length)).isEqualTo(plainTwo);
                assertThatThrownBy(() -> two.open(tampered, plainTwo.length)).isInstanceOf(TamperedDataException.class);
            }
            assertThat(streamed).isEqualTo(plainOne);
        }
        assertThatThrownBy(() -> one.open(sealedTwo, plainTwo.length)).isInstanceOf(TamperedDataException.class);
        assertThat(one.open(sealedOne, plainOne.length)).isEqualTo(plainOne);
        assertThat(two.open(sealedTwo, plainTwo.length)).isEqualTo(plainTwo);
    }

    @Test
    void concurrentOpensOnVirtualAndPlatformThreads() throws Exception {
        SplittableRandom rnd = new SplittableRandom(13);
        SecretKeySpec kek = Aead.aesKey(ObjectCipherTest.bytes(rnd, Aead.KEY_BYTES));
        ValueCipher values = ValueCipher.of(ObjectCipherTest.bytes(rnd, Aead.KEY_BYTES), Entropy.secure());
        List<byte[]> deks = new ArrayList<>();
        List<byte[]> boxes = new ArrayList<>();
        List<byte[]> plains = new ArrayList<>();
        List<byte[]> units = new ArrayList<>();
        List<byte[]> sealedValues = new ArrayList<>();
        for (int i = 0; i < TASKS; i++) {
            byte[] dek = ObjectCipherTest.bytes(rnd, ObjectCipher.DEK_BYTES);
            byte[] plain = ObjectCipherTest.bytes(rnd, UNIT_BYTES + i);
            deks.add(dek);
            boxes.add(Aead.seal(kek, Entropy.secure(), AAD, dek));
            plains.add(plain);
            units.add(ObjectCipher.forUnit(dek, "bucket", "key-" + i, "unit").seal(plain, 0, plain.length));
            sealedValues.add(values.seal(AAD, plain));
        }
        for (ExecutorService pool : List.of(Executors.newVirtualThreadPerTaskExecutor(), Executors.newFixedThreadPool(4))) {
            try (pool) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < TASKS; t++) {
                    int first = t;
                    done.add(pool.submit(() -> {
                        for (int r = 0; r < ROUNDS; r++) {
                            int i = (first + r) % TASKS;
                            byte[] dek = Aead.open(kek, AAD, boxes.get(i));
                            assertThat(dek).isEqualTo(deks.get(i));
                            assertThat(ObjectCipher.forUnit(dek, "bucket", "key-" + i, "unit")
                                    .open(units.get(i), plains.get(i).length)).isEqualTo(plains.get(i));
                            assertThat(values.open(AAD, sealedValues.get(i))).isEqualTo(plains.get(i));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
        }
    }

    /** What a new Cipher instance makes of a box. */
    private static byte[] freshOpen(SecretKeySpec key, byte[] box) throws Exception {
        Cipher fresh = Cipher.getInstance(Aead.AES_GCM);
        fresh.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(Aead.TAG_BITS, box, 0, Aead.NONCE_BYTES));
        fresh.updateAAD(AAD);
        return fresh.doFinal(box, Aead.NONCE_BYTES, box.length - Aead.NONCE_BYTES);
    }
}
