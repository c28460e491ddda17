package dev.arca.s3.auth;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Hex;
import dev.arca.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Objects;

/**
 * Passes a body through while hashing it, and at its end checks the hash against the client's
 * {@code x-amz-content-sha256}: {@code read} returns -1 only after the check passed, otherwise it
 * throws {@link FailureKind#X_AMZ_CONTENT_SHA256_MISMATCH} (and keeps throwing it).
 */
final class Sha256VerifyingInputStream extends InputStream {
    private final InputStream in;
    private final String expectedHex;
    private final MessageDigest digest = SigV4.newSha256();
    private boolean verified;
    private StoreException failure;

    Sha256VerifyingInputStream(InputStream in, String expectedHex) {
        this.in = in;
        this.expectedHex = expectedHex;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (verified) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        digest.update(b, off, n);
        return n;
    }

    private void verify() {
        String computed = Hex.encode(digest.digest());
        if (!computed.equals(expectedHex.toLowerCase(Locale.ROOT))) {
            failure = new StoreException(Failure.of(
                            FailureKind.X_AMZ_CONTENT_SHA256_MISMATCH,
                            "The provided 'x-amz-content-sha256' header does not match what was computed.")
                    .withDetail("ClientComputedContentSHA256", expectedHex)
                    .withDetail("S3ComputedContentSHA256", computed));
            throw failure;
        }
        verified = true;
    }

    @Override
    public int available() throws IOException {
        return verified || failure != null ? 0 : in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
