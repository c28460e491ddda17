package dev.arca.s3.auth;

import static dev.arca.s3.auth.AuthTestSupport.ascii;
import static dev.arca.s3.auth.AuthTestSupport.failsWith;
import static dev.arca.s3.auth.AuthTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The aws-chunked framing, limits and stream contract, without signatures. */
class AwsChunkedInputStreamTest {
    private static final List<String> CRC32 = List.of("x-amz-checksum-crc32");

    private static AwsChunkedInputStream unsigned(String body, long decodedLength, List<String> declared) {
        return new AwsChunkedInputStream(new ByteArrayInputStream(ascii(body)), null, true, declared, decodedLength);
    }

    private static AwsChunkedInputStream unsigned(InputStream in, long decodedLength) {
        return new AwsChunkedInputStream(in, null, true, CRC32, decodedLength);
    }

    @Test
    void decodesChunksAndTrailersAndToleratesExtensions() {
        AwsChunkedInputStream in = unsigned(
                "5;ext=1\r\nhello\r\n6\r\n world\r\n0;x\r\nx-amz-checksum-crc32: abc= \r\n\r\n", 11, CRC32);
        assertThat(new String(readAll(in), java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("hello world");
        assertThat(in.trailers()).containsExactly(Map.entry("x-amz-checksum-crc32", "abc="));
    }

    @Test
    void upperCaseHexSizesAndLeadingZerosAreAccepted() {
        String data = "x".repeat(0xAB);
        AwsChunkedInputStream in = unsigned("00AB\r\n" + data + "\r\n0\r\n\r\n", 0xAB, List.of());
        assertThat(readAll(in)).hasSize(0xAB);
    }

    @Test
    void aBlankLineBeforeTheTrailersIsTolerated() {
        assertThat(readAll(unsigned("1\r\nz\r\n0\r\n\r\nx-amz-checksum-crc32:abc=\r\n\r\n", 1, CRC32))).hasSize(1);
        AwsChunkedInputStream none = unsigned("1\r\nz\r\n0\r\n\r\n", 1, List.of());
        assertThat(readAll(none)).hasSize(1);
        assertThat(none.trailers()).isEmpty();
    }

    @Test
    void singleByteReadsAndAvailableFollowTheInputStreamContract() throws IOException {
        AwsChunkedInputStream in = unsigned("3\r\nabc\r\n0\r\nx-amz-checksum-crc32:q\r\n\r\n", 3, CRC32);
        assertThat(in.read(new byte[4], 0, 0)).isZero();
        assertThat(in.read()).isEqualTo('a');
        assertThat(in.available()).isEqualTo(2);
        assertThat(in.read()).isEqualTo('b');
        assertThat(in.read()).isEqualTo('c');
        assertThat(in.read()).isEqualTo(-1);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(in.available()).isZero();
    }

    @Test
    void dataBypassesTheInternalBufferForLargeReads() throws IOException {
        int size = 1 << 20;
        byte[] body = new byte[size + 64];
        byte[] header = ascii("100000\r\n");
        System.arraycopy(header, 0, body, 0, header.length);
        byte[] tail = ascii("\r\n0\r\nx-amz-checksum-crc32:q\r\n\r\n");
        System.arraycopy(tail, 0, body, header.length + size, tail.length);
        int total = header.length + size + tail.length;
        CountingInputStream source = new CountingInputStream(new ByteArrayInputStream(body, 0, total));
        AwsChunkedInputStream in = unsigned(source, size);
        byte[] buffer = new byte[size];
        int first = in.read(buffer, 0, size);
        assertThat(first).isLessThanOrEqualTo(AwsChunkedInputStream.READ_BUFFER_BYTES);
        int second = in.read(buffer, first, size - first);
        assertThat(second).as("read straight from the source into the caller's buffer").isEqualTo(size - first);
        assertThat(source.largestRead).isGreaterThanOrEqualTo(size - AwsChunkedInputStream.READ_BUFFER_BYTES);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void aChunkOverTheLimitIsRefused() {
        String size = Integer.toHexString(AwsChunkedInputStream.MAX_CHUNK_BYTES + 1);
        failsWith(FailureKind.INVALID_REQUEST, () -> readAll(unsigned(size + "\r\n", Long.MAX_VALUE, List.of())));
        String huge = "f".repeat(40);
        failsWith(FailureKind.INVALID_REQUEST, () -> readAll(unsigned(huge + "\r\n", Long.MAX_VALUE, List.of())));
    }

    @Test
    void aChunkHeaderOverTheLimitIsRefused() {
        String longHeader = "1;" + "e".repeat(Limits.MAX_CHUNK_HEADER_BYTES);
        failsWith(FailureKind.INVALID_REQUEST, () -> readAll(unsigned(longHeader + "\r\nz\r\n0\r\n\r\n", 1, List.of())));
    }

    @Test
    void trailersOverTheLimitAreRefused() {
        String value = "v".repeat(Limits.MAX_TRAILER_BYTES);
        assertThat(failsWith(FailureKind.INVALID_REQUEST, () -> readAll(
                        unsigned("0\r\nx-amz-checksum-crc32:" + value + "\r\n\r\n", 0, CRC32)))
                .getMessage()).contains("too long");
        // Many small, distinct, declared trailers add up too.
        int count = Limits.MAX_TRAILER_BYTES / 8;
        List<String> names = java.util.stream.IntStream.range(0, count).mapToObj(i -> "t" + i).toList();
        StringBuilder lines = new StringBuilder();
        names.forEach(name -> lines.append(name).append(":1\r\n"));
        assertThat(lines.length()).isGreaterThan(Limits.MAX_TRAILER_BYTES);
        assertThat(failsWith(FailureKind.INVALID_REQUEST, () -> readAll(unsigned("0\r\n" + lines + "\r\n", 0, names)))
                .getMessage()).contains("too long");
        // Just under the limit is fine.
        List<String> fewer = names.subList(0, count / 2);
        StringBuilder some = new StringBuilder();
        fewer.forEach(name -> some.append(name).append(":1\r\n"));
        AwsChunkedInputStream in = unsigned("0\r\n" + some + "\r\n", 0, fewer);
        readAll(in);
        assertThat(in.trailers()).hasSize(fewer.size());
    }

    @Test
    void malformedFramingIsRefused() {
        for (String body : new String[] {
            "\r\n",                                  // no size
            "zz\r\nab\r\n0\r\n\r\n",                 // not hex
            "2\nab\r\n0\r\n\r\n",                    // bare LF
            "2\r\nab\r\n0\r\nnot-a-trailer\r\n\r\n", // trailer without colon
            "2\r\nab\r\n0\r\n:v\r\n\r\n",            // trailer without name
        }) {
            failsWith(FailureKind.INVALID_REQUEST, () -> readAll(unsigned(body, 2, List.of())));
        }
    }

    @Test
    void anEmptyOrCutBodyIsIncomplete() {
        failsWith(FailureKind.INCOMPLETE_BODY, () -> readAll(unsigned("", 0, List.of())));
        failsWith(FailureKind.INCOMPLETE_BODY, () -> readAll(unsigned("4\r\nab", 4, List.of())));
        failsWith(FailureKind.INCOMPLETE_BODY, () -> readAll(unsigned("2\r\nab\r\n0\r\n", 2, List.of())));
    }

    @Test
    void aFailureIsRepeatedByLaterReads() {
        AwsChunkedInputStream in = unsigned("zz\r\n", 2, List.of());
        failsWith(FailureKind.INVALID_REQUEST, in::read);
        failsWith(FailureKind.INVALID_REQUEST, in::read);
    }

    /** Records the largest single read asked of it. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        int largestRead;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            largestRead = Math.max(largestRead, n);
            return n;
        }
    }
}
