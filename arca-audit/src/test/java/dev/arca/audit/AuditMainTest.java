package dev.arca.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditMainTest {
    @TempDir
    Path data;
    List<AuditRecord> records;
    String publicKey;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void writeLog() throws IOException {
        Path dir = data.resolve("audit");
        records = AuditTestSupport.writeLog(dir, AuditTestSupport.smallOptions(), 120, 1);
        publicKey = SigningKey.load(dir.resolve(LogFormat.KEY_FILE)).publicKeyBase64();
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return AuditMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void verifyOk() {
        assertThat(run("audit", "verify", "--data", data.toString())).isZero();
        int segments = AuditTestSupport.segmentsQuietly(data.resolve("audit"));
        assertThat(out()).startsWith("audit OK: 120 records, ").contains(" " + segments + " segments");
        assertThat(run("audit", "verify", "--data", data.toString(), "--public-key", publicKey)).isZero();
    }

    @Test
    void verifyProblemExitsOne() throws IOException {
        AuditTestSupport.Line line = AuditTestSupport.entriesOfType(data.resolve("audit"), 'R').get(50);
        AuditTestSupport.replaceLine(line, line.text().replace("photos/img-", "photos/imx-"));
        assertThat(run("audit", "verify", "--data", data.toString())).isEqualTo(1);
        assertThat(out()).startsWith("audit FAILED: ").contains("record " + line.seq()).contains("hash mismatch (edited?)");
    }

    @Test
    void verifyWithAnotherPublicKeyExitsOne() throws IOException {
        Path other = data.resolve("other");
        AuditTestSupport.writeLog(other, AuditTestSupport.smallOptions(), 1, 2);
        String otherKey = SigningKey.load(other.resolve(LogFormat.KEY_FILE)).publicKeyBase64();
        assertThat(run("audit", "verify", "--data", data.toString(), "--public-key", otherKey)).isEqualTo(1);
        assertThat(out()).contains("bad checkpoint signature");
    }

    @Test
    void missingLogExitsOne() {
        assertThat(run("audit", "verify", "--data", data.resolve("nothing").toString())).isEqualTo(1);
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(run("audit")).isEqualTo(2);
        assertThat(run("verify")).isEqualTo(2);
        assertThat(run("audit", "frobnicate")).isEqualTo(2);
        assertThat(run("audit", "verify", "--data")).isEqualTo(2);
        assertThat(run("audit", "verify", "--bogus", "x")).isEqualTo(2);
        assertThat(run("audit", "verify", "--data", data.toString(), "--public-key", "not base64!")).isEqualTo(2);
        assertThat(run("audit", "verify", "--data", data.toString(), "--public-key", "AAAA")).isEqualTo(2);
        assertThat(run("audit", "tail", "-n", "x")).isEqualTo(2);
        assertThat(run("audit", "tail", "-n", "-3")).isEqualTo(2);
        assertThat(run("audit", "tail", "--public-key", publicKey)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
        assertThat(run("audit", "--help")).isZero();
        assertThat(out()).contains("usage:");
    }

    @Test
    void tailPrintsTheLastRecords() {
        assertThat(run("audit", "tail", "--data", data.toString(), "-n", "25")).isZero();
        List<AuditRecord> printed = out().lines().map(AuditRecord::fromJson).toList();
        assertThat(printed).isEqualTo(records.subList(records.size() - 25, records.size()));
        assertThat(run("audit", "tail", "--data", data.toString())).isZero();
        assertThat(out().lines().count()).isEqualTo(AuditMain.DEFAULT_TAIL_RECORDS);
        assertThat(run("audit", "tail", "--data", data.toString(), "-n", "1000")).isZero();
        assertThat(out().lines().map(AuditRecord::fromJson).toList()).isEqualTo(records);
    }

    @Test
    void defaultDataDirIsRelative() throws IOException {
        assertThat(Files.exists(Path.of(AuditMain.DEFAULT_DATA_DIR, AuditMain.AUDIT_DIR, LogFormat.HEAD_FILE))).isFalse();
        assertThat(run("audit", "tail")).isZero(); // nothing there: no records, no error
        assertThat(out()).isEmpty();
    }
}
