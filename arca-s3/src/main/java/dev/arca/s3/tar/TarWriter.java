package dev.arca.s3.tar;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes POSIX.1-2001 (pax) tar headers for regular files, one member at a time, so a caller can
 * stream member data between them without buffering it.
 *
 * <p>A member is {@link #header} bytes, then exactly {@code size} data bytes, then
 * {@link #padding} zero bytes; an archive ends with {@link #endOfArchive()}. The header is a plain
 * ustar header (typeflag {@code 0}, mode 0644, uid/gid 0) when the name is printable ASCII of at
 * most 100 bytes and the size fits the 11-digit octal field; otherwise a pax extended header
 * (typeflag {@code x}) carrying {@code path} and/or {@code size} comes first, and the ustar header
 * holds an ASCII stand-in name (non-printable bytes as {@code _}, cut to 100 bytes) and, for sizes
 * of 8 GiB and more, the size in GNU base-256 form as well. GNU tar, bsdtar and Python's tarfile
 * read this format.
 */
public final class TarWriter {
    /** Tar's unit: every header and every member's data (padded) is a multiple of this. */
    public static final int BLOCK_BYTES = 512;
    /** The end-of-archive marker: two zero blocks. */
    public static final int END_OF_ARCHIVE_BYTES = 2 * BLOCK_BYTES;
    /** Longest name the ustar name field holds (without a prefix split, which we never use). */
    static final int NAME_FIELD_BYTES = 100;
    /** Largest size the 11-digit octal size field holds (8 GiB − 1). */
    static final long MAX_OCTAL_SIZE = 077_777_777_777L;
    /** The prefix of the name of a pax extended header member (readers ignore it). */
    static final String PAX_NAME_PREFIX = "PaxHeader/";
    /** Mode of every member: rw-r--r--. */
    private static final int FILE_MODE = 0644;

    private static final byte[] ZEROS = new byte[END_OF_ARCHIVE_BYTES];
    /** The magic and version fields: "ustar", NUL, "00". */
    private static final byte[] MAGIC = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
    private static final int MAGIC_OFFSET = 257;
    private static final int OCTAL_DIGIT_BITS = 3;

    private TarWriter() {}

    /**
     * The header bytes of a regular file member: one 512-byte ustar block, preceded by a pax
     * extended header (itself padded to blocks) when the name or size needs one.
     *
     * @param name         the member's name, any non-empty string (stored as UTF-8)
     * @param size         the number of data bytes that will follow, ≥ 0
     * @param mtimeSeconds modification time, seconds since the epoch (clamped to the field)
     */
    public static byte[] header(String name, long size, long mtimeSeconds) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a member needs a name");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative member size " + size);
        }
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        boolean paxName = utf8.length > NAME_FIELD_BYTES || !printableAscii(utf8);
        boolean paxSize = size > MAX_OCTAL_SIZE;
        long mtime = Math.clamp(mtimeSeconds, 0, MAX_OCTAL_SIZE);
        if (!paxName && !paxSize) {
            return ustar(utf8, size, mtime, (byte) '0');
        }
        String standIn = standIn(utf8);
        StringBuilder records = new StringBuilder();
        if (paxName) {
            records.append(paxRecord("path", name));
        }
        if (paxSize) {
            records.append(paxRecord("size", Long.toString(size)));
        }
        byte[] pax = records.toString().getBytes(StandardCharsets.UTF_8);
        byte[] paxHeaderName = cut((PAX_NAME_PREFIX + standIn).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream(3 * BLOCK_BYTES + pax.length);
        out.writeBytes(ustar(paxHeaderName, pax.length, mtime, (byte) 'x'));
        out.writeBytes(pax);
        out.write(ZEROS, 0, padding(pax.length));
        out.writeBytes(ustar(standIn.getBytes(StandardCharsets.US_ASCII), size, mtime, (byte) '0'));
        return out.toByteArray();
    }

    /** Zero bytes that follow {@code size} data bytes to complete the member's last block. */
    public static int padding(long size) {
        return (int) ((BLOCK_BYTES - size % BLOCK_BYTES) % BLOCK_BYTES);
    }

    /** The bytes that end an archive: two zero blocks. */
    public static byte[] endOfArchive() {
        return new byte[END_OF_ARCHIVE_BYTES];
    }

    /** One pax record, {@code "<length> <key>=<value>\n"}, where length counts the whole record in bytes. */
    static String paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int length = body + Integer.toString(body).length();
        if (Integer.toString(length).length() != Integer.toString(body).length()) {
            length++; // the length's own digits pushed it over a power of ten
        }
        return length + " " + key + "=" + value + "\n";
    }

    private static byte[] ustar(byte[] name, long size, long mtime, byte typeflag) {
        byte[] h = new byte[BLOCK_BYTES];
        System.arraycopy(name, 0, h, 0, Math.min(name.length, NAME_FIELD_BYTES));
        octal(h, 100, 8, FILE_MODE);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size > MAX_OCTAL_SIZE) {
            base256(h, 124, 12, size);
        } else {
            octal(h, 124, 12, size);
        }
        octal(h, 136, 12, mtime);
        h[156] = typeflag;
        System.arraycopy(MAGIC, 0, h, MAGIC_OFFSET, MAGIC.length);
        // The checksum is computed with its own field as eight spaces, then written as 6 digits, NUL, space.
        java.util.Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum);
        h[155] = ' ';
        return h;
    }

    /** Writes {@code value} as zero-padded octal digits filling {@code width − 1} bytes, then NUL. */
    private static void octal(byte[] h, int offset, int width, long value) {
        int n = width - 1;
        if (value < 0 || (n * OCTAL_DIGIT_BITS < Long.SIZE && value >>> (n * OCTAL_DIGIT_BITS) != 0)) {
            throw new IllegalArgumentException("value " + value + " does not fit " + n + " octal digits");
        }
        long rest = value;
        for (int i = n - 1; i >= 0; i--) { // digits straight into the header: no string per field
            h[offset + i] = (byte) ('0' + (rest & 07));
            rest >>>= OCTAL_DIGIT_BITS;
        }
        h[offset + n] = 0;
    }

    /** GNU base-256: the first byte's top bit set, the value big-endian in the remaining bytes. */
    private static void base256(byte[] h, int offset, int width, long value) {
        for (int i = width - 1; i > 0; i--) {
            h[offset + i] = (byte) value;
            value >>>= 8;
        }
        h[offset] = (byte) 0x80;
    }

    private static boolean printableAscii(byte[] utf8) {
        for (byte b : utf8) {
            if (b < 0x20 || b > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /** The name shown by readers that ignore pax headers: printable ASCII, at most 100 bytes. */
    private static String standIn(byte[] utf8) {
        StringBuilder s = new StringBuilder(Math.min(utf8.length, NAME_FIELD_BYTES));
        for (int i = 0; i < utf8.length && s.length() < NAME_FIELD_BYTES; i++) {
            byte b = utf8[i];
            s.append(b >= 0x20 && b <= 0x7E ? (char) b : '_');
        }
        return s.toString();
    }

    private static byte[] cut(byte[] ascii) {
        return ascii.length <= NAME_FIELD_BYTES ? ascii : java.util.Arrays.copyOf(ascii, NAME_FIELD_BYTES);
    }
}
