package dev.arca.s3;

import dev.arca.core.BucketName;
import dev.arca.core.ObjectKey;
import dev.arca.object.Owner;
import dev.arca.s3.auth.AuthenticatedRequest;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpExchange;

/** One authenticated, routed S3 request: everything an operation handler needs. */
record S3Request(HttpExchange http, AuthenticatedRequest auth, String requestId, Owner owner,
        S3Operation operation, BucketName bucket, ObjectKey key, Query query, RequestContext context) {
    S3Request(HttpExchange http, AuthenticatedRequest auth, String requestId, Owner owner, S3Operation operation,
            BucketName bucket, ObjectKey key, Query query) {
        this(http, auth, requestId, owner, operation, bucket, key, query,
                new RequestContext(requestId, System.nanoTime(), 0, "", false));
    }

    /** Records a note about what this request did, for the audit log and detectors. */
    void note(String name, String value) {
        context.note(name, value);
    }

    /** Records the version the request read, wrote or removed. */
    void version(String versionId) {
        context.versionId(versionId);
    }

    Headers headers() {
        return http.headers();
    }

    String header(String name) {
        return http.headers().get(name);
    }

    /** Who the request acts as: the credential's principal, or anonymous. */
    dev.arca.iam.Principal principal() {
        return auth.credential().map(dev.arca.s3.auth.Credential::principal).orElse(dev.arca.iam.Principal.ANONYMOUS);
    }
}
