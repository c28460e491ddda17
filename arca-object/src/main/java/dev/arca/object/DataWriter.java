package dev.arca.object;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.Checksums;
import dev.arca.core.checksum.ObjectDigester;
import dev.arca.crypto.ObjectCipher;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.Command;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectData;
import dev.arca.storage.BlobStore;
import dev.arca.storage.BlobWriter;
import dev.arca.storage.Redundancy;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * Streams a request body into storage while computing its MD5 and checksum, and verifies what the
 * client declared (length, Content-MD5, checksum) before anything becomes durable. Small bodies
 * stay in memory and go inline into metadata; larger ones go to a blob whose intent is recorded
 * first, so a crash at any point leaves nothing that recovery cannot find. With a {@link ObjectCrypto.Sealing}
 * the digests cover the plaintext and only sealed chunks ({@link ObjectCipher}) reach storage, inline
 * or blob: drives and metadata never hold the bytes in clear.
 */
final class DataWriter {
    private final MetadataStore meta;
    private final BlobStore blobs;
    private final Ids ids;
    private final InstantSource clock;

    DataWriter(MetadataStore meta, BlobStore blobs, Ids ids, InstantSource clock) {
        this.meta = meta;
        this.blobs = blobs;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * A verified body. For blob data the blob is committed but still under its intent: the caller
     * must either commit metadata that ends the intent or call {@link #discard}.
     */
    record Written(long size, byte[] md5, ChecksumAlgorithm algorithm, byte[] digest, ObjectData data,
            byte[] inlineBytes, List<String> intents) {
        String etag() {
            return dev.arca.core.Hex.encode(md5);
        }

        String checksumBase64() {
            return digest == null ? null : Checksums.base64(digest);
        }
    }

    /**
     * Reads {@code body} to its end and stores it.
     *
     * @param maxSize     largest allowed body (EntityTooLarge beyond)
     * @param allowInline whether a small body may be stored inline
     * @param redundancy  the parity a blob-backed body gets (its storage class)
     * @param sealing     how to seal the bytes of object {@code bucket/key}, or null to store them in clear
     */
    Written write(InputStream body, long declaredLength, long maxSize, ChecksumInput checksum, String contentMd5,
            boolean allowInline, Redundancy redundancy, ObjectCrypto.Sealing sealing, String bucket, String key) {
        if (declaredLength > maxSize) {
            throw tooLarge(declaredLength, maxSize);
        }
        byte[] expectedMd5 = Digests.decodeContentMd5(contentMd5);
        ChecksumAlgorithm algorithm = checksum.algorithm();
        ObjectDigester digester = new ObjectDigester(algorithm == null
                ? EnumSet.noneOf(ChecksumAlgorithm.class) : EnumSet.of(algorithm));
        byte[] head = new byte[Limits.INLINE_OBJECT_MAX_BYTES + 1];
        int headLength = readFully(body, head);
        if (allowInline && headLength <= Limits.INLINE_OBJECT_MAX_BYTES) {
            digester.update(head, 0, headLength);
            String dataId = ids.blobId();
            byte[] bytes = sealing == null ? java.util.Arrays.copyOf(head, headLength)
                    : ObjectCipher.forUnit(sealing.dataKey(), bucket, key, dataId).seal(head, 0, headLength);
            return finish(digester, headLength, declaredLength, expectedMd5, checksum,
                    new ObjectData.Inline(dataId, headLength), bytes, List.of());
        }
        String blobId = ids.blobId();
        meta.submit(new Command.AddIntent(blobId, clock.millis()));
        boolean committed = false;
        try (BlobWriter blob = blobs.create(blobId, redundancy)) {
            ObjectCipher.Sealer sealer = sealing == null ? null
                    : ObjectCipher.forUnit(sealing.dataKey(), bucket, key, blobId).sealer(blob::write);
            ObjectCipher.ByteSink writer = sealer == null ? blob::write : sealer::write;
            digester.update(head, 0, headLength);
            writer.write(head, 0, headLength);
            long size = headLength;
            if (headLength == head.length) {
                byte[] piece = new byte[Limits.STREAM_PIECE_BYTES];
                int n;
                while ((n = readFully(body, piece)) > 0) {
                    size += n;
                    if (size > maxSize) {
                        throw tooLarge(size, maxSize);
                    }
                    digester.update(piece, 0, n);
                    writer.write(piece, 0, n);
                }
            }
            Written w = finish(digester, size, declaredLength, expectedMd5, checksum,
                    new ObjectData.Blobs(List.of(new BlobSpan(blobId, size))), null, List.of(blobId));
            if (sealer != null) {
                sealer.finish();
            }
            blob.commit();
            committed = true;
            return w;
        } finally {
            if (!committed) {
                dropIntent(blobId);
            }
        }
    }

    /** Undoes a {@link Written} whose metadata commit failed: deletes its blob and intent. */
    void discard(Written written) {
        for (String blobId : written.intents()) {
            blobs.delete(blobId);
            dropIntent(blobId);
        }
    }

    private void dropIntent(String blobId) {
        try {
            meta.submit(new Command.DropIntents(List.of(blobId)));
        } catch (RuntimeException e) {
            // The intent stays and start-up recovery removes the blob; nothing is lost or leaked.
        }
    }

    private static Written finish(ObjectDigester digester, long size, long declaredLength, byte[] expectedMd5,
            ChecksumInput checksum, ObjectData data, byte[] inline, List<String> intents) {
        if (declaredLength >= 0 && size != declaredLength) {
            throw StoreException.of(FailureKind.INCOMPLETE_BODY,
                    "You did not provide the number of bytes specified by the Content-Length HTTP header.");
        }
        byte[] md5 = digester.md5();
        Digests.verifyMd5(expectedMd5, md5);
        ChecksumAlgorithm algorithm = checksum.algorithm();
        byte[] digest = algorithm == null ? null : digester.digest(algorithm);
        if (algorithm != null) {
            Digests.verifyChecksum(algorithm, checksum.expected().get(), digest);
        }
        return new Written(size, md5, algorithm, digest, data, inline, intents);
    }

    private static StoreException tooLarge(long size, long max) {
        return new StoreException(new Failure(FailureKind.ENTITY_TOO_LARGE,
                "Your proposed upload exceeds the maximum allowed size", "",
                Map.of("ProposedSize", Long.toString(size), "MaxSizeAllowed", Long.toString(max))));
    }

    /** Fills {@code buf} or stops at end of stream; returns bytes read (0 only at end of stream). */
    private static int readFully(InputStream in, byte[] buf) {
        int total = 0;
        while (total < buf.length) {
            int n = readSome(in, buf, total, buf.length - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static int readSome(InputStream in, byte[] buf, int off, int len) {
        try {
            return in.read(buf, off, len);
        } catch (SocketTimeoutException e) {
            throw StoreException.of(FailureKind.REQUEST_TIMEOUT,
                    "Your socket connection to the server was not read from or written to within the timeout period.");
        } catch (IOException e) {
            throw StoreException.of(FailureKind.INCOMPLETE_BODY, "The request body ended early: " + e.getMessage());
        }
    }

}
