package dev.arca.s3;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.object.BucketEncryption;
import dev.arca.object.Buckets;
import dev.arca.object.ObjectCrypto;
import dev.arca.s3.http.HttpResponse;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import dev.arca.s3.xml.XmlWriter;
import java.util.List;
import java.util.Map;

/**
 * Bucket default encryption on the wire (Get/Put/DeleteBucketEncryption). Every bucket reports
 * SSE-S3 until configured otherwise, as AWS does; DeleteBucketEncryption returns it to SSE-S3.
 */
final class EncryptionApi {
    private final Buckets buckets;
    private final ObjectCrypto crypto;

    EncryptionApi(Buckets buckets, ObjectCrypto crypto) {
        this.buckets = buckets;
        this.crypto = crypto;
    }

    HttpResponse get(S3Request r) {
        buckets.get(r.bucket());
        BucketEncryption e = crypto.bucketDefault(r.bucket().value()).orElseThrow(() -> new StoreException(new Failure(
                FailureKind.SERVER_SIDE_ENCRYPTION_CONFIGURATION_NOT_FOUND,
                "The server side encryption configuration was not found", r.bucket().value(),
                Map.of("BucketName", r.bucket().value()))));
        XmlWriter xml = new XmlWriter().root("ServerSideEncryptionConfiguration").start("Rule")
                .start("ApplyServerSideEncryptionByDefault")
                .element("SSEAlgorithm", e.kms() ? Sse.AWS_KMS : Sse.AES256);
        if (e.kmsKeyId() != null) {
            xml.element("KMSMasterKeyID", Sse.arn(buckets.region(), e.kmsKeyId()));
        }
        xml.end().element("BucketKeyEnabled", e.bucketKeyEnabled()).end();
        return Responses.xml(200, xml.end());
    }

    HttpResponse put(S3Request r) {
        buckets.get(r.bucket());
        byte[] body = Bodies.read(r, Limits.MAX_XML_BODY_BYTES);
        if (body.length == 0) {
            throw XmlParser.malformed();
        }
        XmlNode root = XmlParser.parse(body);
        if (!root.name().equals("ServerSideEncryptionConfiguration")) {
            throw XmlParser.malformed();
        }
        List<XmlNode> rules = root.all("Rule");
        if (rules.size() != 1) {
            throw XmlParser.malformed();
        }
        XmlNode rule = rules.getFirst();
        XmlNode apply = rule.child("ApplyServerSideEncryptionByDefault").orElseThrow(XmlParser::malformed);
        String algorithm = apply.childText("SSEAlgorithm");
        String keyId = apply.childText("KMSMasterKeyID");
        String bucketKey = rule.childText("BucketKeyEnabled");
        if (algorithm == null) {
            throw XmlParser.malformed();
        }
        if (bucketKey != null && !bucketKey.equals("true") && !bucketKey.equals("false")) {
            throw XmlParser.malformed();
        }
        BucketEncryption config;
        switch (algorithm.trim()) {
            case Sse.AES256 -> {
                if (keyId != null) {
                    throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                            "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse");
                }
                config = new BucketEncryption(false, null, "true".equals(bucketKey));
            }
            case Sse.AWS_KMS -> config = new BucketEncryption(true, keyId == null || keyId.isBlank() ? null
                    : Sse.kmsKeyId(keyId), "true".equals(bucketKey));
            default -> throw XmlParser.malformed();
        }
        buckets.putConfig(r.bucket(), BucketEncryption.CONFIG_NAME, config.encode());
        return Responses.empty(200);
    }

    HttpResponse delete(S3Request r) {
        buckets.get(r.bucket());
        buckets.putConfig(r.bucket(), BucketEncryption.CONFIG_NAME, null);
        return Responses.empty(204);
    }
}
