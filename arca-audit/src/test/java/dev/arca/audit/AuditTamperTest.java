package dev.arca.audit;

import static dev.arca.audit.AuditTestSupport.entries;
import static dev.arca.audit.AuditTestSupport.entriesOfType;
import static dev.arca.audit.AuditTestSupport.readLines;
import static dev.arca.audit.AuditTestSupport.segments;
import static dev.arca.audit.AuditTestSupport.smallOptions;
import static dev.arca.audit.AuditTestSupport.writeLines;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of tampering is caught, and the report names the first bad record. Which record is
 * tampered with is random: each test prints its seed; replay with -Darca.seed=N.
 */
class AuditTamperTest {
    static final int RECORDS = 300;

    @TempDir
    Path tmp;
    Path dir;
    String publicKey;
    SplittableRandom rnd;

    @BeforeEach
    void writeLog(TestInfo info) throws IOException {
        rnd = AuditTestSupport.random("AuditTamperTest." + info.getTestMethod().orElseThrow().getName());
        dir = tmp.resolve("audit");
        AuditTestSupport.writeLog(dir, smallOptions(), RECORDS, 1);
        publicKey = SigningKey.load(dir.resolve(LogFormat.KEY_FILE)).publicKeyBase64();
        AuditVerifier.VerifyReport clean = AuditVerifier.verify(dir, publicKey);
        assertThat(clean.ok()).as(clean.firstProblem()).isTrue();
        assertThat(segments(dir)).hasSizeGreaterThanOrEqualTo(5);
    }

    private <T> T pick(List<T> list) {
        return list.get(rnd.nextInt(list.size()));
    }

    private AuditVerifier.VerifyReport assertCaught(long record, String problem) throws IOException {
        for (String key : new String[] {null, publicKey}) {
            AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, key);
            System.out.println("verify: " + report.firstProblem());
            assertThat(report.ok()).isFalse();
            assertThat(report.recordNumber()).as(report.firstProblem()).isEqualTo(record);
            assertThat(report.firstProblem()).contains(problem).contains("record " + record);
            assertThat(report.segment()).isNotNull();
            assertThat(report.firstProblem()).startsWith(report.segment() + ": ");
        }
        return AuditVerifier.verify(dir, null);
    }

    @Test
    void editedStatusIsCaught() throws IOException {
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'R').stream().filter(l -> l.text().contains("\"status\":403")).toList());
        AuditTestSupport.replaceLine(line, line.text().replace("\"status\":403", "\"status\":200"));
        AuditVerifier.VerifyReport report = assertCaught(line.seq(), "hash mismatch (edited?)");
        assertThat(report.firstProblem()).contains(" at byte ");
    }

    @Test
    void editedKeyNameIsCaught() throws IOException {
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'R'));
        AuditTestSupport.replaceLine(line, line.text().replace("\"key\":\"photos/img-", "\"key\":\"photoz/img-"));
        assertCaught(line.seq(), "hash mismatch (edited?)");
    }

    @Test
    void editWithItsHashRecomputedIsCaughtAtTheNextRecord() throws IOException {
        List<AuditTestSupport.Line> all = entries(dir);
        int i = rnd.nextInt(all.size() - 1);
        // The next entry must be a record in the same segment: a checkpoint next would fail on its signature instead.
        while (all.get(i).type() != 'R' || all.get(i + 1).type() != 'R'
                || !all.get(i + 1).segment().equals(all.get(i).segment())) {
            i = rnd.nextInt(all.size() - 1);
        }
        AuditTestSupport.Line line = all.get(i);
        String[] parts = line.text().split(" ", 4);
        String json = parts[3].replace("\"bytesOut\":", "\"bytesOut\":9");
        byte[] prev = i > 0 && all.get(i - 1).segment().equals(line.segment())
                ? LogFormat.parseHex(all.get(i - 1).text().split(" ")[2].getBytes(), 0, 64)
                : LogFormat.parseHeader(readLines(line.segment()).getFirst().getBytes(), readLines(line.segment()).getFirst().length()).prev();
        byte[] hash = new byte[32];
        byte[] bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        LogFormat.chainHash(LogFormat.sha256(), prev, line.seq(), (byte) 'R', bytes, 0, bytes.length, hash);
        AuditTestSupport.replaceLine(line, "R " + line.seq() + " " + LogFormat.hex(hash) + " " + json);
        assertCaught(line.seq() + 1, "hash mismatch (edited?)");
    }

    @Test
    void editWithTheWholeChainRecomputedFailsAtTheNextCheckpointSignature() throws IOException {
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'R'));
        AuditTestSupport.replaceLine(line, line.text().replace("\"status\":", "\"status\":1"));
        AuditTestSupport.rechain(dir, null, null);
        long nextCheckpoint = entriesOfType(dir, 'C').stream().mapToLong(AuditTestSupport.Line::seq)
                .filter(s -> s > line.seq()).min().orElseThrow();
        assertCaught(nextCheckpoint, "bad checkpoint signature");
    }

    @Test
    void deletedRecordIsCaught() throws IOException {
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'R'));
        List<String> lines = readLines(line.segment());
        lines.remove(line.index());
        writeLines(line.segment(), lines);
        assertCaught(line.seq(), "sequence gap (deleted?)");
    }

    @Test
    void deletedCheckpointIsCaught() throws IOException {
        List<AuditTestSupport.Line> checkpoints = entriesOfType(dir, 'C');
        AuditTestSupport.Line line = pick(checkpoints.subList(0, checkpoints.size() - 1));
        List<String> lines = readLines(line.segment());
        lines.remove(line.index());
        writeLines(line.segment(), lines);
        assertCaught(line.seq(), "sequence gap (deleted?)");
    }

    @Test
    void swappedRecordsAreCaught() throws IOException {
        List<AuditTestSupport.Line> all = entries(dir);
        int i;
        do {
            i = rnd.nextInt(all.size() - 1);
        } while (all.get(i).type() != 'R' || all.get(i + 1).type() != 'R' || !all.get(i + 1).segment().equals(all.get(i).segment()));
        AuditTestSupport.Line a = all.get(i);
        List<String> lines = readLines(a.segment());
        lines.set(a.index(), all.get(i + 1).text());
        lines.set(a.index() + 1, a.text());
        writeLines(a.segment(), lines);
        assertCaught(a.seq(), "sequence out of order (reordered?)");
    }

    @Test
    void distantReorderIsCaught() throws IOException {
        Path segment = segments(dir).get(2);
        List<AuditTestSupport.Line> inSegment = entriesOfType(dir, 'R').stream()
                .filter(l -> l.segment().equals(segment)).toList();
        AuditTestSupport.Line a = inSegment.getFirst();
        AuditTestSupport.Line b = inSegment.getLast();
        List<String> lines = readLines(a.segment());
        lines.set(a.index(), b.text());
        lines.set(b.index(), a.text());
        writeLines(a.segment(), lines);
        assertCaught(a.seq(), "sequence out of order (reordered?)");
    }

    /** The newest segment that holds entries; newer header-only segments (a roll just before close) are deleted. */
    private Path lastNonEmptySegment() throws IOException {
        List<Path> segs = segments(dir);
        for (int i = segs.size() - 1; ; i--) {
            if (readLines(segs.get(i)).size() > 1) {
                return segs.get(i);
            }
            Files.delete(segs.get(i));
        }
    }

    @Test
    void truncatedTailIsCaught() throws IOException {
        Path last = lastNonEmptySegment();
        List<AuditTestSupport.Line> inLast = entries(dir).stream().filter(l -> l.segment().equals(last)).toList();
        int k = 1 + rnd.nextInt(inLast.size());
        long firstRemoved = inLast.get(inLast.size() - k).seq();
        List<String> lines = readLines(last);
        writeLines(last, lines.subList(0, lines.size() - k));
        assertCaught(firstRemoved, "truncated");
    }

    @Test
    void truncatedTailAcrossSegmentsIsCaught() throws IOException {
        lastNonEmptySegment();
        List<Path> segs = segments(dir);
        int keep = 1 + rnd.nextInt(segs.size() - 1);
        for (Path p : segs.subList(keep, segs.size())) {
            Files.delete(p);
        }
        long firstRemoved = LogFormat.segmentSeq(segs.get(keep).getFileName().toString());
        assertCaught(firstRemoved, "truncated");
    }

    @Test
    void truncationMidLineIsCaught() throws IOException {
        Path last = lastNonEmptySegment();
        List<AuditTestSupport.Line> inLast = entries(dir).stream().filter(l -> l.segment().equals(last)).toList();
        AuditTestSupport.Line cut = pick(inLast);
        List<String> lines = readLines(last);
        long offset = 0;
        for (int i = 0; i < cut.index(); i++) {
            offset += lines.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1;
        }
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(offset + 1 + rnd.nextInt(cut.text().length() - 1));
        }
        AuditVerifier.VerifyReport report = assertCaught(cut.seq(), "truncated (torn last line");
        assertThat(report.firstProblem()).contains("at byte " + offset);
    }

    @Test
    void deletedMiddleSegmentIsCaught() throws IOException {
        List<Path> segs = segments(dir);
        Path victim = segs.get(1 + rnd.nextInt(segs.size() - 2));
        Files.delete(victim);
        assertCaught(LogFormat.segmentSeq(victim.getFileName().toString()), "missing segment (deleted?)");
    }

    @Test
    void deletedFirstSegmentIsCaught() throws IOException {
        Files.delete(segments(dir).getFirst());
        assertCaught(1, "missing segment (first segment deleted?)");
    }

    @Test
    void renamedSegmentIsCaught() throws IOException {
        List<Path> segs = segments(dir);
        Path victim = segs.get(1);
        long seq = LogFormat.segmentSeq(victim.getFileName().toString());
        Files.move(victim, victim.resolveSibling(LogFormat.segmentName(seq + 1)));
        assertCaught(seq, "renamed?");
    }

    @Test
    void editedCheckpointSignatureIsCaught() throws IOException {
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'C'));
        String text = line.text();
        int at = text.length() - 2 - 10 - rnd.nextInt(40); // inside the base64, clear of the padding
        char c = text.charAt(at);
        char replacement = c == 'A' ? 'B' : 'A';
        AuditTestSupport.replaceLine(line, text.substring(0, at) + replacement + text.substring(at + 1));
        assertCaught(line.seq(), "bad checkpoint signature");
    }

    @Test
    void replacedSigningKeyIsCaughtWithTheOriginalPublicKey() throws IOException {
        // A forger with write access: new key pair, every checkpoint re-signed, hashes and head redone.
        Path forgerDir = tmp.resolve("forger");
        Files.createDirectories(forgerDir);
        SigningKey forged = SigningKey.loadOrCreate(forgerDir.resolve(LogFormat.KEY_FILE), Entropy.seeded(666));
        AuditTestSupport.Line line = pick(entriesOfType(dir, 'R').stream().filter(l -> l.text().contains("\"status\":403")).toList());
        AuditTestSupport.replaceLine(line, line.text().replace("\"status\":403", "\"status\":200"));
        AuditTestSupport.rechain(dir, forged, forgerDir.resolve(LogFormat.KEY_FILE));
        // Against the stored (forged) key everything is consistent: the documented limit.
        assertThat(AuditVerifier.verify(dir, null).ok()).isTrue();
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, publicKey);
        assertThat(report.ok()).isFalse();
        long firstCheckpoint = entriesOfType(dir, 'C').getFirst().seq();
        assertThat(report.recordNumber()).isEqualTo(firstCheckpoint);
        assertThat(report.firstProblem()).contains("bad checkpoint signature").contains("record " + firstCheckpoint);
    }

    @Test
    void replacedKeyFileAloneIsCaught() throws IOException {
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        SigningKey.loadOrCreate(other.resolve(LogFormat.KEY_FILE), Entropy.seeded(99));
        Files.copy(other.resolve(LogFormat.KEY_FILE), dir.resolve(LogFormat.KEY_FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long firstCheckpoint = entriesOfType(dir, 'C').getFirst().seq();
        AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, null);
        assertThat(report.recordNumber()).isEqualTo(firstCheckpoint);
        assertThat(report.firstProblem()).contains("bad checkpoint signature");
        // with the original public key, the log verifies but the swapped key file is reported
        AuditVerifier.VerifyReport withKey = AuditVerifier.verify(dir, publicKey);
        assertThat(withKey.ok()).isFalse();
        assertThat(withKey.firstProblem()).contains("differs from the given public key");
    }

    @Test
    void deletedOrEditedHeadIsCaught() throws IOException {
        Path head = dir.resolve(LogFormat.HEAD_FILE);
        String original = Files.readString(head);
        Files.delete(head);
        assertThat(AuditVerifier.verify(dir, null).firstProblem()).contains("missing audit.head");
        Files.writeString(head, original.replace("ARCAHEAD 1 ", "ARCAHEAD 1 9"));
        assertThat(AuditVerifier.verify(dir, null).firstProblem()).contains("bad audit.head");
    }

    @Test
    void randomSingleByteFlipsAreAllCaught() throws IOException {
        List<Path> segs = segments(dir);
        List<Long> sizes = new ArrayList<>();
        for (Path p : segs) {
            sizes.add(Files.size(p));
        }
        for (int round = 0; round < 20; round++) {
            int s = rnd.nextInt(segs.size());
            byte[] content = Files.readAllBytes(segs.get(s));
            int at = rnd.nextInt(content.length);
            byte original = content[at];
            content[at] = (byte) (original ^ (1 << rnd.nextInt(7)));
            Files.write(segs.get(s), content);
            AuditVerifier.VerifyReport report = AuditVerifier.verify(dir, publicKey);
            assertThat(report.ok()).as("flip at %s byte %d", segs.get(s).getFileName(), at).isFalse();
            assertThat(report.segment()).isEqualTo(segs.get(s).getFileName().toString());
            content[at] = original;
            Files.write(segs.get(s), content);
        }
        assertThat(AuditVerifier.verify(dir, publicKey).ok()).isTrue();
    }
}
