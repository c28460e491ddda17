package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router(List.of("s3.arca.test", "localhost"));

    private record Exchange(String method, String rawPath, String rawQuery, Headers headers) implements HttpExchange {
        @Override
        public InputStream body() {
            return InputStream.nullInputStream();
        }

        @Override
        public long contentLength() {
            return 0;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public boolean secure() {
            return false;
        }
    }

    private Router.Route route(String method, String host, String path, String query, String... headers) {
        Headers h = new Headers().set("host", host);
        for (int i = 0; i < headers.length; i += 2) {
            h.set(headers[i], headers[i + 1]);
        }
        return router.route(new Exchange(method, path, query, h));
    }

    private FailureKind failure(String method, String host, String path, String query) {
        try {
            route(method, host, path, query);
        } catch (StoreException e) {
            return e.kind();
        }
        throw new AssertionError("routed");
    }

    @Test
    void pathStyleKeepsKeysOpaque() {
        Router.Route r = route("GET", "127.0.0.1:9000", "/bkt/a//b/../c%20d%2Be", "");
        assertThat(r.operation()).isEqualTo(S3Operation.GET_OBJECT);
        assertThat(r.bucket().value()).isEqualTo("bkt");
        assertThat(r.key().value()).isEqualTo("a//b/../c d+e");
        assertThat(route("GET", "127.0.0.1:9000", "/", "").operation()).isEqualTo(S3Operation.LIST_BUCKETS);
        assertThat(route("GET", "127.0.0.1:9000", "/bkt", "list-type=2").operation()).isEqualTo(S3Operation.LIST_OBJECTS_V2);
        assertThat(route("GET", "127.0.0.1:9000", "/bkt/", "").operation()).isEqualTo(S3Operation.LIST_OBJECTS);
    }

    @Test
    void virtualHostedStyleTakesTheBucketFromTheHost() {
        Router.Route r = route("PUT", "bkt.s3.arca.test:9000", "/dir/key", "");
        assertThat(r.bucket().value()).isEqualTo("bkt");
        assertThat(r.key().value()).isEqualTo("dir/key");
        assertThat(route("GET", "my.dotted.bucket.localhost", "/", "location").operation())
                .isEqualTo(S3Operation.GET_BUCKET_LOCATION);
        // the bare domain is path-style
        assertThat(route("GET", "s3.arca.test:9000", "/bkt/k", "").bucket().value()).isEqualTo("bkt");
    }

    @Test
    void subresourcesPickOperations() {
        assertThat(route("POST", "h", "/bkt/k", "uploads").operation()).isEqualTo(S3Operation.CREATE_MULTIPART_UPLOAD);
        assertThat(route("PUT", "h", "/bkt/k", "partNumber=1&uploadId=u").operation()).isEqualTo(S3Operation.UPLOAD_PART);
        assertThat(route("PUT", "h", "/bkt/k", "partNumber=1&uploadId=u", "x-amz-copy-source", "/a/b").operation())
                .isEqualTo(S3Operation.UPLOAD_PART_COPY);
        assertThat(route("PUT", "h", "/bkt/k", "", "x-amz-copy-source", "/a/b").operation()).isEqualTo(S3Operation.COPY_OBJECT);
        assertThat(route("POST", "h", "/bkt/k", "uploadId=u").operation()).isEqualTo(S3Operation.COMPLETE_MULTIPART_UPLOAD);
        assertThat(route("DELETE", "h", "/bkt/k", "uploadId=u").operation()).isEqualTo(S3Operation.ABORT_MULTIPART_UPLOAD);
        assertThat(route("GET", "h", "/bkt/k", "uploadId=u").operation()).isEqualTo(S3Operation.LIST_PARTS);
        assertThat(route("POST", "h", "/bkt", "delete").operation()).isEqualTo(S3Operation.DELETE_OBJECTS);
        assertThat(route("GET", "h", "/bkt/k", "tagging").operation()).isEqualTo(S3Operation.GET_OBJECT_TAGGING);
        // ordinary unknown parameters are ignored, as in S3
        assertThat(route("GET", "h", "/bkt/k", "foo=bar").operation()).isEqualTo(S3Operation.GET_OBJECT);
    }

    @Test
    void versioningObjectLockAndLifecycleSubresources() {
        assertThat(route("GET", "h", "/bkt", "versioning").operation()).isEqualTo(S3Operation.GET_BUCKET_VERSIONING);
        assertThat(route("PUT", "h", "/bkt", "versioning").operation()).isEqualTo(S3Operation.PUT_BUCKET_VERSIONING);
        assertThat(route("GET", "h", "/bkt", "versions&prefix=a").operation()).isEqualTo(S3Operation.LIST_OBJECT_VERSIONS);
        assertThat(route("GET", "h", "/bkt", "object-lock").operation()).isEqualTo(S3Operation.GET_OBJECT_LOCK_CONFIGURATION);
        assertThat(route("PUT", "h", "/bkt", "object-lock").operation()).isEqualTo(S3Operation.PUT_OBJECT_LOCK_CONFIGURATION);
        assertThat(route("GET", "h", "/bkt", "lifecycle").operation()).isEqualTo(S3Operation.GET_BUCKET_LIFECYCLE);
        assertThat(route("PUT", "h", "/bkt", "lifecycle").operation()).isEqualTo(S3Operation.PUT_BUCKET_LIFECYCLE);
        assertThat(route("DELETE", "h", "/bkt", "lifecycle").operation()).isEqualTo(S3Operation.DELETE_BUCKET_LIFECYCLE);
        assertThat(route("GET", "h", "/bkt/k", "retention&versionId=null").operation()).isEqualTo(S3Operation.GET_OBJECT_RETENTION);
        assertThat(route("PUT", "h", "/bkt/k", "retention").operation()).isEqualTo(S3Operation.PUT_OBJECT_RETENTION);
        assertThat(route("GET", "h", "/bkt/k", "legal-hold").operation()).isEqualTo(S3Operation.GET_OBJECT_LEGAL_HOLD);
        assertThat(route("PUT", "h", "/bkt/k", "legal-hold").operation()).isEqualTo(S3Operation.PUT_OBJECT_LEGAL_HOLD);
        // versionId is an ordinary parameter of the object operations
        assertThat(route("DELETE", "h", "/bkt/k", "versionId=null").operation()).isEqualTo(S3Operation.DELETE_OBJECT);
        assertThat(route("HEAD", "h", "/bkt/k", "versionId=null").operation()).isEqualTo(S3Operation.HEAD_OBJECT);
        // there is no operation to delete a retention or legal hold: never fall through to DeleteObject
        assertThat(failure("DELETE", "h", "/bkt/k", "retention")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("DELETE", "h", "/bkt/k", "legal-hold")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("PUT", "h", "/bkt", "versions")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("DELETE", "h", "/bkt", "versioning")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
    }

    @Test
    void unsupportedAndInvalidRequestsFailClearly() {
        assertThat(failure("GET", "h", "/bkt", "cors")).isEqualTo(FailureKind.NOT_IMPLEMENTED);
        assertThat(failure("POST", "h", "/bkt/k", "restore")).isEqualTo(FailureKind.NOT_IMPLEMENTED);
        assertThat(failure("POST", "h", "/bkt/k", "")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("PATCH", "h", "/bkt/k", "")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("PUT", "h", "/", "")).isEqualTo(FailureKind.METHOD_NOT_ALLOWED);
        assertThat(failure("GET", "h", "/Bad_Bucket/k", "")).isEqualTo(FailureKind.INVALID_BUCKET_NAME);
        assertThat(failure("GET", "h", "/bkt/%ZZ", "")).isEqualTo(FailureKind.INVALID_URI);
        assertThat(failure("GET", "h", "/bkt/" + "k".repeat(1025), "")).isEqualTo(FailureKind.KEY_TOO_LONG);
    }
}
