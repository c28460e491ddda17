package dev.arca.meta;

import dev.arca.meta.kv.Bytes;
import java.nio.charset.StandardCharsets;

/**
 * The metadata key space (see docs/FORMATS.md). One ASCII tag byte names the table; components
 * are separated by NUL, which bucket names, object keys and ids never contain, so a bucket's
 * objects are one contiguous range sorted by the UTF-8 bytes of their keys (S3 listing order).
 *
 * <pre>
 *   B name                          bucket
 *   O bucket \0 key                 current version of an object (absent if the newest is a delete marker)
 *   V bucket \0 key \0 ~seq(u64be)  every version and delete marker, newest first within a key
 *   N bucket \0 key                 sequence number of the key's "null" version, unless it is the current one
 *   C bucket \0 name                bucket sub-resource document (lifecycle, ...)
 *   U bucket \0 key \0 uploadId     multipart upload (uploadIds sort by initiation time)
 *   P uploadId \0 partNumber(u32be) part of an upload
 *   I blobId                        intent: a blob being written, not yet referenced
 *   G blobId                        garbage: a blob no longer referenced, to delete
 *   D dataId                        inline bytes of a small object
 *   S name                          system record (format version)
 * </pre>
 */
final class Keys {
    static final byte BUCKET = 'B';
    static final byte OBJECT = 'O';
    static final byte UPLOAD = 'U';
    static final byte PART = 'P';
    static final byte INTENT = 'I';
    static final byte GARBAGE = 'G';
    static final byte DATA = 'D';
    static final byte SYSTEM = 'S';
    static final byte VERSION = 'V';
    static final byte NULL_INDEX = 'N';
    static final byte CONFIG = 'C';
    /** Length of the inverted sequence number that ends a version key. */
    static final int SEQ_BYTES = 8;
    private static final byte SEP = 0;

    private Keys() {}

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] tag(byte tag) {
        return new byte[] {tag};
    }

    static byte[] bucket(String name) {
        return Bytes.concat(tag(BUCKET), utf8(name));
    }

    /** Prefix of all object keys in a bucket. */
    static byte[] objectPrefix(String bucket) {
        return Bytes.concat(tag(OBJECT), utf8(bucket), new byte[] {SEP});
    }

    static byte[] object(String bucket, String key) {
        return Bytes.concat(objectPrefix(bucket), utf8(key));
    }

    /** The object key part of an object entry's KV key. */
    static String objectKeyOf(byte[] kvKey, int prefixLength) {
        return new String(kvKey, prefixLength, kvKey.length - prefixLength, StandardCharsets.UTF_8);
    }

    /** The object key part of an upload entry's KV key (between the prefix and the last NUL). */
    static String uploadKeyOf(byte[] kvKey, int prefixLength) {
        int end = kvKey.length - 1;
        while (kvKey[end] != SEP) {
            end--;
        }
        return new String(kvKey, prefixLength, end - prefixLength, StandardCharsets.UTF_8);
    }

    /** Prefix of all version keys in a bucket. */
    static byte[] versionPrefix(String bucket) {
        return Bytes.concat(tag(VERSION), utf8(bucket), new byte[] {SEP});
    }

    /** Prefix of all versions of one key. */
    static byte[] versionsOf(String bucket, String key) {
        return Bytes.concat(versionPrefix(bucket), utf8(key), new byte[] {SEP});
    }

    /** A version's key: the sequence number is inverted so a key's versions sort newest first. */
    static byte[] version(String bucket, String key, long seq) {
        long inv = ~seq;
        byte[] s = new byte[SEQ_BYTES];
        for (int i = 0; i < SEQ_BYTES; i++) {
            s[i] = (byte) (inv >>> (8 * (SEQ_BYTES - 1 - i)));
        }
        return Bytes.concat(versionsOf(bucket, key), s);
    }

    /** The object key part of a version entry's KV key (between the prefix and the separator before the seq). */
    static String versionKeyOf(byte[] kvKey, int prefixLength) {
        return new String(kvKey, prefixLength, kvKey.length - prefixLength - SEQ_BYTES - 1, StandardCharsets.UTF_8);
    }

    /** The sequence number at the end of a version entry's KV key. */
    static long seqOf(byte[] kvKey) {
        long inv = 0;
        for (int i = kvKey.length - SEQ_BYTES; i < kvKey.length; i++) {
            inv = (inv << 8) | (kvKey[i] & 0xFF);
        }
        return ~inv;
    }

    static byte[] nullIndex(String bucket, String key) {
        return Bytes.concat(tag(NULL_INDEX), utf8(bucket), new byte[] {SEP}, utf8(key));
    }

    static byte[] config(String bucket, String name) {
        return Bytes.concat(tag(CONFIG), utf8(bucket), new byte[] {SEP}, utf8(name));
    }

    static byte[] configPrefix(String bucket) {
        return Bytes.concat(tag(CONFIG), utf8(bucket), new byte[] {SEP});
    }

    static byte[] uploadPrefix(String bucket) {
        return Bytes.concat(tag(UPLOAD), utf8(bucket), new byte[] {SEP});
    }

    static byte[] upload(String bucket, String key, String uploadId) {
        return Bytes.concat(uploadPrefix(bucket), utf8(key), new byte[] {SEP}, utf8(uploadId));
    }

    static byte[] partPrefix(String uploadId) {
        return Bytes.concat(tag(PART), utf8(uploadId), new byte[] {SEP});
    }

    static byte[] part(String uploadId, int partNumber) {
        return Bytes.concat(partPrefix(uploadId), new byte[] {
            (byte) (partNumber >>> 24), (byte) (partNumber >>> 16), (byte) (partNumber >>> 8), (byte) partNumber});
    }

    static byte[] intent(String blobId) {
        return Bytes.concat(tag(INTENT), utf8(blobId));
    }

    static byte[] garbage(String blobId) {
        return Bytes.concat(tag(GARBAGE), utf8(blobId));
    }

    static byte[] data(String dataId) {
        return Bytes.concat(tag(DATA), utf8(dataId));
    }

    static byte[] system(String name) {
        return Bytes.concat(tag(SYSTEM), utf8(name));
    }

    /** The id part of an intent or garbage key. */
    static String idOf(byte[] kvKey) {
        return new String(kvKey, 1, kvKey.length - 1, StandardCharsets.UTF_8);
    }
}
