package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The canary scan: objects whose bytes, user metadata and tags carry a known marker are written with
 * SSE-S3, SSE-KMS and SSE-C (inline, erasure-coded and multipart), the server is stopped, and every
 * file under the data directory (all drives, the metadata and IAM databases, the keyring, the audit
 * log) is searched for the marker: it never appears. A control run with encryption off finds the
 * marker on the drives, so the scan can see it when it is there.
 */
final class CanaryScanTest {
    @TempDir
    Path dir;

    /** A marker that appears nowhere unless this test wrote it. */
    private static String marker(Random random) {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return "ARCA-CANARY-" + HexFormat.of().formatHex(b);
    }

    /** Bytes that repeat the marker between random filler, {@code size} long. */
    private static byte[] payload(String marker, Random random, int size) {
        byte[] out = new byte[size];
        random.nextBytes(out);
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at + m.length <= size; at += 4096) {
            System.arraycopy(m, 0, out, at, m.length);
        }
        return out;
    }

    private record Mode(String name, java.util.function.UnaryOperator<PutObjectRequest.Builder> sse) {}

    private static void writeEverything(S3Client s3, String bucket, String marker, Random random, Mode mode,
            java.util.function.UnaryOperator<software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest.Builder> mpSse,
            java.util.function.UnaryOperator<software.amazon.awssdk.services.s3.model.UploadPartRequest.Builder> partSse) {
        Map<String, String> metadata = Map.of("secret", marker, "note", "contains " + marker);
        String tagging = "t=" + marker;
        for (int size : new int[] {100, 60_000, 2 * 1024 * 1024 + 5}) {
            byte[] data = payload(marker, random, size);
            s3.putObject(b -> mode.sse().apply(b.bucket(bucket).key(mode.name() + "/obj-" + size).metadata(metadata)
                    .tagging(tagging)), RequestBody.fromBytes(data));
        }
        String key = mode.name() + "/multipart";
        String upload = s3.createMultipartUpload(b -> mpSse.apply(b.bucket(bucket).key(key).metadata(metadata))).uploadId();
        byte[] p1 = payload(marker, random, 5 * 1024 * 1024);
        byte[] p2 = payload(marker, random, 70_000);
        String e1 = s3.uploadPart(b -> partSse.apply(b.bucket(bucket).key(key).uploadId(upload).partNumber(1)),
                RequestBody.fromBytes(p1)).eTag();
        String e2 = s3.uploadPart(b -> partSse.apply(b.bucket(bucket).key(key).uploadId(upload).partNumber(2)),
                RequestBody.fromBytes(p2)).eTag();
        // One upload stays open: its parts and metadata must be sealed too.
        s3.createMultipartUpload(b -> mpSse.apply(b.bucket(bucket).key(key + "-open").metadata(metadata)));
        s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
    }

    @Test
    void theMarkerIsNowhereOnDiskForSseS3SseKmsAndSseC() throws Exception {
        Random random = new Random(S3Assert.seed(CanaryScanTest.class));
        String marker = marker(random);
        byte[] customerKey = new byte[32];
        random.nextBytes(customerKey);
        String ck = Base64.getEncoder().encodeToString(customerKey);
        String ckMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(customerKey));
        Path data = dir.resolve("data");
        try (ArcaTestServer server = ArcaTestServer.start(data, "--sse-c-over-http", "on");
                S3Client s3 = Clients.pathStyle(server)) {
            new ErasureAdmin(server).send("POST", "/_arca/admin/keys", "create=canary").assertStatus(200);
            s3.createBucket(b -> b.bucket("canary"));
            writeEverything(s3, "canary", marker, random, new Mode("sse-s3", b -> b), b -> b, b -> b);
            writeEverything(s3, "canary", marker, random,
                    new Mode("sse-kms", b -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId("canary")),
                    b -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId("canary"), b -> b);
            writeEverything(s3, "canary", marker, random,
                    new Mode("sse-c", b -> b.sseCustomerAlgorithm("AES256").sseCustomerKey(ck).sseCustomerKeyMD5(ckMd5)),
                    b -> b.sseCustomerAlgorithm("AES256").sseCustomerKey(ck).sseCustomerKeyMD5(ckMd5),
                    b -> b.sseCustomerAlgorithm("AES256").sseCustomerKey(ck).sseCustomerKeyMD5(ckMd5));
            // The objects read back (the scan is not passing because nothing was stored).
            byte[] got = s3.getObjectAsBytes(b -> b.bucket("canary").key("sse-kms/obj-60000")).asByteArray();
            assertThat(new String(got, StandardCharsets.ISO_8859_1)).contains(marker);
            assertThat(s3.headObject(b -> b.bucket("canary").key("sse-s3/obj-100")).metadata()).containsEntry("secret", marker);
        }
        List<Path> files = files(data);
        assertThat(files).as("files under the data directory").hasSizeGreaterThan(20);
        assertThat(files.stream().map(p -> data.relativize(p).toString()))
                .anyMatch(p -> p.startsWith("meta/")).anyMatch(p -> p.startsWith("drive-1/"));
        assertThat(filesContaining(files, marker)).as("files holding the marker in clear").isEmpty();
        assertThat(filesContaining(files, Base64.getEncoder().encodeToString(marker.getBytes(StandardCharsets.US_ASCII))))
                .as("files holding the marker in base64").isEmpty();
    }

    @Test
    void withEncryptionOffTheScanFindsTheMarkerOnTheDrives() {
        Random random = new Random(S3Assert.seed(CanaryScanTest.class));
        String marker = marker(random);
        Path data = dir.resolve("clear");
        try (ArcaTestServer server = ArcaTestServer.start(data, "--encryption", "off");
                S3Client s3 = Clients.pathStyle(server)) {
            s3.createBucket(b -> b.bucket("clear"));
            writeEverything(s3, "clear", marker, random, new Mode("none", b -> b), b -> b, b -> b);
        }
        List<Path> found = filesContaining(files(data), marker);
        assertThat(found).as("the control must see the marker").isNotEmpty();
        // Metadata is sealed whatever the object encryption: only drive files hold it.
        assertThat(found).allMatch(p -> data.relativize(p).toString().startsWith("drive-"));
    }

    private static List<Path> files(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> filesContaining(List<Path> files, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        List<Path> hits = new ArrayList<>();
        for (Path f : files) {
            try {
                if (indexOf(Files.readAllBytes(f), n) >= 0) {
                    hits.add(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hits;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
