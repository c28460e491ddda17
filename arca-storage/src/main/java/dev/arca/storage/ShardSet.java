package dev.arca.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shard files of one blob as found on the drives: which are present and valid (header and
 * footer verified, geometry agreeing with the majority, right size, right slot), and open
 * channels to the valid ones. Chunks are verified later, when read.
 */
final class ShardSet implements AutoCloseable {
    final String blobId;
    /** The blob's geometry, or null if no shard was valid. */
    final ShardFormat.Layout layout;
    /** Per shard index (0..n-1, n from the layout): channel of a valid shard file, or null. */
    final FileChannel[] channels;
    /** Per shard index: the drive the shard belongs on. */
    final Drive[] drives;
    /** Shard files found (valid or not). */
    final int filesFound;
    /** Valid shards. */
    final int valid;
    /** A shard in a format this build cannot read was found: never treat such a blob as garbage. */
    final boolean unsupported;
    /**
     * A shard file could not be read (an I/O error such as EIO, or ClosedByInterruptException when the
     * thread was interrupted): its content is unknown, so never treat the blob as garbage either.
     */
    final boolean unreadable;
    /** What was wrong with the invalid ones, for logs and reports. */
    final List<String> problems;

    private ShardSet(String blobId, ShardFormat.Layout layout, FileChannel[] channels, Drive[] drives, int filesFound, int valid,
            boolean unsupported, boolean unreadable, List<String> problems) {
        this.blobId = blobId;
        this.layout = layout;
        this.channels = channels;
        this.drives = drives;
        this.filesFound = filesFound;
        this.valid = valid;
        this.unsupported = unsupported;
        this.unreadable = unreadable;
        this.problems = problems;
    }

    /** Shard index {@code s} of blob {@code id} lives on drive {@code (rotation + s) mod N}. */
    static int slotOf(String blobId, int shard, int driveCount) {
        int rotation = Integer.parseInt(blobId, 0, 2, 16);
        return (rotation + shard) % driveCount;
    }

    private record Found(int slot, FileChannel channel, ShardFormat.Header header, ShardFormat.Footer footer, long size) {}

    private record Geometry(int k, int m, int chunk, long length, long stripes) {}

    /** Opens and checks every shard file of {@code blobId}. Never throws for a bad shard: it is just not valid. */
    static ShardSet inspect(String blobId, Drive[] all) {
        int driveCount = all.length;
        List<Found> found = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int files = 0;
        boolean unsupported = false;
        boolean unreadable = false;
        // Shard s can only be on its own slot; try every shard index a geometry could have.
        for (int s = 0; s < driveCount; s++) {
            Drive drive = all[slotOf(blobId, s, driveCount)];
            FileChannel ch;
            try {
                ch = FileChannel.open(drive.shardPath(blobId), StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                files++;
                unreadable = true;
                problems.add(drive + ": " + e);
                continue;
            }
            files++;
            try {
                long size = ch.size();
                if (size < ShardFormat.HEADER_BYTES + ShardFormat.FOOTER_BYTES) {
                    throw ShardFormat.corrupt(blobId, "shard file is " + size + " bytes");
                }
                ByteBuffer h = ByteBuffer.allocate(ShardFormat.HEADER_BYTES);
                readFully(ch, h, 0);
                ShardFormat.Header header = ShardFormat.decodeHeader(h, blobId);
                if (header.shardIndex() != s) {
                    throw ShardFormat.corrupt(blobId, "shard " + header.shardIndex() + " found in the slot of shard " + s);
                }
                ByteBuffer f = ByteBuffer.allocate(ShardFormat.FOOTER_BYTES);
                readFully(ch, f, size - ShardFormat.FOOTER_BYTES);
                ShardFormat.Footer footer = ShardFormat.decodeFooter(f, blobId);
                found.add(new Found(s, ch, header, footer, size));
            } catch (UnsupportedBlobFormatException e) {
                unsupported = true;
                problems.add(drive + ": " + e.getMessage());
                closeQuietly(ch);
            } catch (IOException e) {
                // Bad content (or a file cut short under us) is damage; any other I/O error says nothing about it.
                unreadable |= !(e instanceof BlobCorruptException || e instanceof EOFException);
                problems.add(drive + ": " + (e instanceof BlobCorruptException ? e.getMessage() : e.toString()));
                closeQuietly(ch);
            }
        }
        // The geometry most shards agree on wins; a shard disagreeing with it is damaged.
        Map<Geometry, Integer> votes = new HashMap<>();
        for (Found f : found) {
            votes.merge(geometry(f), 1, Integer::sum);
        }
        Geometry winner = votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (winner == null) {
            return new ShardSet(blobId, null, new FileChannel[0], new Drive[0], files, 0, unsupported, unreadable, problems);
        }
        ShardFormat.Layout layout = new ShardFormat.Layout(winner.k(), winner.m(), winner.chunk(), winner.length());
        int n = winner.k() + winner.m();
        FileChannel[] channels = new FileChannel[n];
        Drive[] drives = new Drive[n];
        for (int s = 0; s < n; s++) {
            drives[s] = all[slotOf(blobId, s, driveCount)];
        }
        int valid = 0;
        for (Found f : found) {
            String problem = null;
            if (!geometry(f).equals(winner)) {
                problem = "geometry disagrees with the other shards";
            } else if (f.footer().stripes() != layout.stripes()) {
                problem = "footer says " + f.footer().stripes() + " stripes, expected " + layout.stripes();
            } else if (f.size() != layout.shardFileSize()) {
                problem = "shard file is " + f.size() + " bytes, expected " + layout.shardFileSize();
            } else if (f.slot() >= n) {
                problem = "shard index beyond k+m";
            }
            if (problem == null) {
                channels[f.slot()] = f.channel();
                valid++;
            } else {
                problems.add(all[slotOf(blobId, f.slot(), driveCount)] + ": blob " + blobId + ": " + problem);
                closeQuietly(f.channel());
            }
        }
        return new ShardSet(blobId, layout, channels, drives, files, valid, unsupported, unreadable, problems);
    }

    private static Geometry geometry(Found f) {
        return new Geometry(f.header().dataShards(), f.header().parityShards(), f.header().chunk(), f.footer().blobLength(),
                f.footer().stripes());
    }

    int totalShards() {
        return channels.length;
    }

    /**
     * Reads chunk {@code stripe} of shard {@code shard} and its CRC into {@code buffer} from position 0
     * (a heap buffer, or a direct one that the kernel fills with no copy through the heap) and
     * verifies the CRC. Returns false (never throws) if the shard is unusable, short or corrupt. The
     * buffer's position and limit are left unspecified.
     */
    boolean readChunk(int shard, long stripe, ByteBuffer buffer, ShardFormat.ChunkCrc crc) {
        FileChannel ch = channels[shard];
        if (ch == null) {
            return false;
        }
        int len = layout.chunkLength(stripe);
        buffer.clear().limit(len + ShardFormat.CRC_BYTES);
        try {
            readFully(ch, buffer, layout.chunkPosition(stripe));
        } catch (IOException e) {
            return false;
        }
        return buffer.getInt(len) == crc.of(shard, stripe, buffer.clear().limit(len));
    }

    static void readFully(FileChannel channel, ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, at);
            if (n < 0) {
                throw new EOFException("end of file at " + at);
            }
            at += n;
        }
    }

    static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing to lose.
        }
    }

    @Override
    public void close() {
        for (FileChannel ch : channels) {
            if (ch != null) {
                closeQuietly(ch);
            }
        }
    }
}
