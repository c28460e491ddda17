package dev.arca.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
    private final Entropy entropy = Entropy.seeded(3);
    private final SecretBox box = new SecretBox(new byte[32], entropy);
    private final byte[] aad = "AKIAEXAMPLE".getBytes(StandardCharsets.US_ASCII);

    @Test
    void sealsAndOpens() {
        byte[] plain = "secret".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = box.seal(plain, aad);
        assertThat(sealed).hasSize(plain.length + SecretBox.OVERHEAD);
        assertThat(box.open(sealed, aad)).isEqualTo(plain);
        assertThat(box.seal(plain, aad)).isNotEqualTo(sealed); // fresh nonce each time
        assertThat(box.toString()).doesNotContain("0000");
    }

    @Test
    void anythingAlteredDoesNotOpen() {
        byte[] sealed = box.seal("secret".getBytes(StandardCharsets.UTF_8), aad);
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x40;
            assertThatThrownBy(() -> box.open(bad, aad)).isInstanceOf(SecretBox.BrokenSealException.class);
        }
        assertThatThrownBy(() -> box.open(sealed, "AKIAOTHER".getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(SecretBox.BrokenSealException.class);
        assertThatThrownBy(() -> box.derive("x").open(sealed, aad)).isInstanceOf(SecretBox.BrokenSealException.class);
        assertThatThrownBy(() -> box.open(new byte[5], aad)).isInstanceOf(SecretBox.BrokenSealException.class);
    }

    @Test
    void derivedKeysDifferByPurposeAndAreStable() {
        byte[] sealed = box.derive("a").seal(new byte[] {1}, aad);
        assertThat(box.derive("a").open(sealed, aad)).containsExactly(1);
        assertThatThrownBy(() -> box.derive("b").open(sealed, aad)).isInstanceOf(SecretBox.BrokenSealException.class);
    }

    @Test
    void masterKeyFileIsCreatedOwnerOnlyAndReadBack(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(MasterKey.FILE_NAME);
        MasterKey created = MasterKey.loadOrCreate(file, Entropy.seeded(9));
        assertThat(Files.size(file)).isEqualTo(MasterKey.FILE_BYTES);
        assertThat(new String(Files.readAllBytes(file), 0, 8, StandardCharsets.US_ASCII)).isEqualTo("ARCAIAMK");
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        assertThat(Files.exists(dir.resolve(MasterKey.FILE_NAME + ".tmp"))).isFalse();
        MasterKey loaded = MasterKey.loadOrCreate(file, Entropy.seeded(10)); // other entropy: must not matter
        byte[] sealed = created.box(entropy).seal(new byte[] {7}, aad);
        assertThat(loaded.box(entropy).open(sealed, aad)).containsExactly(7);
        assertThat(created.toString()).contains("redacted");
    }

    @Test
    void aDamagedOrForeignKeyFileIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(MasterKey.FILE_NAME);
        MasterKey.loadOrCreate(file, Entropy.seeded(9));
        byte[] content = Files.readAllBytes(file);
        content[20] ^= 1;
        Files.write(file, content);
        assertThatThrownBy(() -> MasterKey.loadOrCreate(file, entropy)).isInstanceOf(IOException.class)
                .hasMessageContaining("checksum");
        Files.write(file, "hello".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> MasterKey.loadOrCreate(file, entropy)).isInstanceOf(IOException.class)
                .hasMessageContaining("not an Arca IAM master key");
        byte[] v2 = MasterKey.format(new byte[32]);
        v2[11] = 2;
        Files.write(file, v2);
        assertThatThrownBy(() -> MasterKey.loadOrCreate(file, entropy)).isInstanceOf(IOException.class)
                .hasMessageContaining("version 2");
    }
}
