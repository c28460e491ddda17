package dev.arca.s3;

import dev.arca.iam.Principal;

/** Builds {@link RequestContext}s for guard tests outside the S3 package (its constructor is package-private). */
public final class TestContexts {
    private TestContexts() {}

    public static RequestContext of(Principal principal, String accessKeyId, String operation, String bucket, String key) {
        RequestContext c = new RequestContext("req-test", 0, 0, "10.0.0.1", false);
        c.caller(principal, accessKeyId);
        c.target(operation, bucket, key);
        return c;
    }
}
