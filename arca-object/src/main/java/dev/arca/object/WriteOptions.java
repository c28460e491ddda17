package dev.arca.object;

import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.WritePrecondition;

/**
 * How to write a body: its declared length (-1 if unknown), the attributes to store, the atomic
 * precondition on the current object, the checksum to compute/verify and the Content-MD5 (base64,
 * or null).
 */
public record WriteOptions(long declaredLength, ObjectAttributes attributes, WritePrecondition precondition,
        ChecksumInput checksum, String contentMd5) {
    public WriteOptions {
        attributes = attributes == null ? ObjectAttributes.EMPTY : attributes;
        precondition = precondition == null ? WritePrecondition.NONE : precondition;
        checksum = checksum == null ? ChecksumInput.NONE : checksum;
    }

    public static WriteOptions simple(long declaredLength) {
        return new WriteOptions(declaredLength, ObjectAttributes.EMPTY, WritePrecondition.NONE, ChecksumInput.NONE, null);
    }
}
