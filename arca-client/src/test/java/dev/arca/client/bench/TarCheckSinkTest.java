package dev.arca.client.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The batch phase's tar checker against archives written by GNU tar (pax format, as the server writes). */
class TarCheckSinkTest {
    private static final int SIZE = 700;

    @TempDir
    Path tmp;

    /** Writes {@code names} as files of {@code SIZE} bytes from {@code data} (member i at offset i) and tars them in order. */
    private byte[] tar(List<String> names, byte[] data) throws Exception {
        for (int i = 0; i < names.size(); i++) {
            Path p = tmp.resolve(names.get(i));
            Files.createDirectories(p.getParent());
            Files.write(p, java.util.Arrays.copyOfRange(data, i, i + SIZE));
        }
        List<String> command = new ArrayList<>(List.of("tar", "--format=pax", "-b", "1", "-cf", "out.tar"));
        command.addAll(names);
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(output).isZero();
        return Files.readAllBytes(tmp.resolve("out.tar"));
    }

    /** Feeds the archive in random-sized pieces, as a socket would deliver it. */
    private static void feed(TarCheckSink sink, byte[] archive, long seed) throws Exception {
        Random random = new Random(seed);
        for (int at = 0; at < archive.length; ) {
            int n = Math.min(archive.length - at, 1 + random.nextInt(1500));
            byte[] copy = java.util.Arrays.copyOfRange(archive, at, at + n);
            sink.accept(copy, 0, n);
            at += n;
        }
    }

    @Test
    void anArchiveWithEveryKeyInOrderPassesIncludingBytes() throws Exception {
        byte[] data = new byte[SIZE + 10];
        new Random(1).nextBytes(data);
        List<String> keys = List.of("bench/a/0", "bench/a/1", "bench/" + "long-".repeat(30) + "name");
        byte[] archive = tar(keys, data);
        TarCheckSink sink = new TarCheckSink();
        sink.expect(keys, SIZE, new TarCheckSink.Expected() {
            @Override
            public byte[] data() {
                return data;
            }

            @Override
            public int offsetOf(int member) {
                return member;
            }
        });
        feed(sink, archive, 2);
        assertThat(sink.problem()).isNull();
        assertThat(sink.served()).isEqualTo(3);
    }

    @Test
    void wrongBytesOrderOrErrorMembersAreProblems() throws Exception {
        byte[] data = new byte[SIZE + 10];
        new Random(3).nextBytes(data);
        byte[] archive = tar(List.of("k/0", "k/1"), data);
        TarCheckSink sink = new TarCheckSink();
        sink.expect(List.of("k/0", "k/1"), SIZE, new TarCheckSink.Expected() {
            @Override
            public byte[] data() {
                return data;
            }

            @Override
            public int offsetOf(int member) {
                return 5; // not where the members came from
            }
        });
        feed(sink, archive, 4);
        assertThat(sink.problem()).contains("differ");

        sink.expect(List.of("k/1", "k/0"), SIZE, null);
        feed(sink, archive, 5);
        assertThat(sink.problem()).contains("expected k/1");

        sink.expect(List.of("k/0", "k/1"), SIZE, null);
        feed(sink, java.util.Arrays.copyOf(archive, 2048), 6);
        assertThat(sink.problem()).contains("ended early");

        Files.writeString(tmp.resolve("m.error.json"), "{\"code\":\"NoSuchKey\"}");
        Files.write(tmp.resolve("k/0"), java.util.Arrays.copyOfRange(data, 0, SIZE));
        Process p = new ProcessBuilder("tar", "--format=pax", "-b", "1", "-cf", "err.tar", "k/0", "m.error.json").directory(tmp.toFile())
                .start();
        assertThat(p.waitFor()).isZero();
        sink.expect(List.of("k/0", "m"), SIZE, null);
        feed(sink, Files.readAllBytes(tmp.resolve("err.tar")), 7);
        assertThat(sink.served()).isEqualTo(1);
        assertThat(sink.problem()).contains("1 objects answered with an error member");
    }
}
