package dev.arca.detect;

import static dev.arca.detect.Fixture.ACCOUNT;
import static dev.arca.detect.Fixture.ALICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.iam.Principal;
import dev.arca.s3.TestContexts;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainmentTest {
    @TempDir
    Path dir;

    static final Principal ALICE_P = new Principal(Principal.Kind.USER, ACCOUNT, "c".repeat(64), "alice", "AIDAALICE", ALICE, null);
    static final Principal SESSION = new Principal(Principal.Kind.ASSUMED_ROLE, ACCOUNT, "c".repeat(64), "ops",
            "AROAOPS:nightly", "arn:aws:sts::" + ACCOUNT + ":assumed-role/ops/nightly", "nightly");
    static final Principal OTHER_SESSION = new Principal(Principal.Kind.ASSUMED_ROLE, ACCOUNT, "c".repeat(64), "ops",
            "AROAOPS:other", "arn:aws:sts::" + ACCOUNT + ":assumed-role/ops/other", "other");
    static final Principal ROOT = new Principal(Principal.Kind.ACCOUNT_ROOT, "000000000000", "arca-root", "arca-root",
            "000000000000", Containment.SYSTEM_ROOT_ARN, null);

    private static Containment.Quarantine q(String arn, String... keys) {
        return new Containment.Quarantine(arn, List.of(keys), "mass-delete", "100 deletes", Fixture.START, "det-1");
    }

    private static void assertRefused(Containment c, Principal p, String op, String bucket, String key, String message) {
        assertThatThrownBy(() -> c.admit(TestContexts.of(p, "AKIAANY", op, bucket, key)))
                .isInstanceOfSatisfying(StoreException.class, e -> {
                    assertThat(e.kind()).isEqualTo(FailureKind.ACCESS_DENIED);
                    assertThat(e.failure().message()).contains(message);
                });
    }

    private static void assertAdmitted(Containment c, Principal p, String op, String bucket, String key) {
        assertThatCode(() -> c.admit(TestContexts.of(p, "AKIAANY", op, bucket, key))).doesNotThrowAnyException();
    }

    @Test
    void aQuarantinedPrincipalIsRefusedWithAnyKey() {
        Fixture f = new Fixture(dir);
        Containment c = f.containment;
        assertAdmitted(c, ALICE_P, "GetObject", "b", "k");
        assertThat(c.quarantine(q(ALICE, "AKIA1"))).isTrue();
        for (String op : List.of("GetObject", "PutObject", "ListObjectsV2", "DeleteObject", "ListBuckets")) {
            assertRefused(c, ALICE_P, op, op.equals("ListBuckets") ? null : "b", "k", "quarantined");
        }
        assertRefused(c, ALICE_P, "iam:CreateAccessKey", null, null, "quarantined");
        assertThat(c.refused()).isEqualTo(6);
        assertAdmitted(c, Principal.ANONYMOUS, "GetObject", "b", "k");
        assertAdmitted(c, ROOT, "admin:quarantine", null, null);
        // A second key is recorded as evidence; it does not make a second quarantine.
        assertThat(c.quarantine(q(ALICE, "AKIA2"))).isFalse();
        assertThat(c.quarantined()).singleElement().extracting(Containment.Quarantine::accessKeyIds)
                .isEqualTo(List.of("AKIA1", "AKIA2"));
        assertThat(c.release(ALICE)).isPresent();
        assertAdmitted(c, ALICE_P, "GetObject", "b", "k");
        assertThat(c.release(ALICE)).isEmpty();
    }

    @Test
    void rolesAndSessions() {
        Containment c = new Fixture(dir).containment;
        c.quarantine(q(SESSION.arn()));
        assertRefused(c, SESSION, "GetObject", "b", "k", "quarantined");
        assertAdmitted(c, OTHER_SESSION, "GetObject", "b", "k");
        c.release(SESSION.arn());
        c.quarantine(q("arn:aws:iam::" + ACCOUNT + ":role/ops"));
        assertRefused(c, SESSION, "GetObject", "b", "k", "quarantined");
        assertRefused(c, OTHER_SESSION, "sts:GetCallerIdentity", null, null, "quarantined");
        assertAdmitted(c, ALICE_P, "GetObject", "b", "k");
        assertThat(Containment.roleOfSession("arn:aws:sts::" + ACCOUNT + ":assumed-role/ops/x"))
                .isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/ops");
        assertThat(Containment.roleOfSession(ALICE)).isNull();
        assertThat(Containment.roleOfSession("arn:aws:sts::1:federated-user/x")).isNull();
    }

    @Test
    void theSystemRootAndAnonymousCannotBeQuarantined() {
        Containment c = new Fixture(dir).containment;
        assertThatThrownBy(() -> c.quarantine(q(Containment.SYSTEM_ROOT_ARN))).hasMessageContaining("never quarantined");
        assertThatThrownBy(() -> c.quarantine(q("anonymous"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.quarantine(q("*"))).isInstanceOf(IllegalArgumentException.class);
        assertThat(Containment.quarantinable("arn:aws:iam::" + ACCOUNT + ":root")).as("a tenant root can be").isTrue();
    }

    @Test
    void aProtectedBucketRefusesDeletesOverwritesAndConfigChangesButNotReadsOrNewKeys() {
        Fixture f = new Fixture(dir);
        Containment c = f.containment;
        f.existing.add("vault/old.txt");
        c.protect(new Containment.Protection("vault", "entropy-overwrite", "10 overwrites", Fixture.START, "det-2"));
        for (String op : List.of("DeleteObject", "DeleteObjects", "DeleteBucket", "PutBucketVersioning",
                "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle", "PutBucketPolicy", "DeleteBucketPolicy",
                "PutObjectRetention", "PutObjectLegalHold")) {
            assertRefused(c, ALICE_P, op, "vault", op.contains("Bucket") ? null : "old.txt", "protected");
        }
        for (String op : List.of("PutObject", "CopyObject", "CompleteMultipartUpload", "UploadPart", "UploadPartCopy")) {
            assertRefused(c, ALICE_P, op, "vault", "old.txt", "protected");
            assertRefused(c, ROOT, op, "vault", "old.txt", "protected");
            assertAdmitted(c, ALICE_P, op, "vault", "new.txt");
        }
        for (String op : List.of("GetObject", "HeadObject", "ListObjectsV2", "ListObjectVersions", "GetBucketVersioning",
                "CreateMultipartUpload")) {
            assertAdmitted(c, ALICE_P, op, "vault", op.contains("Object") && !op.startsWith("List") ? "old.txt" : null);
        }
        assertAdmitted(c, ALICE_P, "DeleteObject", "other", "old.txt");
        assertThat(c.protect(new Containment.Protection("vault", "manual", "again", Fixture.START, ""))).isFalse();
        assertThat(c.unprotect("vault")).isPresent();
        assertAdmitted(c, ALICE_P, "DeleteObject", "vault", "old.txt");
    }

    @Test
    void whenExistenceCannotBeCheckedTheWriteIsRefused() {
        Containment c = Containment.open(dir.resolve(Containment.FILE_NAME), (b, k) -> {
            throw new IllegalStateException("metadata unavailable");
        }, new Fixture.Clock());
        c.protect(new Containment.Protection("vault", "manual", "by hand", Fixture.START, ""));
        assertRefused(c, ALICE_P, "PutObject", "vault", "k", "protected");
    }

    @Test
    void stateSurvivesAReopen() {
        Fixture f = new Fixture(dir);
        Containment c = f.containment;
        c.quarantine(q(ALICE, "AKIA1", "AKIA2"));
        c.quarantine(new Containment.Quarantine("arn:aws:iam::" + ACCOUNT + ":user/ünïcode-name", List.of(), "manual",
                "reason with \"quotes\" and\nnewline", Fixture.START + 5, ""));
        c.protect(new Containment.Protection("vault", "mass-delete", "why", Fixture.START + 1, "det-9"));
        c.exempt("arn:aws:iam::" + ACCOUNT + ":user/backup", Fixture.START + 86_400_000);
        c.exempt("arn:aws:iam::" + ACCOUNT + ":user/etl", Containment.NO_EXPIRY);
        Containment reopened = Containment.open(f.file, (b, k) -> false, f.clock);
        assertThat(reopened.quarantined()).isEqualTo(c.quarantined());
        assertThat(reopened.protectedBuckets()).isEqualTo(c.protectedBuckets());
        assertThat(reopened.exemptions()).isEqualTo(c.exemptions());
        assertThat(reopened.isQuarantined(ALICE)).isTrue();
        assertThat(reopened.isExempt("arn:aws:iam::" + ACCOUNT + ":user/etl", Long.MAX_VALUE - 1)).isTrue();
        reopened.release(ALICE);
        reopened.unprotect("vault");
        reopened.unexempt("arn:aws:iam::" + ACCOUNT + ":user/etl");
        Containment third = Containment.open(f.file, (b, k) -> false, f.clock);
        assertThat(third.isQuarantined(ALICE)).isFalse();
        assertThat(third.quarantinedCount()).isEqualTo(1);
        assertThat(third.protectedCount()).isZero();
        assertThat(third.exemptions()).hasSize(1);
        assertThat(Files.exists(dir.resolve(Containment.FILE_NAME + ".tmp"))).isFalse();
    }

    @Test
    void noFileMeansNothingContained() {
        Containment c = Containment.open(dir.resolve("none").resolve(Containment.FILE_NAME), (b, k) -> false, new Fixture.Clock());
        assertThat(c.quarantined()).isEmpty();
        assertThat(c.protectedBuckets()).isEmpty();
    }

    @Test
    void aDamagedFileIsRefusedNotIgnored() throws Exception {
        Fixture f = new Fixture(dir);
        f.containment.quarantine(q(ALICE, "AKIA1"));
        f.containment.protect(new Containment.Protection("vault", "manual", "r", 1, ""));
        byte[] good = Files.readAllBytes(f.file);
        assertThat(new String(good, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ARCACTMT");
        // Every single flipped bit anywhere is caught.
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            assertDamaged(bad, "");
        }
        assertDamaged(Arrays.copyOf(good, good.length - 1), "");
        assertDamaged(Arrays.copyOf(good, 10), "truncated");
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertDamaged(longer, "does not match");
        assertDamaged(new byte[0], "truncated");
    }

    @Test
    void decodingChecksEveryField() throws Exception {
        ContainmentFile.State s = new ContainmentFile.State(List.of(q(ALICE, "AKIA1")), List.of(), List.of());
        byte[] bytes = ContainmentFile.encode(s);
        assertThat(ContainmentFile.decode(bytes)).isEqualTo(s);
        // A version from the future, with a valid checksum: refused, not misread.
        byte[] v2 = bytes.clone();
        v2[9] = 2;
        assertThatThrownBy(() -> ContainmentFile.decode(recrc(v2))).hasMessageContaining("unsupported version 2");
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> ContainmentFile.decode(recrc(magic))).hasMessageContaining("bad magic");
        // An entry count beyond the bound.
        byte[] count = bytes.clone();
        java.nio.ByteBuffer.wrap(count).putInt(ContainmentFile.HEADER_BYTES, Containment.MAX_QUARANTINED + 1);
        assertThatThrownBy(() -> ContainmentFile.decode(recrc(count))).hasMessageContaining("quarantined principals");
    }

    private static byte[] recrc(byte[] b) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, 0, b.length - 4);
        java.nio.ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());
        return b;
    }

    private void assertDamaged(byte[] content, String message) throws Exception {
        Path file = dir.resolve("damaged").resolve(Containment.FILE_NAME);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        assertThatThrownBy(() -> Containment.open(file, (b, k) -> false, new Fixture.Clock()))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("is damaged").hasMessageContaining(message);
    }

    @Test
    void exemptionsExpire() {
        Fixture f = new Fixture(dir);
        String job = "arn:aws:iam::" + ACCOUNT + ":user/backup";
        f.containment.exempt(job, Fixture.START + 1000);
        assertThat(f.containment.isExempt(job, Fixture.START + 999)).isTrue();
        assertThat(f.containment.isExempt(job, Fixture.START + 1000)).isFalse();
        assertThat(f.containment.isExempt(null, Fixture.START)).isFalse();
        assertThat(f.containment.unexempt(job)).isTrue();
        assertThat(f.containment.unexempt(job)).isFalse();
    }
}
