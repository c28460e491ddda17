package dev.arca.client.bench;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * The bytes written by a scenario. One seeded random buffer of {@code size + VARIANTS - 1} bytes
 * holds {@link #VARIANTS} overlapping payloads at offsets 0, 1, 2, ...: objects differ from one
 * another (so a server cannot deduplicate them) without a buffer per object. Random bytes also
 * keep compression from flattering the server.
 */
final class Payload {

    /** How many distinct payloads a scenario writes; each costs one MD5 pass at start-up. */
    static final int VARIANTS = 4;

    private final byte[] data;
    private final int size;
    private final String[] md5Hex;

    private Payload(byte[] data, int size, String[] md5Hex) {
        this.data = data;
        this.size = size;
        this.md5Hex = md5Hex;
    }

    /** Fills the buffer from {@code seed}; computes the MD5 of every variant if asked. */
    static Payload create(int size, long seed, boolean withMd5) {
        byte[] data = new byte[size + VARIANTS - 1];
        new SplittableRandom(seed).nextBytes(data);
        String[] md5 = null;
        if (withMd5) {
            md5 = new String[VARIANTS];
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("JDK lacks MD5", e);
            }
            for (int v = 0; v < VARIANTS; v++) {
                digest.update(data, v, size);
                md5[v] = HexFormat.of().formatHex(digest.digest());
            }
        }
        return new Payload(data, size, md5);
    }

    /** The variant written under key number {@code n} of worker {@code worker}. */
    static int variantOf(int worker, long n) {
        return (int) Math.floorMod(worker + n, (long) VARIANTS);
    }

    byte[] data() {
        return data;
    }

    int size() {
        return size;
    }

    /** Where variant {@code v} starts in {@link #data()}. */
    int offset(int variant) {
        return variant;
    }

    /** Whether {@link #md5Hex} answers. */
    boolean hasMd5() {
        return md5Hex != null;
    }

    /** The lower-case hex MD5 of a variant, which is the S3 ETag of a single-part upload. */
    String md5Hex(int variant) {
        return md5Hex[variant];
    }

    /** Whether an ETag header (quoted or not) names this variant's MD5; absent ETags pass. */
    boolean etagMatches(String etag, int variant) {
        if (etag == null || md5Hex == null) {
            return true;
        }
        String v = etag.strip();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        return v.equalsIgnoreCase(md5Hex[variant]);
    }
}
