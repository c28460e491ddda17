package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.BucketName;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.Retention;
import dev.arca.meta.RetentionMode;
import dev.arca.meta.VersionIds;
import dev.arca.meta.VersionListing;
import dev.arca.meta.VersionQuery;
import dev.arca.object.CopySource;
import dev.arca.object.ObjectLock;
import dev.arca.object.ObjectStore;
import dev.arca.object.Owner;
import dev.arca.s3.http.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Versioning and Object Lock on the wire: headers in and out, version ids, DeleteObjects and ListObjectVersions bodies. */
class VersioningWireTest {
    private static final String V1 = VersionIds.of(1);
    private static final String V2 = VersionIds.of(2);
    private static final long UNTIL = Instant.parse("2030-01-01T00:00:00Z").toEpochMilli();

    private static FailureKind failure(Runnable action) {
        try {
            action.run();
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("succeeded");
    }

    private static String message(Runnable action) {
        try {
            action.run();
        } catch (StoreException e) {
            return e.failure().message();
        }
        throw new AssertionError("succeeded");
    }

    private static Headers headers(String... nameValues) {
        Headers h = new Headers();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.set(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    @Test
    void objectLockHeadersBecomeAnObjectLock() {
        assertThat(RequestHeaders.objectLock(headers())).isEqualTo(ObjectLock.NONE);
        assertThat(RequestHeaders.objectLock(headers("x-amz-object-lock-mode", "COMPLIANCE",
                "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00.000Z", "x-amz-object-lock-legal-hold", "ON")))
                .isEqualTo(new ObjectLock(new Retention(RetentionMode.COMPLIANCE, UNTIL), true));
        assertThat(RequestHeaders.objectLock(headers("x-amz-object-lock-mode", "GOVERNANCE",
                "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z")))
                .isEqualTo(new ObjectLock(new Retention(RetentionMode.GOVERNANCE, UNTIL), false));
        assertThat(RequestHeaders.objectLock(headers("x-amz-object-lock-legal-hold", "OFF"))).isEqualTo(ObjectLock.NONE);
        assertThat(RequestHeaders.hasObjectLock(headers("x-amz-object-lock-legal-hold", "OFF"))).isTrue();
        assertThat(RequestHeaders.hasObjectLock(headers("content-type", "a/b"))).isFalse();
    }

    @Test
    void malformedObjectLockHeadersAreInvalidArguments() {
        assertThat(message(() -> RequestHeaders.objectLock(headers("x-amz-object-lock-mode", "GOVERNANCE"))))
                .isEqualTo("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied");
        assertThat(failure(() -> RequestHeaders.objectLock(headers("x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z"))))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(message(() -> RequestHeaders.objectLock(headers("x-amz-object-lock-mode", "governance",
                "x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z")))).isEqualTo("Unknown wormMode directive.");
        assertThat(failure(() -> RequestHeaders.objectLock(headers("x-amz-object-lock-mode", "GOVERNANCE",
                "x-amz-object-lock-retain-until-date", "Wed, 01 Jan 2030 00:00:00 GMT")))).isEqualTo(FailureKind.INVALID_ARGUMENT);
        assertThat(message(() -> RequestHeaders.objectLock(headers("x-amz-object-lock-legal-hold", "on"))))
                .isEqualTo("Legal Hold must be either of 'ON' or 'OFF'");
    }

    @Test
    void bypassGovernanceNeedsTheHeader() {
        assertThat(RequestHeaders.bypassGovernanceRequested(headers("x-amz-bypass-governance-retention", "true"))).isTrue();
        assertThat(RequestHeaders.bypassGovernanceRequested(headers("x-amz-bypass-governance-retention", "TRUE"))).isTrue();
        assertThat(RequestHeaders.bypassGovernanceRequested(headers("x-amz-bypass-governance-retention", "false"))).isFalse();
        assertThat(RequestHeaders.bypassGovernanceRequested(headers())).isFalse();
    }

    @Test
    void versionIdParameterIsValidated() {
        assertThat(ObjectApi.versionIdParam(new Query(""))).isNull();
        assertThat(ObjectApi.versionIdParam(new Query("versionId=null"))).isEqualTo("null");
        assertThat(ObjectApi.versionIdParam(new Query("versionId=" + V1))).isEqualTo(V1);
        assertThat(message(() -> ObjectApi.versionIdParam(new Query("versionId=")))).isEqualTo("Version id cannot be the empty string");
        assertThat(failure(() -> ObjectApi.versionIdParam(new Query("versionId=3HL4kqtJlcpXroDTDmJ%2Brmsuw")))).isEqualTo(FailureKind.INVALID_ARGUMENT);
    }

    @Test
    void nullVersionIdsAreAnnouncedOnlyOnceVersioningWasConfigured() {
        Headers out = new Headers();
        ObjectApi.versionHeader("x-amz-version-id", "null", () -> false, out);
        ObjectApi.versionHeader("x-amz-version-id", null, () -> true, out);
        assertThat(out.isEmpty()).isTrue();
        ObjectApi.versionHeader("x-amz-version-id", V1, () -> {
            throw new AssertionError("the bucket is read only for null ids");
        }, out);
        assertThat(out.get("x-amz-version-id")).isEqualTo(V1);
        ObjectApi.versionHeader("x-amz-copy-source-version-id", "null", () -> true, out);
        assertThat(out.get("x-amz-copy-source-version-id")).isEqualTo("null");
    }

    @Test
    void lockHeadersDescribeTheVersion() {
        ObjectRecord plain = version("k", V1);
        Headers none = new Headers();
        ObjectApi.lockHeaders(plain, none);
        assertThat(none.isEmpty()).isTrue();
        Headers out = new Headers();
        ObjectApi.lockHeaders(plain.withLock(new Retention(RetentionMode.GOVERNANCE, UNTIL), true), out);
        assertThat(out.get("x-amz-object-lock-mode")).isEqualTo("GOVERNANCE");
        assertThat(out.get("x-amz-object-lock-retain-until-date")).isEqualTo("2030-01-01T00:00:00.000Z");
        assertThat(out.get("x-amz-object-lock-legal-hold")).isEqualTo("ON");
    }

    @Test
    void copySourceCarriesItsVersionId() {
        CopySource s = CopySources.parse(headers("x-amz-copy-source", "/src/a%20b?versionId=" + V1));
        assertThat(s.bucket().value()).isEqualTo("src");
        assertThat(s.key().value()).isEqualTo("a b");
        assertThat(s.versionId()).isEqualTo(V1);
        assertThat(CopySources.parse(headers("x-amz-copy-source", "src/k")).versionId()).isNull();
        assertThat(CopySources.parse(headers("x-amz-copy-source", "src/k?versionId=null")).versionId()).isEqualTo("null");
        assertThat(failure(() -> CopySources.parse(headers("x-amz-copy-source", "src/k?versionId=bogus"))))
                .isEqualTo(FailureKind.INVALID_ARGUMENT);
    }

    @Test
    void deleteMarkerFailuresBecomeHeaders() {
        Headers h = new Headers();
        Failure missing = new Failure(FailureKind.NO_SUCH_KEY, "The specified key does not exist.", "/b/k",
                Map.of("Key", "k", ObjectStore.DELETE_MARKER, "true", ObjectStore.VERSION_ID, V2));
        assertThat(S3Handler.deleteMarkerHeaders(missing, h)).isTrue();
        assertThat(h.get("x-amz-delete-marker")).isEqualTo("true");
        assertThat(h.get("x-amz-version-id")).isEqualTo(V2);
        assertThat(h.contains("last-modified")).isFalse();

        Headers h405 = new Headers();
        Failure marker = new Failure(FailureKind.METHOD_NOT_ALLOWED, "The specified method is not allowed against this resource.",
                "/b/k", Map.of(ObjectStore.DELETE_MARKER, "true", ObjectStore.VERSION_ID, V2, "LastModified", "0"));
        assertThat(S3Handler.deleteMarkerHeaders(marker, h405)).isTrue();
        assertThat(h405.get("last-modified")).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");

        Headers other = new Headers();
        Failure noVersion = new Failure(FailureKind.NO_SUCH_VERSION, "The specified version does not exist.", "/b/k",
                Map.of("Key", "k", "VersionId", V1));
        assertThat(S3Handler.deleteMarkerHeaders(noVersion, other)).isFalse();
        assertThat(other.isEmpty()).isTrue();
    }

    @Test
    void deleteResultReportsVersionsAndMarkers() {
        List<Outcome.DeleteOutcome> outcomes = List.of(
                new Outcome.DeleteOutcome("plain", null, false, null, null),
                new Outcome.DeleteOutcome("marked", null, true, V2, null),
                new Outcome.DeleteOutcome("version", V1, false, null, null),
                new Outcome.DeleteOutcome("locked", V1, false, null, Failure.of(FailureKind.ACCESS_DENIED, "Access Denied")));
        String xml = new String(ObjectApi.deleteResult(outcomes, false).toBytes(), StandardCharsets.UTF_8);
        assertThat(xml).contains("<Deleted><Key>plain</Key></Deleted>")
                .contains("<Deleted><Key>marked</Key><DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>" + V2
                        + "</DeleteMarkerVersionId></Deleted>")
                .contains("<Deleted><Key>version</Key><VersionId>" + V1 + "</VersionId></Deleted>")
                .contains("<Error><Key>locked</Key><VersionId>" + V1 + "</VersionId><Code>AccessDenied</Code>"
                        + "<Message>Access Denied</Message></Error>");
        String quiet = new String(ObjectApi.deleteResult(outcomes, true).toBytes(), StandardCharsets.UTF_8);
        assertThat(quiet).doesNotContain("<Deleted>").contains("<Error><Key>locked</Key>");
    }

    @Test
    void listVersionsInterleavesVersionsAndDeleteMarkers() {
        S3Request r = new S3Request(null, null, "req", new Owner("owner-id", "owner"), S3Operation.LIST_OBJECT_VERSIONS,
                new BucketName("bkt"), null, new Query("versions"));
        VersionListing page = new VersionListing(List.of(
                new VersionListing.Entry("a b", ObjectRecord.deleteMarker(0, "owner-id").withVersion(V2, 2), true),
                new VersionListing.Entry("a b", version("a b", V1), false)),
                List.of("dir/"), true, "a b", V1);
        String xml = new String(BucketApi.renderVersions(r, page, new VersionQuery("", "/", null, null, 2), true).toBytes(),
                StandardCharsets.UTF_8);
        assertThat(xml).contains("<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>bkt</Name>"
                + "<Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>2</MaxKeys>"
                + "<Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
                + "<NextKeyMarker>a%20b</NextKeyMarker><NextVersionIdMarker>" + V1 + "</NextVersionIdMarker>"
                + "<DeleteMarker><Key>a%20b</Key><VersionId>" + V2 + "</VersionId><IsLatest>true</IsLatest>"
                + "<LastModified>1970-01-01T00:00:00.000Z</LastModified><Owner><ID>owner-id</ID><DisplayName>owner</DisplayName>"
                + "</Owner></DeleteMarker>"
                + "<Version><Key>a%20b</Key><VersionId>" + V1 + "</VersionId><IsLatest>false</IsLatest>"
                + "<LastModified>1970-01-01T00:00:01.000Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>3</Size>"
                + "<Owner><ID>owner-id</ID><DisplayName>owner</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Version>"
                + "<CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListVersionsResult>");
    }

    @Test
    void objectLockEnabledHeaderIsABoolean() {
        assertThat(BucketApi.objectLockEnabledHeader(null)).isFalse();
        assertThat(BucketApi.objectLockEnabledHeader("true")).isTrue();
        assertThat(BucketApi.objectLockEnabledHeader("False")).isFalse();
        assertThatThrownBy(() -> BucketApi.objectLockEnabledHeader("yes")).isInstanceOf(StoreException.class);
    }

    private static ObjectRecord version(String key, String versionId) {
        return new ObjectRecord("null", 3, "abc", 1000, "owner-id", ObjectAttributes.EMPTY, null, List.of(),
                new ObjectData.Inline("d-" + key, 3)).withVersion(versionId, 1);
    }
}
