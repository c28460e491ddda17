package dev.arca.object;

import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.WritePrecondition;

/**
 * How to write a body: its declared length (-1 if unknown), the attributes to store, the atomic
 * precondition on the current object, the checksum to compute/verify, the Content-MD5 (base64,
 * or null), the Object Lock settings and the server-side encryption asked for.
 */
public record WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
        ChecksumInput checksum, String contentMd5, ObjectLock lock, SseRequest sse) {
    public WriteOptions {
        sse = sse == null ? SseRequest.DEFAULT : sse;
        attributes = attributes == null ? ObjectAttributes.EMPTY : attributes;
        precondition = precondition == null ? WritePrecondition.NONE : precondition;
        checksum = checksum == null ? ChecksumInput.NONE : checksum;
        lock = lock == null ? ObjectLock.NONE : lock;
    }

    public WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
            ChecksumInput checksum, String contentMd5) {
        this(declaredLength, attributes, precondition, checksum, contentMd5, ObjectLock.NONE, SseRequest.DEFAULT);
    }

    public WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
            ChecksumInput checksum, String contentMd5, ObjectLock lock) {
        this(declaredLength, attributes, precondition, checksum, contentMd5, lock, SseRequest.DEFAULT);
    }

    public static WriteOptions simple(long declaredLength) {
        return new WriteOptions(declaredLength, ObjectAttributes.EMPTY, WritePrecondition.NONE, ChecksumInput.NONE, null);
    }
}
