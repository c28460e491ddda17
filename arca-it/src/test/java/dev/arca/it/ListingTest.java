package dev.arca.it;

import static dev.arca.it.S3Assert.assertS3Error;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * ListObjectsV2 and ListObjects (v1) with the real SDK, in both addressing styles, over one
 * read-only bucket per style holding a few hundred keys (unicode and URL-hostile ones included).
 */
class ListingTest {
    /** S3 lists keys in the order of their UTF-8 bytes (which differs from Java's UTF-16 String order). */
    static final Comparator<String> UTF8_ORDER =
            (x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));

    static final List<String> FIXED_KEYS = List.of(
            "a", "b", "z",
            "dir/a", "dir/b", "dir/sub1/x", "dir/sub1/y", "dir/sub2/z", "dir/sub2/deeper/w",
            // U+FF21 sorts before U+1F600 in UTF-8 but after it in UTF-16.
            "uni/é", "uni/ü", "uni/Ａ", "uni/😀", "uni/中文", "uni/Z", "uni/z", "uni/~", "uni/ﬀ", "uni/𝄞",
            "enc/with space", "enc/plus+sign", "enc/per%cent", "enc/amp&and", "enc/<lt>&gt;", "enc/ünï",
            "enc/emoji 😀 x", "enc/q?mark#hash", "enc/tab\tkey", "enc/slash/inside");

    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static final Map<Addressing, S3Client> clients = new EnumMap<>(Addressing.class);
    /** Every key in each style's listing bucket, in S3 order. */
    static List<String> allKeys;

    @BeforeAll
    static void start() throws Exception {
        long seed = S3Assert.seed(ListingTest.class);
        server = ArcaTestServer.start(dir);
        List<String> keys = new ArrayList<>(FIXED_KEYS);
        for (int i = 0; i < 150; i++) {
            keys.add(String.format("flat/%03d", i));
        }
        // Random keys over an alphabet of 1-, 2-, 3- and 4-byte UTF-8 characters.
        Random random = new Random(seed);
        String[] alphabet = {"a", "B", "0", "-", "_", ".", " ", "+", "é", "ß", "Ж", "中", "Ａ", "😀", "𝄞", "/"};
        Set<String> seen = new HashSet<>(keys);
        while (keys.size() < 330) {
            StringBuilder k = new StringBuilder("rnd/");
            for (int n = 1 + random.nextInt(8); n > 0; n--) {
                k.append(alphabet[random.nextInt(alphabet.length)]);
            }
            if (seen.add(k.toString())) {
                keys.add(k.toString());
            }
        }
        keys.sort(UTF8_ORDER);
        allKeys = List.copyOf(keys);

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (Addressing a : Addressing.values()) {
                S3Client s3 = a.newClient(server);
                clients.put(a, s3);
                String bucket = a.bucket("listing");
                s3.createBucket(b -> b.bucket(bucket));
                for (String key : allKeys) {
                    puts.add(pool.submit(() -> s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key))));
                }
            }
            for (Future<?> f : puts) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    @AfterAll
    static void stop() {
        clients.values().forEach(S3Client::close);
        server.close();
    }

    static List<String> keys(List<S3Object> objects) {
        return objects.stream().map(S3Object::key).toList();
    }

    static List<String> prefixes(List<CommonPrefix> prefixes) {
        return prefixes.stream().map(CommonPrefix::prefix).toList();
    }

    // ---------------------------------------------------------------- ListObjectsV2

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2PagingVisitsEveryKeyExactlyOnceInUtf8Order(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        while (true) {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(37).continuationToken(t));
            pages++;
            assertThat(page.name()).isEqualTo(bucket);
            assertThat(page.maxKeys()).isEqualTo(37);
            assertThat(page.continuationToken()).isEqualTo(t);
            assertThat(page.keyCount()).isEqualTo(page.contents().size());
            seen.addAll(keys(page.contents()));
            if (!page.isTruncated()) {
                assertThat(page.nextContinuationToken()).isNull();
                break;
            }
            assertThat(page.contents()).hasSize(37);
            assertThat(page.nextContinuationToken()).isNotBlank();
            token = page.nextContinuationToken();
        }
        assertThat(seen).containsExactlyElementsOf(allKeys);
        assertThat(pages).isEqualTo((allKeys.size() + 36) / 37);

        // One call with the default max-keys (1000) returns everything.
        ListObjectsV2Response whole = s3.listObjectsV2(b -> b.bucket(bucket));
        assertThat(keys(whole.contents())).containsExactlyElementsOf(allKeys);
        assertThat(whole.keyCount()).isEqualTo(allKeys.size());
        assertThat(whole.isTruncated()).isFalse();
        assertThat(whole.contents()).allSatisfy(o -> {
            assertThat(o.size()).isEqualTo(o.key().getBytes(StandardCharsets.UTF_8).length);
            assertThat(o.eTag()).matches("\"[0-9a-f]{32}\"");
            assertThat(o.lastModified()).isNotNull();
            assertThat(o.storageClassAsString()).isEqualTo("STANDARD");
        });
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void unicodeKeysSortByUtf8BytesNotUtf16(Addressing a) {
        S3Client s3 = clients.get(a);
        List<String> uni = keys(s3.listObjectsV2(b -> b.bucket(a.bucket("listing")).prefix("uni/")).contents());
        assertThat(uni).containsExactly("uni/Z", "uni/z", "uni/~", "uni/é", "uni/ü", "uni/中文", "uni/ﬀ", "uni/Ａ",
                "uni/𝄞", "uni/😀");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2PrefixAndDelimiterRollKeysUpIntoCommonPrefixes(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");

        ListObjectsV2Response top = s3.listObjectsV2(b -> b.bucket(bucket).delimiter("/"));
        assertThat(keys(top.contents())).containsExactly("a", "b", "z");
        assertThat(prefixes(top.commonPrefixes())).containsExactly("dir/", "enc/", "flat/", "rnd/", "uni/");
        assertThat(top.keyCount()).isEqualTo(8); // keys plus common prefixes
        assertThat(top.delimiter()).isEqualTo("/");

        ListObjectsV2Response dirs = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/").delimiter("/"));
        assertThat(dirs.prefix()).isEqualTo("dir/");
        assertThat(keys(dirs.contents())).containsExactly("dir/a", "dir/b");
        assertThat(prefixes(dirs.commonPrefixes())).containsExactly("dir/sub1/", "dir/sub2/");
        assertThat(dirs.keyCount()).isEqualTo(4);

        ListObjectsV2Response partial = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/s").delimiter("/"));
        assertThat(partial.contents()).isEmpty();
        assertThat(prefixes(partial.commonPrefixes())).containsExactly("dir/sub1/", "dir/sub2/");

        ListObjectsV2Response deeper = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/sub2/").delimiter("/"));
        assertThat(keys(deeper.contents())).containsExactly("dir/sub2/z");
        assertThat(prefixes(deeper.commonPrefixes())).containsExactly("dir/sub2/deeper/");

        ListObjectsV2Response noDelimiter = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/sub"));
        assertThat(keys(noDelimiter.contents())).containsExactly("dir/sub1/x", "dir/sub1/y", "dir/sub2/deeper/w", "dir/sub2/z");
        assertThat(noDelimiter.commonPrefixes()).isEmpty();

        // A delimiter is any string, not only "/".
        ListObjectsV2Response sub = s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/").delimiter("sub"));
        assertThat(keys(sub.contents())).containsExactly("dir/a", "dir/b");
        assertThat(prefixes(sub.commonPrefixes())).containsExactly("dir/sub");

        ListObjectsV2Response none = s3.listObjectsV2(b -> b.bucket(bucket).prefix("nothing/").delimiter("/"));
        assertThat(none.contents()).isEmpty();
        assertThat(none.commonPrefixes()).isEmpty();
        assertThat(none.keyCount()).isZero();
        assertThat(none.isTruncated()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2PagingWithDelimiterReturnsEachCommonPrefixOnce(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> items = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).delimiter("/").maxKeys(2).continuationToken(t));
            assertThat(page.keyCount()).isEqualTo(page.contents().size() + page.commonPrefixes().size()).isLessThanOrEqualTo(2);
            List<String> pageItems = new ArrayList<>(keys(page.contents()));
            pageItems.addAll(prefixes(page.commonPrefixes()));
            pageItems.sort(UTF8_ORDER);
            items.addAll(pageItems);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        assertThat(items).containsExactly("a", "b", "dir/", "enc/", "flat/", "rnd/", "uni/", "z");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2StartAfterStartsAfterTheGivenKey(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).startAfter("flat/099").maxKeys(5));
        assertThat(r.startAfter()).isEqualTo("flat/099");
        assertThat(keys(r.contents())).containsExactly("flat/100", "flat/101", "flat/102", "flat/103", "flat/104");
        assertThat(r.isTruncated()).isTrue();

        // A start-after that is not itself a key.
        ListObjectsV2Response between = s3.listObjectsV2(b -> b.bucket(bucket).startAfter("flat/0995").maxKeys(1));
        assertThat(keys(between.contents())).containsExactly("flat/100");

        ListObjectsV2Response all = s3.listObjectsV2(b -> b.bucket(bucket).startAfter("dir/sub2/z"));
        assertThat(keys(all.contents())).containsExactlyElementsOf(
                allKeys.subList(allKeys.indexOf("dir/sub2/z") + 1, allKeys.size()));

        // A start-after before the prefix starts at the prefix.
        ListObjectsV2Response before = s3.listObjectsV2(b -> b.bucket(bucket).prefix("uni/").startAfter("a"));
        assertThat(keys(before.contents())).containsExactlyElementsOf(
                allKeys.stream().filter(k -> k.startsWith("uni/")).toList());

        ListObjectsV2Response past = s3.listObjectsV2(b -> b.bucket(bucket).startAfter("zzz"));
        assertThat(past.contents()).isEmpty();
        assertThat(past.isTruncated()).isFalse();

        // A continuation token takes precedence over start-after.
        ListObjectsV2Response first = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(3));
        ListObjectsV2Response next = s3.listObjectsV2(b -> b.bucket(bucket).maxKeys(3).startAfter("uni/")
                .continuationToken(first.nextContinuationToken()));
        assertThat(keys(next.contents())).containsExactlyElementsOf(allKeys.subList(3, 6));
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2OwnerOnlyWithFetchOwner(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        String ownerId = s3.listBuckets().owner().id();
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/")).contents())
                .isNotEmpty().allSatisfy(o -> assertThat(o.owner()).isNull());
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/").fetchOwner(false)).contents())
                .isNotEmpty().allSatisfy(o -> assertThat(o.owner()).isNull());
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket).prefix("dir/").fetchOwner(true)).contents())
                .isNotEmpty().allSatisfy(o -> assertThat(o.owner().id()).isEqualTo(ownerId));
        // ListObjects (v1) always includes the owner.
        assertThat(s3.listObjects(b -> b.bucket(bucket).prefix("dir/")).contents())
                .isNotEmpty().allSatisfy(o -> assertThat(o.owner().id()).isEqualTo(ownerId));
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2EncodingTypeUrlRoundTripsHostileKeys(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> enc = allKeys.stream().filter(k -> k.startsWith("enc/")).toList();
        // The SDK decodes Key, Prefix, Delimiter, StartAfter and CommonPrefixes when EncodingType is url.
        ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).prefix("enc/").encodingType(EncodingType.URL));
        assertThat(r.encodingType()).isEqualTo(EncodingType.URL);
        assertThat(keys(r.contents())).containsExactlyElementsOf(enc);
        assertThat(r.prefix()).isEqualTo("enc/");

        ListObjectsV2Response d = s3.listObjectsV2(b -> b.bucket(bucket).prefix("enc/").delimiter(" ")
                .startAfter("enc/amp&and").encodingType(EncodingType.URL));
        assertThat(d.startAfter()).isEqualTo("enc/amp&and");
        assertThat(d.delimiter()).isEqualTo(" ");
        assertThat(prefixes(d.commonPrefixes())).containsExactly("enc/emoji ", "enc/with ");
        assertThat(keys(d.contents())).containsExactly("enc/per%cent", "enc/plus+sign", "enc/q?mark#hash",
                "enc/slash/inside", "enc/tab\tkey", "enc/ünï");

        // Random unicode keys too, paged, with the tokens they produce.
        List<String> rnd = allKeys.stream().filter(k -> k.startsWith("rnd/")).toList();
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = s3.listObjectsV2(b -> b.bucket(bucket).prefix("rnd/").maxKeys(50)
                    .encodingType(EncodingType.URL).continuationToken(t));
            seen.addAll(keys(page.contents()));
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        assertThat(seen).containsExactlyElementsOf(rnd);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void controlCharacterKeysListWithEncodingTypeUrl(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("ctl-keys");
        s3.createBucket(b -> b.bucket(bucket));
        // XML 1.0 cannot carry U+0001: encoding-type=url is how S3 clients list such keys.
        List<String> keys = List.of("ctl\u0001one", "ctl\u001ftwo", "del\u007f");
        for (String k : keys) {
            s3.putObject(b -> b.bucket(bucket).key(k), RequestBody.fromString("x"));
        }
        ListObjectsV2Response r = s3.listObjectsV2(b -> b.bucket(bucket).encodingType(EncodingType.URL));
        assertThat(keys(r.contents())).containsExactlyElementsOf(keys);
        ListObjectsResponse v1 = s3.listObjects(b -> b.bucket(bucket).encodingType(EncodingType.URL));
        assertThat(keys(v1.contents())).containsExactlyElementsOf(keys);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void maxKeysZeroAndEmptyBuckets(Addressing a) {
        S3Client s3 = clients.get(a);
        ListObjectsV2Response zero = s3.listObjectsV2(b -> b.bucket(a.bucket("listing")).maxKeys(0));
        assertThat(zero.contents()).isEmpty();
        assertThat(zero.keyCount()).isZero();
        assertThat(zero.maxKeys()).isZero();
        assertThat(zero.isTruncated()).isFalse();
        assertThat(zero.nextContinuationToken()).isNull();
        ListObjectsResponse zeroV1 = s3.listObjects(b -> b.bucket(a.bucket("listing")).maxKeys(0));
        assertThat(zeroV1.contents()).isEmpty();
        assertThat(zeroV1.isTruncated()).isFalse();

        String empty = a.bucket("empty");
        s3.createBucket(b -> b.bucket(empty));
        ListObjectsV2Response v2 = s3.listObjectsV2(b -> b.bucket(empty));
        assertThat(v2.name()).isEqualTo(empty);
        assertThat(v2.contents()).isEmpty();
        assertThat(v2.commonPrefixes()).isEmpty();
        assertThat(v2.keyCount()).isZero();
        assertThat(v2.isTruncated()).isFalse();
        assertThat(v2.maxKeys()).isEqualTo(1000);
        ListObjectsResponse v1 = s3.listObjects(b -> b.bucket(empty).delimiter("/"));
        assertThat(v1.contents()).isEmpty();
        assertThat(v1.isTruncated()).isFalse();
        assertThat(v1.nextMarker()).isNull();
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v2InvalidContinuationTokenIsInvalidArgument(Addressing a) {
        S3Client s3 = clients.get(a);
        assertS3Error(() -> s3.listObjectsV2(b -> b.bucket(a.bucket("listing")).continuationToken("!not a token!")),
                400, "InvalidArgument");
        assertS3Error(() -> s3.listObjectsV2(b -> b.bucket(a.bucket("no-such-listing"))), 404, "NoSuchBucket");
    }

    // ---------------------------------------------------------------- ListObjects (v1)

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v1PagingWithMarkerWithoutDelimiter(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> seen = new ArrayList<>();
        String marker = null;
        while (true) {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).maxKeys(41).marker(m));
            assertThat(page.marker()).isEqualTo(m == null ? "" : m);
            assertThat(page.maxKeys()).isEqualTo(41);
            // Without a delimiter S3 sends no NextMarker: the client continues from the last key.
            assertThat(page.nextMarker()).isNull();
            seen.addAll(keys(page.contents()));
            if (!page.isTruncated()) {
                break;
            }
            assertThat(page.contents()).hasSize(41);
            marker = page.contents().getLast().key();
        }
        assertThat(seen).containsExactlyElementsOf(allKeys);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v1PagingWithDelimiterFollowsNextMarker(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> items = new ArrayList<>();
        String marker = null;
        int pages = 0;
        while (true) {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).delimiter("/").maxKeys(3).marker(m));
            pages++;
            List<String> pageItems = new ArrayList<>(keys(page.contents()));
            pageItems.addAll(prefixes(page.commonPrefixes()));
            pageItems.sort(UTF8_ORDER);
            items.addAll(pageItems);
            if (!page.isTruncated()) {
                break;
            }
            // NextMarker is the last key or common prefix of this page.
            assertThat(page.nextMarker()).isEqualTo(pageItems.getLast());
            marker = page.nextMarker();
        }
        assertThat(items).containsExactly("a", "b", "dir/", "enc/", "flat/", "rnd/", "uni/", "z");
        assertThat(pages).isEqualTo(3);

        // Within a prefix, v1 paging over keys with a delimiter.
        List<String> flat = new ArrayList<>();
        marker = null;
        while (true) {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).prefix("flat/").delimiter("/").maxKeys(40).marker(m));
            flat.addAll(keys(page.contents()));
            if (!page.isTruncated()) {
                assertThat(page.nextMarker()).isNull();
                break;
            }
            assertThat(page.nextMarker()).isEqualTo(page.contents().getLast().key());
            marker = page.nextMarker();
        }
        assertThat(flat).containsExactlyElementsOf(allKeys.stream().filter(k -> k.startsWith("flat/")).toList());
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void v1EncodingTypeUrlDecodesMarkersAndKeys(Addressing a) {
        S3Client s3 = clients.get(a);
        String bucket = a.bucket("listing");
        List<String> enc = allKeys.stream().filter(k -> k.startsWith("enc/")).toList();
        List<String> seen = new ArrayList<>();
        String marker = null;
        while (true) {
            String m = marker;
            ListObjectsResponse page = s3.listObjects(b -> b.bucket(bucket).prefix("enc/").delimiter("#").maxKeys(4)
                    .marker(m).encodingType(EncodingType.URL));
            if (m != null) {
                assertThat(page.marker()).isEqualTo(m);
            }
            List<String> pageItems = new ArrayList<>(keys(page.contents()));
            pageItems.addAll(prefixes(page.commonPrefixes()));
            pageItems.sort(UTF8_ORDER);
            seen.addAll(pageItems);
            if (!page.isTruncated()) {
                break;
            }
            assertThat(page.nextMarker()).isEqualTo(pageItems.getLast());
            marker = page.nextMarker();
        }
        List<String> expected = enc.stream().map(k -> k.contains("#") ? k.substring(0, k.indexOf('#') + 1) : k).toList();
        assertThat(seen).containsExactlyElementsOf(expected);
    }
}
