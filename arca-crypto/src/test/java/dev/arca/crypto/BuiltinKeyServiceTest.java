package dev.arca.crypto;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuiltinKeyServiceTest {
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.ofEpochMilli(1_700_000_000_000L));
    private static final byte[] CONTEXT = "bucket\0photos/cat.jpg".getBytes(UTF_8);

    @TempDir
    Path dir;

    private BuiltinKeyService open() throws IOException {
        return BuiltinKeyService.open(dir, null, Entropy.secure(), CLOCK);
    }

    private Path masterFile() {
        return dir.resolve(BuiltinKeyService.MASTER_KEY_FILE);
    }

    private Path keyringFile() {
        return dir.resolve(BuiltinKeyService.KEYRING_FILE);
    }

    private static void expectFailure(FailureKind kind, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    void firstOpenCreatesMasterKeyAndKeyringAndReopenKeepsThem() throws Exception {
        DataKey dk;
        byte[] sealedValue;
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.createdMasterKey()).isTrue();
            assertThat(keys.masterKeySource()).isEqualTo(masterFile().toString());
            assertThat(keys.listKeys()).containsExactly(new KeyInfo(KeyService.SSE_S3_KEY_ID,
                    "SSE-S3 key-encryption key", true, 1, List.of(1), CLOCK.millis()));
            dk = keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT);
            assertThat(dk.plaintext()).hasSize(32);
            assertThat(dk.wrapped().keyId()).isEqualTo(KeyService.SSE_S3_KEY_ID);
            assertThat(dk.wrapped().generation()).isEqualTo(1);
            assertThat(dk.wrapped().ciphertext()).hasSize(12 + 32 + 16);
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
            sealedValue = keys.metadataCipher().seal(CONTEXT, "record".getBytes(UTF_8));
        }
        for (Path file : List.of(masterFile(), keyringFile())) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        byte[] master = Files.readAllBytes(masterFile());
        assertThat(master).hasSize(48);
        assertThat(Arrays.copyOf(master, 8)).isEqualTo("ARCAMKEY".getBytes(UTF_8));
        assertThat(ByteBuffer.wrap(master).getInt(8)).isEqualTo(1);
        CRC32C crc = new CRC32C();
        crc.update(master, 0, 44);
        assertThat(ByteBuffer.wrap(master).getInt(44)).isEqualTo((int) crc.getValue());
        assertThat(Arrays.copyOf(Files.readAllBytes(keyringFile()), 8)).isEqualTo("ARCAKRNG".getBytes(UTF_8));

        try (BuiltinKeyService keys = open()) {
            assertThat(keys.createdMasterKey()).isFalse();
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
            assertThat(keys.metadataCipher().open(CONTEXT, sealedValue)).isEqualTo("record".getBytes(UTF_8));
        }
        assertThat(Files.readAllBytes(masterFile())).isEqualTo(master);
    }

    @Test
    void masterKeyFromTheEnvironment() throws Exception {
        byte[] raw = ObjectCipherTest.bytes(new SplittableRandom(5), 32);
        String env = Base64.getEncoder().encodeToString(raw);
        DataKey dk;
        try (BuiltinKeyService keys = BuiltinKeyService.open(dir, env, Entropy.secure(), CLOCK)) {
            assertThat(keys.createdMasterKey()).isFalse();
            assertThat(keys.masterKeySource()).isEqualTo("environment variable ARCA_MASTER_KEY");
            dk = keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT);
            expectFailure(FailureKind.INVALID_REQUEST, keys::rotateMasterKey);
        }
        assertThat(masterFile()).doesNotExist();
        try (BuiltinKeyService keys = BuiltinKeyService.open(dir, env, Entropy.secure(), CLOCK)) {
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        raw[0] ^= 1;
        String other = Base64.getEncoder().encodeToString(raw);
        assertThatThrownBy(() -> BuiltinKeyService.open(dir, other, Entropy.secure(), CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("does not open the keyring");
        assertThatThrownBy(() -> BuiltinKeyService.open(dir, Base64.getEncoder().encodeToString(new byte[31]),
                Entropy.secure(), CLOCK)).isInstanceOf(IOException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> BuiltinKeyService.open(dir, "not base64!", Entropy.secure(), CLOCK))
                .isInstanceOf(IOException.class).hasMessageContaining("base64");
        // Without the environment variable the (absent) file is looked for, and never created.
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("missing");
        assertThat(masterFile()).doesNotExist();
    }

    @Test
    void aMissingMasterKeyFileIsNeverReplacedByANewOne() throws Exception {
        open().close();
        Files.delete(masterFile());
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("missing");
        assertThat(masterFile()).doesNotExist();
    }

    @Test
    void anotherOrDamagedMasterKeyFails() throws Exception {
        open().close();
        byte[] good = Files.readAllBytes(masterFile());
        Files.write(masterFile(), KeyFiles.formatMaster(ObjectCipherTest.bytes(new SplittableRandom(6), 32)));
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("does not open the keyring");
        byte[] damaged = good.clone();
        damaged[20] ^= 1;
        Files.write(masterFile(), damaged);
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("damaged");
        Files.write(masterFile(), Arrays.copyOf(good, 40));
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("not an Arca master key");
        Files.write(masterFile(), good);
        open().close();
    }

    @Test
    void aCorruptedKeyringFailsToOpen() throws Exception {
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/one", "first app key");
        }
        byte[] good = Files.readAllBytes(keyringFile());
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x04;
            Files.write(keyringFile(), bad);
            assertThatThrownBy(this::open).as("byte %d flipped", i).isInstanceOf(IOException.class);
        }
        for (int n : new int[] {0, 8, 20, 40, good.length - 1}) {
            Files.write(keyringFile(), Arrays.copyOf(good, n));
            assertThatThrownBy(this::open).as("cut to %d", n).isInstanceOf(IOException.class);
        }
        Files.write(keyringFile(), good);
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.describeKey("app/one")).isPresent();
        }
    }

    @Test
    void namedKeysAreCreatedDescribedAndListed() throws Exception {
        try (BuiltinKeyService keys = open()) {
            KeyInfo info = keys.createKey("app/key-1", "the app's key");
            assertThat(info).isEqualTo(new KeyInfo("app/key-1", "the app's key", true, 1, List.of(1), CLOCK.millis()));
            assertThat(keys.describeKey("app/key-1")).contains(info);
            assertThat(keys.describeKey("nope")).isEmpty();
            keys.createKey("Zeta_9", null);
            assertThat(keys.listKeys()).extracting(KeyInfo::keyId).containsExactly("Zeta_9", "app/key-1", "arca/s3");
            expectFailure(FailureKind.ENTITY_ALREADY_EXISTS, () -> keys.createKey("app/key-1", ""));
            expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.createKey("arca/mine", ""));
            expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.createKey(WrappedKey.CUSTOMER_KEY, ""));
            expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.createKey("x", "d".repeat(8193)));
            for (String bad : new String[] {"", "a".repeat(257), "has space", "ünï", "a:b", "a.b"}) {
                expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.createKey(bad, ""));
                expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.generateDataKey(bad, CONTEXT));
                expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.describeKey(bad));
            }
            assertThat(keys.createKey("a".repeat(256), "").keyId()).hasSize(256);
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.generateDataKey("unknown", CONTEXT));
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.rotateKey("unknown"));
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.setEnabled("unknown", true));
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.unwrap(new WrappedKey("unknown", 1, new byte[60]), CONTEXT));
            expectFailure(FailureKind.INVALID_ARGUMENT,
                    () -> keys.unwrap(new WrappedKey(WrappedKey.CUSTOMER_KEY, 0, new byte[60]), CONTEXT));
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.listKeys()).hasSize(4);
            assertThat(keys.describeKey("Zeta_9").orElseThrow().description()).isEmpty();
        }
    }

    @Test
    void theDefaultKmsKeyIsCreatedOnFirstUse() throws Exception {
        DataKey dk;
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.describeKey(KeyService.DEFAULT_KMS_KEY_ID)).isEmpty();
            dk = keys.generateDataKey(KeyService.DEFAULT_KMS_KEY_ID, CONTEXT);
            assertThat(dk.wrapped().keyId()).isEqualTo("aws/s3");
            assertThat(keys.describeKey(KeyService.DEFAULT_KMS_KEY_ID)).isPresent();
            assertThat(keys.generateDataKey(KeyService.DEFAULT_KMS_KEY_ID, CONTEXT).wrapped().generation()).isEqualTo(1);
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
    }

    @Test
    void aDisabledKeyNeitherSealsNorUnseals() throws Exception {
        DataKey dk;
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/k", "");
            dk = keys.generateDataKey("app/k", CONTEXT);
            assertThat(keys.setEnabled("app/k", false).enabled()).isFalse();
            expectFailure(FailureKind.KMS_DISABLED, () -> keys.generateDataKey("app/k", CONTEXT));
            expectFailure(FailureKind.KMS_DISABLED, () -> keys.unwrap(dk.wrapped(), CONTEXT));
            expectFailure(FailureKind.KMS_DISABLED, () -> keys.rewrap(dk.wrapped(), CONTEXT));
            expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.setEnabled(KeyService.SSE_S3_KEY_ID, false));
            assertThat(keys.setEnabled(KeyService.SSE_S3_KEY_ID, true).enabled()).isTrue();
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.describeKey("app/k").orElseThrow().enabled()).isFalse();
            expectFailure(FailureKind.KMS_DISABLED, () -> keys.unwrap(dk.wrapped(), CONTEXT));
            assertThat(keys.setEnabled("app/k", true).enabled()).isTrue();
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
    }

    @Test
    void rotationRewrapAndRetirement() throws Exception {
        DataKey old;
        WrappedKey rewrapped;
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/k", "");
            old = keys.generateDataKey("app/k", CONTEXT);
            KeyInfo rotated = keys.rotateKey("app/k");
            assertThat(rotated.currentGeneration()).isEqualTo(2);
            assertThat(rotated.generations()).containsExactly(1, 2);
            assertThat(keys.unwrap(old.wrapped(), CONTEXT)).isEqualTo(old.plaintext());
            DataKey fresh = keys.generateDataKey("app/k", CONTEXT);
            assertThat(fresh.wrapped().generation()).isEqualTo(2);
            assertThat(keys.rewrap(fresh.wrapped(), CONTEXT)).isSameAs(fresh.wrapped());
            rewrapped = keys.rewrap(old.wrapped(), CONTEXT);
            assertThat(rewrapped.generation()).isEqualTo(2);
            assertThat(keys.unwrap(rewrapped, CONTEXT)).isEqualTo(old.plaintext());
            expectFailure(FailureKind.INVALID_ARGUMENT, () -> keys.retireGenerations("app/k", 3));
            assertThat(keys.retireGenerations("app/k", 1).generations()).containsExactly(1, 2);
            assertThat(keys.retireGenerations("app/k", 2).generations()).containsExactly(2);
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.unwrap(old.wrapped(), CONTEXT));
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.rewrap(old.wrapped(), CONTEXT));
            expectFailure(FailureKind.KMS_NOT_FOUND,
                    () -> keys.unwrap(new WrappedKey("app/k", 7, rewrapped.ciphertext()), CONTEXT));
            assertThat(keys.unwrap(rewrapped, CONTEXT)).isEqualTo(old.plaintext());
            // The SSE-S3 key rotates like any other.
            assertThat(keys.rotateKey(KeyService.SSE_S3_KEY_ID).currentGeneration()).isEqualTo(2);
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.describeKey("app/k").orElseThrow().generations()).containsExactly(2);
            expectFailure(FailureKind.KMS_NOT_FOUND, () -> keys.unwrap(old.wrapped(), CONTEXT));
            assertThat(keys.unwrap(rewrapped, CONTEXT)).isEqualTo(old.plaintext());
            assertThat(keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT).wrapped().generation()).isEqualTo(2);
        }
    }

    @Test
    void aTamperedOrMovedDataKeyIsABrokenInvariant() throws Exception {
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/k", "");
            DataKey dk = keys.generateDataKey("app/k", CONTEXT);
            byte[] ct = dk.wrapped().ciphertext();
            for (int i = 0; i < ct.length; i++) {
                byte[] bad = ct.clone();
                bad[i] ^= 1;
                assertThatThrownBy(() -> keys.unwrap(new WrappedKey("app/k", 1, bad), CONTEXT))
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThatThrownBy(() -> keys.unwrap(dk.wrapped(), "bucket\0other".getBytes(UTF_8)))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> keys.unwrap(new WrappedKey(KeyService.SSE_S3_KEY_ID, 1, ct), CONTEXT))
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> keys.unwrap(new WrappedKey("app/k", 1, Arrays.copyOf(ct, 59)), CONTEXT))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void masterKeyRotation() throws Exception {
        DataKey dk;
        byte[] oldMaster = null;
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/k", "kept");
            dk = keys.generateDataKey("app/k", CONTEXT);
            oldMaster = Files.readAllBytes(masterFile());
            keys.rotateMasterKey();
            assertThat(Files.readAllBytes(masterFile())).isNotEqualTo(oldMaster);
            assertThat(dir.resolve(BuiltinKeyService.NEW_MASTER_KEY_FILE)).doesNotExist();
            // The live service keeps working, and seals under the new master from now on.
            keys.createKey("app/after", "");
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.describeKey("app/after")).isPresent();
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        Files.write(masterFile(), oldMaster);
        assertThatThrownBy(this::open).isInstanceOf(IOException.class).hasMessageContaining("does not open the keyring");
    }

    @Test
    void aMasterRotationThatCrashedAfterResealingIsFinishedOnOpen() throws Exception {
        DataKey dk;
        byte[] oldMaster;
        try (BuiltinKeyService keys = open()) {
            dk = keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT);
            oldMaster = Files.readAllBytes(masterFile());
            keys.rotateMasterKey();
        }
        // Put the files back as they were just before the final rename: new key in .new, old key in place.
        Path newMaster = dir.resolve(BuiltinKeyService.NEW_MASTER_KEY_FILE);
        byte[] rotated = Files.readAllBytes(masterFile());
        Files.move(masterFile(), newMaster);
        Files.write(masterFile(), oldMaster);
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        assertThat(Files.readAllBytes(masterFile())).isEqualTo(rotated);
        assertThat(newMaster).doesNotExist();
        // The same with the old key file already gone.
        Files.move(masterFile(), newMaster);
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        assertThat(Files.readAllBytes(masterFile())).isEqualTo(rotated);
    }

    @Test
    void aMasterRotationThatCrashedBeforeResealingKeepsTheOldKey() throws Exception {
        DataKey dk;
        try (BuiltinKeyService keys = open()) {
            dk = keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT);
        }
        byte[] master = Files.readAllBytes(masterFile());
        Path newMaster = dir.resolve(BuiltinKeyService.NEW_MASTER_KEY_FILE);
        Files.write(newMaster, KeyFiles.formatMaster(ObjectCipherTest.bytes(new SplittableRandom(8), 32)));
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
        }
        assertThat(Files.readAllBytes(masterFile())).isEqualTo(master);
        assertThat(newMaster).doesNotExist();
    }

    @Test
    void aClosedServiceRefusesWork() throws Exception {
        BuiltinKeyService keys = open();
        keys.close();
        keys.close();
        assertThatThrownBy(() -> keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(keys::listKeys).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void concurrentUseWhileKeysChange() throws Exception {
        try (BuiltinKeyService keys = open()) {
            keys.createKey("app/k", "");
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    String keyId = t == 0 ? KeyService.SSE_S3_KEY_ID : t == 1 ? "app/k" : KeyService.DEFAULT_KMS_KEY_ID;
                    workers.add(pool.submit(() -> {
                        while (!stop.get()) {
                            DataKey dk = keys.generateDataKey(keyId, CONTEXT);
                            assertThat(keys.unwrap(dk.wrapped(), CONTEXT)).isEqualTo(dk.plaintext());
                        }
                        return null;
                    }));
                }
                for (int i = 0; i < 20; i++) {
                    keys.rotateKey("app/k");
                    keys.createKey("app/n" + i, "");
                    if (i % 5 == 0) {
                        keys.rotateMasterKey();
                    }
                }
                stop.set(true);
                for (Future<?> w : workers) {
                    w.get();
                }
            } finally {
                stop.set(true);
                pool.shutdown();
            }
            assertThat(keys.describeKey("app/k").orElseThrow().currentGeneration()).isEqualTo(21);
        }
        try (BuiltinKeyService keys = open()) {
            assertThat(keys.listKeys()).hasSize(23);
        }
    }

    /** A sanity print, not an assertion. */
    @Test
    void hotPathCostSanityPrint() throws Exception {
        try (BuiltinKeyService keys = open()) {
            int rounds = 50_000;
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < rounds; i++) {
                    DataKey dk = keys.generateDataKey(KeyService.SSE_S3_KEY_ID, CONTEXT);
                    keys.unwrap(dk.wrapped(), CONTEXT);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e3 / rounds);
            }
            System.out.printf("BuiltinKeyService generateDataKey+unwrap: %.2f us (best of 3)%n", best);
        }
    }
}
