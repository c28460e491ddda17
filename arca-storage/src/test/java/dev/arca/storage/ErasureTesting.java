package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.Entropy;
import dev.arca.erasure.ErasureCoders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/** Shared helpers of the erasure store tests: drive directories, shard paths, writes, reads and damage. */
final class ErasureTesting {
    /** Small stripes keep the tests fast while still giving blobs of many stripes. */
    static final int STRIPE = 64 * 1024;
    /** Largest piece handed to one write call when data is cut into random pieces. */
    static final int MAX_PIECE = 3 * STRIPE / 2;
    /** How often {@link #eventually} looks again. */
    private static final long POLL_MILLIS = 20;

    private ErasureTesting() {}

    /** A geometry under test: {@code drives} drives, k+m coding, {@code stripe} bytes per stripe. */
    record Shape(int drives, int k, int m, int stripe) {
        ErasureBlobStore.Geometry geometry() {
            return new ErasureBlobStore.Geometry(k, m, stripe);
        }

        /** Bytes per chunk of a full stripe. */
        int chunk() {
            return Math.ceilDiv(stripe, k);
        }

        /** Data bytes in a full stripe (k chunks: may exceed {@code stripe} by up to k - 1). */
        int fullStripe() {
            return k * chunk();
        }

        @Override
        public String toString() {
            return drives + " drives " + k + "+" + m + " stripe " + stripe;
        }
    }

    static List<Path> drives(Path root, int n) {
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            drives.add(root.resolve("drive" + i));
        }
        return drives;
    }

    static ErasureBlobStore open(List<Path> drives, Shape shape, long seed) {
        return ErasureBlobStore.open(drives, shape.geometry(), ErasureCoders::create, Entropy.seeded(seed));
    }

    /** Where shard {@code shard} of {@code id} lives (ShardSet.slotOf spelled out: the layout is a format). */
    static Path shardPath(List<Path> drives, String id, int shard) {
        int slot = (Integer.parseInt(id.substring(0, 2), 16) + shard) % drives.size();
        return drives.get(slot).resolve("shards").resolve(id.substring(0, 2)).resolve(id);
    }

    /** Expected size of every shard file of a blob of {@code length} bytes (docs/FORMATS.md, "Shard file"). */
    static long shardFileSize(Shape shape, long length) {
        int chunk = shape.chunk();
        long full = length / shape.fullStripe();
        long rest = length % shape.fullStripe();
        long size = ShardFormat.HEADER_BYTES + full * (chunk + ShardFormat.CRC_BYTES) + ShardFormat.FOOTER_BYTES;
        return rest == 0 ? size : size + Math.ceilDiv(rest, shape.k()) + ShardFormat.CRC_BYTES;
    }

    /** File position of stripe {@code stripe}'s chunk in a shard file. */
    static long chunkPosition(Shape shape, long stripe) {
        return ShardFormat.HEADER_BYTES + stripe * (shape.chunk() + ShardFormat.CRC_BYTES);
    }

    /** Deterministic bytes for an id, so a test can check a blob knowing only its id and length. */
    static byte[] content(String id, int length) {
        return TestSeed.bytes(new SplittableRandom(id.hashCode()), length);
    }

    /** Writes {@code data} in random pieces (empty ones included), then commits. */
    static void write(BlobStore store, String id, byte[] data, SplittableRandom random) {
        try (BlobWriter writer = store.create(id)) {
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, random.nextInt(MAX_PIECE + 1));
                writer.write(data, at, n);
                at += n;
            }
            writer.write(data, data.length, 0);
            assertThat(writer.length()).isEqualTo(data.length);
            writer.commit();
        }
    }

    static byte[] readAll(BlobReader reader) throws IOException {
        try (InputStream in = reader.stream(0, reader.length())) {
            return in.readAllBytes();
        }
    }

    static byte[] readAll(BlobStore store, String id) throws IOException {
        try (BlobReader reader = store.open(id)) {
            return readAll(reader);
        }
    }

    /** Every regular file under {@code dir} (none if it does not exist). */
    static List<Path> files(Path dir) {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shard files of every drive (drive format files and tmp/ excluded). */
    static List<Path> shardFiles(List<Path> drives) {
        List<Path> out = new ArrayList<>();
        for (Path d : drives) {
            out.addAll(files(d.resolve("shards")));
        }
        return out;
    }

    /** Files in every drive's tmp/. */
    static List<Path> tempFiles(List<Path> drives) {
        List<Path> out = new ArrayList<>();
        for (Path d : drives) {
            out.addAll(files(d.resolve("tmp")));
        }
        return out;
    }

    /** rm -rf. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Removes everything inside {@code dir}, keeping the (now empty) directory: a blank replacement drive. */
    static void emptyDirectory(Path dir) throws IOException {
        deleteTree(dir);
        Files.createDirectory(dir);
    }

    static void flip(Path file, long position) throws IOException {
        byte[] b = readAt(file, position, 1);
        b[0] ^= (byte) 0x10;
        writeAt(file, position, b);
    }

    static byte[] readAt(Path file, long position, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            ShardSet.readFully(channel, b, position);
            return b.array();
        }
    }

    static void writeAt(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b, position + b.position());
            }
        }
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
    }

    /** Polls {@code condition} until it holds or {@code timeoutMillis} pass; returns whether it held. */
    static boolean eventually(long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
