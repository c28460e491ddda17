package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static dev.arca.it.S3Assert.assertSameBytes;
import static dev.arca.it.S3Assert.md5Etag;
import static dev.arca.it.S3Assert.randomBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

/**
 * Single-object operations with the real SDK, in both addressing styles: PUT/GET/HEAD round trips,
 * hostile keys, metadata and stored headers, ranges, conditional reads and writes, deletes, copies
 * and tagging. Error cases assert AWS's status and error code.
 */
class ObjectTest {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static final Map<Addressing, S3Client> clients = new EnumMap<>(Addressing.class);
    static RawS3 raw;
    static long seed;

    @BeforeAll
    static void start() {
        seed = S3Assert.seed(ObjectTest.class);
        server = ArcaTestServer.start(dir);
        for (Addressing a : Addressing.values()) {
            clients.put(a, a.newClient(server));
        }
        raw = new RawS3(server);
    }

    @AfterAll
    static void stop() {
        clients.values().forEach(S3Client::close);
        server.close();
    }

    /** Creates a bucket for one test in one addressing style and returns its name. */
    static String bucket(Addressing a, String base) {
        String name = a.bucket(base);
        clients.get(a).createBucket(b -> b.bucket(name));
        return name;
    }

    static Random random(String test, Addressing a) {
        return new Random(seed ^ test.hashCode() ^ a.ordinal());
    }

    static int status(software.amazon.awssdk.core.SdkResponse r) {
        return r.sdkHttpResponse().statusCode();
    }

    // ---------------------------------------------------------------- round trips and keys

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void putGetRoundTripsOfManySizesAreByteExact(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "sizes");
        Random random = random("sizes", a);
        // Around the inline limit (128 KiB - 1), a block boundary (1 MiB), and a many-block object.
        for (int size : List.of(0, 1, 128 * KIB - 1, 128 * KIB, MIB + 7, 20 * MIB + 3)) {
            byte[] data = randomBytes(random, size);
            String key = "size-" + size;
            PutObjectResponse put = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
            assertThat(put.eTag()).isEqualTo(md5Etag(data));

            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            assertThat(status(got.response())).isEqualTo(200);
            assertSameBytes(got.asByteArray(), data, key);
            assertThat(got.response().contentLength()).isEqualTo(size);
            assertThat(got.response().eTag()).isEqualTo(md5Etag(data));

            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
            assertThat(head.contentLength()).isEqualTo(size);
            assertThat(head.eTag()).isEqualTo(md5Etag(data));
        }
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void keysThatAreHostileAsPathsAreOpaque(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "hostile");
        List<String> keys = List.of("../x", "a//b", "/lead", "..", ".", "./x", "x/..", "x/../y", "a/./b",
                "trailing/", "back\\slash", "unicode-ключ-鍵-é-😀", "with space", "two  spaces ", "plus+sign",
                "per%cent", "%2F", "%41", "q?mark", "hash#tag", "amp&and=eq;semi", "quote\"apos'", "<angle>",
                "tab\there", "~tilde*star(paren)", "colon:at@comma,dollar$");
        for (String key : keys) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("value of " + key));
        }
        for (String key : keys) {
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String())
                    .as("key %s", key).isEqualTo("value of " + key);
            assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength())
                    .isEqualTo(("value of " + key).getBytes(StandardCharsets.UTF_8).length);
        }
        // Each key is its own object: nothing was normalised into another key.
        List<String> listed = s3.listObjectsV2(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(keys);
        for (String key : keys) {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).keyCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void keysAreLimitedTo1024Utf8Bytes(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "keylen");
        String ascii1024 = "k".repeat(1024);
        String twoByte1024 = "é".repeat(512); // 512 characters, 1024 bytes
        for (String key : List.of(ascii1024, twoByte1024)) {
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("ok"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asUtf8String()).isEqualTo("ok");
        }
        String ascii1025 = "k".repeat(1025);
        String bytes1025 = "k".repeat(1023) + "é"; // 1024 characters but 1025 bytes
        for (String key : List.of(ascii1025, bytes1025)) {
            assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("no")),
                    400, "KeyTooLongError");
        }
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .containsExactlyInAnyOrder(ascii1024, twoByte1024);
    }

    // ---------------------------------------------------------------- metadata and stored headers

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void userMetadataRoundTripsWithLowerCaseNames(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "usermeta");
        Map<String, String> sent = new LinkedHashMap<>();
        sent.put("Color", "Deep Blue");
        sent.put("project-ID", "Arca-42");
        sent.put("empty-ish", "x");
        s3.putObject(b -> b.bucket(bucket).key("m").metadata(sent), RequestBody.fromString("body"));
        // Header names are case-insensitive; S3 returns metadata names in lower case, values as sent.
        Map<String, String> expected = Map.of("color", "Deep Blue", "project-id", "Arca-42", "empty-ish", "x");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("m")).metadata()).isEqualTo(expected);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("m")).response().metadata()).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void userMetadataOver2KBIsMetadataTooLargeAndStoresNothing(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "bigmeta");
        // Exactly 2 KB (names without x-amz-meta- plus values, in UTF-8 bytes) is allowed.
        s3.putObject(b -> b.bucket(bucket).key("fits").metadata(Map.of("k", "v".repeat(2047))),
                RequestBody.fromString("x"));
        assertThat(s3.headObject(b -> b.bucket(bucket).key("fits")).metadata().get("k")).hasSize(2047);

        Map<String, String> big = Map.of("first", "a".repeat(1500), "second", "b".repeat(600));
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("too-big").metadata(big),
                RequestBody.fromString("x")), 400, "MetadataTooLarge");
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("too-big")), 404, null);
        // One byte over, counted in UTF-8 bytes: 1 + 2047 ASCII + one 2-byte character.
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("fits").metadata(Map.of("k", "v".repeat(2046) + "é")),
                RequestBody.fromString("y")), 400, "MetadataTooLarge");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("fits")).asUtf8String()).isEqualTo("x");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void standardHeadersRoundTrip(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "stdheaders");
        Instant expires = Instant.parse("2031-05-06T07:08:09Z");
        s3.putObject(b -> b.bucket(bucket).key("h").contentType("text/csv; charset=utf-8").contentEncoding("gzip")
                .contentDisposition("attachment; filename=\"r.csv\"").contentLanguage("de-CH")
                .cacheControl("max-age=60, private").expires(expires), RequestBody.fromString("a,b\n"));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("h"));
        assertThat(head.contentType()).isEqualTo("text/csv; charset=utf-8");
        assertThat(head.contentEncoding()).isEqualTo("gzip");
        assertThat(head.contentDisposition()).isEqualTo("attachment; filename=\"r.csv\"");
        assertThat(head.contentLanguage()).isEqualTo("de-CH");
        assertThat(head.cacheControl()).isEqualTo("max-age=60, private");
        assertThat(ZonedDateTime.parse(head.expiresString(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .isEqualTo(expires);

        GetObjectResponse get = s3.getObjectAsBytes(b -> b.bucket(bucket).key("h")).response();
        assertThat(get.contentType()).isEqualTo("text/csv; charset=utf-8");
        assertThat(get.contentDisposition()).isEqualTo("attachment; filename=\"r.csv\"");
        assertThat(get.contentLanguage()).isEqualTo("de-CH");
        assertThat(get.cacheControl()).isEqualTo("max-age=60, private");
        assertThat(get.expiresString()).isEqualTo(head.expiresString());
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void headObjectReportsEtagLengthLastModifiedAndAcceptRanges(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "head");
        byte[] data = randomBytes(random("head", a), 200_000);
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        s3.putObject(b -> b.bucket(bucket).key("obj"), RequestBody.fromBytes(data));
        Instant after = Instant.now();
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("obj"));
        assertThat(status(head)).isEqualTo(200);
        assertThat(head.eTag()).isEqualTo(md5Etag(data)).matches("\"[0-9a-f]{32}\"");
        assertThat(head.contentLength()).isEqualTo(200_000L);
        assertThat(head.lastModified()).isBetween(before, after);
        assertThat(head.acceptRanges()).isEqualTo("bytes");

        // Without a Content-Type on PUT, S3 serves binary/octet-stream (the SDK always sends one).
        RawS3.Response put = raw.signed("PUT", "/" + bucket + "/untyped", "", raw.headers(), "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(put.status()).as(put.text()).isEqualTo(200);
        assertThat(s3.headObject(b -> b.bucket(bucket).key("untyped")).contentType()).isEqualTo("binary/octet-stream");
    }

    // ---------------------------------------------------------------- ranges and parts

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void rangeRequestsFollowRfc7233AsS3Does(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "ranges");
        Random random = random("ranges", a);
        // An inline object and one spanning two storage blocks.
        for (int n : List.of(1000, MIB + 500_000)) {
            byte[] data = randomBytes(random, n);
            String key = "r" + n;
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
            Map<String, long[]> cases = new LinkedHashMap<>();
            cases.put("bytes=10-19", new long[] {10, 19});
            cases.put("bytes=0-0", new long[] {0, 0});
            cases.put("bytes=" + (n - 10) + "-", new long[] {n - 10, n - 1});
            cases.put("bytes=-10", new long[] {n - 10, n - 1});
            cases.put("bytes=-" + (n + 5000), new long[] {0, n - 1}); // suffix longer than the object: all of it
            cases.put("bytes=" + (n - 100) + "-" + (n + 5000), new long[] {n - 100, n - 1}); // end clamped
            if (n > MIB) {
                cases.put("bytes=" + (MIB - 7) + "-" + (MIB + 7), new long[] {MIB - 7, MIB + 7}); // across a block edge
            }
            for (Map.Entry<String, long[]> c : cases.entrySet()) {
                long first = c.getValue()[0];
                long last = c.getValue()[1];
                ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(c.getKey()));
                assertThat(status(got.response())).as(c.getKey()).isEqualTo(206);
                assertThat(got.response().contentRange()).as(c.getKey()).isEqualTo("bytes " + first + "-" + last + "/" + n);
                assertThat(got.response().contentLength()).isEqualTo(last - first + 1);
                assertSameBytes(got.asByteArray(), java.util.Arrays.copyOfRange(data, (int) first, (int) last + 1), c.getKey());
            }
            for (String unsatisfiable : List.of("bytes=" + n + "-", "bytes=" + (n + 10) + "-" + (n + 20))) {
                assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(unsatisfiable)),
                        416, "InvalidRange");
                assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key(key).range(unsatisfiable)), 416, null);
            }
            // HEAD honours Range too.
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).range("bytes=10-19"));
            assertThat(status(head)).isEqualTo(206);
            assertThat(head.contentLength()).isEqualTo(10L);
            assertThat(head.contentRange()).isEqualTo("bytes 10-19/" + n);
            // A Range header that is not one well-formed byte range is ignored: the whole object, 200.
            for (String ignored : List.of("bytes=20-10", "items=0-5", "bytes=abc", "bytes=0-1,5-6")) {
                ResponseBytes<GetObjectResponse> whole = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(ignored));
                assertThat(status(whole.response())).as(ignored).isEqualTo(200);
                assertThat(whole.response().contentRange()).as(ignored).isNull();
                assertSameBytes(whole.asByteArray(), data, ignored);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void partNumberOneOfASinglePartObjectIsTheWholeObjectAsARange(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "partone");
        byte[] data = randomBytes(random("partone", a), 5000);
        s3.putObject(b -> b.bucket(bucket).key("p"), RequestBody.fromBytes(data));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("p").partNumber(1));
        // S3 treats partNumber as a ranged GET: 206 with a Content-Range covering the single part.
        assertThat(status(got.response())).isEqualTo(206);
        assertThat(got.response().contentRange()).isEqualTo("bytes 0-4999/5000");
        assertSameBytes(got.asByteArray(), data, "part 1");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("p").partNumber(1)).contentLength()).isEqualTo(5000L);
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("p").partNumber(2)), 416, "InvalidPartNumber");
    }

    // ---------------------------------------------------------------- conditional requests

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void conditionalGetAndHeadFollowRfc7232Precedence(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "cond");
        s3.putObject(b -> b.bucket(bucket).key("c"), RequestBody.fromString("conditional"));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("c"));
        String etag = head.eTag();
        Instant modified = head.lastModified();
        Instant earlier = modified.minusSeconds(3600);
        String other = "\"0123456789abcdef0123456789abcdef\"";

        // Expected status per condition set; 200 means the object is served.
        Map<String, Integer> expected = new LinkedHashMap<>();
        Map<String, Consumer<GetObjectRequest.Builder>> gets = new LinkedHashMap<>();
        Map<String, Consumer<HeadObjectRequest.Builder>> heads = new LinkedHashMap<>();
        java.util.function.BiConsumer<String, Integer> add = (name, status) -> expected.put(name, status);
        add.accept("If-Match right", 200);
        gets.put("If-Match right", b -> b.ifMatch(etag));
        heads.put("If-Match right", b -> b.ifMatch(etag));
        add.accept("If-Match wrong", 412);
        gets.put("If-Match wrong", b -> b.ifMatch(other));
        heads.put("If-Match wrong", b -> b.ifMatch(other));
        add.accept("If-None-Match same", 304);
        gets.put("If-None-Match same", b -> b.ifNoneMatch(etag));
        heads.put("If-None-Match same", b -> b.ifNoneMatch(etag));
        add.accept("If-None-Match other", 200);
        gets.put("If-None-Match other", b -> b.ifNoneMatch(other));
        heads.put("If-None-Match other", b -> b.ifNoneMatch(other));
        add.accept("If-Modified-Since now", 304);
        gets.put("If-Modified-Since now", b -> b.ifModifiedSince(modified));
        heads.put("If-Modified-Since now", b -> b.ifModifiedSince(modified));
        add.accept("If-Modified-Since earlier", 200);
        gets.put("If-Modified-Since earlier", b -> b.ifModifiedSince(earlier));
        heads.put("If-Modified-Since earlier", b -> b.ifModifiedSince(earlier));
        add.accept("If-Unmodified-Since earlier", 412);
        gets.put("If-Unmodified-Since earlier", b -> b.ifUnmodifiedSince(earlier));
        heads.put("If-Unmodified-Since earlier", b -> b.ifUnmodifiedSince(earlier));
        add.accept("If-Unmodified-Since now", 200);
        gets.put("If-Unmodified-Since now", b -> b.ifUnmodifiedSince(modified));
        heads.put("If-Unmodified-Since now", b -> b.ifUnmodifiedSince(modified));
        // If-Match true wins over If-Unmodified-Since false (S3 documents 200).
        add.accept("If-Match right + If-Unmodified-Since earlier", 200);
        gets.put("If-Match right + If-Unmodified-Since earlier", b -> b.ifMatch(etag).ifUnmodifiedSince(earlier));
        heads.put("If-Match right + If-Unmodified-Since earlier", b -> b.ifMatch(etag).ifUnmodifiedSince(earlier));
        // If-None-Match false (it matches) with If-Modified-Since true: S3 documents 304.
        add.accept("If-None-Match same + If-Modified-Since earlier", 304);
        gets.put("If-None-Match same + If-Modified-Since earlier", b -> b.ifNoneMatch(etag).ifModifiedSince(earlier));
        heads.put("If-None-Match same + If-Modified-Since earlier", b -> b.ifNoneMatch(etag).ifModifiedSince(earlier));
        // If-None-Match present: If-Modified-Since is ignored (RFC 7232 section 3.3).
        add.accept("If-None-Match other + If-Modified-Since now", 200);
        gets.put("If-None-Match other + If-Modified-Since now", b -> b.ifNoneMatch(other).ifModifiedSince(modified));
        heads.put("If-None-Match other + If-Modified-Since now", b -> b.ifNoneMatch(other).ifModifiedSince(modified));
        // If-Match passes, then If-None-Match is evaluated: 304.
        add.accept("If-Match right + If-None-Match same", 304);
        gets.put("If-Match right + If-None-Match same", b -> b.ifMatch(etag).ifNoneMatch(etag));
        heads.put("If-Match right + If-None-Match same", b -> b.ifMatch(etag).ifNoneMatch(etag));

        for (Map.Entry<String, Integer> c : expected.entrySet()) {
            String name = c.getKey();
            int want = c.getValue();
            Consumer<GetObjectRequest.Builder> get = gets.get(name);
            Consumer<HeadObjectRequest.Builder> hd = heads.get(name);
            if (want == 200) {
                ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> get.accept(b.bucket(bucket).key("c")));
                assertThat(status(got.response())).as(name).isEqualTo(200);
                assertThat(got.asUtf8String()).as(name).isEqualTo("conditional");
                assertThat(status(s3.headObject(b -> hd.accept(b.bucket(bucket).key("c"))))).as(name).isEqualTo(200);
            } else {
                S3Exception e = assertS3Error(() -> s3.getObjectAsBytes(b -> get.accept(b.bucket(bucket).key("c"))),
                        want, want == 412 ? "PreconditionFailed" : null);
                if (want == 304) {
                    assertThat(e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("ETag")).as(name).hasValue(etag);
                }
                assertS3Error(() -> s3.headObject(b -> hd.accept(b.bucket(bucket).key("c"))), want, null);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void conditionalPutsCreateOnlyOrCompareAndSwap(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "condput");
        PutObjectResponse first = s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("one"));
        assertThat(status(first)).isEqualTo(200);
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("two")),
                412, "PreconditionFailed");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String()).isEqualTo("one");

        PutObjectResponse swapped = s3.putObject(b -> b.bucket(bucket).key("k").ifMatch(first.eTag()), RequestBody.fromString("three"));
        assertThat(swapped.eTag()).isEqualTo(md5Etag("three".getBytes(StandardCharsets.UTF_8)));
        // The old ETag no longer matches.
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("k").ifMatch(first.eTag()), RequestBody.fromString("four")),
                412, "PreconditionFailed");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String()).isEqualTo("three");
        // If-Match on a key that does not exist: 404 NoSuchKey, and nothing is created.
        assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("absent").ifMatch(first.eTag()), RequestBody.fromString("x")),
                404, "NoSuchKey");
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("absent")), 404, null);
        // Once the key is deleted, a create-only PUT succeeds again.
        s3.deleteObject(b -> b.bucket(bucket).key("k"));
        s3.putObject(b -> b.bucket(bucket).key("k").ifNoneMatch("*"), RequestBody.fromString("five"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String()).isEqualTo("five");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void overwriteReplacesDataAndMetadata(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "overwrite");
        Random random = random("overwrite", a);
        byte[] big = randomBytes(random, 300_000);
        byte[] small = randomBytes(random, 10);
        byte[] again = randomBytes(random, 200_000);
        s3.putObject(b -> b.bucket(bucket).key("o").metadata(Map.of("gen", "1")).contentType("text/one"), RequestBody.fromBytes(big));
        s3.putObject(b -> b.bucket(bucket).key("o").metadata(Map.of("other", "2")), RequestBody.fromBytes(small));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("o"));
        assertSameBytes(got.asByteArray(), small, "after overwrite");
        assertThat(got.response().eTag()).isEqualTo(md5Etag(small));
        assertThat(got.response().metadata()).isEqualTo(Map.of("other", "2"));
        assertThat(got.response().contentType()).isNotEqualTo("text/one");
        s3.putObject(b -> b.bucket(bucket).key("o"), RequestBody.fromBytes(again));
        assertSameBytes(s3.getObjectAsBytes(b -> b.bucket(bucket).key("o")).asByteArray(), again, "second overwrite");
        assertThat(s3.headObject(b -> b.bucket(bucket).key("o")).contentLength()).isEqualTo(200_000L);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).singleElement()
                .satisfies(o -> assertThat(o.size()).isEqualTo(200_000L));
    }

    // ---------------------------------------------------------------- deletes

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void deleteObjectIs204AndIdempotent(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "delete");
        s3.putObject(b -> b.bucket(bucket).key("d"), RequestBody.fromBytes(new byte[200_000]));
        assertThat(status(s3.deleteObject(b -> b.bucket(bucket).key("d")))).isEqualTo(204);
        assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("d")), 404, "NoSuchKey");
        assertThat(status(s3.deleteObject(b -> b.bucket(bucket).key("d")))).isEqualTo(204);
        assertThat(status(s3.deleteObject(b -> b.bucket(bucket).key("never-existed")))).isEqualTo(204);
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(a.bucket("no-such-bucket")).key("d")), 404, "NoSuchBucket");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void deleteObjectsReportsEveryKeyUnlessQuiet(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "batch");
        for (String k : List.of("k1", "k2", "k3", "k4", "k5", "a b/ü", "x<&>\"'")) {
            s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString(k));
        }
        DeleteObjectsResponse loud = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                ObjectIdentifier.builder().key("k1").build(), ObjectIdentifier.builder().key("k2").build(),
                ObjectIdentifier.builder().key("missing").build(), ObjectIdentifier.builder().key("a b/ü").build(),
                ObjectIdentifier.builder().key("x<&>\"'").build())));
        // A key that does not exist is reported as deleted, as S3 does; XML-special keys come back intact.
        assertThat(loud.deleted()).extracting(DeletedObject::key)
                .containsExactlyInAnyOrder("k1", "k2", "missing", "a b/ü", "x<&>\"'");
        assertThat(loud.errors()).isEmpty();

        DeleteObjectsResponse quiet = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.quiet(true).objects(
                ObjectIdentifier.builder().key("k3").build(), ObjectIdentifier.builder().key("missing-too").build())));
        assertThat(quiet.deleted()).isEmpty();
        assertThat(quiet.errors()).isEmpty();
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key).containsExactly("k4", "k5");

        // More than 1,000 keys in one request is MalformedXML, and nothing is deleted.
        List<ObjectIdentifier> tooMany = IntStream.range(0, 1001)
                .mapToObj(i -> ObjectIdentifier.builder().key(i == 0 ? "k4" : "x" + i).build()).toList();
        assertS3Error(() -> s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(tooMany))), 400, "MalformedXML");
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key).containsExactly("k4", "k5");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void conditionalDeleteChecksTheCurrentEtag(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "conddelete");
        String etag = s3.putObject(b -> b.bucket(bucket).key("d"), RequestBody.fromString("v1")).eTag();
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("d").ifMatch("\"0123456789abcdef0123456789abcdef\"")),
                412, "PreconditionFailed");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("d")).asUtf8String()).isEqualTo("v1");
        assertThat(status(s3.deleteObject(b -> b.bucket(bucket).key("d").ifMatch(etag)))).isEqualTo(204);
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("d")), 404, null);
        // With If-Match, a missing key is not silently "deleted": 404 NoSuchKey.
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("d").ifMatch(etag)), 404, "NoSuchKey");
        // If-Match: * deletes only an object that exists.
        s3.putObject(b -> b.bucket(bucket).key("star"), RequestBody.fromString("v"));
        assertThat(status(s3.deleteObject(b -> b.bucket(bucket).key("star").ifMatch("*")))).isEqualTo(204);
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("star")), 404, null);
        assertS3Error(() -> s3.deleteObject(b -> b.bucket(bucket).key("star").ifMatch("*")), 404, "NoSuchKey");
    }

    // ---------------------------------------------------------------- copies

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void copyWithMetadataDirectiveCopyKeepsEverything(Addressing a) {
        S3Client s3 = clients.get(a);
        String src = bucket(a, "copy-src");
        String dst = bucket(a, "copy-dst");
        byte[] data = randomBytes(random("copy", a), MIB + 300_000);
        String srcKey = "dir with space/ünï+%code.bin";
        s3.putObject(b -> b.bucket(src).key(srcKey).contentType("application/x-src").metadata(Map.of("origin", "source"))
                .tagging("t1=v1&t2=v2"), RequestBody.fromBytes(data));

        // Across buckets, no directive given: COPY is the default for metadata and tags.
        CopyObjectResponse copied = s3.copyObject(b -> b.sourceBucket(src).sourceKey(srcKey).destinationBucket(dst)
                .destinationKey("copied"));
        assertThat(copied.copyObjectResult().eTag()).isEqualTo(md5Etag(data));
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(dst).key("copied"));
        assertSameBytes(got.asByteArray(), data, "copy");
        assertThat(got.response().contentType()).isEqualTo("application/x-src");
        assertThat(got.response().metadata()).isEqualTo(Map.of("origin", "source"));
        assertThat(got.response().tagCount()).isEqualTo(2);
        assertThat(tags(s3, dst, "copied")).isEqualTo(Map.of("t1", "v1", "t2", "v2"));

        // Explicit COPY, in the same bucket.
        s3.copyObject(b -> b.sourceBucket(src).sourceKey(srcKey).destinationBucket(src).destinationKey("same-bucket")
                .metadataDirective(MetadataDirective.COPY).taggingDirective(TaggingDirective.COPY));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(src).key("same-bucket"));
        assertThat(head.metadata()).isEqualTo(Map.of("origin", "source"));
        assertThat(head.eTag()).isEqualTo(md5Etag(data));
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void copyWithReplaceDirectivesTakesNewMetadataAndTags(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "copy-replace");
        s3.putObject(b -> b.bucket(bucket).key("src").contentType("text/old").metadata(Map.of("old", "1"))
                .cacheControl("no-store").tagging("keep=me"), RequestBody.fromString("payload"));

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("meta-replaced")
                .metadataDirective(MetadataDirective.REPLACE).contentType("application/new").metadata(Map.of("new", "2")));
        HeadObjectResponse replaced = s3.headObject(b -> b.bucket(bucket).key("meta-replaced"));
        assertThat(replaced.contentType()).isEqualTo("application/new");
        assertThat(replaced.metadata()).isEqualTo(Map.of("new", "2"));
        assertThat(replaced.cacheControl()).isNull(); // REPLACE does not carry over stored headers that were not given
        assertThat(tags(s3, bucket, "meta-replaced")).isEqualTo(Map.of("keep", "me")); // tags still copied

        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("tags-replaced")
                .taggingDirective(TaggingDirective.REPLACE).tagging("fresh=tag&second=2"));
        assertThat(tags(s3, bucket, "tags-replaced")).isEqualTo(Map.of("fresh", "tag", "second", "2"));
        assertThat(s3.headObject(b -> b.bucket(bucket).key("tags-replaced")).metadata()).isEqualTo(Map.of("old", "1"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("tags-replaced")).asUtf8String()).isEqualTo("payload");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void copyToItselfNeedsReplace(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "copy-self");
        s3.putObject(b -> b.bucket(bucket).key("self").metadata(Map.of("v", "1")), RequestBody.fromString("same bytes"));
        Instant before = s3.headObject(b -> b.bucket(bucket).key("self")).lastModified();

        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket)
                .destinationKey("self")), 400, "InvalidRequest");
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket)
                .destinationKey("self").metadataDirective(MetadataDirective.COPY)), 400, "InvalidRequest");
        // A directive other than COPY or REPLACE is InvalidArgument.
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket)
                .destinationKey("other").metadataDirective("MERGE")), 400, "InvalidArgument");

        CopyObjectResponse r = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket)
                .destinationKey("self").metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("v", "2")));
        assertThat(r.copyObjectResult().eTag()).isEqualTo(md5Etag("same bytes".getBytes(StandardCharsets.UTF_8)));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("self"));
        assertThat(head.metadata()).isEqualTo(Map.of("v", "2"));
        assertThat(head.lastModified()).isAfterOrEqualTo(before);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("self")).asUtf8String()).isEqualTo("same bytes");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void conditionalCopyHeadersFailWith412(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "copy-cond");
        s3.putObject(b -> b.bucket(bucket).key("src"), RequestBody.fromString("conditional copy"));
        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("src"));
        String etag = head.eTag();
        Instant modified = head.lastModified();
        Instant earlier = modified.minusSeconds(3600);
        String other = "\"0123456789abcdef0123456789abcdef\"";

        Map<String, Consumer<CopyObjectRequest.Builder>> failing = new LinkedHashMap<>();
        failing.put("if-match wrong", b -> b.copySourceIfMatch(other));
        failing.put("if-none-match same", b -> b.copySourceIfNoneMatch(etag));
        failing.put("if-modified-since now", b -> b.copySourceIfModifiedSince(modified));
        failing.put("if-unmodified-since earlier", b -> b.copySourceIfUnmodifiedSince(earlier));
        // S3 documents 412 when If-None-Match is false even though If-Modified-Since is true.
        failing.put("if-none-match same + if-modified-since earlier",
                b -> b.copySourceIfNoneMatch(etag).copySourceIfModifiedSince(earlier));
        for (Map.Entry<String, Consumer<CopyObjectRequest.Builder>> c : failing.entrySet()) {
            String dest = "fail-" + c.getKey().replace(' ', '-');
            assertS3Error(() -> s3.copyObject(b -> c.getValue().accept(b.sourceBucket(bucket).sourceKey("src")
                    .destinationBucket(bucket).destinationKey(dest))), 412, "PreconditionFailed");
            assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key(dest)), 404, null);
        }

        Map<String, Consumer<CopyObjectRequest.Builder>> passing = new LinkedHashMap<>();
        passing.put("if-match right", b -> b.copySourceIfMatch(etag));
        passing.put("if-none-match other", b -> b.copySourceIfNoneMatch(other));
        passing.put("if-modified-since earlier", b -> b.copySourceIfModifiedSince(earlier));
        passing.put("if-unmodified-since now", b -> b.copySourceIfUnmodifiedSince(modified));
        // S3 documents 200 when If-Match is true even though If-Unmodified-Since is false.
        passing.put("if-match right + if-unmodified-since earlier",
                b -> b.copySourceIfMatch(etag).copySourceIfUnmodifiedSince(earlier));
        for (Map.Entry<String, Consumer<CopyObjectRequest.Builder>> c : passing.entrySet()) {
            String dest = "pass-" + c.getKey().replace(' ', '-');
            CopyObjectResponse r = s3.copyObject(b -> c.getValue().accept(b.sourceBucket(bucket).sourceKey("src")
                    .destinationBucket(bucket).destinationKey(dest)));
            assertThat(r.copyObjectResult().eTag()).as(c.getKey()).isEqualTo(etag);
            assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(dest)).asUtf8String()).isEqualTo("conditional copy");
        }
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void copyOfAMissingSourceIsNoSuchKey(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "copy-missing");
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("nothing-here").destinationBucket(bucket)
                .destinationKey("dest")), 404, "NoSuchKey");
        assertS3Error(() -> s3.copyObject(b -> b.sourceBucket(a.bucket("no-such-source-bucket")).sourceKey("k")
                .destinationBucket(bucket).destinationKey("dest")), 404, "NoSuchBucket");
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).keyCount()).isZero();
    }

    // ---------------------------------------------------------------- tagging

    static Map<String, String> tags(S3Client s3, String bucket, String key) {
        Map<String, String> out = new HashMap<>();
        for (Tag t : s3.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet()) {
            out.put(t.key(), t.value());
        }
        return out;
    }

    static Tag tag(String k, String v) {
        return Tag.builder().key(k).value(v).build();
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void objectTaggingPutGetDelete(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "tagging");
        s3.putObject(b -> b.bucket(bucket).key("t").tagging("project=arca&team=storage%20core"), RequestBody.fromString("x"));
        assertThat(tags(s3, bucket, "t")).isEqualTo(Map.of("project", "arca", "team", "storage core"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("t")).response().tagCount()).isEqualTo(2);

        assertThat(status(s3.putObjectTagging(b -> b.bucket(bucket).key("t")
                .tagging(t -> t.tagSet(tag("only", "one"), tag("empty-value", "")))))).isEqualTo(200);
        assertThat(tags(s3, bucket, "t")).isEqualTo(Map.of("only", "one", "empty-value", ""));

        assertThat(status(s3.deleteObjectTagging(b -> b.bucket(bucket).key("t")))).isEqualTo(204);
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("t")).tagSet()).isEmpty();
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("t")).response().tagCount()).isNull();
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("t")).asUtf8String()).isEqualTo("x");

        assertS3Error(() -> s3.getObjectTagging(b -> b.bucket(bucket).key("missing")), 404, "NoSuchKey");
        assertS3Error(() -> s3.putObjectTagging(b -> b.bucket(bucket).key("missing").tagging(t -> t.tagSet(tag("a", "b")))),
                404, "NoSuchKey");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void invalidTagSetsAreInvalidTag(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "badtags");
        s3.putObject(b -> b.bucket(bucket).key("t").tagging("keep=1"), RequestBody.fromString("x"));
        List<Tag> eleven = IntStream.range(0, 11).mapToObj(i -> tag("k" + i, "v")).toList();
        List<List<Tag>> invalid = List.of(
                eleven,
                List.of(tag("k".repeat(129), "v")),
                List.of(tag("k", "v".repeat(257))),
                List.of(tag("dup", "1"), tag("dup", "2")));
        for (List<Tag> set : invalid) {
            assertS3Error(() -> s3.putObjectTagging(b -> b.bucket(bucket).key("t").tagging(t -> t.tagSet(set))),
                    400, "InvalidTag");
        }
        assertThat(tags(s3, bucket, "t")).isEqualTo(Map.of("keep", "1"));

        // The same limits apply to x-amz-tagging on PUT, and nothing is stored.
        String elevenHeader = eleven.stream().map(t -> t.key() + "=" + t.value()).collect(Collectors.joining("&"));
        for (String header : List.of(elevenHeader, "dup=1&dup=2", "k".repeat(129) + "=v")) {
            assertS3Error(() -> s3.putObject(b -> b.bucket(bucket).key("new").tagging(header), RequestBody.fromString("y")),
                    400, "InvalidTag");
        }
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("new")), 404, null);
        // Ten tags of maximal sizes are fine.
        List<Tag> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ten.add(tag(i + "k".repeat(127), "v".repeat(256)));
        }
        s3.putObjectTagging(b -> b.bucket(bucket).key("t").tagging(t -> t.tagSet(ten)));
        assertThat(tags(s3, bucket, "t")).hasSize(10);
    }

    // ---------------------------------------------------------------- missing things and overrides

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void missingKeyAndMissingBucketAre404(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "missing");
        S3Exception noKey = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("nope")), 404, "NoSuchKey");
        assertThat(noKey).isInstanceOf(NoSuchKeyException.class);
        assertS3Error(() -> s3.headObject(b -> b.bucket(bucket).key("nope")), 404, null);
        S3Exception noBucket = assertS3Error(() -> s3.getObjectAsBytes(b -> b.bucket(a.bucket("absent-bucket")).key("k")),
                404, "NoSuchBucket");
        assertThat(noBucket).isInstanceOf(NoSuchBucketException.class);
        assertS3Error(() -> s3.putObject(b -> b.bucket(a.bucket("absent-bucket")).key("k"), RequestBody.fromString("x")),
                404, "NoSuchBucket");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void responseHeaderOverridesApplyToThatResponseOnly(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = bucket(a, "overrides");
        s3.putObject(b -> b.bucket(bucket).key("o").contentType("text/plain"), RequestBody.fromString("override me"));
        GetObjectResponse r = s3.getObjectAsBytes(b -> b.bucket(bucket).key("o").responseContentType("application/x-override")
                .responseContentDisposition("attachment; filename=\"o.bin\"").responseCacheControl("no-cache")
                .responseContentLanguage("fr")).response();
        assertThat(r.contentType()).isEqualTo("application/x-override");
        assertThat(r.contentDisposition()).isEqualTo("attachment; filename=\"o.bin\"");
        assertThat(r.cacheControl()).isEqualTo("no-cache");
        assertThat(r.contentLanguage()).isEqualTo("fr");
        HeadObjectResponse stored = s3.headObject(b -> b.bucket(bucket).key("o"));
        assertThat(stored.contentType()).isEqualTo("text/plain");
        assertThat(stored.contentDisposition()).isNull();
    }
}
