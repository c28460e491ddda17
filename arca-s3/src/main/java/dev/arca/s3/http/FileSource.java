package dev.arca.s3.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;

/**
 * A response body whose bytes lie in files exactly as they are to be sent, so a transport may hand
 * them to the kernel ({@code sendfile}, Netty's {@code FileRegion}) instead of copying them through
 * the heap. A transport that cannot (TLS encrypts every byte) reads {@link #stream()} instead; it
 * uses one or the other, never both.
 *
 * <p>The channels belong to the source: the transport must not close them, and must call
 * {@link #close()} only once nothing it wrote from them can still be transferred.
 */
public interface FileSource extends Closeable {
    /** {@code count} bytes of {@code channel} from {@code position}. */
    record Piece(FileChannel channel, long position, long count) {}

    /**
     * The next piece in order, or null after the last. May block: a source that verifies
     * checksums reads the bytes first, and throws if they fail, before yielding them.
     */
    Piece next() throws IOException;

    /** The same bytes as a stream, through the ordinary (copying, verifying) read path. */
    InputStream stream();

    /** Releases the files and what keeps them from being deleted. Idempotent, from any thread. */
    @Override
    void close() throws IOException;
}
