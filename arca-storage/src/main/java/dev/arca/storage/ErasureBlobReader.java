package dev.arca.storage;

import dev.arca.erasure.ErasureCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Reads one erasure-coded blob. Each stream serves one stripe at a time: it reads the data
 * chunks that cover the requested bytes and verifies their CRCs; if one is missing or corrupt it
 * reads further shards until it has k good chunks, reconstructs, serves the correct bytes and asks
 * the store to heal the blob. With fewer than k good chunks in a stripe the read fails: it never
 * returns unverified bytes.
 */
final class ErasureBlobReader implements BlobReader {
    private final ErasureBlobStore store;
    private final ShardSet shards;
    private final ShardFormat.Layout layout;
    private final ErasureCoder coder;
    /** Set by close: reads then fail as closed, instead of counting the closed channels as damaged chunks. */
    private volatile boolean closed;

    ErasureBlobReader(ErasureBlobStore store, ShardSet shards, ErasureCoder coder) {
        this.store = store;
        this.shards = shards;
        this.layout = shards.layout;
        this.coder = coder;
    }

    @Override
    public long length() {
        return layout.blobLength();
    }

    @Override
    public InputStream stream(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, layout.blobLength());
        return new StripeStream(offset, offset + length);
    }

    @Override
    public void close() {
        closed = true;
        shards.close();
    }

    @Override
    public String toString() {
        return "ErasureBlobReader[" + shards.blobId + ", " + layout.blobLength() + " bytes, " + layout.dataShards() + "+"
                + layout.parityShards() + "]";
    }

    /** Serves verified bytes of one stripe at a time. Not thread-safe (like any InputStream). */
    private final class StripeStream extends InputStream {
        private final long end;
        private final int n = layout.dataShards() + layout.parityShards();
        private final ShardFormat.ChunkCrc crc = new ShardFormat.ChunkCrc(shards.blobId);
        /** Per shard: chunk bytes followed by room for the CRC. Allocated on first use. */
        private final byte[][] chunks = new byte[n][];
        private final ByteBuffer[] buffers = new ByteBuffer[n];
        /** Per shard: whether its chunk of the loaded stripe is verified (or reconstructed). */
        private final boolean[] good = new boolean[n];
        /** Per shard: its chunk of the loaded stripe failed; not read (nor counted as corrupt) again for this stripe. */
        private final boolean[] bad = new boolean[n];
        private long position;
        private long stripe = -1;
        private int chunkLength;
        private boolean closed;

        StripeStream(long position, long end) {
            this.position = position;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            requireOpen();
            if (len == 0) {
                return 0;
            }
            if (position >= end) {
                return -1;
            }
            int total = 0;
            while (total < len && position < end) {
                int n = serve(b, off + total, len - total, null);
                total += n;
            }
            return total;
        }

        /** Writes the rest straight from the chunk buffers. */
        @Override
        public long transferTo(OutputStream out) throws IOException {
            Objects.requireNonNull(out, "out");
            requireOpen();
            long total = 0;
            while (position < end) {
                total += serve(null, 0, Integer.MAX_VALUE, out);
            }
            return total;
        }

        @Override
        public long skip(long count) throws IOException {
            requireOpen();
            long k = Math.max(0, Math.min(count, end - position));
            position += k;
            return k;
        }

        @Override
        public void close() {
            closed = true;
        }

        /** Copies (or writes) bytes from the chunk holding {@code position}, at most to its end; returns how many. */
        private int serve(byte[] b, int off, int len, OutputStream out) throws IOException {
            long stripeBytes = layout.stripeBytes();
            long s = position / stripeBytes;
            int inStripe = (int) (position - s * stripeBytes);
            int stripeLength = layout.stripeLength(s);
            long stripeEnd = Math.min(end - s * stripeBytes, stripeLength);
            int cs = layout.chunkLength(s);
            int shard = inStripe / cs;
            int at = inStripe - shard * cs;
            if (s != stripe || !good[shard]) {
                load(s, inStripe, (int) stripeEnd);
            }
            int n = (int) Math.min(Math.min(len, cs - at), stripeEnd - inStripe);
            if (out != null) {
                out.write(chunks[shard], at, n);
            } else {
                System.arraycopy(chunks[shard], at, b, off, n);
            }
            position += n;
            return n;
        }

        /**
         * Makes the data chunks covering stripe bytes {@code [from, to)} good: read and verify them,
         * and reconstruct from further shards if any fails.
         */
        private void load(long s, int from, int to) throws IOException {
            if (s != stripe) {
                stripe = s;
                chunkLength = layout.chunkLength(s);
                java.util.Arrays.fill(good, false);
                java.util.Arrays.fill(bad, false);
            }
            int first = from / chunkLength;
            int last = (to - 1) / chunkLength;
            boolean failed = false;
            for (int j = first; j <= last; j++) {
                if (!good[j] && (bad[j] || !readShard(j))) {
                    failed = true;
                }
            }
            if (failed) {
                reconstruct(s);
            }
        }

        private boolean readShard(int j) {
            if (shards.channels[j] == null) {
                return false;
            }
            if (chunks[j] == null) {
                chunks[j] = new byte[layout.chunk() + ShardFormat.CRC_BYTES];
                buffers[j] = ByteBuffer.wrap(chunks[j]);
            }
            boolean ok = shards.readChunk(j, stripe, chunks[j], buffers[j], crc);
            if (!ok) {
                store.reportBadChunk(shards, j, stripe);
            }
            good[j] = ok;
            bad[j] = !ok;
            return ok;
        }

        private void reconstruct(long s) throws IOException {
            int k = layout.dataShards();
            int have = 0;
            boolean[] tried = new boolean[n];
            for (int j = 0; j < n; j++) {
                if (good[j]) {
                    have++;
                    tried[j] = true;
                }
            }
            // Data shards first (cheapest to use), then parity, until k chunks verify.
            for (int j = 0; j < n && have < k; j++) {
                if (!tried[j] && !good[j] && !bad[j]) {
                    tried[j] = true;
                    if (readShard(j)) {
                        have++;
                    }
                }
            }
            if (have < k) {
                throw ShardFormat.corrupt(shards.blobId, "stripe %d has only %d of the %d good chunks needed (%d+%d coding)"
                        .formatted(s, have, k, k, layout.parityShards()));
            }
            MemorySegment[] segments = new MemorySegment[n];
            boolean[] present = new boolean[n];
            for (int j = 0; j < n; j++) {
                if (chunks[j] == null) {
                    chunks[j] = new byte[layout.chunk() + ShardFormat.CRC_BYTES];
                    buffers[j] = ByteBuffer.wrap(chunks[j]);
                }
                segments[j] = MemorySegment.ofArray(chunks[j]);
                present[j] = good[j];
            }
            // Only the k good chunks are inputs; any further verified ones are left as they are.
            int used = 0;
            for (int j = 0; j < n; j++) {
                if (present[j] && ++used > k) {
                    present[j] = false;
                    good[j] = false;
                }
            }
            coder.reconstruct(segments, present, chunkLength);
            java.util.Arrays.fill(good, true);
            store.stats.stripesReconstructed.increment();
        }

        private void requireOpen() throws IOException {
            if (closed) {
                throw new IOException("stream of blob " + shards.blobId + " is closed");
            }
            if (ErasureBlobReader.this.closed) {
                throw new IOException("reader of blob " + shards.blobId + " is closed");
            }
        }
    }
}
