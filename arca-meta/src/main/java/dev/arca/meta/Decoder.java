package dev.arca.meta;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/** Reads a record written by {@link Encoder}; verifies its CRC32C, tag and version first (shared by the metadata and IAM stores). */
public final class Decoder {
    private final byte[] buf;
    private final int end;
    private int pos;

    public Decoder(byte[] record, byte expectedTag, byte maxVersion) {
        if (record.length < 6) {
            throw new MetadataCorruptException("record too short: " + record.length + " bytes");
        }
        this.buf = record;
        this.end = record.length - 4;
        CRC32C crc = new CRC32C();
        crc.update(record, 0, end);
        int stored = ((record[end] & 0xFF) << 24) | ((record[end + 1] & 0xFF) << 16)
                | ((record[end + 2] & 0xFF) << 8) | (record[end + 3] & 0xFF);
        if ((int) crc.getValue() != stored) {
            throw new MetadataCorruptException("record checksum mismatch (tag " + (char) record[0] + ")");
        }
        if (record[0] != expectedTag) {
            throw new MetadataCorruptException("expected record tag " + (char) expectedTag + " found " + (char) record[0]);
        }
        if (record[1] < 1 || record[1] > maxVersion) {
            throw new MetadataCorruptException("unsupported record version " + record[1] + " for tag " + (char) expectedTag);
        }
        pos = 2;
    }

    public int version() {
        return buf[1];
    }

    public int u8() {
        need(1);
        return buf[pos++] & 0xFF;
    }

    public boolean bool() {
        return u8() != 0;
    }

    public long varint() {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = u8();
            v |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new MetadataCorruptException("varint too long");
    }

    public int varint32() {
        long v = varint();
        if (v > Integer.MAX_VALUE) {
            throw new MetadataCorruptException("length out of range: " + v);
        }
        return (int) v;
    }

    public long i64() {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos++] & 0xFF);
        }
        return v;
    }

    public byte[] bytes() {
        int n = varint32();
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    public String str() {
        int n = varint32();
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    public String optStr() {
        return bool() ? str() : null;
    }

    public Map<String, String> map() {
        int n = varint32();
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String k = str();
            m.put(k, str());
        }
        return m;
    }

    public void done() {
        if (pos != end) {
            throw new MetadataCorruptException("trailing bytes in record: " + (end - pos));
        }
    }

    private void need(int n) {
        if (n < 0 || pos + n > end) {
            throw new MetadataCorruptException("record truncated");
        }
    }
}
