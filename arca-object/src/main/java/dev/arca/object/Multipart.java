package dev.arca.object;

import dev.arca.core.BucketName;
import dev.arca.core.ByteRange;
import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Hex;
import dev.arca.core.Ids;
import dev.arca.core.Limits;
import dev.arca.core.ObjectKey;
import dev.arca.core.StoreException;
import dev.arca.core.checksum.ChecksumAlgorithm;
import dev.arca.core.checksum.ChecksumType;
import dev.arca.core.checksum.Checksums;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.Command;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectAttributes;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.meta.Outcome;
import dev.arca.meta.PartListing;
import dev.arca.meta.PartRecord;
import dev.arca.meta.PartSummary;
import dev.arca.meta.StoredChecksum;
import dev.arca.meta.UploadListing;
import dev.arca.meta.UploadQuery;
import dev.arca.meta.UploadRecord;
import dev.arca.meta.WritePrecondition;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts, ListMultipartUploads. Parts are always blobs; completing an
 * upload only writes metadata (the object references the parts' blobs), so it is fast at any size.
 */
public final class Multipart {
    private final MetadataStore meta;
    private final DataWriter writer;
    private final DataReader reader;
    private final Collector collector;
    private final ObjectStore objects;
    private final Ids ids;
    private final InstantSource clock;
    private final ObjectCrypto crypto;

    Multipart(MetadataStore meta, DataWriter writer, DataReader reader, Collector collector, ObjectStore objects,
            Ids ids, InstantSource clock, ObjectCrypto crypto) {
        this.crypto = crypto;
        this.meta = meta;
        this.writer = writer;
        this.reader = reader;
        this.collector = collector;
        this.objects = objects;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * CreateMultipartUpload. {@code checksumType} defaults as in S3: FULL_OBJECT for CRC64NVME,
     * COMPOSITE otherwise; FULL_OBJECT is only possible for CRC algorithms.
     */
    public UploadRecord create(BucketName bucket, ObjectKey key, Owner owner, ObjectAttributes attributes,
            ChecksumAlgorithm algorithm, ChecksumType checksumType) {
        return create(bucket, key, owner, attributes, algorithm, checksumType, ObjectLock.NONE);
    }

    /** CreateMultipartUpload with the Object Lock settings the completed object gets. */
    public UploadRecord create(BucketName bucket, ObjectKey key, Owner owner, ObjectAttributes attributes,
            ChecksumAlgorithm algorithm, ChecksumType checksumType, ObjectLock lock) {
        return create(bucket, key, owner, attributes, algorithm, checksumType, lock, SseRequest.DEFAULT);
    }

    /**
     * CreateMultipartUpload with Object Lock settings and the encryption asked for: one data key is
     * made now and seals every part (each part blob under its own derived key).
     */
    public UploadRecord create(BucketName bucket, ObjectKey key, Owner owner, ObjectAttributes attributes,
            ChecksumAlgorithm algorithm, ChecksumType checksumType, ObjectLock lock, SseRequest sse) {
        Validation.userMetadata(attributes);
        Validation.tags(attributes.tags());
        Locks.checkRequest(objects.requireBucket(bucket), lock, clock.millis());
        ChecksumType type = checksumType;
        if (algorithm == null && type != null) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
        }
        if (algorithm != null && type == null) {
            type = algorithm == ChecksumAlgorithm.CRC64NVME ? ChecksumType.FULL_OBJECT : ChecksumType.COMPOSITE;
        }
        if (type == ChecksumType.FULL_OBJECT && !algorithm.isCrc()) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "The FULL_OBJECT checksum type cannot be used with the " + algorithm.awsName().toLowerCase(java.util.Locale.ROOT) + " checksum algorithm.");
        }
        if (type == ChecksumType.COMPOSITE && algorithm == ChecksumAlgorithm.CRC64NVME) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
        }
        ObjectCrypto.Sealing sealing = crypto.plan(bucket.value(), key.value(), sse);
        ObjectStore.wipe(sealing);
        try {
            UploadRecord upload = new UploadRecord(bucket.value(), key.value(), ids.uploadId(), clock.millis(), owner.id(),
                    UploadLocks.stash(attributes, lock), algorithm, type, sealing == null ? null : sealing.encryption());
            meta.submit(new Command.CreateUpload(upload));
            return upload;
        } finally {
            crypto.done(sealing);
        }
    }

    /** UploadPart: streams one part (at most 5 GiB) into a blob and records it, replacing any earlier one. */
    public PartResult uploadPart(BucketName bucket, ObjectKey key, String uploadId, int partNumber, InputStream body,
            long declaredLength, ChecksumInput checksum, String contentMd5) {
        return uploadPart(bucket, key, uploadId, partNumber, body, declaredLength, checksum, contentMd5, null);
    }

    /** UploadPart with the SSE-C key the upload was created with ({@code customerKey}; null if none). */
    public PartResult uploadPart(BucketName bucket, ObjectKey key, String uploadId, int partNumber, InputStream body,
            long declaredLength, ChecksumInput checksum, String contentMd5, byte[] customerKey) {
        checkPartNumber(partNumber);
        UploadRecord upload = requireUpload(bucket, key, uploadId);
        ChecksumInput input = partChecksum(upload, checksum);
        ObjectCrypto.Sealing sealing = sealing(upload, customerKey);
        DataWriter.Written w;
        try {
            w = writer.write(body, declaredLength, Limits.MAX_PART_SIZE, input, contentMd5, false,
                    StorageClasses.redundancy(upload.attributes()), sealing, bucket.value(), key.value());
        } finally {
            ObjectStore.wipe(sealing);
        }
        return record(bucket, key, upload, partNumber, w);
    }

    /** The sealing of the upload's parts (its data key, recovered), or null for an upload in clear. */
    private ObjectCrypto.Sealing sealing(UploadRecord upload, byte[] customerKey) {
        byte[] dataKey = crypto.dataKey(upload.bucket(), upload.key(), upload.encryption(), customerKey);
        return dataKey == null ? null : new ObjectCrypto.Sealing(upload.encryption(), dataKey);
    }

    /** UploadPartCopy: copies a source object, or {@code range} of it, into a part. */
    public PartResult uploadPartCopy(BucketName bucket, ObjectKey key, String uploadId, int partNumber,
            CopySource source, long[] range) {
        return uploadPartCopy(bucket, key, uploadId, partNumber, source, range, null);
    }

    /** UploadPartCopy into an upload created with an SSE-C key ({@code customerKey}; null if none). */
    public PartResult uploadPartCopy(BucketName bucket, ObjectKey key, String uploadId, int partNumber,
            CopySource source, long[] range, byte[] customerKey) {
        checkPartNumber(partNumber);
        UploadRecord upload = requireUpload(bucket, key, uploadId);
        crypto.checkCustomerKey(upload.encryption(), customerKey);
        objects.requireBucket(source.bucket());
        for (int attempt = 0; attempt < ObjectStore.MAX_READ_ATTEMPTS; attempt++) {
            ObjectRecord src = objects.resolve(source.bucket(), source.key(), source.versionId(), true);
            ObjectStore.checkConditions(source.conditions(), src, true);
            ByteRange byteRange;
            if (range != null) {
                if (range[0] < 0 || range[1] < range[0] || range[1] >= src.size()) {
                    throw StoreException.of(FailureKind.INVALID_ARGUMENT,
                            "Range specified is not valid for source object of size: " + src.size());
                }
                byteRange = new ByteRange(range[0], range[1]);
            } else {
                byteRange = src.size() == 0 ? null : ByteRange.whole(src.size());
            }
            long length = byteRange == null ? 0 : byteRange.length();
            if (length > Limits.MAX_PART_SIZE) {
                throw StoreException.of(FailureKind.INVALID_REQUEST,
                        "The specified copy range is larger than the maximum allowable part size: " + Limits.MAX_PART_SIZE);
            }
            Optional<InputStream> body = objects.open(source.bucket(), source.key(), src, byteRange, source.customerKey());
            if (body.isEmpty()) {
                continue;
            }
            DataWriter.Written w;
            ObjectCrypto.Sealing sealing = sealing(upload, customerKey);
            try (InputStream in = body.get()) {
                w = writer.write(in, length, Limits.MAX_PART_SIZE, partChecksum(upload, ChecksumInput.NONE), null, false,
                        StorageClasses.redundancy(upload.attributes()), sealing, bucket.value(), key.value());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                ObjectStore.wipe(sealing);
            }
            return record(bucket, key, upload, partNumber, w);
        }
        throw StoreException.of(FailureKind.SLOW_DOWN, "The copy source is being replaced too often to copy it; retry.");
    }

    private PartResult record(BucketName bucket, ObjectKey key, UploadRecord upload, int partNumber, DataWriter.Written w) {
        long now = clock.millis();
        String blobId = w.intents().getFirst();
        String checksum = upload.checksumAlgorithm() == null ? null : w.checksumBase64();
        PartRecord part = new PartRecord(partNumber, w.size(), w.etag(), now, blobId, checksum);
        try {
            List<String> garbage = meta.submit(new Command.PutPart(bucket.value(), key.value(), upload.uploadId(), part, now));
            if (!garbage.isEmpty()) {
                collector.wake();
            }
        } catch (RuntimeException e) {
            writer.discard(w);
            throw e;
        }
        StoredChecksum stored = checksum == null ? null
                : new StoredChecksum(upload.checksumAlgorithm(), upload.checksumType(), checksum);
        return new PartResult(w.etag(), stored, now, upload.encryption());
    }

    /**
     * The checksum to compute for a part: the upload's algorithm (verifying the client's value if
     * sent); without one, whatever the client sent is verified but not kept.
     */
    private static ChecksumInput partChecksum(UploadRecord upload, ChecksumInput fromClient) {
        ChecksumAlgorithm wanted = upload.checksumAlgorithm();
        if (wanted == null) {
            return fromClient;
        }
        if (fromClient.algorithm() != null && fromClient.algorithm() != wanted) {
            throw StoreException.of(FailureKind.INVALID_REQUEST,
                    "Checksum Type mismatch occurred, expected checksum Type: " + wanted.awsName().toLowerCase(java.util.Locale.ROOT)
                            + ", actual checksum Type: " + fromClient.algorithm().awsName().toLowerCase(java.util.Locale.ROOT));
        }
        return fromClient.algorithm() == null ? new ChecksumInput(wanted, () -> null) : fromClient;
    }

    /**
     * CompleteMultipartUpload: the listed parts, in ascending order, each matching an uploaded part
     * by number and ETag (and checksum, when given), all but the last at least 5 MiB.
     *
     * @param fullObjectChecksum a whole-object checksum value the client sent (base64), or null
     */
    public WriteResult complete(BucketName bucket, ObjectKey key, String uploadId, List<CompletedPart> requested,
            WritePrecondition precondition, String fullObjectChecksum) {
        UploadRecord upload = requireUpload(bucket, key, uploadId);
        if (requested.isEmpty()) {
            throw StoreException.of(FailureKind.MALFORMED_XML,
                    "The XML you provided was not well-formed or did not validate against our published schema");
        }
        if (requested.size() > Limits.MAX_PART_NUMBER) {
            throw StoreException.of(FailureKind.INVALID_REQUEST, "Too many parts: at most 10000 are allowed");
        }
        for (int i = 1; i < requested.size(); i++) {
            if (requested.get(i).partNumber() <= requested.get(i - 1).partNumber()) {
                throw StoreException.of(FailureKind.INVALID_PART_ORDER,
                        "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }
        }
        Map<Integer, PartRecord> stored = new HashMap<>();
        PartListing all = meta.listParts(uploadId, 0, Limits.MAX_PART_NUMBER);
        for (PartRecord p : all.parts()) {
            stored.put(p.partNumber(), p);
        }
        ChecksumAlgorithm algorithm = upload.checksumAlgorithm();
        List<PartSummary> summaries = new ArrayList<>(requested.size());
        List<BlobSpan> spans = new ArrayList<>(requested.size());
        Map<Integer, String> partBlobs = new LinkedHashMap<>();
        List<byte[]> digests = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        MessageDigest md5 = md5();
        long total = 0;
        for (int i = 0; i < requested.size(); i++) {
            CompletedPart c = requested.get(i);
            PartRecord p = stored.get(c.partNumber());
            if (p == null || !p.etag().equals(c.etag())) {
                throw invalidPart(uploadId, c.partNumber());
            }
            if (algorithm != null) {
                String given = c.checksums().get(algorithm);
                if (given != null && !given.equals(p.checksum())) {
                    throw invalidPart(uploadId, c.partNumber());
                }
                digests.add(Checksums.fromBase64(p.checksum()));
                lengths.add(p.size());
            }
            if (i < requested.size() - 1 && p.size() < Limits.MIN_PART_SIZE) {
                throw new StoreException(new Failure(FailureKind.ENTITY_TOO_SMALL,
                        "Your proposed upload is smaller than the minimum allowed object size.", "",
                        Map.of("ProposedSize", Long.toString(p.size()), "MinSizeAllowed", Long.toString(Limits.MIN_PART_SIZE),
                                "PartNumber", Integer.toString(p.partNumber()), "ETag", p.etag())));
            }
            total += p.size();
            md5.update(Hex.decode(p.etag()));
            summaries.add(new PartSummary(p.partNumber(), p.size(), p.etag(), p.checksum()));
            spans.add(new BlobSpan(p.blobId(), p.size()));
            partBlobs.put(p.partNumber(), p.blobId());
        }
        if (total > Limits.MAX_OBJECT_SIZE) {
            throw StoreException.of(FailureKind.ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed object size.");
        }
        StoredChecksum checksum = null;
        if (algorithm != null) {
            String value = upload.checksumType() == ChecksumType.FULL_OBJECT
                    ? Checksums.base64(Checksums.fullObject(algorithm, digests, lengths))
                    : Checksums.composite(algorithm, digests);
            if (fullObjectChecksum != null && !fullObjectChecksum.equals(value)) {
                throw StoreException.of(FailureKind.BAD_DIGEST,
                        "The " + algorithm.awsName() + " you specified did not match the calculated checksum.");
            }
            checksum = new StoredChecksum(algorithm, upload.checksumType(), value);
        }
        String etag = Hex.encode(md5.digest()) + "-" + requested.size();
        long now = clock.millis();
        ObjectLock lock = UploadLocks.of(upload.attributes());
        ObjectRecord record = new ObjectRecord(ObjectStore.NULL_VERSION, total, etag, now, upload.ownerId(),
                UploadLocks.strip(upload.attributes()), checksum, summaries, new ObjectData.Blobs(spans))
                .withLock(lock.retention(), lock.legalHold()).withEncryption(upload.encryption());
        Outcome outcome = meta.execute(new Command.CompleteUpload(bucket.value(), key.value(), uploadId, record,
                partBlobs, precondition, now));
        if (!outcome.garbage().isEmpty()) {
            collector.wake();
        }
        return new WriteResult(etag, checksum, total, outcome.versionId(), now, null, record.encryption(),
                outcome.replacedVersionId());
    }

    public void abort(BucketName bucket, ObjectKey key, String uploadId) {
        objects.requireBucket(bucket);
        List<String> garbage = meta.submit(new Command.AbortUpload(bucket.value(), key.value(), uploadId, clock.millis()));
        if (!garbage.isEmpty()) {
            collector.wake();
        }
    }

    /** ListParts: the upload and one page of its parts. */
    public record Parts(UploadRecord upload, PartListing listing) {}

    public Parts listParts(BucketName bucket, ObjectKey key, String uploadId, int afterPartNumber, int maxParts) {
        UploadRecord upload = requireUpload(bucket, key, uploadId);
        return new Parts(upload, meta.listParts(uploadId, afterPartNumber, maxParts));
    }

    public UploadListing listUploads(BucketName bucket, UploadQuery query) {
        objects.requireBucket(bucket);
        return meta.listUploads(bucket.value(), query);
    }

    private UploadRecord requireUpload(BucketName bucket, ObjectKey key, String uploadId) {
        objects.requireBucket(bucket);
        return meta.upload(bucket.value(), key.value(), uploadId).orElseThrow(() -> new StoreException(new Failure(
                FailureKind.NO_SUCH_UPLOAD,
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
                "", Map.of("UploadId", uploadId))));
    }

    private static void checkPartNumber(int partNumber) {
        if (partNumber < 1 || partNumber > Limits.MAX_PART_NUMBER) {
            throw new StoreException(new Failure(FailureKind.INVALID_ARGUMENT,
                    "Part number must be an integer between 1 and 10000, inclusive", "",
                    Map.of("ArgumentName", "partNumber", "ArgumentValue", Integer.toString(partNumber))));
        }
    }

    private static StoreException invalidPart(String uploadId, int partNumber) {
        return new StoreException(new Failure(FailureKind.INVALID_PART,
                "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
                "", Map.of("UploadId", uploadId, "PartNumber", Integer.toString(partNumber))));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
