package dev.arca.core.checksum;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A {@link Hasher} over a JDK {@link MessageDigest} (SHA-1 or SHA-256). */
final class ShaHasher implements Hasher {
    private final ChecksumAlgorithm algorithm;
    private final MessageDigest digest;

    ShaHasher(ChecksumAlgorithm algorithm, String jdkName) {
        this.algorithm = algorithm;
        this.digest = messageDigest(jdkName);
    }

    /** Every Java platform must provide MD5, SHA-1 and SHA-256, so absence is a broken JDK. */
    static MessageDigest messageDigest(String jdkName) {
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks required digest " + jdkName, e);
        }
    }

    @Override
    public void update(byte[] b, int off, int len) {
        digest.update(b, off, len);
    }

    @Override
    public void update(ByteBuffer buf) {
        digest.update(buf);
    }

    @Override
    public byte[] digest() {
        return digest.digest(); // MessageDigest.digest() resets, matching the Hasher contract
    }

    @Override
    public ChecksumAlgorithm algorithm() {
        return algorithm;
    }
}
