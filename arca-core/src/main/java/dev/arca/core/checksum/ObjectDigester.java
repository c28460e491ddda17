package dev.arca.core.checksum;

import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Computes, in one pass over an object's streamed bytes, its MD5 (always: the S3 ETag) and the
 * requested additional checksums. Not thread-safe.
 *
 * <p>The first call to {@link #md5()} or {@link #digest} finishes every computation; later calls
 * return the same values, and {@link #update} is then rejected with {@link IllegalStateException}.
 */
public final class ObjectDigester {
    private final MessageDigest md5 = ShaHasher.messageDigest("MD5");
    private final Map<ChecksumAlgorithm, Hasher> hashers = new EnumMap<>(ChecksumAlgorithm.class);
    private long length;
    /** Set once finished. */
    private byte[] md5Digest;
    private final Map<ChecksumAlgorithm, byte[]> digests = new EnumMap<>(ChecksumAlgorithm.class);

    public ObjectDigester(Set<ChecksumAlgorithm> algorithms) {
        for (ChecksumAlgorithm alg : algorithms) {
            hashers.put(Objects.requireNonNull(alg, "algorithm"), alg.newHasher());
        }
    }

    public void update(byte[] b, int off, int len) {
        if (md5Digest != null) {
            throw new IllegalStateException("already finished");
        }
        Objects.checkFromIndexSize(off, len, b.length);
        md5.update(b, off, len);
        for (Hasher h : hashers.values()) {
            h.update(b, off, len);
        }
        length += len;
    }

    /** Bytes consumed so far. */
    public long length() {
        return length;
    }

    /** The 16-byte MD5 of all bytes; finishes the digester. Returns a fresh copy on every call. */
    public byte[] md5() {
        finish();
        return md5Digest.clone();
    }

    /**
     * The raw digest of {@code alg}; finishes the digester. Returns a fresh copy on every call.
     *
     * @throws IllegalStateException if {@code alg} was not requested at construction
     */
    public byte[] digest(ChecksumAlgorithm alg) {
        Objects.requireNonNull(alg, "alg");
        if (!hashers.containsKey(alg)) {
            throw new IllegalStateException(alg + " was not requested");
        }
        finish();
        return digests.get(alg).clone();
    }

    private void finish() {
        if (md5Digest != null) {
            return;
        }
        md5Digest = md5.digest();
        hashers.forEach((alg, h) -> digests.put(alg, h.digest()));
    }
}
