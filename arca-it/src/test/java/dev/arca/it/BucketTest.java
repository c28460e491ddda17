package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.DeleteBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Bucket operations with the real SDK: create, head, list, location, delete, and name validation. */
class BucketTest {
    @TempDir
    static Path dir;

    static ArcaTestServer server;
    static final Map<Addressing, S3Client> clients = new EnumMap<>(Addressing.class);
    static RawS3 raw;
    /** Every bucket that exists on the server, so ListBuckets can be checked exactly. */
    static final Set<String> live = new ConcurrentSkipListSet<>();

    @BeforeAll
    static void start() {
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

    static S3Client s3(Addressing a) {
        return clients.get(a);
    }

    static S3Client s3() {
        return clients.get(Addressing.PATH);
    }

    static CreateBucketResponse create(S3Client s3, String name) {
        CreateBucketResponse r = s3.createBucket(b -> b.bucket(name));
        live.add(name);
        return r;
    }

    static void delete(S3Client s3, String name) {
        s3.deleteBucket(b -> b.bucket(name));
        live.remove(name);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void createThenHeadThenRepeatCreateIsAlreadyOwnedByYou(Addressing a) {
        String name = a.bucket("lifecycle");
        CreateBucketResponse created = create(s3(a), name);
        assertThat(created.sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThat(created.location()).isEqualTo("/" + name);

        HeadBucketResponse head = s3(a).headBucket(b -> b.bucket(name));
        assertThat(head.sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThat(head.bucketRegion()).isEqualTo(ArcaTestServer.REGION);

        // AWS answers 409 BucketAlreadyOwnedByYou everywhere but in us-east-1's legacy mode; Arca always does.
        BucketAlreadyOwnedByYouException e = catchThrowableOfType(BucketAlreadyOwnedByYouException.class,
                () -> s3(a).createBucket(b -> b.bucket(name)));
        assertThat(e.statusCode()).isEqualTo(409);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketAlreadyOwnedByYou");
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void headOfMissingBucketIs404(Addressing a) {
        NoSuchBucketException e = catchThrowableOfType(NoSuchBucketException.class,
                () -> s3(a).headBucket(b -> b.bucket(a.bucket("never-created"))));
        assertThat(e.statusCode()).isEqualTo(404);
    }

    /** Names AWS rejects; sent by hand because the SDK may refuse some of them before sending. */
    @ParameterizedTest
    @ValueSource(strings = {
        "ab", // too short
        "a123456789012345678901234567890123456789012345678901234567890123", // 64 characters
        "MyBucket", // upper case
        "my_bucket", // underscore
        "192.168.5.4", // formatted as an IP address
        "my..bucket", // adjacent dots
        "xn--bucket", // reserved prefix
        "-bucket", // must start with a letter or digit
        "bucket-", // must end with a letter or digit
        "my.-bucket" // dot next to hyphen
    })
    void invalidBucketNamesAreInvalidBucketName(String name) {
        RawS3.Response r = raw.signed("PUT", "/" + name, "", raw.headers(), new byte[0]);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.xml("Code")).isEqualTo("InvalidBucketName");
        assertThat(s3().listBuckets().buckets()).extracting(Bucket::name).doesNotContain(name, name.toLowerCase());
    }

    @Test
    void shortestAndLongestValidNamesAreAccepted() {
        String shortest = "abc";
        String longest = "z" + "0123456789".repeat(6) + "yz"; // 63 characters
        assertThat(longest).hasSize(63);
        for (String name : List.of(shortest, longest)) {
            RawS3.Response r = raw.signed("PUT", "/" + name, "", raw.headers(), new byte[0]);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            live.add(name);
            assertThat(s3().headBucket(b -> b.bucket(name)).sdkHttpResponse().statusCode()).isEqualTo(200);
            delete(s3(), name);
        }
    }

    @Test
    void listBucketsShowsExactlyTheCreatedBucketsWithOwnerAndCreationDates() {
        // Dates have one-second resolution on the wire.
        Instant before = Instant.now().minusSeconds(1);
        List<String> mine = List.of("lb-charlie", "lb-alpha", "lb-bravo");
        for (String name : mine) {
            create(s3(), name);
        }
        Instant after = Instant.now().plusSeconds(1);

        ListBucketsResponse all = s3().listBuckets();
        assertThat(all.owner()).isNotNull();
        assertThat(all.owner().id()).isNotBlank();
        // Sorted by name, exactly the buckets that exist: none invented, none lost.
        assertThat(all.buckets()).extracting(Bucket::name).containsExactlyElementsOf(new TreeSet<>(live));
        for (Bucket b : all.buckets()) {
            assertThat(b.bucketRegion()).isEqualTo(ArcaTestServer.REGION);
            if (mine.contains(b.name())) {
                assertThat(b.creationDate()).isBetween(before, after);
            }
        }
        assertThat(s3().listBuckets(b -> b.prefix("lb-")).buckets()).extracting(Bucket::name)
                .containsExactly("lb-alpha", "lb-bravo", "lb-charlie");
        // Paged with max-buckets and the continuation token: every bucket once, in order.
        List<String> paged = new java.util.ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListBucketsResponse page = s3().listBuckets(b -> b.maxBuckets(2).continuationToken(t));
            assertThat(page.buckets()).hasSizeLessThanOrEqualTo(2);
            page.buckets().forEach(b -> paged.add(b.name()));
            token = page.continuationToken();
        } while (token != null);
        assertThat(paged).containsExactlyElementsOf(new TreeSet<>(live));
        for (String name : mine) {
            delete(s3(), name);
        }
        assertThat(s3().listBuckets().buckets()).extracting(Bucket::name).doesNotContainAnyElementsOf(mine);
    }

    @Test
    void locationOfAUsEast1BucketIsTheEmptyConstraint() {
        create(s3(), "location-default");
        // S3 reports us-east-1 as an empty LocationConstraint element.
        RawS3.Response r = raw.signed("GET", "/location-default", "location", raw.headers(), new byte[0]);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).containsPattern("<LocationConstraint[^>]*(/>|></LocationConstraint>)");
        assertThat(s3().getBucketLocation(b -> b.bucket("location-default")).locationConstraintAsString())
                .isNullOrEmpty();
        S3Exception missing = catchThrowableOfType(S3Exception.class,
                () -> s3().getBucketLocation(b -> b.bucket("location-missing")));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucket");
    }

    @Test
    void locationConstraintNamingTheServersRegionIsAccepted() {
        // Documented Arca behaviour (Buckets.create): the server's own region may be named explicitly.
        create(s3(), "location-explicit");
        RawS3.Response r = raw.signed("PUT", "/location-explicit-2", "", raw.headers(),
                ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        + "<LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>")
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        live.add("location-explicit-2");
        assertThat(s3().headBucket(b -> b.bucket("location-explicit-2")).bucketRegion()).isEqualTo("us-east-1");
    }

    @Test
    void createBucketWithMalformedConfigurationIsMalformedXml() {
        RawS3.Response r = raw.signed("PUT", "/malformed-config", "", raw.headers(),
                "<CreateBucketConfiguration><LocationConstraint>".getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.xml("Code")).isEqualTo("MalformedXML");
        assertThatThrownBy(() -> s3().headBucket(b -> b.bucket("malformed-config"))).isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void locationConstraintNamingAnotherRegionIsInvalidLocationConstraint() {
        S3Exception e = catchThrowableOfType(S3Exception.class, () -> s3().createBucket(b -> b.bucket("elsewhere")
                .createBucketConfiguration(c -> c.locationConstraint("eu-west-1"))));
        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidLocationConstraint");
        assertThatThrownBy(() -> s3().headBucket(b -> b.bucket("elsewhere"))).isInstanceOf(NoSuchBucketException.class);
    }

    @ParameterizedTest
    @EnumSource(Addressing.class)
    void deleteBucketOnlyWhenEmptyThenItIsGone(Addressing a) {
        String name = a.bucket("doomed");
        create(s3(a), name);
        s3(a).putObject(b -> b.bucket(name).key("k"), RequestBody.fromString("v"));

        S3Exception notEmpty = catchThrowableOfType(S3Exception.class, () -> s3(a).deleteBucket(b -> b.bucket(name)));
        assertThat(notEmpty.statusCode()).isEqualTo(409);
        assertThat(notEmpty.awsErrorDetails().errorCode()).isEqualTo("BucketNotEmpty");
        assertThat(s3(a).getObjectAsBytes(b -> b.bucket(name).key("k")).asUtf8String()).isEqualTo("v");

        s3(a).deleteObject(b -> b.bucket(name).key("k"));
        DeleteBucketResponse deleted = s3(a).deleteBucket(b -> b.bucket(name));
        live.remove(name);
        assertThat(deleted.sdkHttpResponse().statusCode()).isEqualTo(204);

        assertThatThrownBy(() -> s3(a).headBucket(b -> b.bucket(name))).isInstanceOf(NoSuchBucketException.class);
        S3Exception again = catchThrowableOfType(S3Exception.class, () -> s3(a).deleteBucket(b -> b.bucket(name)));
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucket");
        S3Exception list = catchThrowableOfType(S3Exception.class, () -> s3(a).listObjectsV2(b -> b.bucket(name)));
        assertThat(list.statusCode()).isEqualTo(404);
        assertThat(list.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucket");
        assertThat(s3(a).listBuckets().buckets()).extracting(Bucket::name).doesNotContain(name);
    }

    @Test
    void aDeletedBucketNameCanBeCreatedAgainEmpty() {
        create(s3(), "phoenix");
        s3().putObject(b -> b.bucket("phoenix").key("old"), RequestBody.fromString("x"));
        s3().deleteObject(b -> b.bucket("phoenix").key("old"));
        delete(s3(), "phoenix");
        create(s3(), "phoenix");
        assertThat(s3().listObjectsV2(b -> b.bucket("phoenix")).keyCount()).isZero();
    }
}
