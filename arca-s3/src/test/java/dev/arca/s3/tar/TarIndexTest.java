package dev.arca.s3.tar;

import static dev.arca.s3.tar.TarWriterTest.bytes;
import static dev.arca.s3.tar.TarWriterTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TarIndexTest {
    @TempDir
    Path tmp;

    /** Files with random bytes, including a name too long for ustar's name field and one not ASCII. */
    private Map<String, byte[]> tree(Path root) throws Exception {
        Random random = new Random(7);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a.bin", bytes(random, 1000));
        files.put("empty.bin", new byte[0]);
        files.put("dir/b.bin", bytes(random, 512));
        files.put("dir/" + "d".repeat(90) + "/" + "n".repeat(60) + ".bin", bytes(random, 4097));
        files.put("dir/über-名前.txt", bytes(random, 33));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
        }
        return files;
    }

    private static TarIndex index(byte[] archive) {
        return TarIndex.scan(archive.length, offset -> new ByteArrayInputStream(archive, (int) offset,
                archive.length - (int) offset), 1000);
    }

    private static byte[] member(byte[] archive, TarIndex.Member m) {
        return Arrays.copyOfRange(archive, (int) m.offset(), (int) (m.offset() + m.size()));
    }

    /** ustar (prefix/name split), GNU (././@LongLink) and pax (path records) archives from GNU tar. */
    @ParameterizedTest
    @ValueSource(strings = {"ustar", "gnu", "pax", "posix", "oldgnu"})
    void indexesEveryRegularFileOfSystemTarArchives(String format) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("src"));
        Map<String, byte[]> files = tree(root);
        Files.createSymbolicLink(root.resolve("link"), Path.of("a.bin"));
        Path tar = tmp.resolve(format + ".tar");
        run(root, "tar", "--format=" + format, "-cf", tar.toString(), "a.bin", "empty.bin", "dir", "link");
        byte[] archive = Files.readAllBytes(tar);
        TarIndex index = index(archive);
        assertThat(index.size()).as("regular files only: not dirs, not the symlink").isEqualTo(files.size());
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            TarIndex.Member m = index.find(f.getKey()).orElseThrow(() -> new AssertionError(format + ": " + f.getKey()));
            assertThat(member(archive, m)).as(format + ": " + f.getKey()).isEqualTo(f.getValue());
            assertThat(m.mtimeSeconds()).isPositive();
        }
        assertThat(index.find("dir")).isEmpty();
        assertThat(index.find("link")).isEmpty();
        assertThat(index.find("missing")).isEmpty();
    }

    @Test
    void dotSlashNamesAreFoundWithAndWithoutIt() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("src"));
        Map<String, byte[]> files = tree(root);
        Path tar = tmp.resolve("dot.tar");
        run(root, "tar", "-cf", tar.toString(), ".");
        byte[] archive = Files.readAllBytes(tar);
        TarIndex index = index(archive);
        assertThat(member(archive, index.find("a.bin").orElseThrow())).isEqualTo(files.get("a.bin"));
        assertThat(member(archive, index.find("./dir/b.bin").orElseThrow())).isEqualTo(files.get("dir/b.bin"));
    }

    @Test
    void aNameStoredTwiceFindsTheLastMemberAsExtractionWould() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("src"));
        Files.write(root.resolve("f"), new byte[] {1, 2, 3});
        Path tar = tmp.resolve("twice.tar");
        run(root, "tar", "-cf", tar.toString(), "f");
        Files.write(root.resolve("f"), new byte[] {9, 9});
        run(root, "tar", "-rf", tar.toString(), "f");
        byte[] archive = Files.readAllBytes(tar);
        assertThat(member(archive, index(archive).find("f").orElseThrow())).containsExactly(9, 9);
    }

    @Test
    void whatIsNotATarArchiveIsInvalidRequest() throws Exception {
        byte[] random = bytes(new Random(1), 4096);
        assertNotTar(random);
        assertNotTar(new byte[0]);
        assertNotTar(new byte[100]);
        // A gzip-compressed tar is not a tar.
        Path root = Files.createDirectory(tmp.resolve("src"));
        tree(root);
        Path tgz = tmp.resolve("x.tgz");
        run(root, "tar", "-czf", tgz.toString(), "a.bin");
        assertNotTar(Files.readAllBytes(tgz));
        // A tar cut short inside a member's data.
        Path tar = tmp.resolve("x.tar");
        run(root, "tar", "-cf", tar.toString(), "dir");
        byte[] whole = Files.readAllBytes(tar);
        assertNotTar(Arrays.copyOf(whole, 2048));
        // A damaged header after the first.
        byte[] damaged = whole.clone();
        TarIndex.Member second = index(whole).find("dir/b.bin").orElseThrow();
        damaged[(int) second.offset() - 512 + 10] ^= 0x55;
        assertNotTar(damaged);
    }

    @Test
    void anArchiveOfOnlyZeroBlocksIsAnEmptyTarOnlyIfItHasAHeader() {
        // Two zero blocks alone: no header at all, so not something archpath can index.
        assertNotTar(new byte[1024]);
    }

    private static void assertNotTar(byte[] bytes) {
        assertThatThrownBy(() -> index(bytes)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.kind()).isEqualTo(FailureKind.INVALID_REQUEST));
    }

    @Test
    void tooManyMembersIsRefused() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < 11; i++) {
            out.writeBytes(TarWriter.header("m" + i, 0, 0));
        }
        out.writeBytes(TarWriter.endOfArchive());
        byte[] archive = out.toByteArray();
        assertThat(TarIndex.scan(archive.length, o -> new ByteArrayInputStream(archive, (int) o, archive.length - (int) o), 11)
                .size()).isEqualTo(11);
        assertThatThrownBy(() -> TarIndex.scan(archive.length,
                o -> new ByteArrayInputStream(archive, (int) o, archive.length - (int) o), 10))
                .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.getMessage()).contains("more than 10"));
    }

    /** Small members are read through on one stream; a member larger than the skip threshold reopens past it. */
    @Test
    void largeMembersAreSkippedWithANewRangedReadSmallOnesByReadingThrough() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            byte[] data = bytes(random, 700);
            out.writeBytes(TarWriter.header("small" + i, data.length, 0));
            out.writeBytes(data);
            out.write(new byte[TarWriter.padding(data.length)], 0, TarWriter.padding(data.length));
        }
        int big = (int) TarIndex.SKIP_BY_READING_BYTES + 1000;
        out.writeBytes(TarWriter.header("big", big, 0));
        out.writeBytes(new byte[big + TarWriter.padding(big)]);
        out.writeBytes(TarWriter.header("after", 3, 0));
        out.writeBytes(new byte[] {4, 5, 6});
        out.write(new byte[509], 0, 509);
        out.writeBytes(TarWriter.endOfArchive());
        byte[] archive = out.toByteArray();
        AtomicInteger opens = new AtomicInteger();
        TarIndex index = TarIndex.scan(archive.length, offset -> {
            opens.incrementAndGet();
            return new ByteArrayInputStream(archive, (int) offset, archive.length - (int) offset);
        }, 1000);
        assertThat(opens).hasValue(2);
        assertThat(index.size()).isEqualTo(52);
        assertThat(member(archive, index.find("after").orElseThrow())).containsExactly(4, 5, 6);
    }

    @Test
    void octalAndBase256Numbers() {
        byte[] h = new byte[512];
        byte[] field = " 0001777\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(field, 0, h, 124, field.length);
        assertThat(TarIndex.number(h, 124, 12, 0)).isEqualTo(01777);
        Arrays.fill(h, 124, 136, (byte) 0);
        h[124] = (byte) 0x80;
        h[135] = 5;
        h[134] = 1;
        assertThat(TarIndex.number(h, 124, 12, 0)).isEqualTo(261);
        Arrays.fill(h, 124, 136, (byte) 0);
        h[124] = '1';
        h[125] = '9';
        assertThatThrownBy(() -> TarIndex.number(h, 124, 12, 0)).isInstanceOf(StoreException.class);
    }
}
