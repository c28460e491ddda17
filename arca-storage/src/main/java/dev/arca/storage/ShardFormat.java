package dev.arca.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * Layout of a shard file, version 1 (docs/FORMATS.md, "Shard file"). A blob of length L is cut
 * into stripes of up to {@code k * chunk} bytes; stripe i is split into k equal data chunks (the
 * last stripe's chunks are {@code ceil(len / k)} bytes, zero-padded) and Reed-Solomon coded into m
 * parity chunks. Shard file s holds chunk s of every stripe. All integers are big-endian.
 *
 * <pre>
 * header (40 bytes)  magic "ARCASHRD" | u32 version | 16-byte blob id | u8 k | u8 m | u8 shard index | u8 0
 *                    | u32 chunk size | u32 CRC32C(bytes 0..35)
 * chunks (n times)   chunk bytes | u32 CRC32C(blob id | u8 shard index | u64 stripe index | chunk bytes)
 * footer (28 bytes)  magic "ARCASEND" | u64 blob length | u64 stripe count | u32 CRC32C(bytes 0..23)
 * </pre>
 *
 * Binding each chunk CRC to the blob id, the shard index and the stripe index makes a chunk that
 * moved within a file, or into another shard or blob, fail verification like a flipped bit.
 */
final class ShardFormat {
    private ShardFormat() {}

    /** "ARCASHRD" in ASCII. */
    static final long HEADER_MAGIC = 0x41524341_53485244L;
    /** "ARCASEND" in ASCII. */
    static final long FOOTER_MAGIC = 0x41524341_53454E44L;
    static final int VERSION = 1;

    static final int ID_BYTES = 16;
    static final int CRC_BYTES = Integer.BYTES;

    private static final int H_VERSION = 8;
    private static final int H_ID = 12;
    private static final int H_K = 28;
    private static final int H_M = 29;
    private static final int H_INDEX = 30;
    private static final int H_CHUNK = 32;
    private static final int H_CRC = 36;
    static final int HEADER_BYTES = 40;

    private static final int F_LENGTH = 8;
    private static final int F_STRIPES = 16;
    private static final int F_CRC = 24;
    static final int FOOTER_BYTES = 28;

    /** Bytes CRC'd ahead of each chunk: blob id, shard index, stripe index. */
    static final int CHUNK_PREFIX_BYTES = ID_BYTES + 1 + Long.BYTES;

    /** Largest chunk a reader accepts: it allocates chunk-sized buffers, so a bad header must not cost memory. */
    static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;

    private static final HexFormat HEX = HexFormat.of();

    /**
     * What a shard header says. {@code chunk} is the chunk size of every full stripe.
     */
    record Header(String blobId, int dataShards, int parityShards, int shardIndex, int chunk) {
        int totalShards() {
            return dataShards + parityShards;
        }

        /** Data bytes in one full stripe. */
        long stripeBytes() {
            return (long) dataShards * chunk;
        }

        /** Same blob and geometry (shard index aside). */
        boolean sameGeometry(Header o) {
            return blobId.equals(o.blobId) && dataShards == o.dataShards && parityShards == o.parityShards && chunk == o.chunk;
        }
    }

    record Footer(long blobLength, long stripes) {}

    /** Geometry of one blob: where each stripe's chunks are and how long they are. */
    record Layout(int dataShards, int parityShards, int chunk, long blobLength) {
        long stripes() {
            return Math.ceilDiv(blobLength, stripeBytes());
        }

        long stripeBytes() {
            return (long) dataShards * chunk;
        }

        /** Data bytes in stripe {@code i}. */
        int stripeLength(long i) {
            return (int) Math.min(stripeBytes(), blobLength - i * stripeBytes());
        }

        /** Chunk size of stripe {@code i} (the last stripe's chunks are shorter). */
        int chunkLength(long i) {
            return chunkFor(stripeLength(i), dataShards);
        }

        /** File position of stripe {@code i}'s chunk in every shard file. */
        long chunkPosition(long i) {
            return HEADER_BYTES + i * ((long) chunk + CRC_BYTES);
        }

        long shardFileSize() {
            long n = stripes();
            if (n == 0) {
                return HEADER_BYTES + FOOTER_BYTES;
            }
            return chunkPosition(n - 1) + chunkLength(n - 1) + CRC_BYTES + FOOTER_BYTES;
        }
    }

    /** Chunk size for a stripe of {@code stripeLength} data bytes over k data shards. */
    static int chunkFor(int stripeLength, int dataShards) {
        return Math.ceilDiv(stripeLength, dataShards);
    }

    static ByteBuffer encodeHeader(Header h) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putLong(HEADER_MAGIC).putInt(VERSION).put(HEX.parseHex(h.blobId()));
        b.put((byte) h.dataShards()).put((byte) h.parityShards()).put((byte) h.shardIndex()).put((byte) 0);
        b.putInt(h.chunk());
        b.putInt(crc(b.array(), H_CRC));
        return b.flip();
    }

    static ByteBuffer encodeFooter(long blobLength, long stripes) {
        ByteBuffer b = ByteBuffer.allocate(FOOTER_BYTES);
        b.putLong(FOOTER_MAGIC).putLong(blobLength).putLong(stripes);
        b.putInt(crc(b.array(), F_CRC));
        return b.flip();
    }

    /** Checks magic, version, CRC and ranges; the caller checks blob id and shard index against what it expected. */
    static Header decodeHeader(ByteBuffer b, String expectedId) throws IOException {
        long magic = b.getLong(0);
        if (magic != HEADER_MAGIC) {
            throw corrupt(expectedId, "shard header magic is 0x%016x, expected 0x%016x".formatted(magic, HEADER_MAGIC));
        }
        int version = b.getInt(H_VERSION);
        if (version != VERSION) {
            throw new UnsupportedBlobFormatException("blob %s has a shard in format version %d; this build reads only version %d"
                    .formatted(expectedId, Integer.toUnsignedLong(version), VERSION));
        }
        int stored = b.getInt(H_CRC);
        int computed = crc(b.array(), H_CRC);
        if (stored != computed) {
            throw corrupt(expectedId, "shard header CRC32C is 0x%08x, computed 0x%08x".formatted(stored, computed));
        }
        byte[] id = new byte[ID_BYTES];
        b.get(H_ID, id);
        int k = b.get(H_K) & 0xFF;
        int m = b.get(H_M) & 0xFF;
        int index = b.get(H_INDEX) & 0xFF;
        int chunk = b.getInt(H_CHUNK);
        if (k < 1 || index >= k + m || chunk < 1 || chunk > MAX_CHUNK_BYTES) {
            throw corrupt(expectedId, "shard header geometry k=%d m=%d index=%d chunk=%d is out of range"
                    .formatted(k, m, index, Integer.toUnsignedLong(chunk)));
        }
        String fileId = HEX.formatHex(id);
        if (!fileId.equals(expectedId)) {
            throw corrupt(expectedId, "shard file holds blob " + fileId);
        }
        return new Header(fileId, k, m, index, chunk);
    }

    static Footer decodeFooter(ByteBuffer b, String id) throws IOException {
        long magic = b.getLong(0);
        if (magic != FOOTER_MAGIC) {
            throw corrupt(id, "shard footer magic is 0x%016x, expected 0x%016x (torn or truncated file)".formatted(magic, FOOTER_MAGIC));
        }
        int stored = b.getInt(F_CRC);
        int computed = crc(b.array(), F_CRC);
        if (stored != computed) {
            throw corrupt(id, "shard footer CRC32C is 0x%08x, computed 0x%08x".formatted(stored, computed));
        }
        long length = b.getLong(F_LENGTH);
        long stripes = b.getLong(F_STRIPES);
        if (length < 0 || stripes < 0) {
            throw corrupt(id, "shard footer length %d / stripes %d is negative".formatted(length, stripes));
        }
        return new Footer(length, stripes);
    }

    static BlobCorruptException corrupt(String id, String what) {
        return new BlobCorruptException("blob " + id + ": " + what);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** Chunk CRCs of one shard: CRC32C(id | u8 shard | u64 stripe | chunk). Not thread-safe. */
    static final class ChunkCrc {
        private final CRC32C crc = new CRC32C();
        private final byte[] prefix = new byte[CHUNK_PREFIX_BYTES];
        private final ByteBuffer prefixBuffer = ByteBuffer.wrap(prefix);

        ChunkCrc(String blobId) {
            prefixBuffer.put(0, HEX.parseHex(blobId));
        }

        /** The CRC of {@code data}'s remaining bytes (its position is not moved). */
        int of(int shard, long stripe, ByteBuffer data) {
            prefixBuffer.put(ID_BYTES, (byte) shard);
            prefixBuffer.putLong(ID_BYTES + 1, stripe);
            crc.reset();
            crc.update(prefix, 0, CHUNK_PREFIX_BYTES);
            crc.update(data.duplicate());
            return (int) crc.getValue();
        }

        int of(int shard, long stripe, byte[] data, int offset, int length) {
            prefixBuffer.put(ID_BYTES, (byte) shard);
            prefixBuffer.putLong(ID_BYTES + 1, stripe);
            crc.reset();
            crc.update(prefix, 0, CHUNK_PREFIX_BYTES);
            crc.update(data, offset, length);
            return (int) crc.getValue();
        }
    }
}
