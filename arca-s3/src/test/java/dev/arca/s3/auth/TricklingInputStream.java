package dev.arca.s3.auth;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Returns at most a few bytes per read, like a slow network, to exercise every buffer boundary. */
final class TricklingInputStream extends FilterInputStream {
    private final int maxPerRead;
    private int next;

    TricklingInputStream(InputStream in, int maxPerRead) {
        super(in);
        this.maxPerRead = maxPerRead;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        // Cycle through 1..maxPerRead so that boundaries fall everywhere.
        next = next % maxPerRead + 1;
        return super.read(b, off, Math.min(len, next));
    }
}
