package dev.arca.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The latest durable checkpoint, kept in {@code audit.head} so that cutting the log's tail back
 * past it is detected:
 * {@code ARCAHEAD 1 <seq> <attestedHashHex> <entryHashHex> <timeMillis> <signatureBase64> <crc32cHex>\n}.
 *
 * @param seq the checkpoint's sequence number
 * @param attested the chain hash of the entry before it (what the signature covers)
 * @param entryHash the checkpoint line's own chain hash
 */
record Head(long seq, byte[] attested, byte[] entryHash, long timeMillis, byte[] signature) {
    static final String MAGIC = "ARCAHEAD";
    static final int VERSION = 1;
    private static final int FIELDS = 8;
    /** A head file is one short line; anything longer is not one. */
    private static final int MAX_HEAD_BYTES = 512;

    byte[] encode() {
        String body = MAGIC + " " + VERSION + " " + seq + " " + LogFormat.hex(attested) + " " + LogFormat.hex(entryHash)
                + " " + timeMillis + " " + Base64.getEncoder().encodeToString(signature);
        return (body + " " + crcHex(body) + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    void write(Path dir) throws IOException {
        LogFormat.writeAtomically(dir.resolve(LogFormat.HEAD_FILE), encode());
    }

    /** The head in {@code dir}, or null if there is none. */
    static Head read(Path dir) throws IOException {
        Path file = dir.resolve(LogFormat.HEAD_FILE);
        byte[] content;
        try {
            if (Files.size(file) > MAX_HEAD_BYTES) {
                throw new IOException(file + " is damaged (too long)");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        String s = new String(content, StandardCharsets.US_ASCII);
        if (!s.endsWith("\n")) {
            throw new IOException(file + " is damaged (no newline)");
        }
        String[] f = s.substring(0, s.length() - 1).split(" ", -1);
        if (f.length != FIELDS || !f[0].equals(MAGIC) || !f[1].equals(Integer.toString(VERSION))) {
            throw new IOException(file + " is damaged or of an unknown version");
        }
        String body = s.substring(0, s.lastIndexOf(' '));
        if (!crcHex(body).equals(f[7])) {
            throw new IOException(file + " is damaged (checksum mismatch)");
        }
        byte[] b2 = f[2].getBytes(StandardCharsets.US_ASCII);
        long seq = LogFormat.parseSeq(b2, 0, b2.length);
        byte[] b3 = f[3].getBytes(StandardCharsets.US_ASCII);
        byte[] b4 = f[4].getBytes(StandardCharsets.US_ASCII);
        byte[] attested = LogFormat.parseHex(b3, 0, b3.length);
        byte[] entry = LogFormat.parseHex(b4, 0, b4.length);
        try {
            long time = Long.parseLong(f[5]);
            byte[] sig = Base64.getDecoder().decode(f[6]);
            if (seq < 1 || attested == null || entry == null || sig.length != LogFormat.SIGNATURE_BYTES) {
                throw new IOException(file + " is damaged");
            }
            return new Head(seq, attested, entry, time, sig);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is damaged: " + e.getMessage(), e);
        }
    }

    private static String crcHex(String body) {
        CRC32C crc = new CRC32C();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
