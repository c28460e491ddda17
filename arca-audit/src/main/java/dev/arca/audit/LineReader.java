package dev.arca.audit;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a segment line by line, keeping each line's byte offset and whether it ended with a
 * newline (a line without one is the torn tail of a write). Lines longer than
 * {@link LogFormat#MAX_LINE_BYTES} are consumed but flagged {@link #oversize()}.
 */
final class LineReader implements Closeable {
    /** Large sequential reads: cold buffered reads are slow in small pieces (DESIGN.md §8). */
    private static final int READ_BUFFER_BYTES = 1 << 20;
    private static final int INITIAL_LINE_BYTES = 1 << 10;

    private final InputStream in;
    private final byte[] buf = new byte[READ_BUFFER_BYTES];
    private int pos;
    private int limit;
    private long bufStart;
    private boolean eof;

    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int length;
    private long offset;
    private boolean terminated;
    private boolean oversize;

    LineReader(Path file) throws IOException {
        this.in = Files.newInputStream(file);
    }

    /** Advances to the next line; false at the end of the file. */
    boolean next() throws IOException {
        offset = bufStart + pos;
        length = 0;
        terminated = false;
        oversize = false;
        boolean any = false;
        while (true) {
            if (pos == limit) {
                if (eof || !fill()) {
                    return any;
                }
            }
            any = true;
            int nl = pos;
            while (nl < limit && buf[nl] != '\n') {
                nl++;
            }
            append(pos, nl - pos);
            if (nl < limit) {
                pos = nl + 1;
                terminated = true;
                return true;
            }
            pos = limit;
        }
    }

    private boolean fill() throws IOException {
        bufStart += limit;
        pos = 0;
        limit = 0;
        int n = in.readNBytes(buf, 0, buf.length);
        if (n <= 0) {
            eof = true;
            return false;
        }
        limit = n;
        return true;
    }

    private void append(int from, int n) {
        if (oversize || length + n > LogFormat.MAX_LINE_BYTES) {
            oversize = true;
            return;
        }
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.max(length + n, 2 * line.length));
        }
        System.arraycopy(buf, from, line, length, n);
        length += n;
    }

    /** The current line without its newline: valid in {@code [0, length())} until the next call. */
    byte[] line() {
        return line;
    }

    int length() {
        return length;
    }

    /** The file offset of the current line's first byte. */
    long offset() {
        return offset;
    }

    /** Whether the current line ended with a newline. */
    boolean terminated() {
        return terminated;
    }

    boolean oversize() {
        return oversize;
    }

    /** The file offset just past the current line (and its newline). */
    long end() {
        return offset + length + (terminated ? 1 : 0);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
