package dev.arca.server.zerocopy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The k data shard files of one blob, open and checked against shard format 1 (docs/FORMATS.md,
 * "Shard file"): header, footer and file size of every data shard agree with each other and with
 * the blob length the metadata records. Parity shards are not opened: a zero-copy read sends only
 * data chunks, and anything it cannot send from them it reads through the ordinary path.
 *
 * <p>The storage layer does not expose file ranges, so this class reads the format itself, checks
 * every field it relies on and refuses anything else (another version, a shard in the wrong slot,
 * disagreeing geometry): the caller then takes the ordinary path. It locates shard files as
 * {@code ErasureBlobStore} does — shard s of blob id on drive slot {@code (first id byte + s) mod N}
 * — and, like it, accepts a file only if its header names that shard index. Healing replaces a
 * shard by renaming a new file over it and files are never modified in place, so an open channel
 * keeps reading the file that was checked.
 */
final class DataShards implements AutoCloseable {
    static final long HEADER_MAGIC = 0x41524341_53485244L; // "ARCASHRD"
    static final long FOOTER_MAGIC = 0x41524341_53454E44L; // "ARCASEND"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 40;
    static final int FOOTER_BYTES = 28;
    static final int CRC_BYTES = 4;
    static final int ID_BYTES = 16;
    /** Bytes CRC'd ahead of each chunk: blob id, u8 shard index, u64 stripe index. */
    static final int CHUNK_PREFIX_BYTES = ID_BYTES + 1 + Long.BYTES;
    /** Largest chunk size a shard header may declare (as the storage layer accepts). */
    static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;
    static final String SHARDS_DIR = "shards";

    private static final int H_VERSION = 8;
    private static final int H_ID = 12;
    private static final int H_K = 28;
    private static final int H_M = 29;
    private static final int H_INDEX = 30;
    private static final int H_RESERVED = 31;
    private static final int H_CHUNK = 32;
    private static final int H_CRC = 36;
    private static final int F_LENGTH = 8;
    private static final int F_STRIPES = 16;
    private static final int F_CRC = 24;
    private static final Pattern BLOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final HexFormat HEX = HexFormat.of();

    /** A blob's geometry, computed as {@code ShardFormat.Layout} computes it. */
    record Layout(int dataShards, int parityShards, int chunk, long blobLength) {
        long stripeBytes() {
            return (long) dataShards * chunk;
        }

        long stripes() {
            return Math.ceilDiv(blobLength, stripeBytes());
        }

        /** Data bytes in stripe {@code i}. */
        int stripeLength(long i) {
            return (int) Math.min(stripeBytes(), blobLength - i * stripeBytes());
        }

        /** Chunk size of stripe {@code i}: {@code chunk}, except for a shorter last stripe. */
        int chunkLength(long i) {
            return Math.ceilDiv(stripeLength(i), dataShards);
        }

        /** File position of stripe {@code i}'s chunk, in every shard file. */
        long chunkPosition(long i) {
            return HEADER_BYTES + i * ((long) chunk + CRC_BYTES);
        }

        long shardFileSize() {
            long n = stripes();
            return n == 0 ? HEADER_BYTES + FOOTER_BYTES : chunkPosition(n - 1) + chunkLength(n - 1) + CRC_BYTES + FOOTER_BYTES;
        }
    }

    final String blobId;
    final Layout layout;
    private final byte[] id;
    private final FileChannel[] channels;

    private DataShards(String blobId, byte[] id, Layout layout, FileChannel[] channels) {
        this.blobId = blobId;
        this.id = id;
        this.layout = layout;
        this.channels = channels;
    }

    /** The open file of data shard {@code j}. */
    FileChannel channel(int j) {
        return channels[j];
    }

    /**
     * Opens and checks the data shards of {@code blobId} on {@code drives} (slot order); empty if
     * any is missing or not what format 1 and {@code expectedLength} say it must be.
     */
    static Optional<DataShards> open(List<Path> drives, String blobId, long expectedLength) throws IOException {
        if (!BLOB_ID.matcher(blobId).matches() || drives.isEmpty()) {
            return Optional.empty();
        }
        byte[] id = HEX.parseHex(blobId);
        int rotation = id[0] & 0xFF;
        List<FileChannel> open = new ArrayList<>();
        try {
            Layout layout = null;
            for (int j = 0; layout == null || j < layout.dataShards(); j++) {
                Path file = drives.get((rotation + j) % drives.size()).resolve(SHARDS_DIR).resolve(blobId.substring(0, 2))
                        .resolve(blobId);
                FileChannel channel;
                try {
                    channel = FileChannel.open(file, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    closeAll(open);
                    return Optional.empty(); // missing (drive away, deleted): the ordinary path reconstructs and heals
                }
                open.add(channel);
                Optional<Layout> found = check(channel, id, j, expectedLength, drives.size());
                if (found.isEmpty() || (layout != null && !layout.equals(found.get()))) {
                    closeAll(open);
                    return Optional.empty();
                }
                layout = found.get();
            }
            return Optional.of(new DataShards(blobId, id, layout, open.toArray(FileChannel[]::new)));
        } catch (IOException | RuntimeException e) {
            closeAll(open);
            throw e;
        }
    }

    /** The layout shard file {@code channel} declares, if it is data shard {@code shard} of blob {@code id} in format 1. */
    private static Optional<Layout> check(FileChannel channel, byte[] id, int shard, long expectedLength, int driveCount)
            throws IOException {
        long size = channel.size();
        if (size < HEADER_BYTES + FOOTER_BYTES) {
            return Optional.empty();
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        readFully(channel, h, 0);
        int k = h.get(H_K) & 0xFF;
        int m = h.get(H_M) & 0xFF;
        int chunk = h.getInt(H_CHUNK);
        boolean header = h.getLong(0) == HEADER_MAGIC && h.getInt(H_VERSION) == FORMAT_VERSION
                && Arrays.equals(h.array(), H_ID, H_ID + ID_BYTES, id, 0, ID_BYTES)
                && k >= 1 && k + m <= driveCount && (h.get(H_INDEX) & 0xFF) == shard && shard < k && h.get(H_RESERVED) == 0
                && chunk >= 1 && chunk <= MAX_CHUNK_BYTES && crc(h.array(), H_CRC) == h.getInt(H_CRC);
        if (!header) {
            return Optional.empty();
        }
        ByteBuffer f = ByteBuffer.allocate(FOOTER_BYTES);
        readFully(channel, f, size - FOOTER_BYTES);
        Layout layout = new Layout(k, m, chunk, expectedLength);
        boolean footer = f.getLong(0) == FOOTER_MAGIC && crc(f.array(), F_CRC) == f.getInt(F_CRC)
                && f.getLong(F_LENGTH) == expectedLength && f.getLong(F_STRIPES) == layout.stripes()
                && size == layout.shardFileSize();
        return footer ? Optional.of(layout) : Optional.empty();
    }

    /**
     * Whether chunk {@code stripe} of data shard {@code j} is whole and matches its CRC32C(blob id ‖
     * shard ‖ stripe ‖ bytes). {@code buffer} must hold the chunk and its CRC; {@code prefix} is
     * scratch space of {@link #CHUNK_PREFIX_BYTES}. Throws only for I/O errors.
     */
    boolean verify(int j, long stripe, ByteBuffer buffer, byte[] prefix, CRC32C crc) throws IOException {
        int length = layout.chunkLength(stripe);
        buffer.clear().limit(length + CRC_BYTES);
        try {
            readFully(channels[j], buffer, layout.chunkPosition(stripe));
        } catch (EOFException e) {
            return false; // cut short
        }
        int stored = buffer.getInt(length);
        System.arraycopy(id, 0, prefix, 0, ID_BYTES);
        ByteBuffer.wrap(prefix).put(ID_BYTES, (byte) j).putLong(ID_BYTES + 1, stripe);
        crc.reset();
        crc.update(prefix, 0, CHUNK_PREFIX_BYTES);
        crc.update(buffer.position(0).limit(length));
        return (int) crc.getValue() == stored;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new EOFException("shard file ended at " + at);
            }
            at += n;
        }
    }

    private static void closeAll(List<FileChannel> channels) {
        for (FileChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Read-only: nothing to lose.
            }
        }
    }

    @Override
    public void close() {
        closeAll(Arrays.asList(channels));
    }

    @Override
    public String toString() {
        return "DataShards[" + blobId + ", " + layout + "]";
    }
}
