package dev.arca.object;

import java.util.Objects;

/**
 * The server-side encryption a write asks for (x-amz-server-side-encryption and friends), already
 * checked for form by the S3 layer.
 */
public sealed interface SseRequest {
    /** No header: the bucket's default encryption applies. */
    SseRequest DEFAULT = new BucketDefault();

    /** Use the bucket default (SSE-S3 unless configured otherwise). */
    record BucketDefault() implements SseRequest {}

    /** x-amz-server-side-encryption: AES256. */
    record S3() implements SseRequest {}

    /**
     * x-amz-server-side-encryption: aws:kms, with an optional key id (null: the bucket default KMS key,
     * else {@code aws/s3}) and an optional encryption context (base64 JSON as sent, or null).
     */
    record Kms(String keyId, String context) implements SseRequest {}

    /** SSE-C: the customer's 32-byte key (never stored) and its base64 MD5 as the client sent it. */
    record Customer(byte[] key, String keyMd5) implements SseRequest {
        public Customer {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(keyMd5, "keyMd5");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Customer(byte[] k, String m) && java.security.MessageDigest.isEqual(key, k)
                    && keyMd5.equals(m);
        }

        @Override
        public int hashCode() {
            return keyMd5.hashCode();
        }

        @Override
        public String toString() {
            return "Customer[md5=" + keyMd5 + "]";
        }
    }
}
