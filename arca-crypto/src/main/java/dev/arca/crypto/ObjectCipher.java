package dev.arca.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Chunked AES-256-GCM for one data unit (an inline body, or one blob: a single-PUT object or one
 * multipart part). Plaintext is cut into {@link #CHUNK_BYTES} chunks; chunk i is sealed under a key
 * derived from the DEK and the unit id, with nonce = i, and AAD binding bucket, object key, unit id,
 * chunk index and a final-chunk flag. So chunks cannot be reordered, truncated, or swapped between
 * units or objects, and nonces never repeat under a key (each unit id is written once). The empty
 * plaintext is one sealed empty final chunk. Instances are immutable and thread-safe.
 */
public final class ObjectCipher {
    public static final int CHUNK_BYTES = 64 * 1024;
    public static final int TAG_BYTES = 16;
    public static final int DEK_BYTES = 32;

    private static final int SEALED_CHUNK_BYTES = CHUNK_BYTES + TAG_BYTES;
    /** Nonce = 4 zero bytes then the chunk index as a big-endian u64. */
    private static final int NONCE_INDEX_OFFSET = Aead.NONCE_BYTES - Long.BYTES;
    /** AAD suffix: chunk index (u64) then the final flag (u8). */
    private static final int AAD_SUFFIX_BYTES = Long.BYTES + 1;
    private static final byte[] UNIT_KEY_LABEL = "arca-unit-key\0".getBytes(StandardCharsets.US_ASCII);
    private static final String AAD_LABEL = "arca-chunk-v1";
    /** The largest unit {@link #seal(byte[], int, int)} can return in one array. */
    private static final int MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    private static final int WARM_UP_BYTES = 32 * 1024 * 1024;
    private static final int WARM_UP_SMALL_CHUNKS = 2_048;
    private static final int WARM_UP_SMALL_BYTES = 1_024;
    /** Warm-up stops here even if unfinished: start-up must stay bounded on a starved machine. */
    private static final long WARM_UP_MAX_NANOS = 2_000_000_000L;

    private final SecretKeySpec unitKey;
    /** The length-prefixed ("arca-chunk-v1", bucket, key, unitId); each chunk appends its suffix. */
    private final byte[] aadPrefix;

    private ObjectCipher(SecretKeySpec unitKey, byte[] aadPrefix) {
        this.unitKey = unitKey;
        this.aadPrefix = aadPrefix;
    }

    /** Receives sealed bytes. */
    @FunctionalInterface
    public interface ByteSink {
        void write(byte[] bytes, int offset, int length);
    }

    /** Gives a stream of the sealed bytes {@code [offset, offset + length)} of the unit. */
    @FunctionalInterface
    public interface SealedSource {
        InputStream stream(long offset, long length) throws IOException;
    }

    /** The sealed length of {@code plainLength} bytes. */
    public static long sealedLength(long plainLength) {
        return Math.addExact(plainLength, Math.multiplyExact((long) TAG_BYTES, chunkCount(plainLength)));
    }

    /** How many chunks {@code plainLength} bytes are sealed as: at least one (the empty unit has one). */
    static long chunkCount(long plainLength) {
        if (plainLength < 0) {
            throw new IllegalArgumentException("negative plain length " + plainLength);
        }
        return plainLength == 0 ? 1 : (plainLength - 1) / CHUNK_BYTES + 1;
    }

    /** A cipher for the unit {@code unitId} of object {@code bucket/key}, under data key {@code dek}. */
    public static ObjectCipher forUnit(byte[] dek, String bucket, String key, String unitId) {
        Aead.requireKey(dek, "dek");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(unitId, "unitId");
        byte[] unitIdBytes = unitId.getBytes(StandardCharsets.UTF_8);
        byte[] derived = Aead.hmac(dek, UNIT_KEY_LABEL, unitIdBytes);
        try {
            return new ObjectCipher(Aead.aesKey(derived), aadPrefix(AAD_LABEL, bucket, key, unitId));
        } finally {
            Aead.wipe(derived);
        }
    }

    /** Each string as a big-endian u32 byte length then its UTF-8 bytes, so no two tuples collide. */
    private static byte[] aadPrefix(String... fields) {
        byte[][] encoded = new byte[fields.length][];
        int length = 0;
        for (int i = 0; i < fields.length; i++) {
            encoded[i] = fields[i].getBytes(StandardCharsets.UTF_8);
            length += Integer.BYTES + encoded[i].length;
        }
        ByteBuffer buf = ByteBuffer.allocate(length);
        for (byte[] field : encoded) {
            buf.putInt(field.length).put(field);
        }
        return buf.array();
    }

    /** Runs the cipher over a few MiB so the JIT compiles the AES-GCM intrinsics before the first request. */
    public static void warmUp() {
        long start = System.nanoTime();
        ObjectCipher cipher = forUnit(new byte[DEK_BYTES], "arca-warm-up", "warm-up", "warm-up");
        ChunkCrypter sealing = cipher.new ChunkCrypter(Cipher.ENCRYPT_MODE);
        ChunkCrypter opening = cipher.new ChunkCrypter(Cipher.DECRYPT_MODE);
        byte[] plain = new byte[CHUNK_BYTES];
        byte[] sealed = new byte[SEALED_CHUNK_BYTES];
        byte[] opened = new byte[CHUNK_BYTES];
        long index = 0;
        // Full chunks compile the bulk intrinsics; small ones the short-final-chunk path.
        int full = WARM_UP_BYTES / CHUNK_BYTES;
        for (int i = 0; i < full + WARM_UP_SMALL_CHUNKS && System.nanoTime() - start < WARM_UP_MAX_NANOS; i++) {
            int length = i < full ? CHUNK_BYTES : WARM_UP_SMALL_BYTES;
            sealing.seal(index, false, plain, 0, length, sealed, 0);
            try {
                opening.open(index, false, sealed, 0, length + TAG_BYTES, opened, 0);
            } catch (AEADBadTagException e) {
                throw new IllegalStateException("AES-GCM warm-up did not round-trip", e);
            }
            index++;
        }
    }

    /**
     * Seals a stream of plaintext into {@code out}, chunk by chunk. The array handed to {@code out}
     * is reused for the next chunk: the sink must consume (copy or write) it before returning.
     */
    public Sealer sealer(ByteSink out) {
        return new Sealer(Objects.requireNonNull(out, "out"));
    }

    /** Seals a whole (small) unit at once. */
    public byte[] seal(byte[] plain, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, plain.length);
        long sealedLength = sealedLength(length);
        if (sealedLength > MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException("unit of " + length + " bytes is too large to seal at once");
        }
        byte[] out = new byte[(int) sealedLength];
        ChunkCrypter crypter = new ChunkCrypter(Cipher.ENCRYPT_MODE);
        long chunks = chunkCount(length);
        int in = offset;
        int at = 0;
        for (long i = 0; i < chunks; i++) {
            int n = Math.min(CHUNK_BYTES, offset + length - in);
            at += crypter.seal(i, i == chunks - 1, plain, in, n, out, at);
            in += n;
        }
        return out;
    }

    /** Opens a whole unit sealed by {@link #seal}; {@code plainLength} comes from metadata. */
    public byte[] open(byte[] sealed, long plainLength) throws TamperedDataException {
        if (plainLength < 0 || plainLength > MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException("plain length " + plainLength + " cannot be opened at once");
        }
        if (sealed.length != sealedLength(plainLength)) {
            throw new TamperedDataException("sealed unit is " + sealed.length + " bytes, expected "
                    + sealedLength(plainLength) + " for " + plainLength + " plaintext bytes (truncated or extended)");
        }
        byte[] plain = new byte[(int) plainLength];
        // Runs to the end on this thread, so the thread's instance serves (small inline units: one per object read).
        ChunkCrypter crypter = new ChunkCrypter(Cipher.DECRYPT_MODE, Aead.threadDecryptor());
        long chunks = chunkCount(plainLength);
        int in = 0;
        int at = 0;
        for (long i = 0; i < chunks; i++) {
            int n = (int) Math.min(CHUNK_BYTES, plainLength - at);
            try {
                crypter.open(i, i == chunks - 1, sealed, in, n + TAG_BYTES, plain, at);
            } catch (AEADBadTagException e) {
                Aead.wipe(plain);
                throw tampered(i, e);
            }
            in += n + TAG_BYTES;
            at += n;
        }
        return plain;
    }

    /**
     * The plaintext bytes {@code [first, first + length)} of a unit of {@code plainLength} bytes,
     * reading (lazily, one chunk at a time) only the sealed chunks that cover them. A chunk that fails
     * authentication throws {@link TamperedDataException} from {@code read} before any of its bytes
     * are returned.
     */
    public InputStream open(SealedSource source, long plainLength, long first, long length) {
        Objects.requireNonNull(source, "source");
        if (plainLength < 0 || first < 0 || length < 0 || first > plainLength - length) {
            throw new IndexOutOfBoundsException("range [" + first + ", +" + length + ") outside a unit of "
                    + plainLength + " bytes");
        }
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return new RangeReader(source, plainLength, first, length);
    }

    private static TamperedDataException tampered(long chunk, AEADBadTagException cause) {
        return new TamperedDataException("sealed chunk " + chunk
                + " failed authentication (changed, reordered, truncated, or sealed for another unit)", cause);
    }

    /** Seals or opens single chunks with one Cipher, reusing the nonce and AAD arrays. Not thread-safe. */
    private final class ChunkCrypter {
        private final int mode;
        private final Cipher cipher;
        private final byte[] nonce = new byte[Aead.NONCE_BYTES];
        private final byte[] aad = Arrays.copyOf(aadPrefix, aadPrefix.length + AAD_SUFFIX_BYTES);

        ChunkCrypter(int mode) {
            this(mode, Aead.newGcm());
        }

        /** With {@code cipher}, which only this crypter uses until it is done. */
        ChunkCrypter(int mode, Cipher cipher) {
            this.mode = mode;
            this.cipher = cipher;
        }

        private void init(long index, boolean last) throws GeneralSecurityException {
            ByteBuffer.wrap(nonce).putLong(NONCE_INDEX_OFFSET, index);
            ByteBuffer.wrap(aad).putLong(aadPrefix.length, index).put(aadPrefix.length + Long.BYTES,
                    (byte) (last ? 1 : 0));
            cipher.init(mode, unitKey, new GCMParameterSpec(Aead.TAG_BITS, nonce));
            cipher.updateAAD(aad);
        }

        int seal(long index, boolean last, byte[] in, int inOff, int len, byte[] out, int outOff) {
            try {
                init(index, last);
                return cipher.doFinal(in, inOff, len, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM chunk encryption failed", e);
            }
        }

        int open(long index, boolean last, byte[] in, int inOff, int len, byte[] out, int outOff)
                throws AEADBadTagException {
            try {
                init(index, last);
                return cipher.doFinal(in, inOff, len, out, outOff);
            } catch (AEADBadTagException e) {
                throw e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM chunk decryption failed", e);
            }
        }
    }

    /** Streams plaintext into sealed chunks. Not thread-safe. */
    public final class Sealer {
        private final ByteSink out;
        private final ChunkCrypter crypter = new ChunkCrypter(Cipher.ENCRYPT_MODE);
        private final byte[] pending = new byte[CHUNK_BYTES];
        private final byte[] sealed = new byte[SEALED_CHUNK_BYTES];
        private int pendingBytes;
        private long nextChunk;
        private long plainLength;
        private boolean finished;

        private Sealer(ByteSink out) {
            this.out = out;
        }

        public void write(byte[] bytes, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            if (finished) {
                throw new IllegalStateException("sealer already finished");
            }
            int at = offset;
            int remaining = length;
            while (remaining > 0) {
                // A full chunk is sealed only once more bytes arrive: the last chunk must carry the final flag.
                if (pendingBytes == CHUNK_BYTES) {
                    emit(pending, 0, CHUNK_BYTES, false);
                    pendingBytes = 0;
                }
                if (pendingBytes == 0 && remaining > CHUNK_BYTES) {
                    emit(bytes, at, CHUNK_BYTES, false); // straight from the caller's array: no copy
                    at += CHUNK_BYTES;
                    remaining -= CHUNK_BYTES;
                    continue;
                }
                int n = Math.min(remaining, CHUNK_BYTES - pendingBytes);
                System.arraycopy(bytes, at, pending, pendingBytes, n);
                pendingBytes += n;
                at += n;
                remaining -= n;
            }
            plainLength += length;
        }

        /** Plaintext bytes accepted so far. */
        public long plainLength() {
            return plainLength;
        }

        /** Seals the last (final-flagged) chunk; call exactly once, after the last write. */
        public void finish() {
            if (finished) {
                throw new IllegalStateException("sealer already finished");
            }
            finished = true;
            emit(pending, 0, pendingBytes, true);
            Arrays.fill(pending, (byte) 0);
            pendingBytes = 0;
        }

        private void emit(byte[] in, int offset, int length, boolean last) {
            int n = crypter.seal(nextChunk++, last, in, offset, length, sealed, 0);
            out.write(sealed, 0, n);
        }
    }

    /** Opens the chunks covering a plaintext range, one at a time, as they are read. */
    private final class RangeReader extends InputStream {
        private final SealedSource source;
        private final long plainLength;
        private final long lastChunkOfUnit;
        private final long firstChunk;
        private final long lastChunk;
        private final int skipInFirst;
        private final int endInLast;
        private final long sealedOffset;
        private final long sealedBytes;
        private ChunkCrypter crypter;
        private InputStream in;
        private byte[] sealed;
        private byte[] plain;
        private long nextChunk;
        private int position;
        private int limit;
        private TamperedDataException failure;
        private boolean closed;

        RangeReader(SealedSource source, long plainLength, long first, long length) {
            this.source = source;
            this.plainLength = plainLength;
            long end = first + length;
            this.lastChunkOfUnit = chunkCount(plainLength) - 1;
            this.firstChunk = first / CHUNK_BYTES;
            this.lastChunk = (end - 1) / CHUNK_BYTES;
            this.skipInFirst = (int) (first - firstChunk * CHUNK_BYTES);
            this.endInLast = (int) (end - lastChunk * CHUNK_BYTES);
            this.sealedOffset = firstChunk * SEALED_CHUNK_BYTES;
            long sealedEnd = Math.min(sealedLength(plainLength), (lastChunk + 1) * SEALED_CHUNK_BYTES);
            this.sealedBytes = sealedEnd - sealedOffset;
            this.nextChunk = firstChunk;
        }

        @Override
        public int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return plain[position++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (position == limit) {
                int direct = openInto(b, off, len);
                if (direct > 0) {
                    return direct;
                }
                if (!fill()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - position);
            System.arraycopy(plain, position, b, off, n);
            position += n;
            return n;
        }

        /**
         * Opens the next chunk straight into the caller's array when the caller wants all of it (the
         * common case of a large read), saving the copy through {@link #plain}; returns 0 when it
         * cannot (a partial chunk, a small read, the end), and {@link #fill} takes over.
         */
        private int openInto(byte[] b, int off, int len) throws IOException {
            if (nextChunk > lastChunk || nextChunk == firstChunk && skipInFirst != 0 || closed || failure != null) {
                return 0;
            }
            int chunkPlain = (int) Math.min(CHUNK_BYTES, plainLength - nextChunk * CHUNK_BYTES);
            boolean trimmed = nextChunk == lastChunk && endInLast != chunkPlain;
            if (trimmed || len < chunkPlain) {
                return 0;
            }
            readSealed(nextChunk, chunkPlain, b, off);
            nextChunk++;
            return chunkPlain;
        }

        @Override
        public int available() {
            return limit - position;
        }

        /** Opens the next chunk into {@link #plain}; false at the end of the range. */
        private boolean fill() throws IOException {
            if (closed) {
                throw new IOException("stream closed");
            }
            if (failure != null) {
                throw failure;
            }
            if (nextChunk > lastChunk) {
                return false;
            }
            long index = nextChunk;
            int chunkPlain = (int) Math.min(CHUNK_BYTES, plainLength - index * CHUNK_BYTES);
            if (plain == null) {
                // Small units get small buffers; a chunk is never more than CHUNK_BYTES.
                plain = new byte[(int) Math.min(CHUNK_BYTES, plainLength)];
            }
            readSealed(index, chunkPlain, plain, 0);
            nextChunk++;
            position = index == firstChunk ? skipInFirst : 0;
            limit = index == lastChunk ? endInLast : chunkPlain;
            return true;
        }

        /** Reads sealed chunk {@code index} and opens its {@code chunkPlain} bytes into {@code out}. */
        private void readSealed(long index, int chunkPlain, byte[] out, int outOff) throws IOException {
            if (in == null) {
                in = source.stream(sealedOffset, sealedBytes);
                if (in == null) {
                    throw new IOException("sealed source gave no stream");
                }
                sealed = new byte[(int) Math.min(CHUNK_BYTES, plainLength) + TAG_BYTES];
                crypter = new ChunkCrypter(Cipher.DECRYPT_MODE);
            }
            int chunkSealed = chunkPlain + TAG_BYTES;
            int got = in.readNBytes(sealed, 0, chunkSealed);
            if (got < chunkSealed) {
                failure = new TamperedDataException("sealed chunk " + index + " is truncated: " + got + " of "
                        + chunkSealed + " bytes");
                throw failure;
            }
            try {
                // GCM checks the tag before this returns: a failing chunk throws, and the caller never
                // counts what may have been written into out as data.
                crypter.open(index, index == lastChunkOfUnit, sealed, 0, chunkSealed, out, outOff);
            } catch (AEADBadTagException e) {
                failure = tampered(index, e);
                throw failure;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            position = limit = 0;
            if (plain != null) {
                Arrays.fill(plain, (byte) 0);
            }
            if (in != null) {
                in.close();
            }
        }
    }
}
