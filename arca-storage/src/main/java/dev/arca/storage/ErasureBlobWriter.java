package dev.arca.storage;

import dev.arca.erasure.ErasureCoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one erasure-coded blob: buffers a stripe, codes it, and appends each chunk with its CRC
 * to the shard's temporary file on its drive. A shard whose drive fails is dropped; the write goes
 * on while at least the write quorum of shards is alive and fails cleanly (503) below it. Commit
 * fsyncs the shards in parallel, renames them into place and fsyncs their directories; the blob is
 * committed if the quorum made it, and queued for healing if some shards are missing.
 */
final class ErasureBlobWriter implements BlobWriter {
    private final ErasureBlobStore store;
    private final String blobId;
    private final ErasureCoder coder;
    private final int k;
    private final int n;
    private final int chunk;
    private final Drive[] drives;
    private final Path[] temps;
    private final FileChannel[] channels;
    /** Borrowed from the store's pool; returned when the writer finishes (null after). */
    private StripeBuffers buffers;
    private final ByteBuffer stripe;
    private final ShardFormat.ChunkCrc crc;
    private int fill;
    private long length;
    private long stripes;
    private boolean done;

    ErasureBlobWriter(ErasureBlobStore store, String blobId, ErasureCoder coder, int chunk, Drive[] drives) {
        this.store = store;
        this.blobId = blobId;
        this.coder = coder;
        this.k = coder.dataShards();
        this.n = coder.totalShards();
        this.chunk = chunk;
        this.drives = drives;
        this.temps = new Path[n];
        this.channels = new FileChannel[n];
        this.buffers = store.borrowStripeBuffers(k, n - k, chunk);
        this.stripe = buffers.stripe;
        this.crc = new ShardFormat.ChunkCrc(blobId);
    }

    /** Creates the temporary shard files; fails with 503 if fewer than the write quorum could be created. */
    void start() {
        ByteBuffer[] headers = new ByteBuffer[n];
        for (int s = 0; s < n; s++) {
            headers[s] = ShardFormat.encodeHeader(new ShardFormat.Header(blobId, k, n - k, s, chunk));
            Path temp = drives[s].tempPath(blobId);
            temps[s] = temp;
            store.reserveTemp(temp);
            try {
                channels[s] = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                writeFully(channels[s], headers[s]);
            } catch (IOException e) {
                fail(s, e);
            }
        }
        requireQuorum();
    }

    @Override
    public void write(byte[] bytes, int offset, int len) {
        java.util.Objects.checkFromIndexSize(offset, len, bytes.length);
        if (done) {
            throw new IllegalStateException("blob " + blobId + " writer is closed");
        }
        int capacity = stripe.capacity();
        while (len > 0) {
            int n = Math.min(len, capacity - fill);
            stripe.put(fill, bytes, offset, n);
            fill += n;
            offset += n;
            len -= n;
            length += n;
            if (fill == capacity) {
                flushStripe();
            }
        }
    }

    @Override
    public long length() {
        return length;
    }

    /** Codes the buffered stripe and appends every live shard's chunk. */
    private void flushStripe() {
        int cs = ShardFormat.chunkFor(fill, k);
        if (k * cs > fill) {
            buffers.stripeSegment.asSlice(fill, (long) k * cs - fill).fill((byte) 0);
        }
        MemorySegment[] segments = new MemorySegment[n];
        for (int s = 0; s < k; s++) {
            segments[s] = buffers.stripeSegment.asSlice((long) s * cs, cs);
        }
        for (int p = 0; p < n - k; p++) {
            segments[k + p] = buffers.paritySegments[p];
        }
        coder.encode(segments, cs);
        ByteBuffer crcBuffer = buffers.crc;
        for (int s = 0; s < n; s++) {
            if (channels[s] == null) {
                continue;
            }
            ByteBuffer chunkBytes = s < k ? stripe.slice(s * cs, cs) : buffers.parity[s - k].slice(0, cs);
            crcBuffer.clear();
            crcBuffer.putInt(crc.of(s, stripes, chunkBytes)).flip();
            try {
                ByteBuffer[] pieces = {chunkBytes, crcBuffer};
                while (pieces[0].hasRemaining() || pieces[1].hasRemaining()) {
                    channels[s].write(pieces);
                }
            } catch (IOException e) {
                fail(s, e);
            }
        }
        requireQuorum();
        stripes++;
        fill = 0;
    }

    @Override
    public void commit() {
        if (done) {
            throw new IllegalStateException("blob " + blobId + " writer is closed");
        }
        if (fill > 0) {
            flushStripe();
        }
        for (int s = 0; s < n; s++) {
            if (channels[s] != null) {
                try {
                    writeFully(channels[s], ShardFormat.encodeFooter(length, stripes));
                } catch (IOException e) {
                    fail(s, e);
                }
            }
        }
        requireQuorum();
        // Each drive fsyncs on its own: in parallel, the commit waits for the slowest, not the sum.
        store.parallel(liveShards(), s -> {
            channels[s].force(true);
            channels[s].close();
        }, this::fail);
        requireQuorum();
        done = true;
        boolean published = false;
        int durable;
        List<Integer> live = liveShards();
        try {
            durable = store.publish(blobId, drives, temps, live, store.writeQuorum(k, n));
            published = true;
        } finally {
            if (!published) {
                discardAll();
            }
            release();
        }
        // Only now: while the id counted as being written, the healer would skip it. A shard lost to a
        // drive that is offline waits for the drive's return (its refill pass); healing now cannot help.
        boolean healable = durable < live.size();
        for (int s = 0; s < n && !healable; s++) {
            healable = !live.contains(s) && store.stateOf(drives[s].slot, false) == Drive.State.ONLINE;
        }
        if (durable < n && healable) {
            store.requestHeal(blobId, (n - durable) + " shards could not be written");
        }
    }

    /** Ends the write for the store: the id and temporary names are free again, the buffers go back to the pool. */
    private void release() {
        store.releaseWriter(blobId, temps);
        if (buffers != null) {
            store.returnStripeBuffers(buffers);
            buffers = null;
        }
    }

    private List<Integer> liveShards() {
        List<Integer> live = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (channels[s] != null) {
                live.add(s);
            }
        }
        return live;
    }

    /** Drops shard {@code s}: its drive failed. */
    private void fail(int s, IOException e) {
        FileChannel ch = channels[s];
        channels[s] = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
        }
        try {
            Files.deleteIfExists(temps[s]);
        } catch (IOException ignored) {
            // The drive is failing; start-up sweeps its tmp/ if it comes back.
        }
        store.reportWriteFailure(drives[s], blobId, e);
    }

    private void requireQuorum() {
        int live = liveShards().size();
        int quorum = store.writeQuorum(k, n);
        if (live < quorum) {
            discardAll();
            done = true;
            release();
            throw store.quorumLost(blobId, live, quorum);
        }
    }

    private void discardAll() {
        for (int s = 0; s < n; s++) {
            FileChannel ch = channels[s];
            channels[s] = null;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // Deleting the file below is what matters.
                }
            }
            try {
                Files.deleteIfExists(temps[s]);
            } catch (IOException ignored) {
                // Swept at the next start.
            }
        }
    }

    @Override
    public void close() {
        if (!done) {
            done = true;
            discardAll();
            release();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
