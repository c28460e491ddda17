package dev.arca.object;

import dev.arca.core.ByteRange;
import dev.arca.crypto.ObjectCipher;
import dev.arca.crypto.TamperedDataException;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.MetadataStore;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.storage.BlobCorruptException;
import dev.arca.storage.BlobReader;
import dev.arca.storage.BlobStore;
import dev.arca.storage.NoSuchBlobException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Opens the bytes of a committed object version for streaming. Blob-backed reads lease their blobs
 * and then confirm the version still exists, so the collector cannot delete data under a reader.
 * Sealed data is opened chunk by chunk ({@link ObjectCipher}): a range reads and decrypts only the
 * chunks that cover it, and a chunk that fails authentication ends the stream with an error before
 * any of its bytes are returned.
 */
final class DataReader {
    private final MetadataStore meta;
    private final BlobStore blobs;
    private final BlobLeases leases;

    DataReader(MetadataStore meta, BlobStore blobs, BlobLeases leases) {
        this.meta = meta;
        this.blobs = blobs;
        this.leases = leases;
    }

    /**
     * A stream of {@code range} of the object {@code record} read from {@code bucket/key}, or
     * empty if the version was replaced or removed meanwhile (the caller reads the metadata again).
     */
    Optional<InputStream> open(String bucket, String key, ObjectRecord record, ByteRange range, byte[] dataKey) {
        switch (record.data()) {
            case ObjectData.Inline(String dataId, long length) -> {
                Optional<byte[]> bytes = meta.inlineData(dataId);
                if (bytes.isEmpty()) {
                    return Optional.empty();
                }
                if (dataKey != null) {
                    try {
                        bytes = Optional.of(ObjectCipher.forUnit(dataKey, bucket, key, dataId).open(bytes.get(), length));
                    } catch (TamperedDataException e) {
                        throw new UncheckedIOException(new BlobCorruptException(
                                "inline data of " + bucket + "/" + key + " fails authentication: " + e.getMessage()));
                    }
                }
                if (range == null) {
                    return Optional.of(new ByteArrayInputStream(bytes.get()));
                }
                return Optional.of(new ByteArrayInputStream(bytes.get(), (int) range.first(), (int) range.length()));
            }
            case ObjectData.None ignored -> throw new IllegalStateException("read of a delete marker");
            case ObjectData.Blobs(List<BlobSpan> spans) -> {
                List<BlobSpan.Slice> segments = BlobSpan.covering(spans, range == null ? 0 : range.first(),
                        range == null ? record.size() : range.length());
                List<String> ids = segments.stream().map(BlobSpan.Slice::blobId).distinct().toList();
                leases.acquire(ids);
                Optional<ObjectRecord> now = meta.objectVersion(bucket, key, record.versionId());
                if (now.isEmpty() || !now.get().data().equals(record.data())) {
                    leases.release(ids);
                    return Optional.empty();
                }
                // Ciphers are made now: the caller wipes the data key once this returns.
                java.util.Map<String, ObjectCipher> ciphers = new java.util.HashMap<>();
                if (dataKey != null) {
                    for (String id : ids) {
                        ciphers.put(id, ObjectCipher.forUnit(dataKey, bucket, key, id));
                    }
                }
                SegmentStream stream = new SegmentStream(segments, ids, spans.stream().collect(
                        java.util.stream.Collectors.toMap(BlobSpan::blobId, BlobSpan::length, (a, b) -> a)),
                        dataKey == null ? null : ciphers);
                // Open the first blob now, while the response can still be an error: a blob that
                // cannot be read (too few drives, damage) fails the request instead of a 200 cut short.
                try {
                    stream.openFirst();
                } catch (IOException e) {
                    closeQuietly(stream);
                    throw new UncheckedIOException(e.getMessage(), e);
                } catch (RuntimeException e) {
                    closeQuietly(stream);
                    throw e;
                }
                return Optional.of(stream);
            }
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Releasing leases and readers; nothing was returned to the caller.
        }
    }

    /** Reads segments in order, opening each blob only when reached. Releases the leases on close. */
    private final class SegmentStream extends InputStream {
        private final List<BlobSpan.Slice> segments;
        private final List<String> leased;
        private final java.util.Map<String, Long> plainLengths;
        /** The cipher of each blob, or null when the data is in clear. */
        private final java.util.Map<String, ObjectCipher> ciphers;
        private int index = -1;
        private BlobReader reader;
        private InputStream current;
        private boolean closed;

        SegmentStream(List<BlobSpan.Slice> segments, List<String> leased, java.util.Map<String, Long> plainLengths,
                java.util.Map<String, ObjectCipher> ciphers) {
            this.segments = segments;
            this.leased = leased;
            this.plainLengths = plainLengths;
            this.ciphers = ciphers;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (current == null && !advance()) {
                    return -1;
                }
                int n = current.read(b, off, len);
                if (n > 0) {
                    return n;
                }
                closeCurrent();
            }
        }

        void openFirst() throws IOException {
            if (index < 0 && !advance()) {
                index = segments.size();
            }
            if (ciphers != null && current != null) {
                // Authenticate the first chunk now, so damage there fails the request rather than a 200.
                java.io.PushbackInputStream first = new java.io.PushbackInputStream(current, 1);
                int b = first.read();
                if (b >= 0) {
                    first.unread(b);
                }
                current = first;
            }
        }

        private boolean advance() throws IOException {
            index++;
            if (index >= segments.size()) {
                return false;
            }
            BlobSpan.Slice s = segments.get(index);
            try {
                reader = blobs.open(s.blobId());
            } catch (NoSuchBlobException e) {
                // Leased and confirmed current, so it must exist: storage lost it.
                throw new BlobCorruptException("blob " + s.blobId() + " of a live object is missing");
            }
            if (ciphers == null) {
                current = reader.stream(s.offset(), s.length());
            } else {
                BlobReader sealed = reader;
                String blobId = s.blobId();
                current = ciphers.get(blobId).open((offset, length) -> {
                    if (offset + length > sealed.length()) {
                        throw new TamperedDataException("blob " + blobId + " holds " + sealed.length()
                                + " sealed bytes, fewer than its object needs: truncated");
                    }
                    return sealed.stream(offset, length);
                }, plainLengths.get(blobId), s.offset(), s.length());
            }
            return true;
        }

        private void closeCurrent() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                closeCurrent();
            } finally {
                leases.release(leased);
            }
        }
    }
}
