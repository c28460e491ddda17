package dev.arca.it;

import static dev.arca.it.RawS3.assertSdkError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.it.ExpectedChecksums.Alg;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListPartsResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/** Multipart uploads through the AWS SDK v2: large parallel uploads, copies, listings, errors, checksums. */
class MultipartTest {
    private static final int MIB = 1024 * 1024;

    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static S3Client s3;
    static S3Client vhost;
    static long seed;

    @BeforeAll
    static void start() {
        seed = Long.getLong("arca.test.seed", System.nanoTime());
        System.out.println("MultipartTest seed: " + seed + " (rerun with -Darca.test.seed=" + seed + ")");
        server = ArcaTestServer.start(dir);
        s3 = Clients.pathStyle(server);
        vhost = Clients.virtualHost(server);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
            vhost.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A request body over a slice of {@code data}, without copying it (the SDK may re-open it to retry). */
    private static RequestBody slice(byte[] data, int off, int len) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(data, off, len), len,
                "application/octet-stream");
    }

    private static String createBucket(String name) {
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    private static String upload(String bucket, String key) {
        return s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    }

    private static String uploadPart(S3Client client, String bucket, String key, String uploadId, int partNumber,
            byte[] data) {
        return client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                RequestBody.fromBytes(data)).eTag();
    }

    private static CompletedPart part(int number, String etag) {
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    private static CompleteMultipartUploadResponse complete(S3Client client, String bucket, String key, String uploadId,
            List<CompletedPart> parts) {
        return client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    private static String quoted(String hexMd5) {
        return "\"" + hexMd5 + "\"";
    }

    // ------------------------------------------------------------------ large object

    @Test
    void largeObjectUploadedWithParallelPartsReadsBackWholeByPartAndByRange() throws Exception {
        String bucket = createBucket("mp-large");
        String key = "shards/train-000.bin";
        int partSize = 8 * MIB;
        int parts = 13;
        Random random = new Random(seed);
        // One copy of the expected bytes; parts are sent as slices of it.
        byte[] data = randomBytes(random, parts * partSize);
        String uploadId = upload(bucket, key);

        List<String> etags;
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = parts; i >= 1; i--) { // submitted in reverse: arrival order must not matter
                int number = i;
                futures.add(pool.submit(() -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(number).contentLength((long) partSize),
                        slice(data, (number - 1) * partSize, partSize)).eTag()));
            }
            String[] byNumber = new String[parts];
            for (int i = 0; i < parts; i++) {
                byNumber[parts - 1 - i] = futures.get(i).get();
            }
            etags = List.of(byNumber);
        }
        List<byte[]> partMd5s = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            byte[] md5 = ExpectedChecksums.md5(data, i * partSize, partSize);
            partMd5s.add(md5);
            assertThat(etags.get(i)).as("ETag of part %d", i + 1)
                    .isEqualTo(quoted(java.util.HexFormat.of().formatHex(md5)));
        }

        // ListParts pages of 5: 1-5, 6-10, 11-13.
        List<Part> listed = new ArrayList<>();
        Integer marker = null;
        int pages = 0;
        while (true) {
            Integer m = marker;
            ListPartsResponse page = vhost.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId).maxParts(5)
                    .partNumberMarker(m));
            pages++;
            assertThat(page.maxParts()).isEqualTo(5);
            assertThat(page.parts()).hasSizeLessThanOrEqualTo(5);
            listed.addAll(page.parts());
            if (!page.isTruncated()) {
                break;
            }
            assertThat(page.nextPartNumberMarker()).isEqualTo(page.parts().getLast().partNumber());
            marker = page.nextPartNumberMarker();
        }
        assertThat(pages).isEqualTo(3);
        assertThat(listed).extracting(Part::partNumber).containsExactlyElementsOf(IntStream.rangeClosed(1, parts).boxed().toList());
        assertThat(listed).extracting(Part::size).containsOnly((long) partSize);
        assertThat(listed).extracting(Part::eTag).containsExactlyElementsOf(etags);

        List<CompletedPart> completed = IntStream.rangeClosed(1, parts).mapToObj(n -> part(n, etags.get(n - 1))).toList();
        CompleteMultipartUploadResponse done = complete(s3, bucket, key, uploadId, completed);
        String expectedEtag = ExpectedChecksums.multipartEtag(partMd5s);
        assertThat(expectedEtag).endsWith("-13\"");
        assertThat(done.eTag()).isEqualTo(expectedEtag);
        assertThat(done.bucket()).isEqualTo(bucket);
        assertThat(done.key()).isEqualTo(key);

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key));
        assertThat(head.contentLength()).isEqualTo(data.length);
        assertThat(head.eTag()).isEqualTo(expectedEtag);
        // The upload is gone once completed.
        assertSdkError(() -> s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)), 404, "NoSuchUpload");

        // Whole object, streamed and compared piece by piece.
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            assertThat(in.response().eTag()).isEqualTo(expectedEtag);
            assertThat(in.response().contentLength()).isEqualTo(data.length);
            assertSameBytes(in, data, 0, data.length);
        }

        // Random ranges, a third of them straddling a part boundary; both addressing styles.
        for (int i = 0; i < 36; i++) {
            long first;
            long last;
            switch (i % 3) {
                case 0 -> {
                    long boundary = (long) (1 + random.nextInt(parts - 1)) * partSize;
                    first = boundary - 1 - random.nextInt(MIB);
                    last = boundary + random.nextInt(MIB);
                }
                case 1 -> {
                    first = random.nextInt(data.length);
                    last = Math.min(data.length - 1L, first + random.nextInt(3 * MIB));
                }
                default -> {
                    first = random.nextInt(data.length);
                    last = first + random.nextInt(64);
                }
            }
            String range = "bytes=" + first + "-" + last;
            S3Client client = i % 2 == 0 ? s3 : vhost;
            ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(b -> b.bucket(bucket).key(key).range(range));
            assertThat(got.response().contentRange()).as(range).isEqualTo("bytes " + first + "-" + last + "/" + data.length);
            assertThat(got.response().contentLength()).as(range).isEqualTo(last - first + 1);
            assertThat(got.response().eTag()).isEqualTo(expectedEtag);
            assertThat(Arrays.equals(got.asByteArrayUnsafe(), 0, got.asByteArrayUnsafe().length,
                    data, (int) first, (int) last + 1)).as("bytes of %s", range).isTrue();
        }
        // Suffix and open-ended ranges.
        ResponseBytes<GetObjectResponse> suffix = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=-1000"));
        assertThat(suffix.asByteArray()).isEqualTo(Arrays.copyOfRange(data, data.length - 1000, data.length));
        assertThat(suffix.response().contentRange()).isEqualTo("bytes " + (data.length - 1000) + "-" + (data.length - 1) + "/" + data.length);
        long from = 12L * partSize - 5;
        ResponseBytes<GetObjectResponse> tail = vhost.getObjectAsBytes(b -> b.bucket(bucket).key(key).range("bytes=" + from + "-"));
        assertThat(tail.asByteArray()).isEqualTo(Arrays.copyOfRange(data, (int) from, data.length));

        // GetObject / HeadObject by part number: exactly that part, as a 206 with its Content-Range.
        for (int number : new int[] {1, 7, 13}) {
            ResponseBytes<GetObjectResponse> p = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).partNumber(number));
            long start = (long) (number - 1) * partSize;
            assertThat(p.response().sdkHttpResponse().statusCode()).isEqualTo(206);
            assertThat(p.response().partsCount()).isEqualTo(parts);
            assertThat(p.response().contentLength()).isEqualTo(partSize);
            assertThat(p.response().contentRange()).isEqualTo("bytes " + start + "-" + (start + partSize - 1) + "/" + data.length);
            assertThat(p.response().eTag()).isEqualTo(expectedEtag);
            assertThat(Arrays.equals(p.asByteArrayUnsafe(), 0, partSize, data, (int) start, (int) start + partSize))
                    .as("bytes of part %d", number).isTrue();
        }
        HeadObjectResponse headPart = vhost.headObject(b -> b.bucket(bucket).key(key).partNumber(2));
        assertThat(headPart.contentLength()).isEqualTo(partSize);
        assertThat(headPart.partsCount()).isEqualTo(parts);
        assertThat(headPart.contentRange()).isEqualTo("bytes " + partSize + "-" + (2L * partSize - 1) + "/" + data.length);
        assertSdkError(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).partNumber(parts + 1)), 416,
                "InvalidPartNumber");
        assertSdkError(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).partNumber(1).range("bytes=0-9")), 400,
                "InvalidRequest");
    }

    private static void assertSameBytes(InputStream in, byte[] expected, int off, int len) throws IOException {
        byte[] buf = new byte[MIB];
        int pos = off;
        int n;
        while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
            assertThat(pos + n).as("body longer than expected").isLessThanOrEqualTo(off + len);
            int mismatch = Arrays.mismatch(buf, 0, n, expected, pos, pos + n);
            assertThat(mismatch).as("first differing byte after offset %d", pos).isEqualTo(-1);
            pos += n;
        }
        assertThat(pos).as("body length").isEqualTo(off + len);
    }

    // ------------------------------------------------------------------ UploadPartCopy

    @Test
    void uploadPartCopyWithAndWithoutRangeAssemblesTheCopiedBytes() {
        String bucket = createBucket("mp-copy");
        Random random = new Random(seed + 1);
        byte[] source = randomBytes(random, 7 * MIB + 4321);
        vhost.putObject(b -> b.bucket(bucket).key("src/object"), RequestBody.fromBytes(source));
        String key = "assembled";
        String uploadId = vhost.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();

        int first = 1000;
        int last = first + 5 * MIB; // 5 MiB + 1 bytes
        String p1 = vhost.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src/object").destinationBucket(bucket)
                .destinationKey(key).uploadId(uploadId).partNumber(1).copySourceRange("bytes=" + first + "-" + last))
                .copyPartResult().eTag();
        String p2 = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src/object").destinationBucket(bucket)
                .destinationKey(key).uploadId(uploadId).partNumber(2)).copyPartResult().eTag();
        byte[] own = randomBytes(random, 5 * MIB);
        String p3 = uploadPart(vhost, bucket, key, uploadId, 3, own);
        String p4 = vhost.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src/object").destinationBucket(bucket)
                .destinationKey(key).uploadId(uploadId).partNumber(4).copySourceRange("bytes=0-99"))
                .copyPartResult().eTag();

        byte[] range1 = Arrays.copyOfRange(source, first, last + 1);
        byte[] range4 = Arrays.copyOfRange(source, 0, 100);
        assertThat(p1).isEqualTo(quoted(ExpectedChecksums.md5Hex(range1)));
        assertThat(p2).isEqualTo(quoted(ExpectedChecksums.md5Hex(source)));
        assertThat(p3).isEqualTo(quoted(ExpectedChecksums.md5Hex(own)));
        assertThat(p4).isEqualTo(quoted(ExpectedChecksums.md5Hex(range4)));

        CompleteMultipartUploadResponse done = complete(vhost, bucket, key, uploadId,
                List.of(part(1, p1), part(2, p2), part(3, p3), part(4, p4)));
        List<byte[]> md5s = List.of(range1, source, own, range4).stream()
                .map(b -> ExpectedChecksums.md5(b, 0, b.length)).toList();
        assertThat(done.eTag()).isEqualTo(ExpectedChecksums.multipartEtag(md5s));

        byte[] expected = concat(range1, source, own, range4);
        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArrayUnsafe();
        assertThat(got.length).isEqualTo(expected.length);
        assertThat(Arrays.mismatch(got, expected)).as("first differing byte").isEqualTo(-1);
        // The source is untouched.
        assertThat(s3.headObject(b -> b.bucket(bucket).key("src/object")).eTag())
                .isEqualTo(quoted(ExpectedChecksums.md5Hex(source)));
    }

    private static byte[] concat(byte[]... arrays) {
        int total = Arrays.stream(arrays).mapToInt(a -> a.length).sum();
        byte[] out = new byte[total];
        int pos = 0;
        for (byte[] a : arrays) {
            System.arraycopy(a, 0, out, pos, a.length);
            pos += a.length;
        }
        return out;
    }

    // ------------------------------------------------------------------ ListMultipartUploads

    @Test
    void listMultipartUploadsFiltersByPrefixAndDelimiterAndPagesWithMarkers() throws InterruptedException {
        String bucket = createBucket("mp-list");
        List<String> keys = List.of("videos/v.mp4", "photos/2024/b.jpg", "readme", "photos/2025/c.jpg", "photos/2024/a.jpg");
        List<String[]> expected = new ArrayList<>(); // {key, uploadId} in S3 listing order
        for (String k : keys) {
            expected.add(new String[] {k, upload(bucket, k)});
        }
        List<String> dupIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            dupIds.add(upload(bucket, "dup"));
            Thread.sleep(3); // distinct initiation times
        }
        dupIds.forEach(id -> expected.add(new String[] {"dup", id}));
        // Ordered by key, then (same key) by initiation time: the stable sort keeps creation order for "dup".
        expected.sort(java.util.Comparator.comparing(e -> e[0]));

        ListMultipartUploadsResponse all = s3.listMultipartUploads(b -> b.bucket(bucket));
        assertThat(all.isTruncated()).isFalse();
        assertThat(all.uploads()).extracting(MultipartUpload::key).containsExactlyElementsOf(expected.stream().map(e -> e[0]).toList());
        assertThat(all.uploads()).extracting(MultipartUpload::uploadId).containsExactlyElementsOf(expected.stream().map(e -> e[1]).toList());
        List<MultipartUpload> dups = all.uploads().stream().filter(u -> u.key().equals("dup")).toList();
        assertThat(dups.get(0).initiated()).isBeforeOrEqualTo(dups.get(1).initiated());
        assertThat(dups.get(1).initiated()).isBeforeOrEqualTo(dups.get(2).initiated());

        ListMultipartUploadsResponse photos = vhost.listMultipartUploads(b -> b.bucket(bucket).prefix("photos/").delimiter("/"));
        assertThat(photos.uploads()).isEmpty();
        assertThat(photos.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("photos/2024/", "photos/2025/");
        ListMultipartUploadsResponse y2024 = s3.listMultipartUploads(b -> b.bucket(bucket).prefix("photos/2024/"));
        assertThat(y2024.uploads()).extracting(MultipartUpload::key).containsExactly("photos/2024/a.jpg", "photos/2024/b.jpg");
        ListMultipartUploadsResponse top = s3.listMultipartUploads(b -> b.bucket(bucket).delimiter("/"));
        assertThat(top.uploads()).extracting(MultipartUpload::key).containsExactly("dup", "dup", "dup", "readme");
        assertThat(top.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("photos/", "videos/");

        // Pages of 2 following NextKeyMarker / NextUploadIdMarker give the same sequence.
        List<String> paged = new ArrayList<>();
        String keyMarker = null;
        String idMarker = null;
        int pages = 0;
        while (true) {
            String km = keyMarker;
            String im = idMarker;
            ListMultipartUploadsResponse page = vhost.listMultipartUploads(b -> b.bucket(bucket).maxUploads(2)
                    .keyMarker(km).uploadIdMarker(im));
            pages++;
            assertThat(page.uploads()).hasSizeLessThanOrEqualTo(2);
            page.uploads().forEach(u -> paged.add(u.uploadId()));
            if (!page.isTruncated()) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
            assertThat(keyMarker).isEqualTo(page.uploads().getLast().key());
            assertThat(idMarker).isEqualTo(page.uploads().getLast().uploadId());
        }
        assertThat(pages).isEqualTo(4);
        assertThat(paged).containsExactlyElementsOf(expected.stream().map(e -> e[1]).toList());

        // key-marker with upload-id-marker resumes inside one key; key-marker alone skips that key.
        ListMultipartUploadsResponse inside = s3.listMultipartUploads(b -> b.bucket(bucket).keyMarker("dup")
                .uploadIdMarker(dupIds.getFirst()).maxUploads(2));
        assertThat(inside.uploads()).extracting(MultipartUpload::uploadId).containsExactly(dupIds.get(1), dupIds.get(2));
        assertThat(inside.isTruncated()).isTrue();
        ListMultipartUploadsResponse after = s3.listMultipartUploads(b -> b.bucket(bucket).keyMarker("dup").maxUploads(1));
        assertThat(after.uploads()).extracting(MultipartUpload::key).containsExactly("photos/2024/a.jpg");
    }

    // ------------------------------------------------------------------ abort and errors

    @Test
    void abortedUploadAcceptsNoMorePartsAndCannotComplete() {
        String bucket = createBucket("mp-abort");
        String key = "doomed";
        String uploadId = upload(bucket, key);
        String etag = uploadPart(s3, bucket, key, uploadId, 1, new byte[1024]);
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));

        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        assertSdkError(() -> uploadPart(s3, bucket, key, uploadId, 2, new byte[10]), 404, "NoSuchUpload");
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(1, etag))), 404, "NoSuchUpload");
        assertSdkError(() -> s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)), 404, "NoSuchUpload");
        assertSdkError(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)), 404, "NoSuchUpload");
        assertSdkError(() -> s3.headObject(b -> b.bucket(bucket).key(key)), 404, "NoSuchKey");
    }

    @Test
    void completeRejectsMisorderedUnknownAndUndersizedPartsAndUnknownUploads() {
        String bucket = createBucket("mp-complete-errors");
        String key = "object";
        Random random = new Random(seed + 2);
        String uploadId = upload(bucket, key);
        byte[] d1 = randomBytes(random, 5 * MIB);
        byte[] d2 = randomBytes(random, MIB);
        byte[] d3 = randomBytes(random, 1000);
        String e1 = uploadPart(s3, bucket, key, uploadId, 1, d1);
        String e2 = uploadPart(s3, bucket, key, uploadId, 2, d2);
        String e3 = uploadPart(s3, bucket, key, uploadId, 3, d3);

        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(2, e2), part(1, e1))), 400, "InvalidPartOrder");
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(1, e1), part(1, e1))), 400, "InvalidPartOrder");
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(1, e2), part(2, e2))), 400, "InvalidPart");
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(1, e1), part(4, e3))), 400, "InvalidPart");
        // Part 2 (1 MiB) is not the last part: below the 5 MiB minimum.
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(part(1, e1), part(2, e2), part(3, e3))), 400,
                "EntityTooSmall");
        assertSdkError(() -> complete(s3, bucket, key, "no-such-upload-id", List.of(part(1, e1))), 404, "NoSuchUpload");
        assertSdkError(() -> s3.headObject(b -> b.bucket(bucket).key(key)), 404, "NoSuchKey");

        // The failed attempts left the upload intact; a valid list (small last part) completes.
        assertThat(s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts()).hasSize(3);
        CompleteMultipartUploadResponse done = complete(s3, bucket, key, uploadId, List.of(part(1, e1), part(3, e3)));
        assertThat(done.eTag()).isEqualTo(ExpectedChecksums.multipartEtag(
                List.of(ExpectedChecksums.md5(d1, 0, d1.length), ExpectedChecksums.md5(d3, 0, d3.length))));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(concat(d1, d3));
    }

    @Test
    void reuploadingAPartReplacesIt() {
        String bucket = createBucket("mp-replace");
        String key = "k";
        Random random = new Random(seed + 3);
        byte[] a = randomBytes(random, 3000);
        byte[] b2 = randomBytes(random, 2000);
        String uploadId = upload(bucket, key);
        String ea = uploadPart(vhost, bucket, key, uploadId, 1, a);
        String eb = uploadPart(vhost, bucket, key, uploadId, 1, b2);
        assertThat(ea).isNotEqualTo(eb);

        List<Part> parts = vhost.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts();
        assertThat(parts).hasSize(1);
        assertThat(parts.getFirst().eTag()).isEqualTo(eb);
        assertThat(parts.getFirst().size()).isEqualTo(b2.length);
        assertSdkError(() -> complete(vhost, bucket, key, uploadId, List.of(part(1, ea))), 400, "InvalidPart");
        complete(vhost, bucket, key, uploadId, List.of(part(1, eb)));
        assertThat(vhost.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(b2);
    }

    @Test
    void partNumbersOutsideOneToTenThousandAreInvalidArguments() {
        String bucket = createBucket("mp-part-numbers");
        String key = "k";
        String uploadId = upload(bucket, key);
        assertSdkError(() -> uploadPart(s3, bucket, key, uploadId, 0, new byte[10]), 400, "InvalidArgument");
        assertSdkError(() -> uploadPart(s3, bucket, key, uploadId, 10_001, new byte[10]), 400, "InvalidArgument");
        assertSdkError(() -> uploadPart(s3, bucket, key, uploadId, -1, new byte[10]), 400, "InvalidArgument");
        String etag = uploadPart(s3, bucket, key, uploadId, 10_000, new byte[10]);
        assertThat(s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts())
                .extracting(Part::partNumber).containsExactly(10_000);
        complete(s3, bucket, key, uploadId, List.of(part(10_000, etag)));
        assertThat(s3.headObject(b -> b.bucket(bucket).key(key)).contentLength()).isEqualTo(10);
    }

    @Test
    void uploadIdsBelongToTheirKeyAndPartDigestsAreVerified() {
        String bucket = createBucket("mp-misc");
        String uploadId = upload(bucket, "a");
        // An upload id is bound to its key.
        assertSdkError(() -> uploadPart(s3, bucket, "b", uploadId, 1, new byte[10]), 404, "NoSuchUpload");
        assertSdkError(() -> s3.listParts(b -> b.bucket(bucket).key("b").uploadId(uploadId)), 404, "NoSuchUpload");
        assertSdkError(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key("b").uploadId(uploadId)), 404, "NoSuchUpload");

        // A part whose Content-MD5 does not match is refused and not recorded.
        byte[] d = new byte[4096];
        new Random(seed + 5).nextBytes(d);
        byte[] other = Arrays.copyOf(d, d.length);
        other[0] ^= 1;
        assertSdkError(() -> s3.uploadPart(b -> b.bucket(bucket).key("a").uploadId(uploadId).partNumber(1)
                .contentMD5(ExpectedChecksums.md5Base64(other)), RequestBody.fromBytes(d)), 400, "BadDigest");
        assertSdkError(() -> s3.uploadPart(b -> b.bucket(bucket).key("a").uploadId(uploadId).partNumber(1)
                .checksumSHA256(ExpectedChecksums.base64(Alg.SHA256, other)), RequestBody.fromBytes(d)), 400, "BadDigest");
        assertThat(s3.listParts(b -> b.bucket(bucket).key("a").uploadId(uploadId)).parts()).isEmpty();

        // Complete accepts ETags with or without quotes.
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("a").uploadId(uploadId).partNumber(1)
                .contentMD5(ExpectedChecksums.md5Base64(d)), RequestBody.fromBytes(d)).eTag();
        complete(s3, bucket, "a", uploadId, List.of(part(1, etag.replace("\"", ""))));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("a")).asByteArray()).isEqualTo(d);
    }

    // ------------------------------------------------------------------ checksums

    private static ChecksumAlgorithm sdk(Alg alg) {
        return switch (alg) {
            case CRC32 -> ChecksumAlgorithm.CRC32;
            case CRC32C -> ChecksumAlgorithm.CRC32_C;
            case CRC64NVME -> ChecksumAlgorithm.CRC64_NVME;
            case SHA1 -> ChecksumAlgorithm.SHA1;
            case SHA256 -> ChecksumAlgorithm.SHA256;
        };
    }

    private static CompletedPart completedPart(int number, String etag, Alg alg, String checksum) {
        CompletedPart.Builder b = CompletedPart.builder().partNumber(number).eTag(etag);
        switch (alg) {
            case CRC32 -> b.checksumCRC32(checksum);
            case CRC32C -> b.checksumCRC32C(checksum);
            case CRC64NVME -> b.checksumCRC64NVME(checksum);
            case SHA1 -> b.checksumSHA1(checksum);
            case SHA256 -> b.checksumSHA256(checksum);
        }
        return b.build();
    }

    /**
     * A multipart upload with an additional checksum: parts carry their checksums, Complete lists them,
     * and the object reports the COMPOSITE ("base64-N") or FULL_OBJECT (whole-object CRC) value.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"CRC32, COMPOSITE", "CRC32C, COMPOSITE", "SHA1, COMPOSITE", "SHA256, COMPOSITE",
            "CRC64NVME, FULL_OBJECT", "CRC32, FULL_OBJECT", "CRC32C, FULL_OBJECT"})
    void additionalChecksumsCoverPartsAndTheCompletedObject(Alg alg, ChecksumType type) {
        String bucket = "mp-ck-" + alg.name().toLowerCase(java.util.Locale.ROOT) + "-"
                + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        createBucket(bucket);
        String key = "ck/object";
        Random random = new Random(seed + 10 + alg.ordinal() * 2L + type.ordinal());
        int[] sizes = {5 * MIB, 5 * MIB + 17, 12_345};
        byte[] data = randomBytes(random, Arrays.stream(sizes).sum());

        // CRC64NVME is the default FULL_OBJECT algorithm; the others state their type.
        boolean statesType = alg != Alg.CRC64NVME;
        CreateMultipartUploadResponse created = s3.createMultipartUpload(b -> {
            b.bucket(bucket).key(key).checksumAlgorithm(sdk(alg));
            if (statesType) {
                b.checksumType(type);
            }
        });
        assertThat(created.checksumAlgorithm()).isEqualTo(sdk(alg));
        assertThat(created.checksumType()).isEqualTo(type);
        String uploadId = created.uploadId();

        List<CompletedPart> parts = new ArrayList<>();
        List<byte[]> partDigests = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < sizes.length; i++) {
            int number = i + 1;
            int len = sizes[i];
            byte[] digest = ExpectedChecksums.digest(alg, data, off, len);
            String value = ExpectedChecksums.b64(digest);
            UploadPartRequest.Builder req = UploadPartRequest.builder().bucket(bucket).key(key).uploadId(uploadId)
                    .partNumber(number);
            if (alg == Alg.CRC64NVME) {
                // The SDK computes CRC64NVME only with the aws-crt library: send the value we computed.
                req.checksumCRC64NVME(value);
            } else {
                req.checksumAlgorithm(sdk(alg)); // computed by the SDK, sent as a trailer
            }
            UploadPartResponse r = (number == 2 ? vhost : s3).uploadPart(req.build(), slice(data, off, len));
            assertThat(ExpectedChecksums.checksumOf(r, alg)).as("part %d checksum", number).isEqualTo(value);
            parts.add(completedPart(number, r.eTag(), alg, value));
            partDigests.add(digest);
            off += len;
        }
        List<Part> listed = s3.listParts(b -> b.bucket(bucket).key(key).uploadId(uploadId)).parts();
        assertThat(listed).extracting(p -> ExpectedChecksums.checksumOf(p, alg))
                .containsExactlyElementsOf(partDigests.stream().map(ExpectedChecksums::b64).toList());

        String expected = type == ChecksumType.COMPOSITE
                ? ExpectedChecksums.composite(alg, partDigests)
                : ExpectedChecksums.base64(alg, data); // whole-object CRC, computed directly
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> {
            b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts));
            if (type == ChecksumType.FULL_OBJECT) {
                b.checksumType(type);
            }
        });
        assertThat(ExpectedChecksums.checksumOf(done, alg)).isEqualTo(expected);
        assertThat(done.checksumType()).isEqualTo(type);
        if (type == ChecksumType.COMPOSITE) {
            assertThat(expected).endsWith("-3");
        }

        HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
        assertThat(ExpectedChecksums.checksumOf(head, alg)).isEqualTo(expected);
        assertThat(head.checksumType()).isEqualTo(type);
        // GET validates a FULL_OBJECT CRC against the body in the SDK as well.
        ResponseBytes<GetObjectResponse> got = vhost.getObjectAsBytes(b -> b.bucket(bucket).key(key)
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(ExpectedChecksums.checksumOf(got.response(), alg)).isEqualTo(expected);
        assertThat(got.response().checksumType()).isEqualTo(type);
        assertThat(Arrays.mismatch(got.asByteArrayUnsafe(), data)).isEqualTo(-1);
        if (type == ChecksumType.COMPOSITE) {
            // A part read back carries that part's own checksum (which the SDK checks against the body).
            ResponseBytes<GetObjectResponse> p2 = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key).partNumber(2)
                    .checksumMode(ChecksumMode.ENABLED));
            assertThat(ExpectedChecksums.checksumOf(p2.response(), alg)).isEqualTo(ExpectedChecksums.b64(partDigests.get(1)));
            assertThat(Arrays.equals(p2.asByteArrayUnsafe(), 0, sizes[1], data, sizes[0], sizes[0] + sizes[1])).isTrue();
        }
        assertThat(got.response().eTag()).isEqualTo(ExpectedChecksums.multipartEtag(List.of(
                ExpectedChecksums.md5(data, 0, sizes[0]), ExpectedChecksums.md5(data, sizes[0], sizes[1]),
                ExpectedChecksums.md5(data, sizes[0] + sizes[1], sizes[2]))));
    }

    @Test
    void checksumTypeAndAlgorithmMismatchesAreInvalidRequests() {
        String bucket = createBucket("mp-ck-invalid");
        // FULL_OBJECT needs a CRC; CRC64NVME cannot be COMPOSITE.
        assertSdkError(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(ChecksumAlgorithm.SHA256)
                .checksumType(ChecksumType.FULL_OBJECT)), 400, "InvalidRequest");
        assertSdkError(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME)
                .checksumType(ChecksumType.COMPOSITE)), 400, "InvalidRequest");
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();

        // A part must carry the upload's algorithm, not another one.
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32_C))
                .uploadId();
        assertSdkError(() -> s3.uploadPart(b -> b.bucket(bucket).key("k").uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromString("data")), 400, "InvalidRequest");
        assertThat(s3.listParts(b -> b.bucket(bucket).key("k").uploadId(uploadId)).parts()).isEmpty();

        // A FULL_OBJECT upload completed with a whole-object value that does not match: BadDigest.
        byte[] d = new byte[1000];
        new Random(seed + 6).nextBytes(d);
        String fullId = s3.createMultipartUpload(b -> b.bucket(bucket).key("full").checksumAlgorithm(ChecksumAlgorithm.CRC32)
                .checksumType(ChecksumType.FULL_OBJECT)).uploadId();
        String etag = s3.uploadPart(b -> b.bucket(bucket).key("full").uploadId(fullId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(d)).eTag();
        String wrong = ExpectedChecksums.base64(Alg.CRC32, Arrays.copyOf(d, 999));
        assertSdkError(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("full").uploadId(fullId)
                .checksumType(ChecksumType.FULL_OBJECT).checksumCRC32(wrong)
                .multipartUpload(m -> m.parts(part(1, etag)))), 400, "BadDigest");
        assertSdkError(() -> s3.headObject(b -> b.bucket(bucket).key("full")), 404, "NoSuchKey");
        String right = ExpectedChecksums.base64(Alg.CRC32, d);
        CompleteMultipartUploadResponse done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("full").uploadId(fullId)
                .checksumType(ChecksumType.FULL_OBJECT).checksumCRC32(right).multipartUpload(m -> m.parts(part(1, etag))));
        assertThat(done.checksumCRC32()).isEqualTo(right);
    }

    @Test
    void completeRejectsAPartChecksumThatDoesNotMatchTheUploadedPart() {
        String bucket = createBucket("mp-ck-wrong");
        String key = "k";
        Random random = new Random(seed + 4);
        byte[] d1 = randomBytes(random, 5 * MIB);
        byte[] d2 = randomBytes(random, 100);
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256))
                .uploadId();
        String e1 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(1)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(d1)).eTag();
        String e2 = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(2)
                .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(d2)).eTag();
        String wrong = ExpectedChecksums.base64(Alg.SHA256, d2); // part 2's value given for part 1
        assertSdkError(() -> complete(s3, bucket, key, uploadId, List.of(
                completedPart(1, e1, Alg.SHA256, wrong),
                completedPart(2, e2, Alg.SHA256, ExpectedChecksums.base64(Alg.SHA256, d2)))), 400, "InvalidPart");
        assertSdkError(() -> s3.headObject(b -> b.bucket(bucket).key(key)), 404, "NoSuchKey");
    }
}
