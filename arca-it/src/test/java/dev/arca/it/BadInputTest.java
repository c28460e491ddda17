package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.s3.http.Headers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Requests S3 refuses: malformed or hostile XML, invalid names, oversized metadata, unsatisfiable
 * ranges, subresources and headers Arca does not implement, wrong methods, ACLs that "bucket owner
 * enforced" forbids. Each refusal is the S3 error, and a refused write stores nothing.
 */
class BadInputTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static RawS3 raw;
    static long seed;

    static final String BUCKET = "bad-input";
    static final String EXISTING = "existing";
    static byte[] existing;

    @BeforeAll
    static void start() throws IOException {
        seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("BadInputTest seed: " + seed + " (rerun with -Darca.test.seed=" + seed + ")");
        server = ArcaTestServer.start(Files.createDirectories(dir.resolve("data")));
        s3 = Clients.pathStyle(server);
        raw = new RawS3(server);
        s3.createBucket(b -> b.bucket(BUCKET));
        existing = new byte[5000];
        new Random(seed).nextBytes(existing);
        s3.putObject(b -> b.bucket(BUCKET).key(EXISTING).tagging("keep=me"), RequestBody.fromBytes(existing));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static String path(String key) {
        return "/" + BUCKET + "/" + RawS3.encodeKey(key);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The existing object is intact: content, and its one tag. */
    private static void assertExistingIntact() {
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(EXISTING)).asByteArray()).isEqualTo(existing);
        assertThat(s3.getObjectTagging(b -> b.bucket(BUCKET).key(EXISTING)).tagSet())
                .containsExactly(Tag.builder().key("keep").value("me").build());
    }

    private static void assertAbsent(String key) {
        assertSdkError(() -> s3.headObject(b -> b.bucket(BUCKET).key(key)), 404, "NoSuchKey");
    }

    private static RawS3.Response deleteObjects(String xml) {
        byte[] body = utf8(xml);
        return raw.signed("POST", "/" + BUCKET, "delete", raw.headers("content-md5", ExpectedChecksums.md5Base64(body),
                "content-type", "application/xml"), body);
    }

    private static RawS3.Response putTagging(String key, String xml) {
        byte[] body = utf8(xml);
        return raw.signed("PUT", path(key), "tagging", raw.headers("content-md5", ExpectedChecksums.md5Base64(body)), body);
    }

    private static RawS3.Response complete(String key, String uploadId, String xml) {
        return raw.signed("POST", path(key), "uploadId=" + uploadId, raw.headers("content-type", "application/xml"), utf8(xml));
    }

    // ------------------------------------------------------------------ XML

    @Test
    void malformedXmlBodiesAreMalformedXmlAndChangeNothing() {
        String uploadKey = "mp/malformed";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(uploadKey)).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(uploadKey).uploadId(uploadId).partNumber(1),
                RequestBody.fromString("part")).eTag();
        List<String> broken = List.of(
                "",
                "not xml at all",
                "<Delete><Object><Key>" + EXISTING + "</Key></Object>", // unclosed root
                "<Delete><Object><Key>" + EXISTING + "</Object></Key></Delete>", // crossed tags
                "<Delete><Object><Key>" + EXISTING + "</Key></Object></Delete><Delete/>", // two roots
                "<Wrong><Object><Key>" + EXISTING + "</Key></Object></Wrong>");
        for (String xml : broken) {
            deleteObjects(xml).assertError(400, "MalformedXML");
            putTagging(EXISTING, xml.replace("Delete", "Tagging")).assertError(400, "MalformedXML");
            complete(uploadKey, uploadId, xml.replace("Delete", "CompleteMultipartUpload")
                    .replace("<Object><Key>" + EXISTING + "</Key></Object>", "<Part><PartNumber>1</PartNumber><ETag>" + etag
                            + "</ETag></Part>")).assertError(400, "MalformedXML");
        }
        // Well-formed documents that miss what the operation needs.
        deleteObjects("<Delete></Delete>").assertError(400, "MalformedXML");
        deleteObjects("<Delete><Object><VersionId>1</VersionId></Object></Delete>").assertError(400, "MalformedXML");
        putTagging(EXISTING, "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>").assertError(400, "MalformedXML");
        putTagging(EXISTING, "<Tagging></Tagging>").assertError(400, "MalformedXML");
        complete(uploadKey, uploadId, "<CompleteMultipartUpload></CompleteMultipartUpload>").assertError(400, "MalformedXML");
        complete(uploadKey, uploadId, "<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>" + etag
                + "</ETag></Part></CompleteMultipartUpload>").assertError(400, "MalformedXML");

        assertExistingIntact();
        assertAbsent(uploadKey);
        assertThat(s3.listParts(b -> b.bucket(BUCKET).key(uploadKey).uploadId(uploadId)).parts()).hasSize(1);
        // The upload still completes with a valid document.
        complete(uploadKey, uploadId, "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + etag
                + "</ETag></Part></CompleteMultipartUpload>").assertStatus(200);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(uploadKey)).asUtf8String()).isEqualTo("part");
    }

    @Test
    void xmlWithDoctypeOrEntitiesIsRejectedWithoutReadingFilesOrUrls() throws IOException {
        String secret = "TOP-SECRET-" + seed;
        Path secretFile = Files.writeString(dir.resolve("secret.txt"), secret);
        String fileUri = secretFile.toUri().toString();
        String uploadKey = "mp/xxe";
        String uploadId = s3.createMultipartUpload(b -> b.bucket(BUCKET).key(uploadKey)).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(BUCKET).key(uploadKey).uploadId(uploadId).partNumber(1),
                RequestBody.fromString("part")).eTag();

        // A listener that would see any attempt to fetch an external entity over HTTP.
        try (ServerSocket trap = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            String url = "http://127.0.0.1:" + trap.getLocalPort() + "/xxe";
            String lol = "<!ENTITY lol \"lol\">" + java.util.stream.IntStream.rangeClosed(1, 9)
                    .mapToObj(i -> "<!ENTITY lol" + i + " \"" + ("&lol" + (i == 1 ? "" : i - 1) + ";").repeat(10) + "\">")
                    .collect(Collectors.joining());
            List<String> doctypes = List.of(
                    "<!DOCTYPE R [<!ENTITY xxe SYSTEM \"" + fileUri + "\">]>",
                    "<!DOCTYPE R [<!ENTITY xxe SYSTEM \"" + url + "\">]>",
                    "<!DOCTYPE R [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]>",
                    "<!DOCTYPE R SYSTEM \"" + url + "\">",
                    "<!DOCTYPE R [" + lol + "<!ENTITY xxe \"&lol9;\">]>", // billion laughs
                    "<!DOCTYPE R>");
            for (String doctype : doctypes) {
                String value = doctype.contains("ENTITY xxe") ? "&xxe;" : "v";
                String tagging = "<?xml version=\"1.0\"?>" + doctype.replace(" R", " Tagging")
                        + "<Tagging><TagSet><Tag><Key>leak</Key><Value>" + value + "</Value></Tag></TagSet></Tagging>";
                RawS3.Response r = putTagging(EXISTING, tagging).assertError(400, "MalformedXML");
                assertThat(r.text()).doesNotContain(secret);
                String delete = "<?xml version=\"1.0\"?>" + doctype.replace(" R", " Delete")
                        + "<Delete><Object><Key>" + (value.equals("v") ? EXISTING : EXISTING + value) + "</Key></Object></Delete>";
                assertThat(deleteObjects(delete).assertError(400, "MalformedXML").text()).doesNotContain(secret);
                String completeXml = "<?xml version=\"1.0\"?>" + doctype.replace(" R", " CompleteMultipartUpload")
                        + "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + etag + (value.equals("v") ? "" : value)
                        + "</ETag></Part></CompleteMultipartUpload>";
                assertThat(complete(uploadKey, uploadId, completeXml).assertError(400, "MalformedXML").text())
                        .doesNotContain(secret);
            }
            trap.setSoTimeout(300);
            assertThatThrownBy(trap::accept).as("the server fetched an external entity").isInstanceOf(SocketTimeoutException.class);
        }
        assertExistingIntact();
        assertAbsent(uploadKey);
        assertThat(s3.getObjectTagging(b -> b.bucket(BUCKET).key(EXISTING)).tagSet()).extracting(Tag::value)
                .doesNotContain(secret);
    }

    // ------------------------------------------------------------------ names, metadata, ranges

    @ParameterizedTest
    @ValueSource(strings = {"ab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "UpperCase", "under_score",
            "-leading-hyphen", "trailing-hyphen-", ".leading-dot", "double..dot", "dot.-hyphen", "192.168.5.4",
            "xn--punycode", "sthree-reserved", "name-s3alias", "name--ol-s3", "spa%20ce", "excl%21aim"})
    void invalidBucketNamesAreInvalidBucketName(String rawName) {
        raw.signed("PUT", "/" + rawName, "", raw.headers(), new byte[0]).assertError(400, "InvalidBucketName");
        assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).containsExactlyInAnyOrder(BUCKET);
    }

    @Test
    void userMetadataOverTwoKilobytesIsMetadataTooLarge() {
        // Names (without x-amz-meta-) and values count, in UTF-8 bytes.
        raw.signed("PUT", path("meta/one-big"), "", raw.headers("x-amz-meta-big", "x".repeat(2100)), utf8("data"))
                .assertError(400, "MetadataTooLarge");
        assertAbsent("meta/one-big");
        raw.signed("PUT", path("meta/many"), "", raw.headers("x-amz-meta-a", "a".repeat(700), "x-amz-meta-b", "b".repeat(700),
                "x-amz-meta-c", "c".repeat(700)), utf8("data")).assertError(400, "MetadataTooLarge");
        assertAbsent("meta/many");
        raw.signed("PUT", path(EXISTING), "", raw.headers("x-amz-meta-" + "n".repeat(1000), "v".repeat(1100)), utf8("data"))
                .assertError(400, "MetadataTooLarge");
        assertExistingIntact();
        raw.signed("POST", path("meta/multipart"), "uploads", raw.headers("x-amz-meta-big", "x".repeat(2100)), new byte[0])
                .assertError(400, "MetadataTooLarge");
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix("meta/")).uploads()).isEmpty();
        raw.signed("PUT", path("meta/copy"), "", raw.headers("x-amz-copy-source", "/" + BUCKET + "/" + EXISTING,
                "x-amz-metadata-directive", "REPLACE", "x-amz-meta-big", "x".repeat(2100)), new byte[0])
                .assertError(400, "MetadataTooLarge");
        assertAbsent("meta/copy");

        // Well under the limit is fine.
        raw.signed("PUT", path("meta/fits"), "", raw.headers("x-amz-meta-ok", "y".repeat(1900)), utf8("data")).assertStatus(200);
        assertThat(s3.headObject(b -> b.bucket(BUCKET).key("meta/fits")).metadata()).containsEntry("ok", "y".repeat(1900));
    }

    @Test
    void keysLongerThan1024BytesAreKeyTooLong() {
        String longKey = "k".repeat(1025);
        raw.signed("PUT", path(longKey), "", raw.headers(), utf8("data")).assertError(400, "KeyTooLongError");
        raw.signed("PUT", path("k".repeat(1024)), "", raw.headers(), utf8("data")).assertStatus(200);
        assertThat(s3.listObjectsV2(b -> b.bucket(BUCKET).prefix("kkk")).contents()).extracting(o -> o.key().length())
                .containsExactly(1024);
    }

    @Test
    void deleteObjectsWithMoreThanAThousandKeysIsMalformedXml() {
        String keys = java.util.stream.IntStream.range(0, 1001).mapToObj(i -> "<Object><Key>" + (i == 0 ? EXISTING : "k" + i)
                + "</Key></Object>").collect(Collectors.joining());
        deleteObjects("<Delete>" + keys + "</Delete>").assertError(400, "MalformedXML");
        assertExistingIntact();
    }

    @Test
    void unsatisfiableRangesAreInvalidRange() {
        byte[] hundred = new byte[100];
        new Random(seed + 1).nextBytes(hundred);
        s3.putObject(b -> b.bucket(BUCKET).key("range/100"), RequestBody.fromBytes(hundred));
        s3.putObject(b -> b.bucket(BUCKET).key("range/empty"), RequestBody.empty());
        for (String range : List.of("bytes=100-200", "bytes=100-", "bytes=1000-2000", "bytes=99999999999999999999-")) {
            raw.signed("GET", path("range/100"), "", raw.headers("range", range), new byte[0]).assertError(416, "InvalidRange");
        }
        raw.signed("GET", path("range/empty"), "", raw.headers("range", "bytes=0-0"), new byte[0]).assertError(416, "InvalidRange");

        // Satisfiable ones are clipped to the object.
        RawS3.Response tail = raw.signed("GET", path("range/100"), "", raw.headers("range", "bytes=90-500"), new byte[0])
                .assertStatus(206);
        assertThat(tail.header("content-range")).isEqualTo("bytes 90-99/100");
        assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(hundred, 90, 100));
        RawS3.Response suffix = raw.signed("GET", path("range/100"), "", raw.headers("range", "bytes=-500"), new byte[0])
                .assertStatus(206);
        assertThat(suffix.header("content-range")).isEqualTo("bytes 0-99/100");
        assertThat(suffix.body()).isEqualTo(hundred);
        // A Range header that is not a valid byte range is ignored: the whole object.
        RawS3.Response ignored = raw.signed("GET", path("range/100"), "", raw.headers("range", "bytes=abc"), new byte[0])
                .assertStatus(200);
        assertThat(ignored.body()).isEqualTo(hundred);
    }

    // ------------------------------------------------------------------ not implemented, wrong method

    @Test
    void unimplementedSubresourcesAreNotImplementedAndChangeNothing() {
        byte[] policy = utf8("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
        byte[] retention = utf8("<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>");
        raw.signed("GET", "/" + BUCKET, "cors", raw.headers(), new byte[0]).assertError(501, "NotImplemented");
        raw.signed("GET", "/" + BUCKET, "website", raw.headers(), new byte[0]).assertError(501, "NotImplemented");
        // Implemented since: a missing policy, and a policy without statements.
        raw.signed("GET", "/" + BUCKET, "policy", raw.headers(), new byte[0]).assertError(404, "NoSuchBucketPolicy");
        raw.signed("PUT", "/" + BUCKET, "policy", raw.headers(), policy).assertError(400, "MalformedPolicy");
        // Implemented since, but refused here: a lifecycle without rules, Object Lock calls on a bucket without it.
        raw.signed("PUT", "/" + BUCKET, "lifecycle", raw.headers(), utf8("<LifecycleConfiguration/>")).assertError(400, "MalformedXML");
        raw.signed("GET", path(EXISTING), "retention", raw.headers(), new byte[0]).assertError(400, "InvalidRequest");
        raw.signed("PUT", path(EXISTING), "retention", raw.headers(), retention).assertError(400, "InvalidRequest");
        raw.signed("PUT", path(EXISTING), "legal-hold", raw.headers(), utf8("<LegalHold><Status>ON</Status></LegalHold>"))
                .assertError(400, "InvalidRequest");
        // A DELETE of an unimplemented subresource must not fall through to deleting the object or bucket.
        raw.signed("DELETE", "/" + BUCKET, "website", raw.headers(), new byte[0]).assertError(501, "NotImplemented");
        raw.signed("DELETE", path(EXISTING), "retention", raw.headers(), new byte[0]).assertError(405, "MethodNotAllowed");
        raw.signed("PUT", path("select-target"), "select", raw.headers(), utf8("x")).assertError(501, "NotImplemented");
        s3.headBucket(b -> b.bucket(BUCKET));
        assertExistingIntact();
        assertAbsent("select-target");
    }

    @Test
    void wrongMethodOnAResourceIsMethodNotAllowed() {
        raw.signed("POST", path(EXISTING), "", raw.headers(), utf8("x")).assertError(405, "MethodNotAllowed");
        raw.signed("POST", path("new-object"), "", raw.headers(), utf8("x")).assertError(405, "MethodNotAllowed");
        raw.signed("POST", path(EXISTING), "tagging", raw.headers(), utf8("<Tagging><TagSet/></Tagging>"))
                .assertError(405, "MethodNotAllowed");
        assertExistingIntact();
        assertAbsent("new-object");
    }

    // ------------------------------------------------------------------ unsupported headers

    @Test
    void serverSideEncryptionHeadersAreHonouredOrRefusedAsAwsDoes() {
        // AES256 is honoured; an unknown KMS key, an unsupported method and SSE-C over plain HTTP are refused.
        Headers aes = raw.headers("x-amz-server-side-encryption", "AES256");
        assertThat(raw.signed("PUT", path("sse/aes"), "", aes, utf8("data")).assertStatus(200)
                .header("x-amz-server-side-encryption")).isEqualTo("AES256");
        List<Map<String, String>> refused = List.of(
                Map.of("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", "alias/key"),
                Map.of("x-amz-server-side-encryption", "aws:kms:dsse"),
                Map.of("x-amz-server-side-encryption-customer-algorithm", "AES256",
                        "x-amz-server-side-encryption-customer-key", ExpectedChecksums.b64(new byte[32]),
                        "x-amz-server-side-encryption-customer-key-md5", ExpectedChecksums.md5Base64(new byte[32])));
        List<String> codes = List.of("KMS.NotFoundException", "InvalidArgument", "InvalidRequest");
        for (int i = 0; i < refused.size(); i++) {
            Headers h = raw.headers();
            refused.get(i).forEach(h::set);
            String code = codes.get(i);
            raw.signed("PUT", path("sse/object"), "", h, utf8("data")).assertError(400, code);
            raw.signed("PUT", path(EXISTING), "", h, utf8("data")).assertError(400, code);
            raw.signed("POST", path("sse/multipart"), "uploads", h, new byte[0]).assertError(400, code);
            Headers copy = raw.headers("x-amz-copy-source", "/" + BUCKET + "/" + EXISTING);
            refused.get(i).forEach(copy::set);
            raw.signed("PUT", path("sse/copy"), "", copy, new byte[0]).assertError(400, code);
        }
        assertAbsent("sse/object");
        assertAbsent("sse/copy");
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix("sse/")).uploads()).isEmpty();
    }

    @Test
    void storageClassesOtherThanStandardAreInvalidStorageClass() {
        for (String storageClass : List.of("GLACIER", "DEEP_ARCHIVE", "NOT_A_CLASS")) {
            raw.signed("PUT", path("class/object"), "", raw.headers("x-amz-storage-class", storageClass), utf8("data"))
                    .assertError(400, "InvalidStorageClass");
            raw.signed("PUT", path(EXISTING), "", raw.headers("x-amz-storage-class", storageClass), utf8("data"))
                    .assertError(400, "InvalidStorageClass");
            raw.signed("POST", path("class/multipart"), "uploads", raw.headers("x-amz-storage-class", storageClass), new byte[0])
                    .assertError(400, "InvalidStorageClass");
        }
        assertAbsent("class/object");
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix("class/")).uploads()).isEmpty();
        assertExistingIntact();
        raw.signed("PUT", path("class/standard"), "", raw.headers("x-amz-storage-class", "STANDARD"), utf8("data")).assertStatus(200);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("class/standard")).asUtf8String()).isEqualTo("data");
    }

    @Test
    void aclsThatGrantOthersAreAccessControlListNotSupported() {
        raw.signed("PUT", path("acl/public"), "", raw.headers("x-amz-acl", "public-read"), utf8("data"))
                .assertError(400, "AccessControlListNotSupported");
        raw.signed("PUT", path(EXISTING), "", raw.headers("x-amz-acl", "public-read-write"), utf8("data"))
                .assertError(400, "AccessControlListNotSupported");
        raw.signed("PUT", path("acl/grant"), "", raw.headers("x-amz-grant-read", "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""),
                utf8("data")).assertError(400, "AccessControlListNotSupported");
        raw.signed("PUT", path(EXISTING), "acl", raw.headers("x-amz-acl", "public-read"), new byte[0])
                .assertError(400, "AccessControlListNotSupported");
        raw.signed("PUT", "/" + BUCKET, "acl", raw.headers("x-amz-acl", "public-read"), new byte[0])
                .assertError(400, "AccessControlListNotSupported");
        raw.signed("POST", path("acl/multipart"), "uploads", raw.headers("x-amz-acl", "authenticated-read"), new byte[0])
                .assertError(400, "AccessControlListNotSupported");
        assertAbsent("acl/public");
        assertAbsent("acl/grant");
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET).prefix("acl/")).uploads()).isEmpty();
        assertExistingIntact();
        // The one canned ACL compatible with bucket-owner-enforced ownership is accepted.
        raw.signed("PUT", path("acl/owner"), "", raw.headers("x-amz-acl", "bucket-owner-full-control"), utf8("data"))
                .assertStatus(200);
    }
}
