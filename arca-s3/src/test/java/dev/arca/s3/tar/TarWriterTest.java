package dev.arca.s3.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {
    @TempDir
    Path tmp;

    @Test
    void aShortAsciiNameIsOnePlainUstarBlock() {
        byte[] h = TarWriter.header("dir/file.txt", 1234, 1_700_000_000L);
        assertThat(h).hasSize(512);
        assertThat(new String(h, 0, 12, StandardCharsets.US_ASCII)).isEqualTo("dir/file.txt");
        assertThat(h[12]).isZero();
        assertThat(new String(h, 100, 7, StandardCharsets.US_ASCII)).isEqualTo("0000644");
        assertThat(new String(h, 124, 11, StandardCharsets.US_ASCII)).isEqualTo(String.format("%011o", 1234));
        assertThat(new String(h, 136, 11, StandardCharsets.US_ASCII)).isEqualTo(String.format("%011o", 1_700_000_000L));
        assertThat((char) h[156]).isEqualTo('0');
        assertThat(new String(h, 257, 8, StandardCharsets.US_ASCII)).isEqualTo("ustar\u000000");
        assertThat(TarIndex.checksumOk(h)).isTrue();
        assertThat(TarIndex.number(h, 124, 12, 0)).isEqualTo(1234);
    }

    @Test
    void longAndNonAsciiNamesGetAPaxPathRecord() {
        String longName = "a/".repeat(60) + "end.bin";
        byte[] h = TarWriter.header(longName, 7, 0);
        assertThat(h.length % 512).isZero();
        assertThat(h.length).isEqualTo(3 * 512); // pax header block, one block of records, ustar block
        assertThat((char) h[156]).isEqualTo('x');
        int paxSize = (int) TarIndex.number(h, 124, 12, 0);
        byte[] records = java.util.Arrays.copyOfRange(h, 512, 512 + paxSize);
        assertThat(TarIndex.paxRecords(records, 0)).containsExactly(Map.entry("path", longName));
        byte[] ustar = java.util.Arrays.copyOfRange(h, 1024, 1536);
        assertThat(TarIndex.checksumOk(ustar)).isTrue();
        assertThat((char) ustar[156]).isEqualTo('0');
        assertThat(TarIndex.number(ustar, 124, 12, 0)).isEqualTo(7);

        String unicode = "données/日本語.txt";
        byte[] u = TarWriter.header(unicode, 1, 0);
        int size = (int) TarIndex.number(u, 124, 12, 0);
        assertThat(TarIndex.paxRecords(java.util.Arrays.copyOfRange(u, 512, 512 + size), 0)).containsEntry("path", unicode);
        // Control characters (legal in S3 keys) also go through pax, never raw into the ustar field.
        assertThat(TarWriter.header("a\nb", 1, 0)).hasSize(3 * 512);
    }

    @Test
    void sizesOf8GiBAndMoreUsePaxAndBase256() {
        long size = 10L * 1024 * 1024 * 1024 + 3;
        byte[] h = TarWriter.header("big.bin", size, 0);
        int paxSize = (int) TarIndex.number(h, 124, 12, 0);
        assertThat(TarIndex.paxRecords(java.util.Arrays.copyOfRange(h, 512, 512 + paxSize), 0))
                .containsExactly(Map.entry("size", Long.toString(size)));
        byte[] ustar = java.util.Arrays.copyOfRange(h, h.length - 512, h.length);
        assertThat(ustar[124] & 0xFF).isEqualTo(0x80);
        assertThat(TarIndex.number(ustar, 124, 12, 0)).isEqualTo(size);
        assertThat(TarIndex.checksumOk(ustar)).isTrue();
        // The largest octal size stays plain.
        assertThat(TarWriter.header("edge.bin", TarWriter.MAX_OCTAL_SIZE, 0)).hasSize(512);
    }

    @Test
    void paddingCompletesTheLastBlock() {
        assertThat(TarWriter.padding(0)).isZero();
        assertThat(TarWriter.padding(1)).isEqualTo(511);
        assertThat(TarWriter.padding(512)).isZero();
        assertThat(TarWriter.padding(513)).isEqualTo(511);
        assertThat(TarWriter.endOfArchive()).hasSize(1024).containsOnly(0);
    }

    @Test
    void paxRecordLengthCountsItsOwnDigits() {
        for (int valueLength = 0; valueLength < 1200; valueLength++) {
            String record = TarWriter.paxRecord("path", "v".repeat(valueLength));
            int declared = Integer.parseInt(record.substring(0, record.indexOf(' ')));
            assertThat(record.getBytes(StandardCharsets.UTF_8)).as("value of %d bytes", valueLength).hasSize(declared);
        }
        String multiByte = TarWriter.paxRecord("path", "é".repeat(47));
        assertThat(multiByte.getBytes(StandardCharsets.UTF_8))
                .hasSize(Integer.parseInt(multiByte.substring(0, multiByte.indexOf(' '))));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> TarWriter.header("", 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TarWriter.header("x", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Writes an archive as the batch stream does and checks it with GNU tar and with our own index. */
    @Test
    void roundTripThroughSystemTar() throws Exception {
        Random random = new Random(42);
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("plain.bin", bytes(random, 10 * 1024));
        members.put("empty", new byte[0]);
        members.put("exactly-one-block", bytes(random, 512));
        members.put("dir/sub/one-more-than-a-block", bytes(random, 513));
        members.put("long/" + "x".repeat(140) + "/name.bin", bytes(random, 3000));
        members.put("unicode/données-日本語.bin", bytes(random, 77));
        members.put("large.bin", bytes(random, 1024 * 1024 + 1));
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            archive.writeBytes(TarWriter.header(m.getKey(), m.getValue().length, 1_600_000_000L));
            archive.writeBytes(m.getValue());
            archive.write(new byte[TarWriter.padding(m.getValue().length)], 0, TarWriter.padding(m.getValue().length));
        }
        archive.writeBytes(TarWriter.endOfArchive());
        byte[] bytes = archive.toByteArray();
        Path tar = tmp.resolve("out.tar");
        Files.write(tar, bytes);

        List<String> listing = run(tmp, "tar", "-tf", tar.toString());
        assertThat(listing).containsExactlyElementsOf(members.keySet());
        List<String> verbose = run(tmp, "tar", "-tvf", tar.toString());
        assertThat(verbose).hasSize(members.size());
        assertThat(verbose.get(0)).contains("-rw-r--r--").contains(" 10240 ").endsWith("plain.bin");

        Path out = Files.createDirectory(tmp.resolve("x"));
        run(out, "tar", "-xf", tar.toString());
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            assertThat(Files.readAllBytes(out.resolve(m.getKey()))).as(m.getKey()).isEqualTo(m.getValue());
        }

        TarIndex index = TarIndex.scan(bytes.length, offset -> new ByteArrayInputStream(bytes, (int) offset,
                bytes.length - (int) offset), 100);
        assertThat(index.size()).isEqualTo(members.size());
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            TarIndex.Member member = index.find(m.getKey()).orElseThrow();
            assertThat(member.size()).isEqualTo(m.getValue().length);
            assertThat(member.mtimeSeconds()).isEqualTo(1_600_000_000L);
            assertThat(java.util.Arrays.copyOfRange(bytes, (int) member.offset(), (int) (member.offset() + member.size())))
                    .isEqualTo(m.getValue());
        }
    }

    static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Runs a command in {@code dir}; fails the test on a non-zero exit. Returns its stdout lines. */
    static List<String> run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C.UTF-8"); // names listed as UTF-8, not escaped
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        byte[] stderr = p.getErrorStream().readAllBytes();
        int code = p.waitFor();
        assertThat(code).as(String.join(" ", command) + ": " + new String(stderr, StandardCharsets.UTF_8)).isZero();
        List<String> lines = new ArrayList<>();
        for (String line : new String(stdout, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
