package dev.arca.object;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.meta.Decoder;
import dev.arca.meta.Encoder;
import dev.arca.meta.MetadataCorruptException;

/**
 * A bucket's default encryption (PutBucketEncryption): what objects written without an encryption
 * header get. Every bucket has one; without a stored configuration it is SSE-S3.
 *
 * @param kms              SSE-KMS (true) or SSE-S3 (false)
 * @param kmsKeyId         the KMS key for SSE-KMS (null: {@code aws/s3}); null for SSE-S3
 * @param bucketKeyEnabled the BucketKeyEnabled flag, stored and echoed (Arca always wraps per object)
 */
public record BucketEncryption(boolean kms, String kmsKeyId, boolean bucketKeyEnabled) {
    /** Bucket config document name. */
    public static final String CONFIG_NAME = "encryption";
    /** The default for every bucket. */
    public static final BucketEncryption SSE_S3 = new BucketEncryption(false, null, false);
    private static final byte TAG = 'E';
    private static final byte VERSION = 1;

    public BucketEncryption {
        if (!kms && kmsKeyId != null) {
            throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                    "a KMSMasterKeyID is only allowed with the aws:kms algorithm");
        }
    }

    /** The stored form: tag, version, fields, CRC32C (docs/FORMATS.md, "Bucket configuration documents"). */
    public byte[] encode() {
        return new Encoder(TAG, VERSION).bool(kms).optStr(kmsKeyId).bool(bucketKeyEnabled).finish();
    }

    public static BucketEncryption decode(byte[] raw) {
        try {
            Decoder d = new Decoder(raw, TAG, VERSION);
            BucketEncryption e = new BucketEncryption(d.bool(), d.optStr(), d.bool());
            d.done();
            return e;
        } catch (StoreException e) {
            throw new MetadataCorruptException("bucket encryption document: " + e.getMessage());
        }
    }
}
