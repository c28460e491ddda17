package dev.arca.client.loader;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Streams the regular files of a tar archive, in archive order, without seeking: POSIX ustar
 * (512-byte headers, the 155-byte name prefix), GNU long names ({@code L}) and PAX extended headers
 * ({@code x}: {@code path} and {@code size}; global {@code g} headers are skipped), sizes in octal
 * or GNU base-256. Directories, links and devices are skipped. Header checksums are verified.
 * Content is followed by zero padding to the next 512-byte boundary. The archive ends at a
 * zero block or at end of stream on a block boundary. Not thread-safe.
 */
public final class TarReader {

    /** The tar block size: headers are one block, content is padded to whole blocks. */
    public static final int BLOCK_SIZE = 512;
    /** Bound on a GNU long name or a PAX header's content, so a bad archive cannot exhaust memory. */
    public static final int MAX_EXTENDED_HEADER_BYTES = 1024 * 1024;

    private static final int NAME_OFFSET = 0;
    private static final int NAME_LENGTH = 100;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int CHECKSUM_OFFSET = 148;
    private static final int CHECKSUM_LENGTH = 8;
    private static final int TYPE_OFFSET = 156;
    private static final int MAGIC_OFFSET = 257;
    private static final int PREFIX_OFFSET = 345;
    private static final int PREFIX_LENGTH = 155;
    private static final byte[] POSIX_MAGIC = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
    private static final int OCTAL = 8;
    private static final int BASE256_FLAG = 0x80;
    private static final int SKIP_CHUNK = 64 * 1024;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK_SIZE];
    private final byte[] skipBuffer = new byte[SKIP_CHUNK];
    /** Unread content bytes of the current entry. */
    private long remaining;
    /** Padding after the current entry's content. */
    private int padding;
    private boolean ended;

    /** A reader over {@code in}, which it consumes but does not close. */
    public TarReader(InputStream in) {
        this.in = in;
    }

    /**
     * Skips whatever is left of the current entry and returns the next regular file, or null at
     * the end of the archive.
     *
     * @throws IOException on a malformed header or a stream that ends inside the archive
     */
    public TarEntry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String paxPath = null;
        long paxSize = -1;
        while (!ended) {
            if (!readHeader()) {
                ended = true;
                return null;
            }
            char type = (char) header[TYPE_OFFSET];
            long size = parseNumber(header, SIZE_OFFSET, SIZE_LENGTH, "size");
            int pad = padding(size);
            switch (type) {
                case 'L' -> {
                    longName = cString(readExtended(size));
                    skipFully(pad);
                }
                case 'x' -> {
                    String[] pax = parsePax(readExtended(size));
                    skipFully(pad);
                    paxPath = pax[0] != null ? pax[0] : paxPath;
                    paxSize = pax[1] != null ? parseDecimal(pax[1]) : paxSize;
                }
                case '0', '\0', '7' -> {
                    String name = paxPath != null ? paxPath : longName != null ? longName : headerName();
                    long contentSize = paxSize >= 0 ? paxSize : size;
                    if (type == '\0' && name.endsWith("/")) {
                        skipFully(contentSize + padding(contentSize)); // a pre-POSIX directory
                    } else {
                        remaining = contentSize;
                        padding = padding(contentSize);
                        return new TarEntry(name, contentSize);
                    }
                    longName = null;
                    paxPath = null;
                    paxSize = -1;
                }
                default -> {
                    // g (global PAX), K (long link name), directories, links, devices: not samples.
                    skipFully(size + pad);
                    longName = null;
                    paxPath = null;
                    paxSize = -1;
                }
            }
        }
        return null;
    }

    /**
     * Reads the rest of the current entry's content into a new array.
     *
     * @throws IOException if it is longer than {@code maxBytes} or the stream ends early
     */
    public byte[] readContent(int maxBytes) throws IOException {
        if (remaining > maxBytes) {
            throw new IOException("tar member of " + remaining + " bytes exceeds the limit of " + maxBytes);
        }
        byte[] out = in.readNBytes((int) remaining);
        if (out.length != remaining) {
            throw new EOFException("tar stream ended inside a member");
        }
        remaining = 0;
        return out;
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK_SIZE);
        if (n == 0) {
            return false; // end of stream on a block boundary: some writers omit the end blocks
        }
        if (n < BLOCK_SIZE) {
            throw new EOFException("tar stream ended inside a header");
        }
        if (allZero(header)) {
            return false;
        }
        long stored = parseNumber(header, CHECKSUM_OFFSET, CHECKSUM_LENGTH, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            boolean inField = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + CHECKSUM_LENGTH;
            byte b = inField ? (byte) ' ' : header[i];
            unsigned += b & 0xFF;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new IOException("bad tar header checksum (not a tar archive, or corrupt)");
        }
        return true;
    }

    private String headerName() {
        String name = cString(Arrays.copyOfRange(header, NAME_OFFSET, NAME_OFFSET + NAME_LENGTH));
        // Only POSIX ustar has the prefix field; GNU's old format keeps other data there.
        if (Arrays.equals(header, MAGIC_OFFSET, MAGIC_OFFSET + POSIX_MAGIC.length, POSIX_MAGIC, 0, POSIX_MAGIC.length)) {
            String prefix = cString(Arrays.copyOfRange(header, PREFIX_OFFSET, PREFIX_OFFSET + PREFIX_LENGTH));
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private byte[] readExtended(long size) throws IOException {
        if (size > MAX_EXTENDED_HEADER_BYTES) {
            throw new IOException("tar extended header of " + size + " bytes exceeds " + MAX_EXTENDED_HEADER_BYTES);
        }
        byte[] b = in.readNBytes((int) size);
        if (b.length != size) {
            throw new EOFException("tar stream ended inside an extended header");
        }
        return b;
    }

    /** PAX records {@code "<len> <key>=<value>\n"}; returns {path, size}, each possibly null. */
    private static String[] parsePax(byte[] data) throws IOException {
        String[] out = new String[2];
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') {
                space++;
            }
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("malformed PAX header record");
            }
            if (length <= space - pos + 1 || pos + length > data.length || data[pos + length - 1] != '\n') {
                throw new IOException("malformed PAX header record");
            }
            String record = new String(data, space + 1, pos + length - 1 - (space + 1), StandardCharsets.UTF_8);
            int eq = record.indexOf('=');
            if (eq > 0) {
                String k = record.substring(0, eq);
                if (k.equals("path")) {
                    out[0] = record.substring(eq + 1);
                } else if (k.equals("size")) {
                    out[1] = record.substring(eq + 1);
                }
            }
            pos += length;
        }
        return out;
    }

    private static long parseDecimal(String s) throws IOException {
        try {
            long v = Long.parseLong(s.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IOException("bad PAX size: " + s);
        }
    }

    /** An octal field (NUL- or space-terminated) or a GNU base-256 one (high bit set). */
    private static long parseNumber(byte[] h, int offset, int length, String field) throws IOException {
        if ((h[offset] & BASE256_FLAG) != 0) {
            if ((h[offset] & 0x40) != 0) {
                throw new IOException("negative tar " + field);
            }
            long v = h[offset] & 0x3F;
            for (int i = 1; i < length; i++) {
                if (v > (Long.MAX_VALUE >> 8)) {
                    throw new IOException("tar " + field + " too large");
                }
                v = (v << 8) | (h[offset + i] & 0xFF);
            }
            return v;
        }
        int i = offset;
        int end = offset + length;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            int d = h[i] - '0';
            if (d < 0 || d >= OCTAL || v > (Long.MAX_VALUE >> 3)) {
                throw new IOException("bad tar " + field + " field");
            }
            v = v * OCTAL + d;
        }
        return v;
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static int padding(long size) {
        return (int) ((BLOCK_SIZE - size % BLOCK_SIZE) % BLOCK_SIZE);
    }

    private void skipFully(long n) throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(skipBuffer, 0, (int) Math.min(skipBuffer.length, left));
            if (r < 0) {
                throw new EOFException("tar stream ended inside a member");
            }
            left -= r;
        }
    }
}
