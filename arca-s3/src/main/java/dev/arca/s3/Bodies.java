package dev.arca.s3;

import dev.arca.core.FailureKind;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.Hasher;
import dev.arca.object.ChecksumInput;
import dev.arca.object.Digests;
import dev.arca.s3.xml.XmlNode;
import dev.arca.s3.xml.XmlParser;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Reads small request bodies (XML documents) with a size bound, verifying declared digests. */
final class Bodies {
    private Bodies() {}

    /** The whole body, at most {@code limit} bytes; Content-MD5 and x-amz-checksum-* verified when sent. */
    static byte[] read(S3Request r, int limit) {
        return read(r, limit, true);
    }

    /**
     * The whole body; Content-MD5 verified when sent, and x-amz-checksum-* too unless
     * {@code checksumHeadersDescribeBody} is false (on CompleteMultipartUpload they carry the
     * whole object's checksum, not the body's).
     */
    private static byte[] read(S3Request r, int limit, boolean checksumHeadersDescribeBody) {
        byte[] body = readBounded(r.auth().body(), limit);
        byte[] expectedMd5 = Digests.decodeContentMd5(r.header("content-md5"));
        if (expectedMd5 != null) {
            Digests.verifyMd5(expectedMd5, md5(body));
        }
        if (checksumHeadersDescribeBody) {
            ChecksumInput checksum = RequestHeaders.checksum(r.headers(), r.auth());
            if (checksum.algorithm() != null) {
                Hasher hasher = checksum.algorithm().newHasher();
                hasher.update(body, 0, body.length);
                Digests.verifyChecksum(checksum.algorithm(), checksum.expected().get(), hasher.digest());
            }
        }
        return body;
    }

    /** Reads and parses an XML body whose root must be {@code rootName}. */
    static XmlNode xml(S3Request r, int limit, String rootName) {
        return parse(read(r, limit, true), rootName);
    }

    /** Like {@link #xml}, for CompleteMultipartUpload: checksum headers are not the body's. */
    static XmlNode completeXml(S3Request r, int limit, String rootName) {
        return parse(read(r, limit, false), rootName);
    }

    private static XmlNode parse(byte[] body, String rootName) {
        if (body.length == 0) {
            throw XmlParser.malformed();
        }
        XmlNode root = XmlParser.parse(body);
        if (!root.name().equals(rootName)) {
            throw XmlParser.malformed();
        }
        return root;
    }

    static byte[] readBounded(InputStream in, int limit) {
        try {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw StoreException.of(FailureKind.MAX_MESSAGE_LENGTH_EXCEEDED, "Your request was too big.");
            }
            return body;
        } catch (IOException e) {
            throw StoreException.of(FailureKind.INCOMPLETE_BODY, "The request body ended early: " + e.getMessage());
        }
    }

    private static byte[] md5(byte[] body) {
        try {
            return MessageDigest.getInstance("MD5").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
