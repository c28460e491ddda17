package dev.arca.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * Checks an audit log directory end to end and names the first problem: every segment present
 * and in order, every line well formed, sequence numbers contiguous, every chain hash
 * recomputed, every checkpoint signature valid, and the log reaching the checkpoint that
 * {@code audit.head} names.
 *
 * <p>With {@code expectedPublicKeyBase64OrNull} the signatures are checked against that key
 * (kept outside the data directory); without it, against the key stored in the directory, which
 * an attacker able to rewrite the whole directory could replace along with re-signed checkpoints.
 * Reads the files only; running it next to a live writer may report the line being written as a
 * torn last line.
 */
public final class AuditVerifier {
    /** {@link VerifyReport#recordNumber()} of a problem not tied to one record. */
    public static final long NO_RECORD = -1;

    private AuditVerifier() {}

    /**
     * The outcome of {@link #verify}.
     *
     * @param ok whether no problem was found
     * @param records request/admin/detection/response records checked (up to the problem)
     * @param checkpoints checkpoints whose signature was checked (up to the problem)
     * @param firstProblem null if ok; otherwise {@code "<segment>: record <seq> at byte <offset>: <problem>"}
     * @param segment the segment file name of the problem, or of the last segment when ok (null if none)
     * @param recordNumber the sequence number of the first bad (or missing) entry, {@link #NO_RECORD}
     *     if the problem is not tied to one; the last sequence number when ok
     */
    public record VerifyReport(boolean ok, long records, long checkpoints, String firstProblem, String segment,
            long recordNumber) {}

    /**
     * Verifies the audit log in {@code dir} (the directory that holds the segments).
     *
     * @param expectedPublicKeyBase64OrNull base64 of the X.509-encoded Ed25519 public key, as
     *     {@link AuditLog#publicKeyBase64()} prints it; null to use the stored key
     * @throws IllegalArgumentException if the given public key is not one
     * @throws IOException if a file cannot be read
     */
    public static VerifyReport verify(Path dir, String expectedPublicKeyBase64OrNull) throws IOException {
        PublicKey expected = expectedPublicKeyBase64OrNull == null
                ? null : SigningKey.decodePublicBase64(expectedPublicKeyBase64OrNull);
        return new Run(dir).run(expected);
    }

    private static final class Run {
        private final Path dir;
        private final MessageDigest sha = LogFormat.sha256();
        private long records;
        private long checkpoints;

        Run(Path dir) {
            this.dir = dir;
        }

        VerifyReport run(PublicKey expectedKey) throws IOException {
            PublicKey stored = null;
            String storedProblem = null;
            try {
                stored = SigningKey.readPublic(dir.resolve(LogFormat.KEY_FILE));
            } catch (NoSuchFileException e) {
                storedProblem = "missing signing key " + LogFormat.KEY_FILE + " (deleted?)";
            } catch (IOException e) {
                storedProblem = "bad signing key file: " + e.getMessage();
            }
            PublicKey key = expectedKey != null ? expectedKey : stored;
            if (key == null) {
                return problem(null, NO_RECORD, -1, storedProblem);
            }
            List<Path> segments = LogFormat.listSegments(dir);
            if (segments.isEmpty()) {
                return problem(null, 1, 0, "missing segment: no audit segments in " + dir);
            }
            Head head;
            try {
                head = Head.read(dir);
            } catch (IOException e) {
                return problem(null, NO_RECORD, -1, "bad " + LogFormat.HEAD_FILE + ": " + e.getMessage());
            }
            long expected = 1;
            byte[] prev = LogFormat.genesis();
            byte[] hash = new byte[LogFormat.HASH_BYTES];
            boolean headSeen = false;
            String lastName = null;
            long lastEnd = 0;
            byte lastType = 0;
            for (Path seg : segments) {
                String name = seg.getFileName().toString();
                lastName = name;
                long nameSeq = LogFormat.segmentSeq(name);
                try (LineReader r = new LineReader(seg)) {
                    if (!r.next() || !r.terminated()) {
                        return problem(name, expected, 0, "truncated (segment has no complete header)");
                    }
                    LogFormat.Header header = r.oversize() ? null : LogFormat.parseHeader(r.line(), r.length());
                    if (header == null) {
                        return problem(name, expected, 0, "bad segment header (edited?)");
                    }
                    if (header.firstSeq() != nameSeq) {
                        return problem(name, expected, 0, "segment header says it starts at record "
                                + header.firstSeq() + " but its name says " + nameSeq + " (renamed?)");
                    }
                    if (header.firstSeq() > expected) {
                        // Segments end with a checkpoint: one that does not lost its tail, not a whole successor.
                        String kind = expected == 1 ? "missing segment (first segment deleted?)"
                                : lastType == LogFormat.TYPE_CHECKPOINT ? "missing segment (deleted?)"
                                : "sequence gap (deleted?): the previous segment's last lines are gone";
                        return problem(name, expected, 0, kind + "; records " + expected + ".." + (header.firstSeq() - 1)
                                + " are absent");
                    }
                    if (header.firstSeq() < expected) {
                        return problem(name, expected, 0, "sequence out of order (reordered?): segment starts at record "
                                + header.firstSeq() + ", record " + expected + " expected");
                    }
                    if (!Arrays.equals(header.prev(), prev)) {
                        return problem(name, expected, 0, "hash mismatch (edited?): segment header does not chain to"
                                + " the previous segment");
                    }
                    lastEnd = r.end();
                    while (r.next()) {
                        long offset = r.offset();
                        if (!r.terminated()) {
                            return problem(name, expected, offset, "truncated (torn last line: cut, or a crash not yet"
                                    + " repaired by reopening the log)");
                        }
                        LogFormat.Entry e = r.oversize() ? null : LogFormat.parseEntry(r.line(), r.length());
                        if (e == null) {
                            return problem(name, expected, offset, "malformed line (edited?)");
                        }
                        if (e.seq() != expected) {
                            return sequenceProblem(r, name, expected, e.seq(), offset);
                        }
                        LogFormat.CheckpointPayload cp = null;
                        if (e.type() == LogFormat.TYPE_CHECKPOINT) {
                            cp = LogFormat.parseCheckpoint(r.line(), e.payloadOff(), e.payloadLen());
                            if (cp == null) {
                                return problem(name, expected, offset, "malformed checkpoint (edited?)");
                            }
                            if (!SigningKey.verify(key, LogFormat.signedMessage(e.seq(), prev, cp.timeMillis()),
                                    cp.signature())) {
                                return problem(name, expected, offset, "bad checkpoint signature"
                                        + (expectedKey != null ? " (not signed by the given public key)" : ""));
                            }
                        }
                        LogFormat.chainHash(sha, prev, e.seq(), e.type(), r.line(), e.payloadOff(), e.payloadLen(), hash);
                        if (!Arrays.equals(hash, e.hash())) {
                            return problem(name, expected, offset, "hash mismatch (edited?)");
                        }
                        if (cp != null) {
                            checkpoints++;
                        } else {
                            records++;
                        }
                        if (head != null && e.seq() == head.seq()) {
                            if (cp == null || !Arrays.equals(e.hash(), head.entryHash())
                                    || !Arrays.equals(prev, head.attested()) || cp.timeMillis() != head.timeMillis()
                                    || !Arrays.equals(cp.signature(), head.signature())) {
                                return problem(name, e.seq(), offset, LogFormat.HEAD_FILE
                                        + " does not match this record (edited?)");
                            }
                            headSeen = true;
                        }
                        prev = e.hash();
                        lastType = e.type();
                        expected++;
                        lastEnd = r.end();
                    }
                }
            }
            long lastSeq = expected - 1;
            if (head == null) {
                if (checkpoints > 0) {
                    return problem(lastName, NO_RECORD, lastEnd, "missing " + LogFormat.HEAD_FILE + " (deleted?)");
                }
            } else if (!headSeen) {
                return problem(lastName, lastSeq + 1, lastEnd, "truncated: " + LogFormat.HEAD_FILE + " names checkpoint "
                        + head.seq() + " but the log ends at record " + lastSeq + " (tail removed?)");
            }
            if (expectedKey != null && stored != null && !Arrays.equals(stored.getEncoded(), expectedKey.getEncoded())) {
                return problem(null, NO_RECORD, -1, "signing key " + LogFormat.KEY_FILE
                        + " differs from the given public key (replaced?)");
            }
            if (expectedKey != null && storedProblem != null) {
                return problem(null, NO_RECORD, -1, storedProblem);
            }
            return new VerifyReport(true, records, checkpoints, null, lastName, lastSeq);
        }

        /** A record out of place: reordered if the expected one turns up later in this segment, deleted if not. */
        private VerifyReport sequenceProblem(LineReader r, String name, long expected, long found, long offset)
                throws IOException {
            if (found > expected) {
                while (r.next()) {
                    LogFormat.Entry later = r.terminated() && !r.oversize() ? LogFormat.parseEntry(r.line(), r.length()) : null;
                    if (later != null && later.seq() == expected) {
                        return problem(name, expected, offset, "sequence out of order (reordered?): record " + found
                                + " stands where record " + expected + " belongs");
                    }
                }
                return problem(name, expected, offset, "sequence gap (deleted?): record " + expected
                        + " expected, record " + found + " found");
            }
            return problem(name, expected, offset, "sequence out of order (reordered or duplicated?): record " + found
                    + " found where record " + expected + " belongs");
        }

        private VerifyReport problem(String segment, long record, long offset, String what) {
            StringBuilder b = new StringBuilder();
            b.append(segment != null ? segment : dir.toString());
            if (record != NO_RECORD) {
                b.append(": record ").append(record);
            }
            if (offset >= 0) {
                b.append(record != NO_RECORD ? " at byte " : ": at byte ").append(offset);
            }
            b.append(": ").append(what);
            return new VerifyReport(false, records, checkpoints, b.toString(), segment, record);
        }
    }

    /** How many audit segments {@code dir} holds (for the CLI summary). */
    static int segmentCount(Path dir) throws IOException {
        return Files.isDirectory(dir) ? LogFormat.listSegments(dir).size() : 0;
    }
}
