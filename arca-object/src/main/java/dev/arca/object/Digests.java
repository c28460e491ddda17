package dev.arca.object;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.Checksums;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/** Checks of what a client declared about a body (Content-MD5, x-amz-checksum-*) against what arrived. */
public final class Digests {
    private Digests() {}

    /** Decodes a Content-MD5 header (null if absent); InvalidDigest if it is not base64 of 16 bytes. */
    public static byte[] decodeContentMd5(String contentMd5) {
        if (contentMd5 == null) {
            return null;
        }
        try {
            byte[] md5 = Base64.getDecoder().decode(contentMd5.trim());
            if (md5.length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw StoreException.of(FailureKind.INVALID_DIGEST, "The Content-MD5 you specified is not valid.");
    }

    /** BadDigest unless {@code actual} equals the expected MD5 (no check when expected is null). */
    public static void verifyMd5(byte[] expected, byte[] actual) {
        if (expected != null && !MessageDigest.isEqual(expected, actual)) {
            throw new StoreException(new Failure(FailureKind.BAD_DIGEST,
                    "The Content-MD5 you specified did not match what we received.", "",
                    Map.of("ExpectedDigest", Base64.getEncoder().encodeToString(expected),
                            "CalculatedDigest", Base64.getEncoder().encodeToString(actual))));
        }
    }

    /** Checks a client-sent checksum value (base64, null for none) against the computed digest. */
    public static void verifyChecksum(ChecksumAlgorithm algorithm, String expected, byte[] digest) {
        if (expected == null) {
            return;
        }
        if (!Checksums.isValidBase64Digest(algorithm, expected)) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "Value for " + algorithm.headerName() + " header is invalid.");
        }
        if (!MessageDigest.isEqual(Checksums.fromBase64(expected), digest)) {
            throw StoreException.of(FailureKind.BAD_DIGEST,
                    "The " + algorithm.awsName() + " you specified did not match the calculated checksum.");
        }
    }
}
