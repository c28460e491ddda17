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
    /** Largest piece {@code transferTo} copies out of a direct chunk buffer at a time. */
    private static final int TRANSFER_SCRATCH_BYTES = 64 * 1024;

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

    /**
     * Serves verified bytes of one stripe at a time. Reads are not meant to be concurrent (like any
     * InputStream), but close may come from another thread (a transport dropping a connection): the
     * lock keeps it from pooling the buffers while a read still fills them.
     */
    private final class StripeStream extends InputStream {
        private final long end;
        private final int n = layout.dataShards() + layout.parityShards();
        private final ShardFormat.ChunkCrc crc = new ShardFormat.ChunkCrc(shards.blobId);
        /**
         * Per shard: chunk bytes followed by room for the CRC, direct so the kernel reads into them
         * without a copy through the heap. Taken from the pool on first use, given back on close.
         */
        private final ByteBuffer[] buffers = new ByteBuffer[n];
        /** For {@link #transferTo}: output streams take arrays. */
        private byte[] scratch;
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
        public synchronized int read(byte[] b, int off, int len) throws IOException {
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
        public synchronized long transferTo(OutputStream out) throws IOException {
            Objects.requireNonNull(out, "out");
            requireOpen();
            long total = 0;
            while (position < end) {
                total += serve(null, 0, Integer.MAX_VALUE, out);
            }
            return total;
        }

        @Override
        public synchronized long skip(long count) throws IOException {
            requireOpen();
            long k = Math.max(0, Math.min(count, end - position));
            position += k;
            return k;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int j = 0; j < n; j++) {
                if (buffers[j] != null) {
                    DirectChunkPool.SHARED.release(buffers[j]);
                    buffers[j] = null;
                }
            }
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
                if (scratch == null) {
                    scratch = new byte[Math.min(layout.chunk(), TRANSFER_SCRATCH_BYTES)];
                }
                for (int done = 0; done < n;) {
                    int step = Math.min(scratch.length, n - done);
                    buffers[shard].get(at + done, scratch, 0, step);
                    out.write(scratch, 0, step);
                    done += step;
                }
            } else {
                buffers[shard].get(at, b, off, n);
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
            boolean ok = shards.readChunk(j, stripe, buffer(j), crc);
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
                segments[j] = MemorySegment.ofBuffer(buffer(j).clear());
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

        /** Shard {@code j}'s chunk buffer, taken from the pool on first use. */
        private ByteBuffer buffer(int j) {
            if (buffers[j] == null) {
                buffers[j] = DirectChunkPool.SHARED.take(layout.chunk() + ShardFormat.CRC_BYTES);
            }
            return buffers[j];
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
