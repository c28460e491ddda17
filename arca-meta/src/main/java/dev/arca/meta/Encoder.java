package dev.arca.meta;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes one metadata record: a type tag, a format version, fields, and a trailing CRC32C over
 * everything before it (see docs/FORMATS.md, "Metadata records"). Not thread-safe.
 */
public final class Encoder {
    private static final int INITIAL_CAPACITY = 256;
    private byte[] buf = new byte[INITIAL_CAPACITY];
    private int len;

    public Encoder(byte tag, byte version) {
        u8(tag);
        u8(version);
    }

    public Encoder u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public Encoder bool(boolean v) {
        return u8(v ? 1 : 0);
    }

    /** Unsigned LEB128 varint; negative values are a bug. */
    public Encoder varint(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative varint " + v);
        }
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
        return this;
    }

    public Encoder i64(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[len++] = (byte) (v >>> (i * 8));
        }
        return this;
    }

    public Encoder bytes(byte[] b) {
        varint(b.length);
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    public Encoder str(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A string that may be null: a presence byte, then the string. */
    public Encoder optStr(String s) {
        bool(s != null);
        return s == null ? this : str(s);
    }

    public Encoder map(Map<String, String> m) {
        varint(m.size());
        for (Map.Entry<String, String> e : m.entrySet()) {
            str(e.getKey());
            str(e.getValue());
        }
        return this;
    }

    /** The finished record, with its CRC32C appended. */
    public byte[] finish() {
        CRC32C crc = new CRC32C();
        crc.update(buf, 0, len);
        int c = (int) crc.getValue();
        ensure(4);
        buf[len++] = (byte) (c >>> 24);
        buf[len++] = (byte) (c >>> 16);
        buf[len++] = (byte) (c >>> 8);
        buf[len++] = (byte) c;
        return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
