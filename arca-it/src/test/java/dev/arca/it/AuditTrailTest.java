package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.audit.AuditRecord;
import dev.arca.audit.AuditVerifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The running server's audit trail: every request — allowed, denied, failed before authentication,
 * and admin calls — is a record with who, what, where, status and bytes; the chain verifies across a
 * restart, and an edited record is caught and named.
 */
final class AuditTrailTest {
    @TempDir
    Path dir;

    @Test
    void everyRequestIsAuditedAndTheChainVerifiesAndCatchesAnEdit() throws IOException {
        Path data = dir.resolve("data");
        String publicKey;
        try (ArcaTestServer server = ArcaTestServer.start(data);
                S3Client s3 = Clients.pathStyle(server)) {
            publicKey = server.server().auditPublicKey().orElseThrow();
            s3.createBucket(b -> b.bucket("audited"));
            s3.putObject(b -> b.bucket("audited").key("doc.txt"), RequestBody.fromString("hello audit"));
            s3.getObjectAsBytes(b -> b.bucket("audited").key("doc.txt"));
            RawS3.assertSdkError(() -> s3.getObjectAsBytes(b -> b.bucket("audited").key("missing")), 404, "NoSuchKey");
            try (S3Client bad = Clients.builder(server.endpoint(), true).credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(ArcaTestServer.ACCESS_KEY, "wrong-secret-key"))).build()) {
                RawS3.assertSdkError(() -> bad.listBuckets(), 403, "SignatureDoesNotMatch");
            }
            new ErasureAdmin(server).send("GET", "/_arca/admin/storage", "").assertStatus(200);
        }
        try (ArcaTestServer server = ArcaTestServer.start(data);
                S3Client s3 = Clients.pathStyle(server)) {
            s3.deleteObject(b -> b.bucket("audited").key("doc.txt"));
        }
        Path audit = data.resolve("audit");
        AuditVerifier.VerifyReport report = AuditVerifier.verify(audit, publicKey);
        assertThat(report.ok()).as("verify: %s", report.firstProblem()).isTrue();
        List<AuditRecord> records = records(audit);
        assertThat(report.records()).isEqualTo(records.size());

        AuditRecord put = find(records, "PutObject", "doc.txt");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.principal()).startsWith("arn:aws:iam::000000000000:");
        assertThat(put.bucket()).isEqualTo("audited");
        assertThat(put.bytesIn()).isEqualTo("hello audit".length());
        assertThat(put.versionId()).isEqualTo("null");
        assertThat(put.tls()).isFalse();
        assertThat(put.sourceIp()).isEqualTo("127.0.0.1");
        assertThat(find(records, "GetObject", "doc.txt").bytesOut()).isEqualTo("hello audit".length());
        AuditRecord missing = find(records, "GetObject", "missing");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("NoSuchKey");
        assertThat(records).anySatisfy(r -> {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("SignatureDoesNotMatch");
            assertThat(r.principal()).isNull();
        });
        assertThat(records).anySatisfy(r -> {
            assertThat(r.kind()).isEqualTo(AuditRecord.KIND_ADMIN);
            assertThat(r.operation()).isEqualTo("admin:storage");
        });
        assertThat(find(records, "DeleteObject", "doc.txt").status()).isEqualTo(204);

        // Edit one record (a denial turned into a success): verify names it.
        Path segment;
        try (Stream<Path> files = Files.list(audit)) {
            segment = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().findFirst().orElseThrow();
        }
        String text = Files.readString(segment, StandardCharsets.UTF_8);
        int at = text.indexOf("\"status\":404");
        assertThat(at).isPositive();
        Files.writeString(segment, text.substring(0, at) + "\"status\":200" + text.substring(at + "\"status\":404".length()));
        AuditVerifier.VerifyReport tampered = AuditVerifier.verify(audit, publicKey);
        assertThat(tampered.ok()).isFalse();
        assertThat(tampered.firstProblem()).contains("hash mismatch");
        System.out.println("tampered audit log: " + tampered.firstProblem());
    }

    private static AuditRecord find(List<AuditRecord> records, String operation, String key) {
        return records.stream().filter(r -> operation.equals(r.operation()) && key.equals(r.key())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + operation + " of " + key + " in " + records));
    }

    /** Every record line ("R seq hash json") of every segment, in order. */
    private static List<AuditRecord> records(Path audit) throws IOException {
        List<AuditRecord> out = new ArrayList<>();
        List<Path> segments;
        try (Stream<Path> files = Files.list(audit)) {
            segments = files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
        }
        for (Path segment : segments) {
            for (String line : Files.readAllLines(segment, StandardCharsets.UTF_8)) {
                if (line.startsWith("R ")) {
                    out.add(AuditRecord.fromJson(line.substring(line.indexOf('{'))));
                }
            }
        }
        return out;
    }
}
