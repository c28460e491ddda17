package dev.arca.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Small assertions and data helpers shared by the SDK-driven object, bucket and listing tests. */
final class S3Assert {
    private S3Assert() {}

    /** Asserts that {@code call} fails with this HTTP status and S3 error code (null: responses without a body, e.g. HEAD). */
    static S3Exception assertS3Error(ThrowingCallable call, int status, String code) {
        S3Exception e = catchThrowableOfType(S3Exception.class, call);
        assertThat(e).as("expected an S3 error %d %s", status, code).isNotNull();
        assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(status);
        if (code != null) {
            assertThat(e.awsErrorDetails().errorCode()).as(e.getMessage()).isEqualTo(code);
        }
        return e;
    }

    /** The ETag S3 gives a single-PUT object: the quoted hex MD5 of its bytes. */
    static String md5Etag(byte[] data) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Asserts byte-for-byte equality without dumping megabytes into the failure message. */
    static void assertSameBytes(byte[] actual, byte[] expected, String what) {
        assertThat(actual.length).as("%s: length", what).isEqualTo(expected.length);
        assertThat(java.util.Arrays.mismatch(actual, expected)).as("%s: first differing byte", what).isEqualTo(-1);
    }

    /** A seed for randomized data: -Darca.seed=N repeats a run; printed so a failure can be replayed. */
    static long seed(Class<?> test) {
        long seed = Long.getLong("arca.seed", System.nanoTime());
        System.out.println(test.getSimpleName() + " random seed: " + seed + " (rerun with -Darca.seed=" + seed + ")");
        return seed;
    }
}
