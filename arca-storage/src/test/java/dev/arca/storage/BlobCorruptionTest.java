package dev.arca.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.core.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged blob files on disk: every kind of damage is detected, and only where it matters. */
class BlobCorruptionTest {
    private static final int BLOCK = Limits.BLOB_BLOCK_BYTES;
    /** Four blocks, the last one short. */
    private static final int SIZE = 3 * BLOCK + 1000;
    private static final int BLOCKS = 4;

    @TempDir
    Path root;

    private FileBlobStore store;
    private SplittableRandom random;
    private String id;
    private byte[] data;
    private Path file;

    @BeforeEach
    void writeBlob() {
        random = TestSeed.random("corruption");
        store = FileBlobStore.open(root);
        id = TestSeed.blobId(random);
        data = TestSeed.bytes(random, SIZE);
        FileBlobStoreTest.write(store, id, data, random);
        file = store.pathOf(id);
    }

    @Test
    void aFlippedDataByteFailsOnlyRangesTouchingItsBlock() throws IOException {
        for (int bad = 0; bad < BLOCKS; bad++) {
            int blockLength = Math.min(BLOCK, SIZE - bad * BLOCK);
            long flipAt = BlobFormat.blockPosition(bad, BLOCK) + random.nextInt(blockLength);
            flip(file, flipAt);
            try (BlobReader reader = store.open(id)) {
                for (int block = 0; block < BLOCKS; block++) {
                    int first = block * BLOCK;
                    int length = Math.min(BLOCK, SIZE - first);
                    int offset = first + random.nextInt(length);
                    int rangeLength = 1 + random.nextInt(first + length - offset);
                    if (block == bad) {
                        assertCorrupt(reader, offset, rangeLength, bad);
                        assertCorrupt(reader, 0, SIZE, bad);
                    } else {
                        assertReads(reader, offset, rangeLength);
                    }
                }
            }
            flip(file, flipAt);
        }
        try (BlobReader reader = store.open(id)) {
            assertReads(reader, 0, SIZE);
        }
    }

    @Test
    void aFlippedBlockChecksumFailsItsBlock() throws IOException {
        long crcAt = BlobFormat.blockPosition(1, BLOCK) + BLOCK + random.nextInt(BlobFormat.CRC_BYTES);
        flip(file, crcAt);
        try (BlobReader reader = store.open(id)) {
            assertCorrupt(reader, BLOCK + 5, 1, 1);
            assertReads(reader, 0, BLOCK);
            assertReads(reader, 2 * BLOCK, SIZE - 2 * BLOCK);
        }
    }

    @Test
    void aStreamKeepsFailingOnABadBlockAndReadsByteByByteToo() throws IOException {
        flip(file, BlobFormat.blockPosition(0, BLOCK) + 3);
        try (BlobReader reader = store.open(id); InputStream in = reader.stream(0, 10)) {
            assertThatThrownBy(in::read).isInstanceOf(BlobCorruptException.class);
            assertThatThrownBy(in::read).isInstanceOf(BlobCorruptException.class);
            assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
                    .isInstanceOf(BlobCorruptException.class);
        }
    }

    @Test
    void blocksSwappedWithinAFileAreDetected() throws IOException {
        byte[] block0 = readAt(file, BlobFormat.blockPosition(0, BLOCK), BLOCK + BlobFormat.CRC_BYTES);
        byte[] block1 = readAt(file, BlobFormat.blockPosition(1, BLOCK), BLOCK + BlobFormat.CRC_BYTES);
        writeAt(file, BlobFormat.blockPosition(0, BLOCK), block1);
        writeAt(file, BlobFormat.blockPosition(1, BLOCK), block0);
        try (BlobReader reader = store.open(id)) {
            assertCorrupt(reader, 0, 1, 0);
            assertCorrupt(reader, BLOCK, 1, 1);
            assertReads(reader, 2 * BLOCK, SIZE - 2 * BLOCK);
        }
    }

    @Test
    void aBlockFromAnotherBlobIsDetected() throws IOException {
        String otherId = TestSeed.blobId(random);
        FileBlobStoreTest.write(store, otherId, Arrays.copyOf(data, SIZE), random);
        Path other = store.pathOf(otherId);
        // Same data, same index, but written for another id: its CRC does not verify here.
        byte[] foreign = readAt(other, BlobFormat.blockPosition(0, BLOCK), BLOCK + BlobFormat.CRC_BYTES);
        assertThat(foreign).isNotEqualTo(readAt(file, BlobFormat.blockPosition(0, BLOCK), BLOCK + BlobFormat.CRC_BYTES));
        writeAt(file, BlobFormat.blockPosition(0, BLOCK), foreign);
        try (BlobReader reader = store.open(id)) {
            assertCorrupt(reader, 0, 1, 0);
        }
    }

    @Test
    void everyFlippedHeaderOrFooterByteFailsOpen() throws IOException {
        long size = Files.size(file);
        for (long at = 0; at < size; at = at == BlobFormat.HEADER_BYTES - 1 ? size - BlobFormat.FOOTER_BYTES : at + 1) {
            flip(file, at);
            boolean versionField = at >= BlobFormat.HEADER_VERSION_AT && at < BlobFormat.HEADER_BLOCK_SIZE_AT;
            assertOpenFails(versionField ? UnsupportedBlobFormatException.class : BlobCorruptException.class,
                    versionField ? "version" : "corrupt", "byte " + at);
            flip(file, at);
        }
        try (BlobReader reader = store.open(id)) {
            assertReads(reader, 0, SIZE);
        }
    }

    @Test
    void aNewerFormatVersionIsReportedAsSuchNotAsCorruption() throws IOException {
        ByteBuffer header = ByteBuffer.wrap(readAt(file, 0, BlobFormat.HEADER_BYTES));
        header.putInt(BlobFormat.HEADER_VERSION_AT, 2);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(header.array(), 0, BlobFormat.HEADER_CRC_AT);
        header.putInt(BlobFormat.HEADER_CRC_AT, (int) crc.getValue());
        writeAt(file, 0, header.array());
        assertOpenFails(UnsupportedBlobFormatException.class, "format version 2; this build reads only version 1", "version 2");
    }

    @Test
    void truncatedOrExtendedFilesFailOpen() throws IOException {
        byte[] whole = Files.readAllBytes(file);
        long[] lengths = {0, 1, BlobFormat.HEADER_BYTES, BlobFormat.HEADER_BYTES + BlobFormat.FOOTER_BYTES - 1,
                BlobFormat.HEADER_BYTES + BlobFormat.FOOTER_BYTES, BLOCK, whole.length - BlobFormat.FOOTER_BYTES,
                whole.length - BlobFormat.FOOTER_BYTES - BlobFormat.CRC_BYTES, whole.length - 1};
        for (long length : lengths) {
            Files.write(file, Arrays.copyOf(whole, (int) length));
            assertOpenFails(BlobCorruptException.class, "corrupt", "truncated to " + length);
        }
        Files.write(file, Arrays.copyOf(whole, whole.length + 1));
        assertOpenFails(BlobCorruptException.class, "corrupt", "one byte appended");
    }

    @Test
    void aFooterWhoseNumbersDisagreeWithTheFileFailsOpen() throws IOException {
        long footerAt = Files.size(file) - BlobFormat.FOOTER_BYTES;
        writeAt(file, footerAt, BlobFormat.encodeFooter(SIZE + 1, BLOCKS).array());
        assertOpenFails(BlobCorruptException.class, "implies", "length + 1");
        writeAt(file, footerAt, BlobFormat.encodeFooter(SIZE, BLOCKS + 1).array());
        assertOpenFails(BlobCorruptException.class, "blocks", "block count + 1");
        writeAt(file, footerAt, BlobFormat.encodeFooter(Long.MAX_VALUE, Math.ceilDiv(Long.MAX_VALUE, BLOCK)).array());
        assertOpenFails(BlobCorruptException.class, "exceeds", "huge length");
    }

    @Test
    void aBlobFileUnderAnotherIdFailsOpen() throws IOException {
        String otherId = TestSeed.blobId(random);
        Files.copy(file, store.pathOf(otherId));
        assertThatThrownBy(() -> store.open(otherId)).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(BlobCorruptException.class).hasMessageContaining("holds blob " + id);
    }

    @Test
    void aFileTruncatedUnderAnOpenReaderFailsItsReads() throws IOException {
        try (BlobReader reader = store.open(id)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(BlobFormat.blockPosition(2, BLOCK) + 10);
            }
            assertReads(reader, 0, 2 * BLOCK);
            assertCorrupt(reader, 2 * BLOCK, 1, 2);
        }
    }

    private void assertCorrupt(BlobReader reader, long offset, int length, int block) {
        assertThatThrownBy(() -> {
            try (InputStream in = reader.stream(offset, length)) {
                in.readAllBytes();
            }
        }).as("range [%d, +%d) over bad block %d", offset, length, block)
                .isInstanceOf(BlobCorruptException.class)
                .hasMessageContaining("blob " + id)
                .hasMessageContaining("block " + block + " ");
    }

    private void assertReads(BlobReader reader, int offset, int length) throws IOException {
        try (InputStream in = reader.stream(offset, length)) {
            assertThat(in.readAllBytes()).as("range [%d, +%d)", offset, length)
                    .isEqualTo(Arrays.copyOfRange(data, offset, offset + length));
        }
    }

    private void assertOpenFails(Class<? extends IOException> cause, String message, String damage) {
        assertThatThrownBy(() -> store.open(id).close()).as(damage)
                .isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(cause)
                .hasMessageContaining(id)
                .hasMessageContaining(message);
    }

    private static void flip(Path file, long position) throws IOException {
        byte[] b = readAt(file, position, 1);
        b[0] ^= (byte) 0x10;
        writeAt(file, position, b);
    }

    private static byte[] readAt(Path file, long position, int length) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            BlobFormat.readFully(channel, b, position);
            return b.array();
        }
    }

    private static void writeAt(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b, position + b.position());
            }
        }
    }
}
