package dev.arca.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The on-disk format of the audit log (arca-audit/FORMATS-audit.md): file names, the segment
 * header line, record and checkpoint lines, the chain hash and the signed checkpoint message.
 */
final class LogFormat {
    static final String MAGIC = "ARCAAUD1";
    static final int VERSION = 1;
    static final int HASH_BYTES = 32;
    static final int HASH_HEX_CHARS = 2 * HASH_BYTES;
    static final String SEGMENT_PREFIX = "audit-";
    static final String SEGMENT_SUFFIX = ".log";
    static final String TMP_SUFFIX = ".tmp";
    static final int SEGMENT_SEQ_DIGITS = 20;
    static final String HEAD_FILE = "audit.head";
    static final String KEY_FILE = "audit-signing.key";
    static final String LOCK_FILE = "audit.lock";
    static final byte TYPE_RECORD = 'R';
    static final byte TYPE_CHECKPOINT = 'C';
    /** The longest record JSON accepted; larger records are refused at append. */
    static final int MAX_JSON_BYTES = 1 << 20;
    /** Type, seq, hash, separators and newline around the payload. */
    static final int LINE_OVERHEAD_BYTES = 1 + 1 + 19 + 1 + HASH_HEX_CHARS + 1 + 1;
    static final int MAX_LINE_BYTES = MAX_JSON_BYTES + LINE_OVERHEAD_BYTES;
    /** Ed25519 signatures are 64 bytes. */
    static final int SIGNATURE_BYTES = 64;
    /** Domain separation: a checkpoint signature cannot be mistaken for a signature over anything else. */
    private static final byte[] SIGNATURE_CONTEXT = "ARCAAUD1 checkpoint\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_SEQ_DIGITS = 19;

    private LogFormat() {}

    /** The hash the first segment's header names as "previous": 32 zero bytes. */
    static byte[] genesis() {
        return new byte[HASH_BYTES];
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    static String segmentName(long firstSeq) {
        String digits = Long.toString(firstSeq);
        return SEGMENT_PREFIX + "0".repeat(SEGMENT_SEQ_DIGITS - digits.length()) + digits + SEGMENT_SUFFIX;
    }

    /** The first sequence number a segment file name carries, or -1 if it is not a segment name. */
    static long segmentSeq(String fileName) {
        int digitsEnd = SEGMENT_PREFIX.length() + SEGMENT_SEQ_DIGITS;
        if (fileName.length() != digitsEnd + SEGMENT_SUFFIX.length()
                || !fileName.startsWith(SEGMENT_PREFIX) || !fileName.endsWith(SEGMENT_SUFFIX)) {
            return -1;
        }
        long seq = 0;
        for (int i = SEGMENT_PREFIX.length(); i < digitsEnd; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9' || seq > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            seq = seq * 10 + (c - '0');
        }
        return seq;
    }

    /** The segment files in {@code dir}, oldest first; empty if the directory does not exist. */
    static List<Path> listSegments(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
            for (Path p : stream) {
                if (segmentSeq(p.getFileName().toString()) >= 0 && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        // Zero-padded names sort in sequence order.
        out.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return out;
    }

    /** {@code out = SHA-256(prev || seq as 8 bytes big-endian || type || payload)}; out may be prev. */
    static void chainHash(MessageDigest sha, byte[] prev, long seq, byte type, byte[] payload, int off, int len, byte[] out) {
        sha.update(prev, 0, HASH_BYTES);
        for (int shift = 56; shift >= 0; shift -= 8) {
            sha.update((byte) (seq >>> shift));
        }
        sha.update(type);
        sha.update(payload, off, len);
        try {
            sha.digest(out, 0, HASH_BYTES);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a checkpoint at {@code seq} signs: context, seq, the chain hash before it, its time. */
    static byte[] signedMessage(long seq, byte[] prev, long timeMillis) {
        return ByteBuffer.allocate(SIGNATURE_CONTEXT.length + 8 + HASH_BYTES + 8)
                .put(SIGNATURE_CONTEXT).putLong(seq).put(prev, 0, HASH_BYTES).putLong(timeMillis).array();
    }

    /** {@code ARCAAUD1 1 <firstSeq> <prevHashHex>\n} */
    static byte[] headerLine(long firstSeq, byte[] prev) {
        return (MAGIC + " " + VERSION + " " + firstSeq + " " + hex(prev) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    record Header(long firstSeq, byte[] prev) {}

    /** The header in {@code line[0, len)} (no newline), or null if it is not a valid header. */
    static Header parseHeader(byte[] line, int len) {
        String s = new String(line, 0, len, StandardCharsets.US_ASCII);
        String[] parts = s.split(" ", -1);
        if (parts.length != 4 || !parts[0].equals(MAGIC) || !parts[1].equals(Integer.toString(VERSION))) {
            return null;
        }
        byte[] bytes = parts[2].getBytes(StandardCharsets.US_ASCII);
        long seq = parseSeq(bytes, 0, bytes.length);
        byte[] prev = parseHex(line, len - HASH_HEX_CHARS, len);
        if (seq < 1 || prev == null || parts[3].length() != HASH_HEX_CHARS) {
            return null;
        }
        return new Header(seq, prev);
    }

    /** One parsed record or checkpoint line; the payload is {@code line[payloadOff, payloadOff + payloadLen)}. */
    record Entry(byte type, long seq, byte[] hash, int payloadOff, int payloadLen) {}

    /**
     * Parses {@code <type> <seq> <hashHex> <payload>} in {@code line[0, len)} (no newline); null if
     * malformed. Does not check the hash.
     */
    static Entry parseEntry(byte[] line, int len) {
        if (len < 4 || (line[0] != TYPE_RECORD && line[0] != TYPE_CHECKPOINT) || line[1] != ' ') {
            return null;
        }
        int seqEnd = 2;
        while (seqEnd < len && line[seqEnd] != ' ') {
            seqEnd++;
        }
        long seq = parseSeq(line, 2, seqEnd);
        int hashEnd = seqEnd + 1 + HASH_HEX_CHARS;
        if (seq < 1 || hashEnd >= len || line[hashEnd] != ' ') {
            return null;
        }
        byte[] hash = parseHex(line, seqEnd + 1, hashEnd);
        if (hash == null) {
            return null;
        }
        return new Entry(line[0], seq, hash, hashEnd + 1, len - hashEnd - 1);
    }

    record CheckpointPayload(long timeMillis, byte[] signature) {}

    /** {@code <timeMillis> <signatureBase64>}; null if malformed. */
    static CheckpointPayload parseCheckpoint(byte[] line, int off, int len) {
        String s = new String(line, off, len, StandardCharsets.US_ASCII);
        int space = s.indexOf(' ');
        if (space < 1 || space != s.lastIndexOf(' ')) {
            return null;
        }
        try {
            long time = Long.parseLong(s, 0, space, 10);
            byte[] sig = Base64.getDecoder().decode(s.substring(space + 1));
            if (sig.length != SIGNATURE_BYTES || !s.substring(space + 1).equals(Base64.getEncoder().encodeToString(sig))) {
                return null; // only the canonical encoding, so the line has one spelling
            }
            return new CheckpointPayload(time, sig);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static byte[] checkpointPayload(long timeMillis, byte[] signature) {
        return (timeMillis + " " + Base64.getEncoder().encodeToString(signature)).getBytes(StandardCharsets.US_ASCII);
    }

    /** A positive decimal without sign or leading zero, at most 19 digits; -1 if not. */
    static long parseSeq(byte[] b, int from, int to) {
        int n = to - from;
        if (n < 1 || n > MAX_SEQ_DIGITS || b[from] == '0') {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v < 0 ? -1 : v;
    }

    /** Lower-case hex in {@code b[from, to)} as bytes; null if not exactly that. */
    static byte[] parseHex(byte[] b, int from, int to) {
        if (from < 0 || to - from != HASH_HEX_CHARS) {
            return null;
        }
        byte[] out = new byte[HASH_BYTES];
        for (int i = 0; i < HASH_BYTES; i++) {
            int hi = hexValue(b[from + 2 * i]);
            int lo = hexValue(b[from + 2 * i + 1]);
            if (hi < 0 || lo < 0) {
                return null;
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    static String hex(byte[] hash) {
        byte[] out = new byte[HASH_HEX_CHARS];
        hexInto(hash, out, 0);
        return new String(out, StandardCharsets.US_ASCII);
    }

    static void hexInto(byte[] hash, byte[] out, int off) {
        for (int i = 0; i < HASH_BYTES; i++) {
            out[off + 2 * i] = HEX_DIGITS[(hash[i] >> 4) & 0xf];
            out[off + 2 * i + 1] = HEX_DIGITS[hash[i] & 0xf];
        }
    }

    /** Writes {@code content} to {@code file} atomically: a temporary file, fsync, rename, directory fsync. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(content));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(file.toAbsolutePath().getParent());
    }

    static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is then as durable as they allow.
        }
    }
}
