package dev.arca.s3.auth;

import dev.arca.core.Failure;
import dev.arca.core.FailureKind;
import dev.arca.core.Limits;
import dev.arca.core.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes an aws-chunked body ({@code hex-size[;ext]\r\n data \r\n} ... {@code 0[;ext]\r\n}, then
 * either {@code \r\n} or trailer lines and {@code \r\n}), verifying chunk and trailer signatures
 * when a {@link SignatureChain} is given.
 *
 * <p>Chunk data is read straight into the caller's buffer; only the short header and trailer lines
 * pass through a small internal buffer. Protocol violations surface from {@code read} as
 * {@link StoreException}; once one is thrown every later read throws it again. The decoded length
 * must equal {@code x-amz-decoded-content-length}, and nothing may follow the final CRLF.
 */
final class AwsChunkedInputStream extends InputStream {
    /** Largest chunk we accept; SDKs send 64 KiB to 1 MiB, so this only bounds abuse. */
    static final int MAX_CHUNK_BYTES = 16 * 1024 * 1024;
    /** Staging buffer for header lines; data bypasses it once it is drained. */
    static final int READ_BUFFER_BYTES = 8 * 1024;
    private static final int INITIAL_LINE_BYTES = 128;
    private static final byte[] EMPTY_SHA256 = SigV4.newSha256().digest();
    static final String INCOMPLETE_BODY_MESSAGE =
            "You did not provide the number of bytes specified by the Content-Length HTTP header.";

    private enum State {
        HEADER,
        DATA,
        DONE
    }

    private final InputStream in;
    private final SignatureChain chain;
    private final MessageDigest digest;
    private final boolean expectTrailers;
    private final List<String> declaredTrailers;
    private final long decodedLength;

    private final byte[] buf = new byte[READ_BUFFER_BYTES];
    private int pos;
    private int end;
    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int lastLineBytes;

    private State state = State.HEADER;
    private StoreException failure;
    private long chunkRemaining;
    private String chunkSignature;
    private long decoded;
    private volatile Map<String, String> trailers = Map.of();

    /**
     * @param chain verifies chunk (and trailer) signatures; null for unsigned chunks
     * @param expectTrailers whether trailer lines follow the final chunk
     * @param declaredTrailers lower-case names from {@code x-amz-trailer}; others are refused
     * @param decodedLength the exact number of payload bytes the chunks must carry
     */
    AwsChunkedInputStream(
            InputStream in,
            SignatureChain chain,
            boolean expectTrailers,
            List<String> declaredTrailers,
            long decodedLength) {
        this.in = in;
        this.chain = chain;
        this.digest = chain == null ? null : SigV4.newSha256();
        this.expectTrailers = expectTrailers;
        this.declaredTrailers = List.copyOf(declaredTrailers);
        this.decodedLength = decodedLength;
    }

    /** Trailers received (lower-case names), available once the body was read to its end. */
    Map<String, String> trailers() {
        return trailers;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (len == 0) {
            return 0;
        }
        try {
            while (true) {
                switch (state) {
                    case DONE -> {
                        return -1;
                    }
                    case HEADER -> readChunkHeader();
                    case DATA -> {
                        if (chunkRemaining > 0) {
                            return readData(b, off, len);
                        }
                        finishChunk();
                    }
                }
            }
        } catch (StoreException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public int available() {
        return state == State.DATA ? (int) Math.min(chunkRemaining, end - pos) : 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private int readData(byte[] b, int off, int len) throws IOException {
        int want = (int) Math.min(len, chunkRemaining);
        int n;
        if (pos < end) {
            n = Math.min(want, end - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
        } else {
            do {
                n = in.read(b, off, want);
            } while (n == 0);
            if (n < 0) {
                throw incomplete();
            }
        }
        if (digest != null) {
            digest.update(b, off, n);
        }
        chunkRemaining -= n;
        decoded += n;
        return n;
    }

    private void readChunkHeader() throws IOException {
        String header = readLine(Limits.MAX_CHUNK_HEADER_BYTES, false);
        int semi = header.indexOf(';');
        long size = parseSize(semi < 0 ? header : header.substring(0, semi));
        chunkSignature = null;
        if (chain != null) {
            String extension = semi < 0 ? "" : header.substring(semi + 1);
            if (!extension.startsWith(SigV4.CHUNK_SIGNATURE_EXTENSION)) {
                throw invalid("A chunk header lacks its chunk-signature.");
            }
            chunkSignature = extension.substring(SigV4.CHUNK_SIGNATURE_EXTENSION.length());
        }
        if (size > decodedLength - decoded) {
            throw invalid("The chunks carry more data than x-amz-decoded-content-length declares.");
        }
        if (size == 0) {
            finishBody();
        } else {
            chunkRemaining = size;
            state = State.DATA;
        }
    }

    private static long parseSize(String text) {
        if (text.isEmpty()) {
            throw invalid("A chunk header has no size.");
        }
        long size = 0;
        for (int i = 0; i < text.length(); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                throw invalid("A chunk size is not hexadecimal.");
            }
            size = size * 16 + digit;
            if (size > MAX_CHUNK_BYTES) {
                throw invalid("A chunk is larger than " + MAX_CHUNK_BYTES + " bytes.");
            }
        }
        return size;
    }

    /** After a chunk's data: its CRLF, then its signature. */
    private void finishChunk() throws IOException {
        if (readByte() != '\r' || readByte() != '\n') {
            throw invalid("Chunk data is longer than its declared size or not followed by CRLF.");
        }
        if (chain != null) {
            verifyChunk(digest.digest());
        }
        state = State.HEADER;
    }

    /** After the 0-size chunk header: its signature, the trailers or final CRLF, and end of stream. */
    private void finishBody() throws IOException {
        if (chain != null) {
            verifyChunk(EMPTY_SHA256);
        }
        if (decoded < decodedLength) {
            throw incomplete();
        }
        if (expectTrailers) {
            readTrailers();
        } else if (!readLine(Limits.MAX_CHUNK_HEADER_BYTES, false).isEmpty()) {
            throw invalid("The final chunk is not followed by CRLF.");
        }
        if (pos < end || fill()) {
            throw invalid("Data follows the final chunk of the aws-chunked body.");
        }
        state = State.DONE;
    }

    private void verifyChunk(byte[] sha256) {
        if (!chain.verifyChunk(sha256, chunkSignature)) {
            throw SigV4Authenticator.signatureMismatch();
        }
    }

    private void readTrailers() throws IOException {
        List<Map.Entry<String, String>> received = new ArrayList<>();
        String trailerSignature = null;
        int budget = Limits.MAX_TRAILER_BYTES;
        boolean leadingBlank = false;
        while (true) {
            boolean nothingYet = received.isEmpty() && trailerSignature == null;
            // Some senders put the 0-size chunk's CRLF before the trailers: skip one such blank line,
            // after which the body may also simply end (no trailers at all).
            String text = readLine(budget, leadingBlank && nothingYet);
            if (text == null) {
                break;
            }
            budget -= lastLineBytes;
            if (text.isEmpty()) {
                if (nothingYet && !leadingBlank) {
                    leadingBlank = true;
                    continue;
                }
                break;
            }
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw invalid("A trailer line is not of the form name:value.");
            }
            String name = text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = text.substring(colon + 1).strip();
            if (trailerSignature != null) {
                throw invalid("Trailers follow the x-amz-trailer-signature.");
            }
            if (name.equals(SigV4.TRAILER_SIGNATURE_NAME)) {
                trailerSignature = value;
                continue;
            }
            if (!declaredTrailers.contains(name)) {
                throw invalid("The trailer " + name + " was not declared in x-amz-trailer.");
            }
            for (Map.Entry<String, String> seen : received) {
                if (seen.getKey().equals(name)) {
                    throw invalid("The trailer " + name + " was sent twice.");
                }
            }
            received.add(Map.entry(name, value));
        }
        if (chain != null) {
            if (trailerSignature == null) {
                throw invalid("The signed trailers lack x-amz-trailer-signature.");
            }
            byte[] hash = SigV4.newSha256().digest(SigV4.canonicalTrailers(received));
            if (!chain.verifyTrailer(hash, trailerSignature)) {
                throw SigV4Authenticator.signatureMismatch();
            }
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : received) {
            map.put(t.getKey(), t.getValue());
        }
        for (String name : declaredTrailers) {
            if (!map.containsKey(name)) {
                throw invalid("The declared trailer " + name + " was not sent.");
            }
        }
        trailers = Collections.unmodifiableMap(map);
    }

    /**
     * Reads one CRLF-terminated line of at most {@code maxBytes} (CRLF included) and returns it
     * without the CRLF. Returns null only when {@code eofAllowed} and the stream ends before the
     * line starts.
     */
    private String readLine(int maxBytes, boolean eofAllowed) throws IOException {
        int n = 0;
        while (true) {
            if (pos == end && !fill()) {
                if (n == 0 && eofAllowed) {
                    return null;
                }
                throw incomplete();
            }
            int start = pos;
            int i = start;
            while (i < end && buf[i] != '\n') {
                i++;
            }
            boolean found = i < end;
            int take = (found ? i + 1 : i) - start;
            if (n + take > maxBytes) {
                throw invalid("An aws-chunked header or trailer line is too long.");
            }
            if (n + take > line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes, Math.max(n + take, line.length * 2)));
            }
            System.arraycopy(buf, start, line, n, take);
            n += take;
            pos += take;
            if (found) {
                break;
            }
        }
        if (n < 2 || line[n - 2] != '\r') {
            throw invalid("aws-chunked lines must end with CRLF.");
        }
        lastLineBytes = n;
        return new String(line, 0, n - 2, StandardCharsets.ISO_8859_1);
    }

    private int readByte() throws IOException {
        if (pos == end && !fill()) {
            throw incomplete();
        }
        return buf[pos++] & 0xFF;
    }

    /** Refills the empty buffer; false at end of stream. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private static StoreException invalid(String message) {
        return StoreException.of(FailureKind.INVALID_REQUEST, message);
    }

    private static StoreException incomplete() {
        return new StoreException(Failure.of(FailureKind.INCOMPLETE_BODY, INCOMPLETE_BODY_MESSAGE));
    }
}
