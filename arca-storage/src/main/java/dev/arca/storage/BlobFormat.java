package dev.arca.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * Layout of a blob file, version 1 (docs/FORMATS.md, "Blob file"). All integers are big-endian.
 *
 * <pre>
 * header  (36 bytes)  magic "ARCABLOB" | u32 version | u32 block size | 16-byte blob id | u32 CRC32C(bytes 0..31)
 * blocks  (n times)   data (block size bytes, the last one may be short) | u32 CRC32C(id | u64 index | data)
 * footer  (28 bytes)  magic "ARCAFOOT" | u64 data length | u64 block count | u32 CRC32C(bytes 0..23)
 * </pre>
 *
 * Binding each block CRC to the blob id and the block index makes a block that was moved within a
 * file, or written into the wrong file, fail verification like a flipped bit.
 */
final class BlobFormat {
    private BlobFormat() {}

    /** "ARCABLOB" in ASCII. */
    static final long HEADER_MAGIC = 0x41524341_424C4F42L;
    /** "ARCAFOOT" in ASCII. */
    static final long FOOTER_MAGIC = 0x41524341_464F4F54L;
    static final int VERSION = 1;

    static final int ID_BYTES = 16;
    static final int ID_CHARS = 2 * ID_BYTES;
    static final int CRC_BYTES = Integer.BYTES;

    static final int HEADER_VERSION_AT = Long.BYTES;
    static final int HEADER_BLOCK_SIZE_AT = HEADER_VERSION_AT + Integer.BYTES;
    static final int HEADER_ID_AT = HEADER_BLOCK_SIZE_AT + Integer.BYTES;
    static final int HEADER_CRC_AT = HEADER_ID_AT + ID_BYTES;
    static final int HEADER_BYTES = HEADER_CRC_AT + CRC_BYTES;

    static final int FOOTER_LENGTH_AT = Long.BYTES;
    static final int FOOTER_BLOCKS_AT = FOOTER_LENGTH_AT + Long.BYTES;
    static final int FOOTER_CRC_AT = FOOTER_BLOCKS_AT + Long.BYTES;
    static final int FOOTER_BYTES = FOOTER_CRC_AT + CRC_BYTES;

    /** Bytes CRC'd ahead of each block's data: the blob id, then the block index. */
    static final int BLOCK_CRC_PREFIX_BYTES = ID_BYTES + Long.BYTES;

    /**
     * Largest block size a reader accepts from a header: the header is checked by a CRC, but a
     * reader allocates a block-sized buffer, so a sane bound keeps a bad file from costing memory.
     */
    static final int MAX_BLOCK_BYTES = 64 * 1024 * 1024;

    private static final HexFormat HEX = HexFormat.of();

    /** Parsed header fields that readers need. */
    record Header(int blockSize) {}

    /** Parsed footer fields. */
    record Footer(long dataLength, long blockCount) {}

    /** Throws IllegalArgumentException unless {@code id} is 32 lower-case hex characters. */
    static String requireValidId(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("blob id must be 32 lower-case hex characters: " + id);
        }
        return id;
    }

    static boolean isValidId(String id) {
        return isLowerHex(id, ID_CHARS);
    }

    static boolean isLowerHex(String s, int length) {
        if (s == null || s.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    static byte[] idBytes(String id) {
        return HEX.parseHex(id);
    }

    static long blockCount(long dataLength, int blockSize) {
        return Math.ceilDiv(dataLength, blockSize);
    }

    /** Size of the whole file holding {@code dataLength} data bytes. */
    static long fileSize(long dataLength, int blockSize) {
        return HEADER_BYTES + dataLength + blockCount(dataLength, blockSize) * CRC_BYTES + FOOTER_BYTES;
    }

    /** File position of block {@code index}'s first data byte. */
    static long blockPosition(long index, int blockSize) {
        return HEADER_BYTES + index * ((long) blockSize + CRC_BYTES);
    }

    static ByteBuffer encodeHeader(String id, int blockSize) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
        b.putLong(HEADER_MAGIC).putInt(VERSION).putInt(blockSize).put(idBytes(id));
        b.putInt(crc(b.array(), HEADER_CRC_AT));
        return b.flip();
    }

    static ByteBuffer encodeFooter(long dataLength, long blockCount) {
        ByteBuffer b = ByteBuffer.allocate(FOOTER_BYTES);
        b.putLong(FOOTER_MAGIC).putLong(dataLength).putLong(blockCount);
        b.putInt(crc(b.array(), FOOTER_CRC_AT));
        return b.flip();
    }

    /**
     * Checks a header read from the file of blob {@code id}: magic, then version (an unknown
     * version is reported as such, never as corruption, since its layout may differ), then CRC,
     * block size and id.
     */
    static Header decodeHeader(ByteBuffer b, String id) throws IOException {
        long magic = b.getLong(0);
        if (magic != HEADER_MAGIC) {
            throw corrupt(id, "header magic is 0x%016x, expected 0x%016x (not a blob file)".formatted(magic, HEADER_MAGIC));
        }
        int version = b.getInt(HEADER_VERSION_AT);
        if (version != VERSION) {
            throw new UnsupportedBlobFormatException(
                    "blob %s has format version %d; this build reads only version %d (written by a newer Arca, or a damaged header)"
                            .formatted(id, Integer.toUnsignedLong(version), VERSION));
        }
        int stored = b.getInt(HEADER_CRC_AT);
        int computed = crc(b.array(), HEADER_CRC_AT);
        if (stored != computed) {
            throw corrupt(id, "header CRC32C is 0x%08x, computed 0x%08x".formatted(stored, computed));
        }
        int blockSize = b.getInt(HEADER_BLOCK_SIZE_AT);
        if (blockSize <= 0 || blockSize > MAX_BLOCK_BYTES) {
            throw corrupt(id, "header block size " + Integer.toUnsignedLong(blockSize) + " is out of range");
        }
        byte[] idInFile = new byte[ID_BYTES];
        b.get(HEADER_ID_AT, idInFile);
        String fileId = HEX.formatHex(idInFile);
        if (!fileId.equals(id)) {
            throw corrupt(id, "file holds blob " + fileId);
        }
        return new Header(blockSize);
    }

    static Footer decodeFooter(ByteBuffer b, String id) throws IOException {
        long magic = b.getLong(0);
        if (magic != FOOTER_MAGIC) {
            throw corrupt(id, "footer magic is 0x%016x, expected 0x%016x (torn or truncated file)".formatted(magic, FOOTER_MAGIC));
        }
        int stored = b.getInt(FOOTER_CRC_AT);
        int computed = crc(b.array(), FOOTER_CRC_AT);
        if (stored != computed) {
            throw corrupt(id, "footer CRC32C is 0x%08x, computed 0x%08x".formatted(stored, computed));
        }
        long dataLength = b.getLong(FOOTER_LENGTH_AT);
        long blockCount = b.getLong(FOOTER_BLOCKS_AT);
        if (dataLength < 0) {
            throw corrupt(id, "footer data length " + dataLength + " is negative");
        }
        return new Footer(dataLength, blockCount);
    }

    static BlobCorruptException corrupt(String id, String what) {
        return new BlobCorruptException("blob " + id + " is corrupt: " + what);
    }

    /** Reads exactly {@code b.remaining()} bytes at {@code position}; EOF before that throws. */
    static void readFully(FileChannel channel, ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                throw new EOFException("end of file at " + at);
            }
            at += n;
        }
    }

    static void writeFully(FileChannel channel, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    /** Computes block CRCs for one blob: CRC32C(id | u64 index | data). Not thread-safe. */
    static final class BlockCrc {
        private final CRC32C crc = new CRC32C();
        private final ByteBuffer prefix = ByteBuffer.allocate(BLOCK_CRC_PREFIX_BYTES);

        BlockCrc(byte[] idBytes) {
            prefix.put(0, idBytes);
        }

        int of(long index, byte[] data, int offset, int length) {
            prefix.putLong(ID_BYTES, index);
            crc.reset();
            crc.update(prefix.array(), 0, BLOCK_CRC_PREFIX_BYTES);
            crc.update(data, offset, length);
            return (int) crc.getValue();
        }
    }
}
