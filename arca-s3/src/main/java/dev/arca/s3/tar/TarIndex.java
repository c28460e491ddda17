package dev.arca.s3.tar;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where each regular file of a tar archive lies: name → (data offset, size, mtime), built by
 * reading the archive's headers and skipping member data. Reads ustar, GNU (long names {@code L},
 * long link names {@code K}, base-256 numbers, old sparse headers) and pax ({@code x} records
 * {@code path}, {@code size}, {@code mtime}; {@code g} global headers are skipped) archives.
 *
 * <p>Only regular files ({@code 0}, NUL, {@code 7}) are indexed; directories, links, devices and
 * sparse files are not (they have no contiguous bytes to serve). When a name occurs twice the last
 * member wins, as when tar extracts. The scan stops at the first all-zero block or at the end of
 * the object. Anything else that does not parse — a bad header checksum, a member running past the
 * end, an oversized extended header — makes the object "not a tar archive" (InvalidRequest).
 *
 * <p>Immutable and thread-safe once built; names are kept sorted in arrays (no per-member objects).
 */
public final class TarIndex {
    /** Longest GNU long name or pax extended header read; real ones are a few hundred bytes. */
    static final int MAX_EXTENDED_HEADER_BYTES = 1024 * 1024;
    /** Gaps up to this size are skipped by reading through the open stream rather than reopening it. */
    static final long SKIP_BY_READING_BYTES = 8L * 1024 * 1024;
    /** Size of the buffer used to read through skipped member data. */
    private static final int SKIP_BUFFER_BYTES = 64 * 1024;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_WIDTH = 8;
    private static final int TYPEFLAG_OFFSET = 156;
    /** Old GNU sparse headers: "isextended" flag in the header and in each extension block. */
    private static final int GNU_SPARSE_EXTENDED_OFFSET = 482;
    private static final int GNU_SPARSE_EXTENSION_FLAG_OFFSET = 504;

    /** One regular file member. {@code offset} is where its data starts in the archive. */
    public record Member(String name, long offset, long size, long mtimeSeconds) {}

    /**
     * Opens the archive's bytes from {@code offset} to its end. Each call may be a new ranged read;
     * the scan closes each stream it no longer needs.
     */
    @FunctionalInterface
    public interface Source {
        InputStream open(long offset) throws IOException;
    }

    private final String[] names;
    private final long[] offsets;
    private final long[] sizes;
    private final long[] mtimes;

    private TarIndex(String[] names, long[] offsets, long[] sizes, long[] mtimes) {
        this.names = names;
        this.offsets = offsets;
        this.sizes = sizes;
        this.mtimes = mtimes;
    }

    /** Number of regular file members indexed. */
    public int size() {
        return names.length;
    }

    /**
     * The member named {@code name}; a name without a leading {@code ./} also finds a member
     * stored with one (as {@code tar -C dir -cf x.tar .} writes them), and vice versa.
     */
    public Optional<Member> find(String name) {
        Optional<Member> exact = exact(name);
        if (exact.isPresent()) {
            return exact;
        }
        return name.startsWith("./") ? exact(name.substring(2)) : exact("./" + name);
    }

    private Optional<Member> exact(String name) {
        int i = Arrays.binarySearch(names, name);
        return i < 0 ? Optional.empty() : Optional.of(new Member(names[i], offsets[i], sizes[i], mtimes[i]));
    }

    /**
     * Scans an archive of {@code length} bytes.
     *
     * @param maxMembers more regular files than this is an error (InvalidRequest), bounding memory
     * @throws StoreException InvalidRequest if the bytes are not a tar archive or have too many members
     * @throws UncheckedIOException if the source fails
     */
    public static TarIndex scan(long length, Source source, int maxMembers) {
        try (Cursor cursor = new Cursor(source, length)) {
            return new Scanner(cursor, length, maxMembers).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The headers' walk. Extended headers (pax, GNU long names) apply to the next real header only. */
    private static final class Scanner {
        private final Cursor cursor;
        private final long length;
        private final int maxMembers;
        private final Map<String, long[]> members = new HashMap<>();
        private String longName;
        private Map<String, String> pax = Map.of();

        Scanner(Cursor cursor, long length, int maxMembers) {
            this.cursor = cursor;
            this.length = length;
            this.maxMembers = maxMembers;
        }

        TarIndex run() throws IOException {
            long at = 0;
            boolean first = true;
            while (at + TarWriter.BLOCK_BYTES <= length) {
                byte[] h = cursor.read(at, TarWriter.BLOCK_BYTES);
                if (isZero(h)) {
                    break;
                }
                if (!checksumOk(h)) {
                    throw notTar(first ? "no tar header at the start" : "bad header checksum at offset " + at);
                }
                first = false;
                byte type = h[TYPEFLAG_OFFSET];
                long size = number(h, 124, 12, at);
                long dataAt = at + TarWriter.BLOCK_BYTES;
                if (type == 'S' && h[GNU_SPARSE_EXTENDED_OFFSET] != 0) {
                    dataAt = skipSparseExtensions(dataAt);
                }
                boolean extended = type == 'x' || type == 'L' || type == 'K' || type == 'g';
                if (!extended && pax.containsKey("size")) {
                    size = paxNumber("size");
                }
                if (size < 0 || dataAt + size > length) {
                    throw notTar("member at offset " + at + " runs past the end of the object");
                }
                switch (type) {
                    case 'L' -> longName = cString(extendedData(dataAt, size));
                    case 'K' -> extendedData(dataAt, size); // a long link target: links are not indexed
                    case 'x' -> pax = paxRecords(extendedData(dataAt, size), at);
                    case 'g' -> extendedData(dataAt, size); // global defaults: nothing we index depends on them
                    default -> {
                        if ((type == '0' || type == 0 || type == '7') && !isPaxSparse()) {
                            add(name(h), dataAt, size, mtime(h, at));
                        }
                        longName = null;
                        pax = Map.of();
                    }
                }
                at = dataAt + size + TarWriter.padding(size);
            }
            if (first) {
                throw notTar(length < TarWriter.BLOCK_BYTES ? "shorter than one tar block" : "no tar header at the start");
            }
            return build();
        }

        private void add(String name, long offset, long size, long mtime) {
            members.put(name, new long[] {offset, size, mtime});
            if (members.size() > maxMembers) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The tar archive has more than " + maxMembers + " members, more than archpath reads can index.");
            }
        }

        private TarIndex build() {
            String[] names = members.keySet().toArray(String[]::new);
            Arrays.sort(names);
            long[] offsets = new long[names.length];
            long[] sizes = new long[names.length];
            long[] mtimes = new long[names.length];
            for (int i = 0; i < names.length; i++) {
                long[] m = members.get(names[i]);
                offsets[i] = m[0];
                sizes[i] = m[1];
                mtimes[i] = m[2];
            }
            return new TarIndex(names, offsets, sizes, mtimes);
        }

        /** The member's name: pax path, else a GNU long name, else the ustar prefix/name fields. */
        private String name(byte[] h) {
            String paxPath = pax.get("path");
            if (paxPath != null) {
                return paxPath;
            }
            if (longName != null) {
                return longName;
            }
            String name = field(h, 0, 100);
            // Only POSIX ustar ("ustar\0") has a prefix field; old GNU headers keep other data there.
            boolean posix = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r' && h[262] == 0;
            String prefix = posix ? field(h, 345, 155) : "";
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        private long mtime(byte[] h, long at) {
            if (pax.containsKey("mtime")) {
                String v = pax.get("mtime");
                int dot = v.indexOf('.');
                try {
                    return Long.parseLong(dot < 0 ? v : v.substring(0, dot));
                } catch (NumberFormatException e) {
                    throw notTar("bad pax mtime at offset " + at);
                }
            }
            return number(h, 136, 12, at);
        }

        private boolean isPaxSparse() {
            for (String key : pax.keySet()) {
                if (key.startsWith("GNU.sparse.")) {
                    return true;
                }
            }
            return false;
        }

        private long paxNumber(String key) {
            try {
                long v = Long.parseLong(pax.get(key));
                if (v < 0) {
                    throw notTar("negative pax " + key);
                }
                return v;
            } catch (NumberFormatException e) {
                throw notTar("bad pax " + key + ": " + pax.get(key));
            }
        }

        /** Reads past old-GNU sparse extension blocks; returns where the member's data starts. */
        private long skipSparseExtensions(long at) throws IOException {
            while (true) {
                if (at + TarWriter.BLOCK_BYTES > length) {
                    throw notTar("sparse header runs past the end of the object");
                }
                byte[] ext = cursor.read(at, TarWriter.BLOCK_BYTES);
                at += TarWriter.BLOCK_BYTES;
                if (ext[GNU_SPARSE_EXTENSION_FLAG_OFFSET] == 0) {
                    return at;
                }
            }
        }

        private byte[] extendedData(long at, long size) throws IOException {
            if (size > MAX_EXTENDED_HEADER_BYTES) {
                throw notTar("extended header of " + size + " bytes at offset " + at);
            }
            return cursor.read(at, (int) size);
        }
    }

    /** Parses pax records ({@code "<len> <key>=<value>\n"}); a later record overrides an earlier one. */
    static Map<String, String> paxRecords(byte[] data, long at) {
        Map<String, String> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length) {
            if (data[pos] == 0) {
                break; // some writers pad the record area with NULs
            }
            int space = pos;
            while (space < data.length && data[space] >= '0' && data[space] <= '9') {
                space++;
            }
            if (space == pos || space >= data.length || data[space] != ' ' || space - pos > 9) {
                throw notTar("bad pax record at offset " + at);
            }
            int len = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            int end = pos + len;
            if (len <= space - pos + 1 || end > data.length || data[end - 1] != '\n') {
                throw notTar("bad pax record length at offset " + at);
            }
            String record = new String(data, space + 1, end - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw notTar("bad pax record at offset " + at);
            }
            out.put(record.substring(0, eq), record.substring(eq + 1));
            pos = end;
        }
        return out;
    }

    /**
     * A numeric header field: octal digits (leading spaces or NULs allowed, ended by NUL or
     * space), or GNU base-256 when the first byte's top bit is set.
     */
    static long number(byte[] h, int offset, int width, long at) {
        if ((h[offset] & 0x80) != 0) {
            if ((h[offset] & 0x40) != 0) {
                throw notTar("negative base-256 number at offset " + at);
            }
            long v = h[offset] & 0x3F;
            for (int i = 1; i < width; i++) {
                if ((v >>> 55) != 0) {
                    throw notTar("base-256 number too large at offset " + at);
                }
                v = (v << 8) | (h[offset + i] & 0xFF);
            }
            return v;
        }
        int i = offset;
        int end = offset + width;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        int digits = 0;
        for (; i < end && h[i] >= '0' && h[i] <= '7'; i++) {
            v = (v << 3) | (h[i] - '0');
            digits++;
        }
        if (i < end && h[i] != 0 && h[i] != ' ') {
            throw notTar("bad number in the header at offset " + at);
        }
        if (digits > 21) {
            throw notTar("number too large at offset " + at);
        }
        return v;
    }

    /** The header checksum: unsigned (POSIX) or signed (some old writers) sum with the field as spaces. */
    static boolean checksumOk(byte[] h) {
        long stored;
        try {
            stored = number(h, CHECKSUM_OFFSET, CHECKSUM_WIDTH, 0);
        } catch (StoreException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < h.length; i++) {
            int b = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_WIDTH ? ' ' : h[i];
            unsigned += b & 0xFF;
            signed += b;
        }
        return stored == unsigned || stored == signed;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** A NUL-terminated (or full-width) field as UTF-8. */
    private static String field(byte[] h, int offset, int width) {
        int end = offset;
        while (end < offset + width && h[end] != 0) {
            end++;
        }
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] data) {
        return field(data, 0, data.length);
    }

    static StoreException notTar(String why) {
        return StoreException.of(FailureKind.INVALID_REQUEST, "The object is not a tar archive archpath can read: " + why + ".");
    }

    /**
     * Reads the archive at increasing offsets over as few streams as possible: a forward gap of
     * at most {@link #SKIP_BY_READING_BYTES} is read through, a larger one reopens the source there.
     */
    private static final class Cursor implements Closeable {
        private final Source source;
        private final long length;
        private InputStream in;
        private long position;
        private byte[] skipBuffer;

        Cursor(Source source, long length) {
            this.source = source;
            this.length = length;
        }

        byte[] read(long at, int n) throws IOException {
            if (n == 0) {
                return new byte[0];
            }
            seek(at);
            byte[] out = in.readNBytes(n);
            position += out.length;
            if (out.length != n) {
                throw new IOException("the archive's stream ended at " + position + " of " + length + " bytes");
            }
            return out;
        }

        private void seek(long at) throws IOException {
            if (in != null && at >= position && at - position <= SKIP_BY_READING_BYTES) {
                if (skipBuffer == null && at > position) {
                    skipBuffer = new byte[SKIP_BUFFER_BYTES];
                }
                while (position < at) {
                    int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, at - position));
                    if (r < 0) {
                        throw new IOException("the archive's stream ended at " + position + " of " + length + " bytes");
                    }
                    position += r;
                }
                return;
            }
            close();
            in = source.open(at);
            position = at;
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                InputStream s = in;
                in = null;
                s.close();
            }
        }
    }
}
