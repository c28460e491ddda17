package dev.arca.audit;

import dev.arca.core.Entropy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared fixtures for the audit tests: seeded randomness, records, and a line-level view of segments. */
final class AuditTestSupport {
    static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2025-06-01T12:00:00Z"));

    private AuditTestSupport() {}

    /** A seeded random source: prints the seed; replay with {@code -Darca.seed=N}. */
    static SplittableRandom random(String test) {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println(test + " seed: " + seed + " (replay with -Darca.seed=" + seed + ")");
        return new SplittableRandom(seed);
    }

    /** Small segments and frequent checkpoints so that a few hundred records span many of both. */
    static AuditOptions smallOptions() {
        return AuditOptions.defaults().withSegmentBytes(8 * 1024).withCheckpointEvery(10)
                .withFsyncInterval(Duration.ofMillis(50));
    }

    static AuditRecord record(int i) {
        return new AuditRecord(1_750_000_000_000L + i, "req-" + i, AuditRecord.KIND_REQUEST, "AKIA" + (i % 7),
                "acct-" + (i % 3), "10.0.0." + (i % 250), i % 5 == 0 ? "PutObject" : "GetObject", "photos",
                "photos/img-" + i + ".jpg", i % 4 == 0 ? "v" + i : null, i % 2 == 0 ? 200 : 403,
                i % 2 == 0 ? null : "AccessDenied", i * 10L, i * 20L, i % 3 == 0, Map.of("ua", "aws-cli/2", "n", "" + i));
    }

    /** Writes {@code n} records ({@link #record}) into a fresh log in {@code dir} and closes it. */
    static List<AuditRecord> writeLog(Path dir, AuditOptions options, int n, long keySeed) throws IOException {
        List<AuditRecord> out = new ArrayList<>();
        try (AuditLog log = AuditLog.open(dir, options, Entropy.seeded(keySeed), CLOCK)) {
            for (int i = 0; i < n; i++) {
                AuditRecord r = record(i);
                log.append(r);
                out.add(r);
            }
        }
        return out;
    }

    /** One line of a segment: its index in the file (0 is the header), parsed type and sequence. */
    record Line(Path segment, int index, char type, long seq, String text) {}

    static List<Path> segments(Path dir) throws IOException {
        return LogFormat.listSegments(dir);
    }

    static int segmentsQuietly(Path dir) {
        try {
            return segments(dir).size();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The lines of a segment (the last one may be unterminated). */
    static List<String> readLines(Path segment) throws IOException {
        String s = Files.readString(segment, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
        if (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return lines;
    }

    static void writeLines(Path segment, List<String> lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        Files.writeString(segment, b.toString(), StandardCharsets.UTF_8);
    }

    /** Every record and checkpoint line of the log, in order. */
    static List<Line> entries(Path dir) throws IOException {
        List<Line> out = new ArrayList<>();
        for (Path seg : segments(dir)) {
            List<String> lines = readLines(seg);
            for (int i = 1; i < lines.size(); i++) {
                String[] parts = lines.get(i).split(" ", 3);
                out.add(new Line(seg, i, parts[0].charAt(0), Long.parseLong(parts[1]), lines.get(i)));
            }
        }
        return out;
    }

    static List<Line> entriesOfType(Path dir, char type) throws IOException {
        return entries(dir).stream().filter(l -> l.type() == type).toList();
    }

    static void replaceLine(Line line, String text) throws IOException {
        List<String> lines = readLines(line.segment());
        lines.set(line.index(), text);
        writeLines(line.segment(), lines);
    }

    /**
     * An attacker who can write the directory but lacks the signing key: recomputes every chain
     * hash (headers included) and audit.head's hashes, leaving signatures as they are.
     * With {@code newKey}, also re-signs every checkpoint and installs that key: a full forgery.
     */
    static void rechain(Path dir, SigningKey newKey, Path newKeyFile) throws IOException {
        byte[] prev = LogFormat.genesis();
        byte[] hash = new byte[LogFormat.HASH_BYTES];
        var sha = LogFormat.sha256();
        Head last = null;
        for (Path seg : segments(dir)) {
            List<String> lines = readLines(seg);
            String[] h = lines.get(0).split(" ");
            lines.set(0, h[0] + " " + h[1] + " " + h[2] + " " + LogFormat.hex(prev));
            for (int i = 1; i < lines.size(); i++) {
                String[] parts = lines.get(i).split(" ", 4);
                byte type = (byte) parts[0].charAt(0);
                long seq = Long.parseLong(parts[1]);
                String payload = parts[3];
                byte[] attested = prev.clone();
                long time = 0;
                byte[] sig = null;
                if (type == LogFormat.TYPE_CHECKPOINT) {
                    String[] p = payload.split(" ");
                    time = Long.parseLong(p[0]);
                    sig = java.util.Base64.getDecoder().decode(p[1]);
                    if (newKey != null) {
                        sig = newKey.sign(LogFormat.signedMessage(seq, prev, time));
                        payload = new String(LogFormat.checkpointPayload(time, sig), StandardCharsets.US_ASCII);
                    }
                }
                byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
                LogFormat.chainHash(sha, prev, seq, type, bytes, 0, bytes.length, hash);
                prev = hash.clone();
                lines.set(i, parts[0] + " " + seq + " " + LogFormat.hex(prev) + " " + payload);
                if (type == LogFormat.TYPE_CHECKPOINT) {
                    last = new Head(seq, attested, prev.clone(), time, sig);
                }
            }
            writeLines(seg, lines);
        }
        if (last != null) {
            last.write(dir);
        }
        if (newKeyFile != null) {
            Files.copy(newKeyFile, dir.resolve(LogFormat.KEY_FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
