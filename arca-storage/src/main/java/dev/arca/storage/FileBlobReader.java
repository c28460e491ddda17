package dev.arca.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Reads one blob file of {@link FileBlobStore} through positional reads on one shared channel, so
 * any number of streams may read concurrently. Each stream verifies whole blocks before serving
 * bytes from them.
 *
 * <p>Interrupting a thread blocked in a read closes the channel (FileChannel semantics), which
 * ends every stream of this reader with an I/O error.
 */
final class FileBlobReader implements BlobReader {
    private final String blobId;
    private final byte[] idBytes;
    private final FileChannel channel;
    private final int blockSize;
    private final long length;

    private FileBlobReader(String blobId, FileChannel channel, int blockSize, long length) {
        this.blobId = blobId;
        this.idBytes = BlobFormat.idBytes(blobId);
        this.channel = channel;
        this.blockSize = blockSize;
        this.length = length;
    }

    /**
     * Verifies the header, the footer and the file size, then returns a reader owning
     * {@code channel}; on failure the channel is closed and {@link BlobCorruptException} or
     * {@link UnsupportedBlobFormatException} is thrown.
     */
    static FileBlobReader open(String blobId, FileChannel channel) throws IOException {
        try {
            long size = channel.size();
            if (size < BlobFormat.HEADER_BYTES + BlobFormat.FOOTER_BYTES) {
                throw BlobFormat.corrupt(blobId, "file is " + size + " bytes, too short for a header and a footer");
            }
            ByteBuffer header = ByteBuffer.allocate(BlobFormat.HEADER_BYTES);
            BlobFormat.readFully(channel, header, 0);
            int blockSize = BlobFormat.decodeHeader(header, blobId).blockSize();
            ByteBuffer footerBytes = ByteBuffer.allocate(BlobFormat.FOOTER_BYTES);
            BlobFormat.readFully(channel, footerBytes, size - BlobFormat.FOOTER_BYTES);
            BlobFormat.Footer footer = BlobFormat.decodeFooter(footerBytes, blobId);
            long expectedBlocks = BlobFormat.blockCount(footer.dataLength(), blockSize);
            if (footer.blockCount() != expectedBlocks) {
                throw BlobFormat.corrupt(blobId, "footer says %d blocks for %d bytes, expected %d"
                        .formatted(footer.blockCount(), footer.dataLength(), expectedBlocks));
            }
            // Compare before computing the expected size, which could overflow for a huge stated length.
            if (footer.dataLength() > size) {
                throw BlobFormat.corrupt(blobId, "footer data length " + footer.dataLength() + " exceeds file size " + size);
            }
            long expectedSize = BlobFormat.fileSize(footer.dataLength(), blockSize);
            if (size != expectedSize) {
                throw BlobFormat.corrupt(blobId, "file is %d bytes, its footer implies %d".formatted(size, expectedSize));
            }
            return new FileBlobReader(blobId, channel, blockSize, footer.dataLength());
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public long length() {
        return length;
    }

    /**
     * Returns a lazy stream over {@code [offset, offset + length)}; throws
     * IndexOutOfBoundsException if the range is not inside the blob. The stream holds one block
     * buffer, allocated on first read.
     */
    @Override
    public InputStream stream(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, this.length);
        return new BlockStream(offset, offset + length);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing blob " + blobId, e);
        }
    }

    @Override
    public String toString() {
        return "FileBlobReader[" + blobId + ", " + length + " bytes]";
    }

    /** Serves bytes from one verified block at a time. Not thread-safe (like any InputStream). */
    private final class BlockStream extends InputStream {
        private final long end;
        private final BlobFormat.BlockCrc crc = new BlobFormat.BlockCrc(idBytes);
        private long position;
        private byte[] block;
        private ByteBuffer blockBuffer;
        private long loadedIndex = -1;
        private int loadedLength;
        private boolean closed;

        BlockStream(long position, long end) {
            this.position = position;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            requireOpen();
            if (position >= end) {
                return -1;
            }
            int at = load();
            position++;
            return block[at] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            requireOpen();
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int total = 0;
            while (total < len && position < end) {
                int at = load();
                int n = (int) Math.min(Math.min(len - total, loadedLength - at), end - position);
                System.arraycopy(block, at, b, off + total, n);
                total += n;
                position += n;
            }
            return total;
        }

        /** Writes the rest of the range straight from the block buffer, one verified block at a time. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            Objects.requireNonNull(out, "out");
            requireOpen();
            long total = 0;
            while (position < end) {
                int at = load();
                int n = (int) Math.min(loadedLength - at, end - position);
                out.write(block, at, n);
                total += n;
                position += n;
            }
            return total;
        }

        /** Skips without reading: skipped blocks are neither read nor verified. */
        @Override
        public long skip(long n) throws IOException {
            requireOpen();
            long k = Math.max(0, Math.min(n, end - position));
            position += k;
            return k;
        }

        @Override
        public int available() throws IOException {
            requireOpen();
            if (position >= end || position / blockSize != loadedIndex) {
                return 0;
            }
            int at = (int) (position - loadedIndex * blockSize);
            return (int) Math.min(loadedLength - at, end - position);
        }

        @Override
        public void close() {
            closed = true;
            block = null;
            blockBuffer = null;
        }

        /** Makes the block holding {@code position} current and returns the position's index in it. */
        private int load() throws IOException {
            long index = position / blockSize;
            if (index != loadedIndex) {
                loadBlock(index);
            }
            return (int) (position - index * blockSize);
        }

        private void loadBlock(long index) throws IOException {
            loadedIndex = -1;
            if (block == null) {
                // A small blob never needs a full block buffer.
                block = new byte[(int) Math.min(blockSize, length) + BlobFormat.CRC_BYTES];
                blockBuffer = ByteBuffer.wrap(block);
            }
            int dataLength = (int) Math.min(blockSize, length - index * blockSize);
            blockBuffer.clear().limit(dataLength + BlobFormat.CRC_BYTES);
            try {
                BlobFormat.readFully(channel, blockBuffer, BlobFormat.blockPosition(index, blockSize));
            } catch (java.io.EOFException e) {
                // The size was checked at open: a file that shrank since was damaged under us.
                throw BlobFormat.corrupt(blobId, "block " + index + " is truncated (" + e.getMessage() + ")");
            }
            int stored = blockBuffer.getInt(dataLength);
            int computed = crc.of(index, block, 0, dataLength);
            if (stored != computed) {
                long first = index * blockSize;
                throw BlobFormat.corrupt(blobId, "block %d (data bytes [%d, %d)) has CRC32C 0x%08x, computed 0x%08x"
                        .formatted(index, first, first + dataLength, stored, computed));
            }
            loadedIndex = index;
            loadedLength = dataLength;
        }

        private void requireOpen() throws IOException {
            if (closed) {
                throw new IOException("stream of blob " + blobId + " is closed");
            }
        }
    }
}
