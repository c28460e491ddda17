package dev.arca.object.lifecycle;

import dev.arca.core.StoreException;
import dev.arca.meta.MetadataCorruptException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The stored form of a {@link LifecycleConfiguration} (docs/FORMATS.md, "Lifecycle configuration"):
 * magic {@code "LC"}, a version byte, the rules, and a CRC32C of everything before it. A decoder
 * accepts versions up to {@link #VERSION} and fails loudly on anything else.
 */
final class LifecycleCodec {
    private static final byte MAGIC_0 = 'L';
    private static final byte MAGIC_1 = 'C';
    static final int VERSION = 1;
    private static final int CRC_BYTES = 4;
    private static final int HEADER_BYTES = 3;

    // Filter kinds.
    private static final int F_ALL = 0;
    private static final int F_LEGACY_PREFIX = 1;
    private static final int F_PREFIX = 2;
    private static final int F_TAG = 3;
    private static final int F_SIZE_GT = 4;
    private static final int F_SIZE_LT = 5;
    private static final int F_AND = 6;
    // And's optional size fields, as bits of one flags byte.
    private static final int AND_HAS_GT = 1;
    private static final int AND_HAS_LT = 2;
    // Expiration kinds.
    private static final int E_NONE = 0;
    private static final int E_DAYS = 1;
    private static final int E_DATE = 2;
    private static final int E_MARKER = 3;

    private LifecycleCodec() {}

    static byte[] encode(LifecycleConfiguration c) {
        Out out = new Out();
        out.u8(MAGIC_0).u8(MAGIC_1).u8(VERSION).varint(c.rules().size());
        for (LifecycleRule r : c.rules()) {
            out.str(r.id()).bool(r.enabled());
            filter(out, r.filter());
            switch (r.expiration()) {
                case null -> out.u8(E_NONE);
                case Expiration.Days(int days) -> out.u8(E_DAYS).varint(days);
                case Expiration.OnDate(LocalDate date) -> out.u8(E_DATE).i64(date.toEpochDay());
                case Expiration.ExpiredObjectDeleteMarker(boolean on) -> out.u8(E_MARKER).bool(on);
            }
            NoncurrentVersionExpiration n = r.noncurrentVersionExpiration();
            out.bool(n != null);
            if (n != null) {
                out.varint(n.noncurrentDays()).varint(n.retained());
            }
            AbortIncompleteMultipartUpload a = r.abortIncompleteMultipartUpload();
            out.bool(a != null);
            if (a != null) {
                out.varint(a.daysAfterInitiation());
            }
        }
        return out.finish();
    }

    private static void filter(Out out, LifecycleFilter f) {
        switch (f) {
            case LifecycleFilter.All ignored -> out.u8(F_ALL);
            case LifecycleFilter.LegacyPrefix(String prefix) -> out.u8(F_LEGACY_PREFIX).str(prefix);
            case LifecycleFilter.Prefix(String prefix) -> out.u8(F_PREFIX).str(prefix);
            case LifecycleFilter.Tag(String key, String value) -> out.u8(F_TAG).str(key).str(value);
            case LifecycleFilter.SizeGreaterThan(long bytes) -> out.u8(F_SIZE_GT).varint(bytes);
            case LifecycleFilter.SizeLessThan(long bytes) -> out.u8(F_SIZE_LT).varint(bytes);
            case LifecycleFilter.And(String prefix, Map<String, String> tags, Long gt, Long lt) -> {
                out.u8(F_AND).str(prefix).varint(tags.size());
                tags.forEach((k, v) -> out.str(k).str(v));
                out.u8((gt != null ? AND_HAS_GT : 0) | (lt != null ? AND_HAS_LT : 0));
                if (gt != null) {
                    out.varint(gt);
                }
                if (lt != null) {
                    out.varint(lt);
                }
            }
        }
    }

    static LifecycleConfiguration decode(byte[] raw) {
        if (raw.length < HEADER_BYTES + CRC_BYTES) {
            throw corrupt("too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(raw, 0, raw.length - CRC_BYTES);
        int stored = 0;
        for (int i = raw.length - CRC_BYTES; i < raw.length; i++) {
            stored = (stored << 8) | (raw[i] & 0xFF);
        }
        if ((int) crc.getValue() != stored) {
            throw corrupt("CRC mismatch");
        }
        if (raw[0] != MAGIC_0 || raw[1] != MAGIC_1) {
            throw corrupt("not a lifecycle configuration");
        }
        if (raw[2] < 1 || raw[2] > VERSION) {
            throw corrupt("format version " + raw[2] + " is not supported (this build reads 1.." + VERSION + ")");
        }
        In in = new In(raw, HEADER_BYTES, raw.length - CRC_BYTES);
        try {
            int count = in.varint32();
            if (count > LifecycleConfiguration.MAX_RULES) {
                throw corrupt("rule count " + count);
            }
            List<LifecycleRule> rules = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String id = in.str();
                boolean enabled = in.bool();
                LifecycleFilter filter = readFilter(in);
                Expiration expiration = switch (in.u8()) {
                    case E_NONE -> null;
                    case E_DAYS -> new Expiration.Days(in.varint32());
                    case E_DATE -> new Expiration.OnDate(LocalDate.ofEpochDay(in.i64()));
                    case E_MARKER -> new Expiration.ExpiredObjectDeleteMarker(in.bool());
                    default -> throw corrupt("unknown expiration kind");
                };
                NoncurrentVersionExpiration noncurrent = null;
                if (in.bool()) {
                    int days = in.varint32();
                    int newer = in.varint32();
                    noncurrent = new NoncurrentVersionExpiration(days, newer == 0 ? null : newer);
                }
                AbortIncompleteMultipartUpload abort = in.bool() ? new AbortIncompleteMultipartUpload(in.varint32()) : null;
                rules.add(new LifecycleRule(id, enabled, filter, expiration, noncurrent, abort));
            }
            in.done();
            return new LifecycleConfiguration(rules);
        } catch (StoreException | java.time.DateTimeException e) {
            // The checksum matched, so a value the model refuses was written by a broken encoder.
            throw corrupt("invalid stored value: " + e.getMessage());
        }
    }

    private static LifecycleFilter readFilter(In in) {
        return switch (in.u8()) {
            case F_ALL -> new LifecycleFilter.All();
            case F_LEGACY_PREFIX -> new LifecycleFilter.LegacyPrefix(in.str());
            case F_PREFIX -> new LifecycleFilter.Prefix(in.str());
            case F_TAG -> new LifecycleFilter.Tag(in.str(), in.str());
            case F_SIZE_GT -> new LifecycleFilter.SizeGreaterThan(in.varint());
            case F_SIZE_LT -> new LifecycleFilter.SizeLessThan(in.varint());
            case F_AND -> {
                String prefix = in.str();
                int n = in.varint32();
                Map<String, String> tags = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    tags.put(in.str(), in.str());
                }
                int flags = in.u8();
                Long gt = (flags & AND_HAS_GT) != 0 ? in.varint() : null;
                Long lt = (flags & AND_HAS_LT) != 0 ? in.varint() : null;
                yield new LifecycleFilter.And(prefix, tags, gt, lt);
            }
            default -> throw corrupt("unknown filter kind");
        };
    }

    private static MetadataCorruptException corrupt(String why) {
        return new MetadataCorruptException("lifecycle configuration: " + why);
    }

    /** Field writer: u8, bool, unsigned LEB128 varint, big-endian i64, length-prefixed UTF-8 string. */
    private static final class Out {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Out u8(int v) {
            buf.write(v);
            return this;
        }

        Out bool(boolean v) {
            return u8(v ? 1 : 0);
        }

        Out varint(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative varint " + v);
            }
            while ((v & ~0x7FL) != 0) {
                buf.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            buf.write((int) v);
            return this;
        }

        Out i64(long v) {
            for (int i = 7; i >= 0; i--) {
                buf.write((int) (v >>> (i * 8)));
            }
            return this;
        }

        Out str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            varint(b.length);
            buf.writeBytes(b);
            return this;
        }

        byte[] finish() {
            CRC32C crc = new CRC32C();
            crc.update(buf.toByteArray());
            int value = (int) crc.getValue();
            for (int i = CRC_BYTES - 1; i >= 0; i--) {
                buf.write(value >>> (i * 8));
            }
            return buf.toByteArray();
        }
    }

    /** Field reader over {@code raw[pos, end)}; running past the end is corruption. */
    private static final class In {
        private static final int MAX_VARINT_SHIFT = 63;
        private final byte[] raw;
        private final int end;
        private int pos;

        In(byte[] raw, int pos, int end) {
            this.raw = raw;
            this.pos = pos;
            this.end = end;
        }

        int u8() {
            if (pos >= end) {
                throw corrupt("truncated");
            }
            return raw[pos++] & 0xFF;
        }

        boolean bool() {
            int b = u8();
            if (b > 1) {
                throw corrupt("bad boolean");
            }
            return b == 1;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift <= MAX_VARINT_SHIFT; shift += 7) {
                int b = u8();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (v < 0) {
                        throw corrupt("varint out of range");
                    }
                    return v;
                }
            }
            throw corrupt("varint too long");
        }

        int varint32() {
            long v = varint();
            if (v > Integer.MAX_VALUE) {
                throw corrupt("value out of range");
            }
            return (int) v;
        }

        long i64() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | u8();
            }
            return v;
        }

        String str() {
            int n = varint32();
            if (n > end - pos) {
                throw corrupt("truncated string");
            }
            String s = new String(raw, pos, n, StandardCharsets.UTF_8);
            pos += n;
            return s;
        }

        void done() {
            if (pos != end) {
                throw corrupt("trailing bytes");
            }
        }
    }
}
