package dev.arca.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class S3ErrorsTest {
    @Test
    void everyFailureHasAnS3CodeAndAnErrorStatus() {
        Set<String> codes = new HashSet<>();
        for (FailureKind kind : FailureKind.values()) {
            S3Errors.S3Error e = S3Errors.of(kind);
            // AWS passes KMS errors through with their service prefix, e.g. "KMS.DisabledException".
            assertThat(e.code()).as(kind.name()).matches("(KMS\\.)?[A-Z][A-Za-z0-9]+");
            assertThat(e.status()).as(kind.name()).isBetween(300, 599);
            codes.add(e.code());
        }
        assertThat(codes).contains("NoSuchKey", "BucketNotEmpty", "SignatureDoesNotMatch", "InvalidRange");
    }

    @Test
    void wellKnownMappings() {
        assertThat(S3Errors.of(FailureKind.NO_SUCH_BUCKET)).isEqualTo(new S3Errors.S3Error(404, "NoSuchBucket"));
        assertThat(S3Errors.of(FailureKind.INVALID_RANGE)).isEqualTo(new S3Errors.S3Error(416, "InvalidRange"));
        assertThat(S3Errors.of(FailureKind.PRECONDITION_FAILED)).isEqualTo(new S3Errors.S3Error(412, "PreconditionFailed"));
        assertThat(S3Errors.of(FailureKind.NOT_MODIFIED).status()).isEqualTo(304);
        assertThat(S3Errors.of(FailureKind.EXPIRED_PRESIGNED_REQUEST)).isEqualTo(new S3Errors.S3Error(403, "AccessDenied"));
        assertThat(S3Errors.of(FailureKind.SLOW_DOWN)).isEqualTo(new S3Errors.S3Error(503, "SlowDown"));
        assertThat(S3Errors.of(FailureKind.KMS_DISABLED)).isEqualTo(new S3Errors.S3Error(400, "KMS.DisabledException"));
        assertThat(S3Errors.of(FailureKind.KMS_NOT_FOUND)).isEqualTo(new S3Errors.S3Error(400, "KMS.NotFoundException"));
    }
}
