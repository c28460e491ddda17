package dev.arca.object;

import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.WritePrecondition;

/**
 * How to write a body: its declared length (-1 if unknown), the attributes to store, the atomic
 * precondition on the current object, the checksum to compute/verify, the Content-MD5 (base64,
 * or null) and the Object Lock settings.
 */
public record WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
        ChecksumInput checksum, String contentMd5, ObjectLock lock) {
    public WriteOptions {
        attributes = attributes == null ? ObjectAttributes.EMPTY : attributes;
        precondition = precondition == null ? WritePrecondition.NONE : precondition;
        checksum = checksum == null ? ChecksumInput.NONE : checksum;
        lock = lock == null ? ObjectLock.NONE : lock;
    }

    public WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
            ChecksumInput checksum, String contentMd5) {
        this(declaredLength, attributes, precondition, checksum, contentMd5, ObjectLock.NONE);
    }

    public static WriteOptions simple(long declaredLength) {
        return new WriteOptions(declaredLength, ObjectAttributes.EMPTY, WritePrecondition.NONE, ChecksumInput.NONE, null);
    }
}
