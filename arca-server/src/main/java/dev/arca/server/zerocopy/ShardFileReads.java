package dev.arca.server.zerocopy;

import dev.arca.core.ByteRange;
import dev.arca.meta.BlobSpan;
import dev.arca.meta.ObjectData;
import dev.arca.meta.ObjectRecord;
import dev.arca.s3.ZeroCopyReads;
import dev.arca.s3.http.FileSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Zero-copy GETs ({@code zero-copy} = {@code verified} or {@code unverified}): a version whose bytes
 * lie on disk exactly as served — stored in clear ({@code encryption off} or written so) and in
 * blobs of one data shard and no parity (k = 1, m = 0: a one-drive node) — is sent from its shard
 * files with {@code sendfile} instead of through the heap. Anything else, or anything in doubt,
 * takes the ordinary path.
 *
 * <p>A k = 1 shard file is a 40-byte header, then per 1 MiB stripe the data chunk followed by its
 * CRC32C, then a 28-byte footer (docs/FORMATS.md, shard format 1). So the data is contiguous only
 * within a chunk, and the transport gets one piece per chunk (or part of one, for ranges).
 * {@code verified} reads each chunk and checks its CRC before its piece is handed out: the bytes
 * sent are the bytes verified (shard files are never modified in place, and the open channel keeps
 * the verified file even if healing renames a new one over it). That read costs one copy from the
 * page cache; what it saves is the copy into the heap, Netty's copy into a direct buffer and the
 * socket write's copy. {@code unverified} skips the check: bit rot is then found only by the
 * scrubber ({@code scrub-interval}), and a damaged chunk is sent as is — opt in only for data that is
 * also protected end to end (e.g. checksums the client verifies).
 *
 * <p>This class reads the shard format itself (the storage layer does not expose file ranges), so
 * it checks every header and footer field it relies on and refuses any other format version.
 */
public final class ShardFileReads implements ZeroCopyReads {
    private static final System.Logger LOG = System.getLogger("arca.zerocopy");

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

    // Shard format 1, as docs/FORMATS.md describes it.
    static final long HEADER_MAGIC = 0x41524341_53485244L; // "ARCASHRD"
    static final long FOOTER_MAGIC = 0x41524341_53454E44L; // "ARCASEND"
    static final int FORMAT_VERSION = 1;
    static final int HEADER_BYTES = 40;
    static final int FOOTER_BYTES = 28;
    static final int CRC_BYTES = 4;
    static final int ID_BYTES = 16;
    /** Largest chunk size a shard header may declare. */
    static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;
    static final String SHARDS_DIR = "shards";
    private static final HexFormat HEX = HexFormat.of();

    private final Mode mode;
    private final List<Path> drives;
    private final AtomicLong sources = new AtomicLong();

    /** @param drives the node's drives in slot order (the order of the {@code drives} setting) */
    public ShardFileReads(Mode mode, List<Path> drives) {
        this.mode = mode;
        this.drives = List.copyOf(drives);
    }

    /** File sources handed out so far (tests and diagnostics). */
    public long sourcesOpened() {
        return sources.get();
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
        long first = range == null ? 0 : range.first();
        List<Segment> segments = segments(spans, first, length);
        Map<String, Shard> shards = new LinkedHashMap<>();
        try {
            for (Segment s : segments) {
                if (!shards.containsKey(s.blobId())) {
                    Optional<Shard> shard = openShard(s.blobId(), s.blobLength());
                    if (shard.isEmpty()) {
                        closeAll(shards.values());
                        return Optional.empty();
                    }
                    shards.put(s.blobId(), shard.get());
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(shards.values());
            LOG.log(System.Logger.Level.DEBUG, "zero-copy not possible for {0}/{1}: {2}", bucket, key, e.toString());
            return Optional.empty();
        }
        sources.incrementAndGet();
        return Optional.of(new Source(segments, shards, leased, mode == Mode.VERIFIED));
    }

    /** A stretch of one blob's bytes. */
    record Segment(String blobId, long blobLength, long offset, long length) {}

    static List<Segment> segments(List<BlobSpan> spans, long first, long length) {
        List<Segment> out = new ArrayList<>();
        long spanStart = 0;
        long end = first + length;
        for (BlobSpan span : spans) {
            long spanEnd = spanStart + span.length();
            if (spanEnd > first && spanStart < end && span.length() > 0) {
                long from = Math.max(first, spanStart);
                long to = Math.min(end, spanEnd);
                out.add(new Segment(span.blobId(), span.length(), from - spanStart, to - from));
            }
            if (spanEnd >= end) {
                break;
            }
            spanStart = spanEnd;
        }
        return out;
    }

    /** An open k = 1, m = 0 shard file whose header and footer check out. */
    record Shard(String blobId, byte[] id, FileChannel channel, int chunkBytes, long length) {}

    /** Opens and checks blob {@code blobId}'s only shard; empty if the blob is not a k = 1, m = 0 blob of format 1. */
    private Optional<Shard> openShard(String blobId, long expectedLength) throws IOException {
        if (!blobId.matches("[0-9a-f]{32}")) {
            return Optional.empty();
        }
        byte[] id = HEX.parseHex(blobId);
        // Shard s of a blob lives on drive slot (first id byte + s) mod N; a k = 1 blob has only shard 0.
        Path file = drives.get((id[0] & 0xFF) % drives.size()).resolve(SHARDS_DIR).resolve(blobId.substring(0, 2))
                .resolve(blobId);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // an erasure-coded blob's shard 0 may be on another drive, or missing: ordinary path
        }
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
            readFully(channel, h, 0);
            h.flip();
            CRC32C headerCrc = new CRC32C();
            headerCrc.update(h.array(), 0, 36);
            boolean header = h.getLong(0) == HEADER_MAGIC && h.getInt(8) == FORMAT_VERSION
                    && java.util.Arrays.equals(h.array(), 12, 28, id, 0, ID_BYTES)
                    && h.get(28) == 1 && h.get(29) == 0 && h.get(30) == 0
                    && h.getInt(32) >= 1 && h.getInt(32) <= MAX_CHUNK_BYTES
                    && (int) headerCrc.getValue() == h.getInt(36);
            if (!header) {
                channel.close();
                return Optional.empty();
            }
            int chunk = h.getInt(32);
            long size = channel.size();
            ByteBuffer f = ByteBuffer.allocate(FOOTER_BYTES);
            readFully(channel, f, size - FOOTER_BYTES);
            f.flip();
            CRC32C footerCrc = new CRC32C();
            footerCrc.update(f.array(), 0, 24);
            long length = f.getLong(8);
            long stripes = f.getLong(16);
            long expectedStripes = length == 0 ? 0 : (length + chunk - 1) / chunk;
            boolean footer = f.getLong(0) == FOOTER_MAGIC && (int) footerCrc.getValue() == f.getInt(24)
                    && length == expectedLength && stripes == expectedStripes
                    && size == HEADER_BYTES + length + stripes * CRC_BYTES + FOOTER_BYTES;
            if (!footer) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new Shard(blobId, id, channel, chunk, length));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("shard file ended early");
            }
        }
    }

    private static void closeAll(Iterable<Shard> shards) {
        for (Shard s : shards) {
            try {
                s.channel().close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing shard {0} failed: {1}", s.blobId(), e.toString());
            }
        }
    }

    /** Pieces of the segments, chunk by chunk, each chunk verified first in verified mode. */
    private static final class Source implements FileSource {
        private final List<Segment> segments;
        private final Map<String, Shard> shards;
        private final InputStream leased;
        private final boolean verify;
        private final CRC32C crc = new CRC32C();
        private ByteBuffer chunkBuffer;
        private int segment;
        /** Offset in the current segment's blob of the next byte to hand out. */
        private long at = -1;
        private boolean closed;

        Source(List<Segment> segments, Map<String, Shard> shards, InputStream leased, boolean verify) {
            this.segments = segments;
            this.shards = shards;
            this.leased = leased;
            this.verify = verify;
        }

        @Override
        public Piece next() throws IOException {
            while (segment < segments.size()) {
                Segment s = segments.get(segment);
                if (at < 0) {
                    at = s.offset();
                }
                long end = s.offset() + s.length();
                if (at >= end) {
                    segment++;
                    at = -1;
                    continue;
                }
                Shard shard = shards.get(s.blobId());
                long c = shard.chunkBytes();
                long stripe = at / c;
                long within = at % c;
                long chunkLength = Math.min(c, shard.length() - stripe * c);
                long chunkAt = HEADER_BYTES + stripe * (c + CRC_BYTES);
                if (verify && (within == 0 || at == s.offset())) {
                    verifyChunk(shard, stripe, chunkAt, (int) chunkLength);
                }
                long count = Math.min(chunkLength - within, end - at);
                Piece piece = new Piece(shard.channel(), chunkAt + within, count);
                at += count;
                return piece;
            }
            return null;
        }

        /** Reads chunk {@code stripe} and its CRC; throws unless CRC32C(id ‖ shard 0 ‖ stripe ‖ bytes) matches. */
        private void verifyChunk(Shard shard, long stripe, long chunkAt, int chunkLength) throws IOException {
            if (chunkBuffer == null || chunkBuffer.capacity() < chunkLength + CRC_BYTES) {
                chunkBuffer = ByteBuffer.allocateDirect(shard.chunkBytes() + CRC_BYTES);
            }
            chunkBuffer.clear().limit(chunkLength + CRC_BYTES);
            readFully(shard.channel(), chunkBuffer, chunkAt);
            chunkBuffer.flip();
            int stored = chunkBuffer.getInt(chunkLength);
            crc.reset();
            crc.update(shard.id());
            crc.update(0); // shard index
            crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, stripe));
            chunkBuffer.limit(chunkLength);
            crc.update(chunkBuffer);
            if ((int) crc.getValue() != stored) {
                throw new IOException("chunk " + stripe + " of blob " + shard.blobId() + " fails its CRC32C");
            }
        }

        @Override
        public InputStream stream() {
            return leased;
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            closeAll(shards.values());
            leased.close();
        }
    }
}
