package dev.arca.server.zerocopy;

import dev.arca.core.ByteRange;
import dev.arca.core.Limits;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.s3.ZeroCopyReads;
import dev.arca.s3.http.FileSource;
import dev.arca.storage.BlobReader;
import dev.arca.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Zero-copy GETs ({@code zero-copy} = {@code verified} or {@code unverified}): a version whose bytes
 * lie on disk as served — stored in clear ({@code encryption off} or written so) in blobs of any
 * k data and m parity shards — is sent from its data shard files with {@code sendfile} instead of
 * through the heap. Anything else, or anything in doubt when the GET starts, takes the ordinary path.
 *
 * <p>A stripe's data is split into k chunks, chunk j of every stripe in shard file j, each chunk
 * followed by its CRC32C (docs/FORMATS.md, shard format 1). So the transport gets one piece per
 * data chunk (or part of one, for ranges), taken from the k data shard files in turn.
 *
 * <p>{@code verified} reads each chunk and checks its CRC before its piece is handed out: the bytes
 * sent are the bytes verified (shard files are never modified in place, and the open channel keeps
 * the checked file even if healing renames a new one over it). That read costs one copy from the
 * page cache; what it saves is the copy into the heap, the copy into a direct buffer and the socket
 * write's copy. A chunk that is short, unreadable or fails its CRC is not sent: the rest of its
 * stripe (within the request) is read through the ordinary path, which reconstructs it from parity
 * and queues the blob for healing, and goes out as in-memory bytes; the response goes on. A later
 * blob of a multi-blob object whose data shards are not all present and sound is read wholly that
 * way (for the first blob the whole GET takes the ordinary path), in either mode.
 *
 * <p>{@code unverified} skips the check: bit rot is then found only by the scrubber
 * ({@code scrub-interval}) and a damaged chunk is sent as is; a shard file cut short under a
 * response ends it early (the connection is closed). Opt in only for data that is also protected
 * end to end (e.g. checksums the client verifies).
 */
public final class ShardFileReads implements ZeroCopyReads {
    private static final System.Logger LOG = System.getLogger("arca.zerocopy");

    /**
     * Check buffers kept for reuse; each holds one chunk of at most a writer's stripe size and its CRC.
     * In verified mode a response has up to its write window's worth of them in flight (4 MiB: 5 to 9).
     */
    static final int MAX_POOLED_BUFFERS = 64;
    /** Capacity of a pooled check buffer: the largest chunk writers make (k = 1) and its CRC. */
    static final int POOLED_BUFFER_BYTES = Limits.BLOB_BLOCK_BYTES + DataShards.CRC_BYTES;
    /** Largest in-memory piece of bytes read through the ordinary path. */
    static final int ORDINARY_PIECE_BYTES = Limits.STREAM_PIECE_BYTES;

    /** How zero-copy GETs are served. */
    public enum Mode {
        /** Never: every GET reads through the heap. */
        OFF,
        /** Each chunk's CRC32C is checked (one read from the page cache) before it is sent. */
        VERIFIED,
        /** Chunks are sent unchecked; the scrubber is what finds bit rot. */
        UNVERIFIED;

        /** The mode of a {@code zero-copy} config value: off, verified or unverified. */
        public static Mode parse(String value) {
            return Mode.valueOf(value.trim().toUpperCase(Locale.ROOT));
        }
    }

    private final Mode mode;
    private final List<Path> drives;
    private final BlobStore blobs;
    private final AtomicLong sources = new AtomicLong();
    private final AtomicLong ordinaryReads = new AtomicLong();
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(MAX_POOLED_BUFFERS);

    /**
     * @param drives the node's drives in slot order (the order of the {@code drives} setting)
     * @param blobs  the store those drives make up: the ordinary path for what cannot be sent from the files
     */
    public ShardFileReads(Mode mode, List<Path> drives, BlobStore blobs) {
        this.mode = mode;
        this.drives = List.copyOf(drives);
        this.blobs = blobs;
    }

    /** File sources handed out so far (tests and diagnostics). */
    public long sourcesOpened() {
        return sources.get();
    }

    /** Stretches of zero-copy responses read through the ordinary path instead (damage, missing shards). */
    public long ordinaryReads() {
        return ordinaryReads.get();
    }

    /** Never throws: anything unexpected means the ordinary path (the caller still owns {@code leased}). */
    @Override
    public Optional<FileSource> open(String bucket, String key, ObjectRecord record, ByteRange range, long length,
            InputStream leased) {
        try {
            return tryOpen(bucket, key, record, range, length, leased);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "zero-copy refused for " + bucket + "/" + key + " after an error", e);
            return Optional.empty();
        }
    }

    private Optional<FileSource> tryOpen(String bucket, String key, ObjectRecord record, ByteRange range, long length,
            InputStream leased) {
        if (mode == Mode.OFF || record.encryption() != null || !(record.data() instanceof ObjectData.Blobs(List<BlobSpan> spans))
                || length <= 0) {
            return Optional.empty();
        }
        List<BlobSpan.Slice> segments = BlobSpan.covering(spans, range == null ? 0 : range.first(), length);
        if (segments.isEmpty()) {
            return Optional.empty();
        }
        // The first blob decides: if it cannot be sent from its files, the whole GET takes the ordinary path.
        BlobSpan.Slice first = segments.getFirst();
        Optional<DataShards> shards;
        try {
            shards = DataShards.open(drives, first.blobId(), first.blobLength());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "zero-copy not possible for {0}/{1}: {2}", bucket, key, e.toString());
            return Optional.empty();
        }
        if (shards.isEmpty()) {
            return Optional.empty();
        }
        sources.incrementAndGet();
        return Optional.of(new Source(segments, shards.get(), leased));
    }

    /** A check buffer of at least {@code bytes}, from the pool when it fits. */
    private ByteBuffer borrow(int bytes) {
        if (bytes <= POOLED_BUFFER_BYTES) {
            ByteBuffer b = buffers.poll();
            return b != null ? b : ByteBuffer.allocateDirect(POOLED_BUFFER_BYTES);
        }
        return ByteBuffer.allocateDirect(bytes);
    }

    private void giveBack(ByteBuffer b) {
        if (b.capacity() == POOLED_BUFFER_BYTES) {
            buffers.offer(b);
        }
    }

    /** A shard set of the source, with the count of its regions the transport has not yet sent. */
    private static final class InUse {
        final DataShards files;
        int regionsOut;
        /** The source has moved past its segment: no further regions come from it. */
        boolean finished;

        InUse(DataShards files) {
            this.files = files;
        }
    }

    /**
     * The pieces of the segments in order: data chunks from the shard files, each verified first in
     * verified mode, and in-memory bytes from the ordinary path where that is not possible.
     * {@link #next()} runs on one thread at a time; {@link #sent} and {@link #close()} may come from
     * any thread, at any time. Files are held only while needed: a finished segment's shard files
     * close once the transport has sent its last region, so a body of thousands of blobs never holds
     * thousands of files.
     */
    private final class Source implements FileSource {
        private final List<BlobSpan.Slice> segments;
        private final InputStream leased;
        private final boolean verify = mode == Mode.VERIFIED;
        private final CRC32C crc = new CRC32C();
        private final byte[] prefix = new byte[DataShards.CHUNK_PREFIX_BYTES];
        /** Guards {@link #open}, {@link #owners}, the counts in them and the transition to closed. */
        private final Object lock = new Object();
        /** What close() must close: shard sets, the ordinary reader and its stream. */
        private final Set<AutoCloseable> open = Collections.newSetFromMap(new IdentityHashMap<>());
        /** The shard set each open channel belongs to, for {@link #sent}. */
        private final Map<FileChannel, InUse> owners = new IdentityHashMap<>();
        private volatile boolean closed;
        private int segment;
        /** The current segment's shard set, or null when the segment is read through the ordinary path. */
        private InUse current;
        /** Offset in the current segment's blob of the next byte to hand out; -1 before the segment starts. */
        private long at = -1;
        /** The ordinary reader of {@link #ordinaryBlob}, kept for further stretches of the same blob. */
        private BlobReader ordinaryReader;
        private String ordinaryBlob;
        /** A stretch being read through the ordinary path, and how many of its bytes are still to hand out. */
        private InputStream ordinary;
        private long ordinaryLeft;

        Source(List<BlobSpan.Slice> segments, DataShards first, InputStream leased) {
            this.segments = segments;
            this.leased = leased;
            this.current = adopt(first);
        }

        @Override
        public Piece next() throws IOException {
            while (true) {
                if (closed) {
                    throw new IOException("file source closed");
                }
                if (ordinaryLeft > 0) {
                    return nextOrdinary();
                }
                if (segment >= segments.size()) {
                    return null;
                }
                BlobSpan.Slice s = segments.get(segment);
                long end = s.offset() + s.length();
                if (at < 0) {
                    at = s.offset();
                    if (segment > 0) {
                        current = openLater(s);
                    }
                    if (current == null) {
                        startOrdinary(s.blobId(), end);
                        continue;
                    }
                }
                if (at >= end) {
                    finish(current);
                    current = null;
                    segment++;
                    at = -1;
                    continue;
                }
                DataShards shards = current.files;
                DataShards.Layout layout = shards.layout;
                long stripe = at / layout.stripeBytes();
                long stripeStart = stripe * layout.stripeBytes();
                long stripeEnd = stripeStart + layout.stripeLength(stripe);
                int chunk = layout.chunkLength(stripe);
                int j = (int) ((at - stripeStart) / chunk);
                long within = at - stripeStart - (long) j * chunk;
                // The last stripe's chunks are zero-padded: never send past the stripe's data.
                long count = Math.min(Math.min(stripeStart + (long) (j + 1) * chunk, stripeEnd), end) - at;
                if (verify) {
                    ByteBuffer checked = verified(shards, j, stripe, chunk);
                    if (checked == null) {
                        startOrdinary(s.blobId(), Math.min(end, stripeEnd));
                        continue;
                    }
                    // Send the very bytes that were checked, from the check buffer: no second read of
                    // the page cache (sendfile), and nothing on disk can change them in between.
                    ByteBuffer slice = checked.duplicate().limit((int) (within + count)).position((int) within);
                    at += count;
                    return new Lent(slice, () -> giveBack(checked));
                }
                synchronized (lock) {
                    current.regionsOut++;
                }
                Piece piece = new Region(shards.channel(j), layout.chunkPosition(stripe) + within, count);
                at += count;
                return piece;
            }
        }

        /** The shard set of a later segment's blob, or null to read it through the ordinary path. */
        private InUse openLater(BlobSpan.Slice s) throws IOException {
            // Open it through the store as the ordinary path would: that reports missing or invalid
            // shards (parity too) for healing, and fails here if the blob cannot be read at all.
            useOrdinaryReader(s.blobId());
            Optional<DataShards> found;
            try {
                found = DataShards.open(drives, s.blobId(), s.blobLength());
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "zero-copy not possible for blob {0}: {1}", s.blobId(), e.toString());
                return null;
            }
            if (found.isEmpty()) {
                return null;
            }
            InUse adopted = adopt(found.get());
            if (adopted == null) {
                throw new IOException("file source closed");
            }
            return adopted;
        }

        /** Registers a shard set; null (and the set closed) if the source is already closed. */
        private InUse adopt(DataShards files) {
            synchronized (lock) {
                if (!closed) {
                    InUse u = new InUse(files);
                    open.add(files);
                    for (int j = 0; j < files.layout.dataShards(); j++) {
                        owners.put(files.channel(j), u);
                    }
                    return u;
                }
            }
            files.close();
            return null;
        }

        private void finish(InUse u) {
            if (u != null) {
                synchronized (lock) {
                    u.finished = true;
                    releaseIfIdle(u);
                }
            }
        }

        @Override
        public void sent(Piece piece) {
            if (piece instanceof Region r) {
                synchronized (lock) {
                    InUse u = owners.get(r.channel());
                    if (u != null) {
                        u.regionsOut--;
                        releaseIfIdle(u);
                    }
                }
            }
        }

        /** Closes a finished shard set's files once no region of theirs is in flight. Holds the lock. */
        private void releaseIfIdle(InUse u) {
            if (u.finished && u.regionsOut <= 0 && !closed && open.remove(u.files)) {
                for (int j = 0; j < u.files.layout.dataShards(); j++) {
                    owners.remove(u.files.channel(j));
                }
                u.files.close();
            }
        }

        /**
         * Chunk {@code stripe} of data shard {@code j} read in full into a pooled buffer whose CRC
         * matches (the caller gives the buffer back), or null if it may not be sent.
         */
        private ByteBuffer verified(DataShards set, int j, long stripe, int chunk) throws IOException {
            ByteBuffer buffer = borrow(chunk + DataShards.CRC_BYTES);
            boolean good = false;
            try {
                if (set.verify(j, stripe, buffer, prefix, crc)) {
                    good = true;
                    return buffer;
                }
                LOG.log(System.Logger.Level.WARNING, "chunk {0} of data shard {1} of blob {2} is short or fails its CRC32C;"
                        + " reading its stripe through the ordinary path", stripe, j, set.blobId);
            } catch (IOException e) {
                if (closed) {
                    throw e; // our own close, not damage
                }
                LOG.log(System.Logger.Level.WARNING, "reading chunk " + stripe + " of data shard " + j + " of blob " + set.blobId
                        + " failed; reading its stripe through the ordinary path", e);
            } finally {
                if (!good) {
                    giveBack(buffer);
                }
            }
            return null;
        }

        /** Opens (or keeps) the ordinary reader of {@code blobId}, closing the previous blob's. */
        private void useOrdinaryReader(String blobId) throws IOException {
            if (blobId.equals(ordinaryBlob)) {
                return;
            }
            BlobReader reader;
            try {
                reader = blobs.open(blobId);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (RuntimeException e) {
                throw new IOException("ordinary read of blob " + blobId + " failed", e);
            }
            keep(reader);
            if (ordinaryReader != null) {
                drop(ordinaryReader);
            }
            ordinaryReader = reader;
            ordinaryBlob = blobId;
        }

        /** Serves the current blob's bytes from {@link #at} to {@code to} through the ordinary path (verifying, reconstructing). */
        private void startOrdinary(String blobId, long to) throws IOException {
            ordinaryReads.incrementAndGet();
            useOrdinaryReader(blobId);
            InputStream stream;
            try {
                stream = ordinaryReader.stream(at, to - at);
            } catch (RuntimeException e) {
                throw new IOException("ordinary read of blob " + blobId + " failed", e);
            }
            keep(stream); // closing it gives its buffers back, even if the transport stops mid-stretch
            ordinary = stream;
            ordinaryLeft = to - at;
            at = to;
        }

        private Piece nextOrdinary() throws IOException {
            int n = (int) Math.min(ordinaryLeft, ORDINARY_PIECE_BYTES);
            byte[] bytes = ordinary.readNBytes(n);
            if (bytes.length != n) {
                throw new IOException("ordinary read ended " + (ordinaryLeft - bytes.length) + " bytes early");
            }
            ordinaryLeft -= n;
            if (ordinaryLeft == 0) {
                drop(ordinary);
                ordinary = null;
            }
            return new Bytes(bytes);
        }

        /** Registers something to close with the source; closes it at once if the source is already closed. */
        private void keep(AutoCloseable resource) throws IOException {
            synchronized (lock) {
                if (!closed) {
                    open.add(resource);
                    return;
                }
            }
            closeQuietly(resource);
            throw new IOException("file source closed");
        }

        private void drop(AutoCloseable resource) {
            synchronized (lock) {
                open.remove(resource);
            }
            closeQuietly(resource);
        }

        @Override
        public InputStream stream() {
            return leased;
        }

        @Override
        public void close() throws IOException {
            List<AutoCloseable> all;
            synchronized (lock) {
                if (closed) {
                    return;
                }
                closed = true;
                all = List.copyOf(open);
                open.clear();
                owners.clear();
            }
            for (AutoCloseable c : all) {
                closeQuietly(c);
            }
            leased.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing {0} failed: {1}", c, e.toString());
        }
    }
}
