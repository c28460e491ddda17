package dev.arca.client.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tar reading and writing: padding, long names, GNU tar's formats, corrupt headers. */
class TarTest {

    @TempDir
    Path dir;

    /** Names around every length limit of ustar (100 name, 155 prefix) and sizes around the block. */
    private static Map<String, byte[]> members() {
        Random random = new Random(3);
        Map<String, byte[]> m = new LinkedHashMap<>();
        int[] sizes = {0, 1, 511, 512, 513, 1024, 5000};
        String longDir = "d".repeat(120);
        String[] names = {"a.txt", "dir/b.bin", "x".repeat(100), "y".repeat(99) + ".z",
            longDir + "/c.json", "e".repeat(150) + ".cls", longDir + "/" + "f".repeat(90) + ".jpg",
            "g".repeat(130) + "/" + "h".repeat(130) + "/i.seg.png"};
        for (int i = 0; i < names.length; i++) {
            byte[] b = new byte[sizes[i % sizes.length]];
            random.nextBytes(b);
            m.put(names[i], b);
        }
        return m;
    }

    private static Map<String, byte[]> readAll(byte[] archive) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(archive));
        Map<String, byte[]> out = new LinkedHashMap<>();
        TarEntry e;
        while ((e = r.next()) != null) {
            byte[] content = r.readContent(1 << 20);
            assertThat(content).hasSize((int) e.size());
            out.put(e.name(), content);
        }
        return out;
    }

    @Test
    void writerOutputReadsBackIdentically() throws IOException {
        Map<String, byte[]> members = members();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            for (var e : members.entrySet()) {
                w.add(e.getKey(), e.getValue());
            }
        }
        byte[] archive = out.toByteArray();
        assertThat(archive.length % TarReader.BLOCK_SIZE).isZero();
        Map<String, byte[]> back = readAll(archive);
        assertThat(back.keySet()).containsExactlyElementsOf(members.keySet());
        members.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void skipsUnreadContentAndPadding() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            w.add("one.bin", new byte[700]);
            w.add("two.bin", new byte[] {1, 2, 3});
        }
        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        assertThat(r.next()).isEqualTo(new TarEntry("one.bin", 700));
        assertThat(r.next()).isEqualTo(new TarEntry("two.bin", 3)); // content of one.bin never read
        assertThat(r.readContent(10)).containsExactly(1, 2, 3);
        assertThat(r.next()).isNull();
        assertThat(r.next()).isNull();
    }

    @Test
    void corruptHeaderIsRejected() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            w.add("file.bin", new byte[10]);
        }
        byte[] archive = out.toByteArray();
        archive[3] ^= 1;
        assertThatThrownBy(() -> new TarReader(new ByteArrayInputStream(archive)).next())
                .isInstanceOf(IOException.class).hasMessageContaining("checksum");
        byte[] truncated = java.util.Arrays.copyOf(out.toByteArray(), 600);
        TarReader r = new TarReader(new ByteArrayInputStream(truncated));
        assertThatThrownBy(() -> {
            r.next();
            r.readContent(100);
            r.next();
        }).isInstanceOf(java.io.EOFException.class);
    }

    @Test
    void memberLimitIsEnforced() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            w.add("big.bin", new byte[2000]);
        }
        TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()));
        r.next();
        assertThatThrownBy(() -> r.readContent(1000)).isInstanceOf(IOException.class).hasMessageContaining("limit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "posix", "ustar"})
    void readsWhatGnuTarWrites(String format) throws Exception {
        assumeTrue(hasTar(), "GNU tar not installed");
        Map<String, byte[]> members = members();
        if (format.equals("ustar")) {
            // ustar cannot store a file name over 100 bytes or a path that does not split into 155 + 100.
            members.keySet().removeIf(n -> n.substring(n.lastIndexOf('/') + 1).length() > 100
                    || (n.length() > 100 && n.lastIndexOf('/') > 155));
        }
        Path src = dir.resolve("src");
        List<String> names = new ArrayList<>();
        for (var e : members.entrySet()) {
            Path p = src.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
            names.add(e.getKey());
        }
        Path archive = dir.resolve("a.tar");
        List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + format, "-cf", archive.toString(), "-C", src.toString()));
        cmd.addAll(names);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();

        Map<String, byte[]> back = readAll(Files.readAllBytes(archive));
        assertThat(back.keySet()).containsExactlyElementsOf(members.keySet());
        members.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void gnuTarReadsWhatTheWriterWrites() throws Exception {
        assumeTrue(hasTar(), "GNU tar not installed");
        Map<String, byte[]> members = members();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            for (var e : members.entrySet()) {
                w.add(e.getKey(), e.getValue());
            }
        }
        Path archive = dir.resolve("w.tar");
        Files.write(archive, out.toByteArray());
        Path dest = Files.createDirectories(dir.resolve("x"));
        Process p = new ProcessBuilder("tar", "-xf", archive.toString(), "-C", dest.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        for (var e : members.entrySet()) {
            assertThat(Files.readAllBytes(dest.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void webDatasetKeysEndAtTheFirstDotOfTheFileName() {
        assertThat(WebDatasetShards.keyAndExtension("train/000042.seg.png")).containsExactly("train/000042", "seg.png");
        assertThat(WebDatasetShards.keyAndExtension("a.b/c.d.e")).containsExactly("a.b/c", "d.e");
        assertThat(WebDatasetShards.keyAndExtension("plain")).containsExactly("plain", "");
        assertThat(WebDatasetShards.keyAndExtension("x/y.jpg")).containsExactly("x/y", "jpg");
    }

    static boolean hasTar() {
        try {
            Process p = new ProcessBuilder("tar", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && v.contains("GNU tar");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
