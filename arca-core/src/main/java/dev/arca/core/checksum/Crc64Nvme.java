package dev.arca.core.checksum;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.zip.Checksum;

/**
 * CRC-64/NVME, the 64-bit CRC S3 uses for {@code x-amz-checksum-crc64nvme}: polynomial {@code
 * 0xAD93D23594C93659}, reflected input and output, initial value and final xor all ones. The check
 * value of ASCII {@code "123456789"} is {@code 0xAE8B14860A799888}.
 *
 * <p>{@link #getValue()} returns the full 64-bit CRC (it may be negative as a Java long). Table
 * driven, slicing-by-16, reading 8 bytes per load. Not thread-safe.
 */
public final class Crc64Nvme implements Checksum {
    /** The polynomial in normal (MSB-first) notation, as CRC catalogues list it. */
    static final long POLY = 0xAD93D23594C93659L;
    /** The same polynomial bit-reversed, as a reflected CRC shifts right. */
    static final long POLY_REFLECTED = Long.reverse(POLY);

    private static final long INIT = -1L;
    private static final long XOR_OUT = -1L;

    private static final int TABLE_SIZE = 256;
    /** Bytes consumed per step of the main loop: two little-endian longs. */
    private static final int SLICES = 16;
    private static final int SLICES_MASK = SLICES - 1;

    /**
     * Table {@code k} (at offset {@code k * 256}) maps a byte to its CRC contribution when followed
     * by {@code k} zero bytes. One flat constant array lets the JIT drop the bounds checks.
     */
    private static final long[] TABLES = buildTables();

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** The shift register before the final xor. */
    private long state = INIT;

    public Crc64Nvme() {}

    private static long[] buildTables() {
        long[] t = new long[SLICES * TABLE_SIZE];
        for (int n = 0; n < TABLE_SIZE; n++) {
            long c = n;
            for (int bit = 0; bit < Byte.SIZE; bit++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY_REFLECTED : c >>> 1;
            }
            t[n] = c;
        }
        for (int k = 1; k < SLICES; k++) {
            for (int n = 0; n < TABLE_SIZE; n++) {
                long prev = t[(k - 1) * TABLE_SIZE + n];
                t[k * TABLE_SIZE + n] = (prev >>> 8) ^ t[(int) (prev & 0xFF)];
            }
        }
        return t;
    }

    @Override
    public void update(int b) {
        state = step(state, (byte) b);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        state = updateArray(state, b, off, len);
    }

    @Override
    public void update(ByteBuffer buf) {
        int pos = buf.position();
        int len = buf.limit() - pos;
        if (buf.hasArray()) {
            state = updateArray(state, buf.array(), buf.arrayOffset() + pos, len);
        } else {
            state = updateBuffer(state, buf.slice().order(ByteOrder.LITTLE_ENDIAN), len);
        }
        buf.position(pos + len);
    }

    @Override
    public long getValue() {
        return state ^ XOR_OUT;
    }

    @Override
    public void reset() {
        state = INIT;
    }

    private static long step(long crc, byte b) {
        return (crc >>> 8) ^ TABLES[(int) ((crc ^ b) & 0xFF)];
    }

    private static long updateArray(long crc, byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        for (int fast = off + (len & ~SLICES_MASK); i < fast; i += SLICES) {
            crc = fold16(crc ^ (long) LONG_LE.get(b, i), (long) LONG_LE.get(b, i + Long.BYTES));
        }
        for (; i < end; i++) {
            crc = step(crc, b[i]);
        }
        return crc;
    }

    /** Same as {@link #updateArray} for a little-endian buffer without an accessible array. */
    private static long updateBuffer(long crc, ByteBuffer le, int len) {
        int i = 0;
        for (int fast = len & ~SLICES_MASK; i < fast; i += SLICES) {
            crc = fold16(crc ^ le.getLong(i), le.getLong(i + Long.BYTES));
        }
        for (; i < len; i++) {
            crc = step(crc, le.get(i));
        }
        return crc;
    }

    /** Advances the CRC over 16 bytes: {@code a} (state already xored in) then {@code b}. */
    private static long fold16(long a, long b) {
        long[] t = TABLES;
        return t[15 * TABLE_SIZE + (int) (a & 0xFF)]
                ^ t[14 * TABLE_SIZE + (int) ((a >>> 8) & 0xFF)]
                ^ t[13 * TABLE_SIZE + (int) ((a >>> 16) & 0xFF)]
                ^ t[12 * TABLE_SIZE + (int) ((a >>> 24) & 0xFF)]
                ^ t[11 * TABLE_SIZE + (int) ((a >>> 32) & 0xFF)]
                ^ t[10 * TABLE_SIZE + (int) ((a >>> 40) & 0xFF)]
                ^ t[9 * TABLE_SIZE + (int) ((a >>> 48) & 0xFF)]
                ^ t[8 * TABLE_SIZE + (int) (a >>> 56)]
                ^ t[7 * TABLE_SIZE + (int) (b & 0xFF)]
                ^ t[6 * TABLE_SIZE + (int) ((b >>> 8) & 0xFF)]
                ^ t[5 * TABLE_SIZE + (int) ((b >>> 16) & 0xFF)]
                ^ t[4 * TABLE_SIZE + (int) ((b >>> 24) & 0xFF)]
                ^ t[3 * TABLE_SIZE + (int) ((b >>> 32) & 0xFF)]
                ^ t[2 * TABLE_SIZE + (int) ((b >>> 40) & 0xFF)]
                ^ t[TABLE_SIZE + (int) ((b >>> 48) & 0xFF)]
                ^ t[(int) (b >>> 56)];
    }
}
