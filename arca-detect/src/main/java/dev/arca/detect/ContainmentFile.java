package dev.arca.detect;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The containment state file {@code <data>/containment.arca} (docs/FORMATS.md): quarantined
 * principals, protected buckets and exempt bulk jobs. Big-endian:
 *
 * <pre>
 * magic "ARCACTMT" (8) | version u16 = 1 | payload length u32 | payload | CRC32C u32 of all bytes before it
 * payload: u32 n, n × quarantine | u32 n, n × protection | u32 n, n × exemption
 * quarantine: str principal | u8 k, k × str accessKeyId | str rule | str reason | i64 sinceMillis | str detectionId
 * protection: str bucket | str rule | str reason | i64 sinceMillis | str detectionId
 * exemption:  str principal | i64 untilMillis (Long.MAX_VALUE: no expiry) | i64 sinceMillis
 * str: u16 byte length | UTF-8 bytes
 * </pre>
 *
 * Written whole on every change: temporary file, fsync, rename over the old one, directory fsync —
 * so a crash leaves the old or the new state, never a mix. A file that fails any check is damaged.
 */
final class ContainmentFile {
    static final byte[] MAGIC = "ARCACTMT".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    /** magic + version + payload length. */
    static final int HEADER_BYTES = 8 + 2 + 4;
    static final int CRC_BYTES = 4;
    /** Largest string field in bytes (ARNs are at most 2,048 characters; reasons are cut to fit). */
    static final int MAX_STRING_BYTES = 8 * 1024;
    /** Largest file read: every entry at its bound would still fit. */
    static final int MAX_FILE_BYTES = 256 * 1024 * 1024;
    private static final String TMP_SUFFIX = ".tmp";

    /** Everything the file holds. */
    record State(List<Containment.Quarantine> quarantined, List<Containment.Protection> protectedBuckets,
            List<Containment.Exemption> exemptions) {
        State {
            quarantined = List.copyOf(quarantined);
            protectedBuckets = List.copyOf(protectedBuckets);
            exemptions = List.copyOf(exemptions);
        }

        static final State EMPTY = new State(List.of(), List.of(), List.of());
    }

    /** A containment file that fails a check: what is wrong. */
    static final class DamagedException extends IOException {
        DamagedException(String message) {
            super(message);
        }
    }

    private ContainmentFile() {}

    static byte[] encode(State s) {
        try {
            ByteArrayOutputStream payloadBytes = new ByteArrayOutputStream();
            DataOutputStream p = new DataOutputStream(payloadBytes);
            p.writeInt(s.quarantined().size());
            for (Containment.Quarantine q : s.quarantined()) {
                str(p, q.principal());
                p.writeByte(q.accessKeyIds().size());
                for (String k : q.accessKeyIds()) {
                    str(p, k);
                }
                str(p, q.rule());
                str(p, q.reason());
                p.writeLong(q.sinceMillis());
                str(p, q.detectionId());
            }
            p.writeInt(s.protectedBuckets().size());
            for (Containment.Protection b : s.protectedBuckets()) {
                str(p, b.bucket());
                str(p, b.rule());
                str(p, b.reason());
                p.writeLong(b.sinceMillis());
                str(p, b.detectionId());
            }
            p.writeInt(s.exemptions().size());
            for (Containment.Exemption e : s.exemptions()) {
                str(p, e.principal());
                p.writeLong(e.untilMillis());
                p.writeLong(e.sinceMillis());
            }
            p.flush();
            byte[] payload = payloadBytes.toByteArray();
            ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + payload.length + CRC_BYTES);
            out.put(MAGIC).putShort((short) VERSION).putInt(payload.length).put(payload);
            CRC32C crc = new CRC32C();
            crc.update(out.array(), 0, out.position());
            out.putInt((int) crc.getValue());
            return out.array();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
    }

    static State decode(byte[] bytes) throws DamagedException {
        if (bytes.length < HEADER_BYTES + CRC_BYTES) {
            throw new DamagedException("truncated: " + bytes.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new DamagedException("not a containment file (bad magic)");
        }
        int version = Short.toUnsignedInt(in.getShort());
        if (version != VERSION) {
            throw new DamagedException("unsupported version " + version + " (this server reads " + VERSION + ")");
        }
        long length = Integer.toUnsignedLong(in.getInt());
        if (length != bytes.length - HEADER_BYTES - CRC_BYTES) {
            throw new DamagedException("payload length " + length + " does not match the file size " + bytes.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - CRC_BYTES);
        int stored = ByteBuffer.wrap(bytes, bytes.length - CRC_BYTES, CRC_BYTES).getInt();
        if ((int) crc.getValue() != stored) {
            throw new DamagedException("checksum mismatch");
        }
        ByteBuffer p = ByteBuffer.wrap(bytes, HEADER_BYTES, (int) length).slice();
        try {
            int nq = count(p, Containment.MAX_QUARANTINED, "quarantined principals");
            List<Containment.Quarantine> q = new ArrayList<>(nq);
            for (int i = 0; i < nq; i++) {
                String principal = str(p);
                int keys = Byte.toUnsignedInt(p.get());
                if (keys > Containment.MAX_KEYS_PER_PRINCIPAL) {
                    throw new DamagedException(keys + " access keys for one principal");
                }
                List<String> ids = new ArrayList<>(keys);
                for (int k = 0; k < keys; k++) {
                    ids.add(str(p));
                }
                q.add(new Containment.Quarantine(principal, ids, str(p), str(p), p.getLong(), str(p)));
            }
            int nb = count(p, Containment.MAX_PROTECTED, "protected buckets");
            List<Containment.Protection> b = new ArrayList<>(nb);
            for (int i = 0; i < nb; i++) {
                b.add(new Containment.Protection(str(p), str(p), str(p), p.getLong(), str(p)));
            }
            int ne = count(p, Containment.MAX_EXEMPT, "exemptions");
            List<Containment.Exemption> e = new ArrayList<>(ne);
            for (int i = 0; i < ne; i++) {
                e.add(new Containment.Exemption(str(p), p.getLong(), p.getLong()));
            }
            if (p.hasRemaining()) {
                throw new DamagedException(p.remaining() + " bytes after the last entry");
            }
            return new State(q, b, e);
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | NullPointerException ex) {
            throw new DamagedException("malformed entry: " + ex);
        }
    }

    /** The state in {@code file}; {@link State#EMPTY} when there is none. */
    static State read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return State.EMPTY;
        }
        if (Files.size(file) > MAX_FILE_BYTES) {
            throw new DamagedException("larger than " + MAX_FILE_BYTES + " bytes");
        }
        return decode(Files.readAllBytes(file));
    }

    /** Replaces {@code file} with {@code s}: temporary file, fsync, rename, directory fsync. */
    static void write(Path file, State s) throws IOException {
        byte[] content = encode(s);
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory; the rename is then as durable as they allow.
        }
    }

    private static int count(ByteBuffer p, int max, String what) throws DamagedException {
        int n = p.getInt();
        if (n < 0 || n > max) {
            throw new DamagedException(Integer.toUnsignedString(n) + " " + what + " (at most " + max + ")");
        }
        return n;
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string field longer than " + MAX_STRING_BYTES + " bytes");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    private static String str(ByteBuffer p) throws DamagedException {
        int n = Short.toUnsignedInt(p.getShort());
        if (n > MAX_STRING_BYTES) {
            throw new DamagedException("string field of " + n + " bytes");
        }
        byte[] b = new byte[n];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
