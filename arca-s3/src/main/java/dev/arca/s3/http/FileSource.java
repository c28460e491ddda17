package dev.arca.s3.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A response body whose bytes lie, mostly, in files exactly as they are to be sent, so a
 * transport may hand them to the kernel ({@code sendfile}, Netty's {@code FileRegion}) instead of
 * copying them through the heap. Where a stretch of the files cannot be sent as is (a chunk that
 * failed its check, read again through the ordinary path, which reconstructs it) the source yields
 * those bytes in memory instead. A transport that cannot send files at all (TLS encrypts every
 * byte) reads {@link #stream()} instead; it uses one or the other, never both.
 *
 * <p>The channels belong to the source: the transport must not close them, and must call
 * {@link #close()} only once nothing it wrote from them can still be transferred.
 */
public interface FileSource extends Closeable {
    /** A stretch of the body, in order. */
    sealed interface Piece permits Region, Bytes, Lent {
        /** Bytes in this piece, at least 1. */
        long count();
    }

    /** {@code count} bytes of {@code channel} from {@code position}, to be sent as they are in the file. */
    record Region(FileChannel channel, long position, long count) implements Piece {}

    /**
     * Bytes the source read (and checked) into a buffer it lends: the transport sends
     * {@code data}'s remaining bytes and then calls {@code release} exactly once, when the write is
     * done or has failed, and never touches the buffer after that.
     */
    record Lent(ByteBuffer data, Runnable release) implements Piece {
        @Override
        public long count() {
            return data.remaining();
        }
    }

    /** Bytes already in memory (read through the ordinary path); the transport may keep the array. */
    record Bytes(byte[] data) implements Piece {
        @Override
        public long count() {
            return data.length;
        }
    }

    /**
     * The next piece in order, or null after the last. May block: a source that verifies
     * checksums reads the bytes first, and throws if they cannot be served, before yielding them.
     */
    Piece next() throws IOException;

    /**
     * Tells the source that the transport is done with {@code piece} (fully transferred), so a long
     * body can close the files it has moved past instead of holding every one until {@link #close()}.
     * Optional for a transport; from any thread, never blocking.
     */
    default void sent(Piece piece) {}

    /** The same bytes as a stream, through the ordinary (copying, verifying) read path. */
    InputStream stream();

    /** Releases the files and what keeps them from being deleted. Idempotent, from any thread. */
    @Override
    void close() throws IOException;
}
