package dev.arca.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Writes one blob into a temporary file of {@link FileBlobStore}, one checksummed block at a time
 * through a single heap block buffer, and publishes it on {@link #commit()}. Not thread-safe.
 */
final class FileBlobWriter implements BlobWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    private final FileBlobStore store;
    private final String blobId;
    private final Path tempFile;
    private final FileChannel channel;
    private final int blockSize;
    /** One block of data plus room for its CRC, so a block goes out in one write call. */
    private final byte[] block;
    private final ByteBuffer blockBuffer;
    private final BlobFormat.BlockCrc crc;
    private int buffered;
    private long blocksWritten;
    private long length;
    private State state = State.OPEN;

    /** Takes ownership of {@code channel}, which is open for writing at position 0 of {@code tempFile}. */
    FileBlobWriter(FileBlobStore store, String blobId, Path tempFile, FileChannel channel, int blockSize) throws IOException {
        this.store = store;
        this.blobId = blobId;
        this.tempFile = tempFile;
        this.channel = channel;
        this.blockSize = blockSize;
        this.block = new byte[blockSize + BlobFormat.CRC_BYTES];
        this.blockBuffer = ByteBuffer.wrap(block);
        this.crc = new BlobFormat.BlockCrc(BlobFormat.idBytes(blobId));
        BlobFormat.writeFully(channel, BlobFormat.encodeHeader(blobId, blockSize));
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireOpen();
        try {
            int done = 0;
            while (done < length) {
                int n = Math.min(length - done, blockSize - buffered);
                System.arraycopy(bytes, offset + done, block, buffered, n);
                buffered += n;
                done += n;
                this.length += n;
                if (buffered == blockSize) {
                    flushBlock();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing blob " + blobId + " to " + tempFile, e);
        }
    }

    @Override
    public long length() {
        return length;
    }

    /**
     * Writes the last block and the footer, fsyncs the file, then lets the store rename it into
     * place and fsync the directory. If anything fails before the rename the writer is aborted
     * (temporary file removed) and the exception propagates; if the directory fsync fails after the
     * rename, the blob is visible but possibly not durable, and the caller must treat it as not
     * written (it is garbage nothing references).
     */
    @Override
    public void commit() {
        requireOpen();
        boolean published = false;
        try {
            if (buffered > 0) {
                flushBlock();
            }
            BlobFormat.writeFully(channel, BlobFormat.encodeFooter(length, blocksWritten));
            channel.force(true);
            channel.close();
            published = store.publish(blobId, tempFile);
        } catch (IOException e) {
            throw new UncheckedIOException("committing blob " + blobId, e);
        } finally {
            if (published) {
                state = State.COMMITTED;
            } else {
                abortQuietly();
            }
        }
    }

    /** Aborts an uncommitted writer: closes the file and deletes it. */
    @Override
    public void close() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        IOException failure = null;
        try {
            channel.close();
        } catch (IOException e) {
            failure = e;
        }
        try {
            store.discard(blobId, tempFile);
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("aborting blob " + blobId, failure);
        }
    }

    private void abortQuietly() {
        try {
            close();
        } catch (UncheckedIOException e) {
            // The original failure matters more; a leftover temporary file is swept at start.
        }
    }

    private void flushBlock() throws IOException {
        int checksum = crc.of(blocksWritten, block, 0, buffered);
        blockBuffer.clear().putInt(buffered, checksum).limit(buffered + BlobFormat.CRC_BYTES);
        BlobFormat.writeFully(channel, blockBuffer);
        blocksWritten++;
        buffered = 0;
    }

    private void requireOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("writer of blob " + blobId + " is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
