package dev.arca.client.loader;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX tar archive of regular files: ustar headers, names over 100 bytes split into the
 * 155-byte prefix or else carried by a PAX {@code path} record, content padded to 512 bytes, two
 * zero blocks at the end. What GNU tar and WebDataset read. Not thread-safe.
 */
public final class TarWriter implements Closeable {

    /** The largest member: 11 octal digits. */
    public static final long MAX_MEMBER_BYTES = (1L << 33) - 1;
    private static final int BLOCK = TarReader.BLOCK_SIZE;
    private static final int NAME_LENGTH = 100;
    private static final int PREFIX_LENGTH = 155;
    private static final int END_BLOCKS = 2;

    private final OutputStream out;
    private final byte[] zeros = new byte[BLOCK];
    private long mtimeSeconds;
    private boolean finished;

    /** A writer onto {@code out}; {@link #close()} finishes the archive and closes {@code out}. */
    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Sets the modification time written into the following headers (default 0: reproducible bytes). */
    public void mtime(long epochSeconds) {
        this.mtimeSeconds = epochSeconds;
    }

    /** Appends a regular file. */
    public void add(String name, byte[] data) throws IOException {
        add(name, data, 0, data.length);
    }

    /** Appends a regular file with {@code length} bytes of {@code data} from {@code offset}. */
    public void add(String name, byte[] data, int offset, int length) throws IOException {
        if (finished) {
            throw new IllegalStateException("archive finished");
        }
        byte[] full = name.getBytes(StandardCharsets.UTF_8);
        if (full.length == 0) {
            throw new IllegalArgumentException("empty member name");
        }
        byte[] nameField = full;
        byte[] prefixField = new byte[0];
        if (full.length > NAME_LENGTH) {
            int split = splitPoint(full);
            if (split > 0) {
                prefixField = java.util.Arrays.copyOfRange(full, 0, split);
                nameField = java.util.Arrays.copyOfRange(full, split + 1, full.length);
            } else {
                byte[] pax = paxRecord("path", name);
                writeHeader(truncate(("PaxHeaders/" + name).getBytes(StandardCharsets.UTF_8)), new byte[0], pax.length, 'x');
                writePadded(pax, 0, pax.length);
                nameField = truncate(full);
            }
        }
        writeHeader(nameField, prefixField, length, '0');
        writePadded(data, offset, length);
    }

    /** Writes the end-of-archive blocks; further adds fail. */
    public void finish() throws IOException {
        if (!finished) {
            finished = true;
            for (int i = 0; i < END_BLOCKS; i++) {
                out.write(zeros);
            }
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        finish();
        out.close();
    }

    /** A '/' that splits the name into prefix (<= 155 bytes) and name (<= 100 bytes), or -1. */
    private static int splitPoint(byte[] full) {
        for (int i = Math.min(full.length - 1, PREFIX_LENGTH); i > 0; i--) {
            if (full[i] == '/' && full.length - i - 1 <= NAME_LENGTH && full.length - i - 1 > 0) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] truncate(byte[] b) {
        return b.length <= NAME_LENGTH ? b : java.util.Arrays.copyOf(b, NAME_LENGTH);
    }

    /** {@code "<len> key=value\n"} where len counts the whole record, its own digits included. */
    private static byte[] paxRecord(String key, String value) {
        int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
        int len = body + Integer.toString(body).length();
        if (Integer.toString(len).length() != Integer.toString(body).length()) {
            len = body + Integer.toString(len).length();
        }
        return (len + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private void writeHeader(byte[] name, byte[] prefix, long size, char type) throws IOException {
        if (size < 0 || size > MAX_MEMBER_BYTES) {
            throw new IllegalArgumentException("tar member size out of range: " + size);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtimeSeconds);
        h[156] = (byte) type;
        byte[] magic = "ustar\u000000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, h, 257, magic.length);
        System.arraycopy(prefix, 0, h, 345, prefix.length);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xFF;
        }
        octal(h, 148, 7, sum); // six digits, NUL, and the space already there
        out.write(h);
    }

    /** Zero-padded octal digits filling {@code length - 1} bytes, then a NUL. */
    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        int width = length - 1;
        if (digits.length() > width) {
            throw new IllegalArgumentException("value too large for the tar field: " + value);
        }
        for (int i = 0; i < width; i++) {
            int d = i - (width - digits.length());
            h[offset + i] = (byte) (d < 0 ? '0' : digits.charAt(d));
        }
        h[offset + width] = 0;
    }

    private void writePadded(byte[] data, int offset, int length) throws IOException {
        out.write(data, offset, length);
        int pad = (BLOCK - length % BLOCK) % BLOCK;
        out.write(zeros, 0, pad);
    }
}
