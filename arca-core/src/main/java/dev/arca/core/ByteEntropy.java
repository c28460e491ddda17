package dev.arca.core;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Shannon entropy, in bits per byte, of a sample of a byte stream: its first {@link #SAMPLE_BYTES}
 * bytes. Encrypted or compressed data measures close to 8; text, logs and most files in clear well
 * below. Not thread-safe.
 */
public final class ByteEntropy {
    /** Bytes of a stream that are counted. */
    public static final int SAMPLE_BYTES = 64 * 1024;
    /** Fewer sampled bytes than this say little (n bytes cannot exceed log2(n) bits per byte). */
    public static final int MIN_MEANINGFUL_BYTES = 4096;

    private final long[] counts = new long[256];
    private long sampled;

    /** Counts the bytes of {@code b[off, off+len)} that still fit in the sample. */
    public void update(byte[] b, int off, int len) {
        int n = (int) Math.min(len, SAMPLE_BYTES - sampled);
        for (int i = 0; i < n; i++) {
            counts[b[off + i] & 0xFF]++;
        }
        sampled += Math.max(0, n);
    }

    public long sampled() {
        return sampled;
    }

    /** The sample's entropy in bits per byte (0 for an empty sample). */
    public double bitsPerByte() {
        if (sampled == 0) {
            return 0;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = (double) c / sampled;
                h -= p * (Math.log(p) / Math.log(2));
            }
        }
        return h;
    }

    /** The entropy of a whole array's sample. */
    public static double of(byte[] b) {
        ByteEntropy e = new ByteEntropy();
        e.update(b, 0, b.length);
        return e.bitsPerByte();
    }

    /** {@code in}, counting what passes through it into {@code sample}. */
    public static InputStream sampling(InputStream in, ByteEntropy sample) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int c = super.read();
                if (c >= 0) {
                    sample.update(new byte[] {(byte) c}, 0, 1);
                }
                return c;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    sample.update(b, off, n);
                }
                return n;
            }
        };
    }
}
