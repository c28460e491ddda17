package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.arca.core.Entropy;
import dev.arca.erasure.ErasureCoders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random geometries (k 1..6, m 0..3, k+m..k+m+2 drives, tiny to medium stripes), random blobs and
 * random damage to whole shard files or single chunks: with at most m shards damaged every read is
 * exact and healing restores the exact files; with more (concentrated on one stripe, so that it
 * has only k - 1 good chunks) reads fail and never return a wrong byte. Blobs are written with one
 * coder implementation and read and healed with another: their shards are interchangeable.
 */
class ErasurePropertyTest {
    private static final int STORES = 14;
    private static final int BLOBS_PER_STORE = 6;
    private static final int MAX_K = 6;
    private static final int MAX_M = 3;
    private static final int MAX_EXTRA_DRIVES = 2;
    /** Tiny stripes give blobs of many stripes (and one-byte chunks); medium ones many chunk sizes. */
    private static final int TINY_STRIPE = 64;
    private static final int MEDIUM_STRIPE = 16 * 1024;
    private static final int MAX_STRIPES_PER_BLOB = 7;
    private static final int RANGES_PER_BLOB = 6;
    /** The version field of a shard header: damage there reads as "unsupported", not as corruption. */
    private static final int VERSION_AT = 8;
    private static final int VERSION_END = 12;

    private enum Damage { DELETE, EMPTY, TRUNCATE, APPEND, FLIP_HEADER, FLIP_FOOTER, FLIP_CHUNK }

    @TempDir(factory = RamTempDir.class)
    Path root;

    @Test
    void readsAreExactWithAtMostMDamagedShardsAndFailBeyond() throws IOException {
        SplittableRandom random = TestSeed.random("erasure property");
        List<ErasureCoders.Implementation> coders = new ArrayList<>(
                List.of(ErasureCoders.Implementation.AUTO, ErasureCoders.Implementation.JAVA_SCALAR));
        if (ErasureCoders.vectorAvailable()) {
            coders.add(ErasureCoders.Implementation.JAVA_VECTOR);
        }
        int readable = 0;
        int unreadable = 0;
        for (int round = 0; round < STORES; round++) {
            int k = 1 + random.nextInt(MAX_K);
            int m = random.nextInt(MAX_M + 1);
            int n = k + m + random.nextInt(MAX_EXTRA_DRIVES + 1);
            int stripeBytes = k + random.nextInt(random.nextBoolean() ? TINY_STRIPE : MEDIUM_STRIPE);
            ErasureTesting.Shape shape = new ErasureTesting.Shape(n, k, m, stripeBytes);
            ErasureCoders.Implementation writeWith = coders.get(random.nextInt(coders.size()));
            ErasureCoders.Implementation readWith = coders.get(random.nextInt(coders.size()));
            List<Path> drives = ErasureTesting.drives(root.resolve("round-" + round), n);
            ErasureBlobStore writer = open(drives, shape, writeWith, random.nextLong());
            ErasureBlobStore reader = open(drives, shape, readWith, random.nextLong());
            for (int b = 0; b < BLOBS_PER_STORE; b++) {
                String id = TestSeed.blobId(random);
                byte[] data = TestSeed.bytes(random, size(shape, random));
                String where = "round %d, %s, written by %s, read by %s, blob %s of %d bytes"
                        .formatted(round, shape, writeWith, readWith, id, data.length);
                ErasureTesting.write(writer, id, data, random);
                byte[][] original = new byte[k + m][];
                for (int s = 0; s < k + m; s++) {
                    original[s] = Files.readAllBytes(ErasureTesting.shardPath(drives, id, s));
                }
                boolean recoverable = random.nextInt(3) > 0;
                int damaged = recoverable ? random.nextInt(m + 1) : m + 1;
                long stripes = Math.ceilDiv((long) data.length, shape.fullStripe());
                // Beyond m, chunk damage all hits one stripe: that stripe is left with k - 1 good chunks.
                long badStripe = stripes == 0 ? -1 : random.nextLong(stripes);
                // Beyond m, data shard 0 is among the damaged: it holds data in every stripe, so a read meets the damage
                // (damage only to chunks that hold no data, such as the padding of a short stripe, does not fail reads).
                List<Integer> victims = recoverable ? distinct(random, damaged, k + m)
                        : Stream.concat(Stream.of(0), distinct(random, m, k + m - 1).stream().map(s -> s + 1)).toList();
                List<String> done = new ArrayList<>();
                for (int s : victims) {
                    Path file = ErasureTesting.shardPath(drives, id, s);
                    long stripe = recoverable && stripes > 0 ? random.nextLong(stripes) : badStripe;
                    done.add("shard " + s + ": " + damage(file, shape, data.length, stripe, random));
                }
                String what = where + ", damage " + done;
                if (recoverable) {
                    readable++;
                    assertReadsExact(reader, id, data, random, what);
                    HealReport report = reader.heal(id, true);
                    assertThat(report.outcome()).as(what)
                            .isEqualTo(damaged == 0 ? HealReport.Outcome.HEALTHY : HealReport.Outcome.HEALED);
                    for (int s = 0; s < k + m; s++) {
                        assertThat(Files.readAllBytes(ErasureTesting.shardPath(drives, id, s))).as("%s: shard %d healed", what, s)
                                .isEqualTo(original[s]);
                    }
                } else {
                    unreadable++;
                    assertNeverWrong(reader, id, data, random, what);
                    // Every shard file deleted (k = 1 allows that): the blob is simply gone.
                    boolean gone = !reader.exists(id);
                    assertThat(reader.heal(id, true).outcome()).as(what).isIn(gone ? List.of(HealReport.Outcome.NOT_FOUND)
                            : List.of(HealReport.Outcome.UNRECOVERABLE, HealReport.Outcome.DANGLING_REMOVED));
                }
            }
            assertThat(ErasureTesting.tempFiles(drives)).isEmpty();
        }
        System.out.println("erasure property: " + readable + " readable and " + unreadable + " unreadable damaged blobs");
    }

    private static ErasureBlobStore open(List<Path> drives, ErasureTesting.Shape shape, ErasureCoders.Implementation coder, long seed) {
        return ErasureBlobStore.open(drives, shape.geometry(), (k, m) -> ErasureCoders.create(k, m, coder), Entropy.seeded(seed));
    }

    /** Sizes near stripe and chunk boundaries, empty included, or anything up to a few stripes. */
    private static int size(ErasureTesting.Shape shape, SplittableRandom random) {
        int stripe = shape.fullStripe();
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(3);
            case 1 -> Math.max(0, (1 + random.nextInt(MAX_STRIPES_PER_BLOB)) * stripe - 1 + random.nextInt(3));
            case 2 -> random.nextInt(MAX_STRIPES_PER_BLOB) * stripe + shape.chunk() * random.nextInt(shape.k()) + random.nextInt(2);
            default -> random.nextInt(MAX_STRIPES_PER_BLOB * stripe + 1);
        };
    }

    /** Damages one shard file; chunk damage goes to {@code stripe} (if the blob has one). Returns what was done. */
    private static String damage(Path file, ErasureTesting.Shape shape, int length, long stripe, SplittableRandom random)
            throws IOException {
        Damage[] kinds = Damage.values();
        Damage kind = kinds[random.nextInt(kinds.length)];
        if (kind == Damage.FLIP_CHUNK && stripe < 0) {
            kind = Damage.DELETE; // an empty blob has no chunks
        }
        long size = Files.size(file);
        switch (kind) {
            case DELETE -> Files.delete(file);
            case EMPTY -> ErasureTesting.truncate(file, 0);
            case TRUNCATE -> ErasureTesting.truncate(file, random.nextLong(size));
            case APPEND -> Files.write(file, new byte[1 + random.nextInt(3)], StandardOpenOption.APPEND);
            case FLIP_HEADER -> {
                int at = random.nextInt(ShardFormat.HEADER_BYTES - (VERSION_END - VERSION_AT));
                ErasureTesting.flip(file, at < VERSION_AT ? at : at + VERSION_END - VERSION_AT);
            }
            case FLIP_FOOTER -> ErasureTesting.flip(file, size - 1 - random.nextInt(ShardFormat.FOOTER_BYTES));
            case FLIP_CHUNK -> {
                long full = (long) shape.fullStripe();
                int stripeLength = (int) Math.min(full, length - stripe * full);
                int chunk = Math.ceilDiv(stripeLength, shape.k());
                // Data or CRC bytes of the chunk.
                ErasureTesting.flip(file, ErasureTesting.chunkPosition(shape, stripe) + random.nextInt(chunk + ShardFormat.CRC_BYTES));
                return kind + " in stripe " + stripe;
            }
        }
        return kind.toString();
    }

    private static void assertReadsExact(ErasureBlobStore store, String id, byte[] data, SplittableRandom random, String what)
            throws IOException {
        try (BlobReader reader = store.open(id)) {
            assertThat(reader.length()).as(what).isEqualTo(data.length);
            assertThat(ErasureTesting.readAll(reader)).as(what).isEqualTo(data);
            for (int i = 0; i < RANGES_PER_BLOB; i++) {
                int offset = random.nextInt(data.length + 1);
                int length = random.nextInt(data.length - offset + 1);
                try (InputStream in = reader.stream(offset, length)) {
                    assertThat(in.readAllBytes()).as("%s, range [%d, +%d)", what, offset, length)
                            .isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
                }
            }
        }
    }

    /** The blob cannot be read whole; any range that does read is exact. */
    private static void assertNeverWrong(ErasureBlobStore store, String id, byte[] data, SplittableRandom random, String what)
            throws IOException {
        BlobReader reader;
        try {
            reader = store.open(id);
        } catch (UncheckedIOException e) {
            assertThat(e).as(what).hasCauseInstanceOf(BlobCorruptException.class);
            return;
        } catch (NoSuchBlobException e) {
            assertThat(store.exists(id)).as(what).isFalse();
            return;
        }
        try (reader) {
            assertThat(reader.length()).as(what).isEqualTo(data.length);
            try {
                byte[] whole = ErasureTesting.readAll(reader);
                assertThat(whole).as("%s: whole read", what).isEqualTo(data);
                fail(what + ": the whole blob read without error");
            } catch (BlobCorruptException expected) {
                // The bad stripe.
            }
            for (int i = 0; i < RANGES_PER_BLOB; i++) {
                int offset = random.nextInt(data.length + 1);
                int length = random.nextInt(data.length - offset + 1);
                try (InputStream in = reader.stream(offset, length)) {
                    byte[] got = in.readAllBytes();
                    assertThat(got).as("%s, range [%d, +%d) read", what, offset, length)
                            .isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
                } catch (BlobCorruptException expected) {
                    // The range covers the bad stripe.
                }
            }
        }
    }

    private static List<Integer> distinct(SplittableRandom random, int count, int bound) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < bound; i++) {
            all.add(i);
        }
        for (int i = bound - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            all.set(i, all.set(j, all.get(i)));
        }
        return all.subList(0, count);
    }
}
