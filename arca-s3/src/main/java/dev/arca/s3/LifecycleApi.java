package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.object.Buckets;
import dev.arca.object.lifecycle.LifecycleConfiguration;
import dev.arca.s3.http.Headers;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlParser;
import java.util.Map;

/**
 * Bucket lifecycle configuration on the wire: the document is validated by {@link LifecycleXml}
 * and stored in its encoded form as the bucket's "lifecycle" sub-resource, which the lifecycle
 * worker reads.
 */
final class LifecycleApi {
    /** Largest PutBucketLifecycleConfiguration body: 1,000 rules with room to spare. */
    static final int MAX_BODY_BYTES = Limits.MAX_XML_BODY_BYTES;

    private final Buckets buckets;

    LifecycleApi(Buckets buckets) {
        this.buckets = buckets;
    }

    HttpResponse get(S3Request r) {
        byte[] stored = buckets.config(r.bucket(), LifecycleConfiguration.CONFIG_NAME).orElseThrow(() -> new StoreException(new Failure(
                FailureKind.NO_SUCH_LIFECYCLE_CONFIGURATION, "The lifecycle configuration does not exist",
                r.bucket().value(), Map.of("BucketName", r.bucket().value()))));
        byte[] xml = LifecycleXml.render(LifecycleConfiguration.decode(stored)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Headers out = new Headers().set("content-type", Responses.XML);
        return new HttpResponse(200, out, new HttpResponse.Bytes(xml));
    }

    HttpResponse put(S3Request r) {
        buckets.get(r.bucket());
        byte[] body = Bodies.read(r, MAX_BODY_BYTES);
        if (body.length == 0) {
            throw XmlParser.malformed();
        }
        LifecycleConfiguration configuration = LifecycleXml.parse(body);
        buckets.putConfig(r.bucket(), LifecycleConfiguration.CONFIG_NAME, configuration.encode());
        return Responses.empty(200);
    }

    HttpResponse delete(S3Request r) {
        buckets.get(r.bucket());
        buckets.putConfig(r.bucket(), LifecycleConfiguration.CONFIG_NAME, null);
        return Responses.empty(204);
    }
}
