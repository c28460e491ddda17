package dev.arca.server.http;

import java.io.InputStream;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A deterministic stream of {@code length} pseudo-random bytes: a seeded 1 MiB block repeated,
 * each repetition XOR-ed with its index, so lost, duplicated or reordered pieces change the CRC.
 */
final class PatternStream extends InputStream {
    private static final int BLOCK_BYTES = 1 << 20;

    private final byte[] block = new byte[BLOCK_BYTES];
    private final long length;
    private long position;

    PatternStream(long length, long seed) {
        this.length = length;
        new Random(seed).nextBytes(block);
    }

    /** The CRC32 of the whole stream. */
    static long crcOf(long length, long seed) {
        PatternStream stream = new PatternStream(length, seed);
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[BLOCK_BYTES];
        for (int n; (n = stream.read(buffer, 0, buffer.length)) > 0; ) {
            crc.update(buffer, 0, n);
        }
        return crc.getValue();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (position >= length) {
            return -1;
        }
        int inBlock = (int) (position % BLOCK_BYTES);
        int n = (int) Math.min(Math.min(len, BLOCK_BYTES - inBlock), length - position);
        byte mask = (byte) (position / BLOCK_BYTES);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) (block[inBlock + i] ^ mask);
        }
        position += n;
        return n;
    }
}
