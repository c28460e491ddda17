package dev.arca.meta.kv;

import dev.arca.crypto.TamperedDataException;
import dev.arca.crypto.ValueCipher;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A {@link Kv} whose values are sealed at rest (docs/FORMATS.md, "Sealed metadata values"): every value
 * is AES-256-GCM sealed by a {@link ValueCipher} with its key as associated data, so the files under
 * the store (RocksDB tables, logs) hold no object metadata, tag or inline byte in clear, and a value
 * moved under another key fails to open. Keys (bucket names, object keys) stay in clear: they give
 * the order listings need.
 *
 * <p>A store written before sealing existed is sealed on first open, in key order, in batches that
 * also record how far they got, so a crash part way resumes where it stopped. A value that fails to
 * open is a broken invariant ({@link KvException}): the store was tampered with or the key is wrong.
 */
public final class SealedKv implements Kv {
    /** The one raw key this wrapper owns (absent from reads): it marks a sealed store. */
    static final byte[] MARK_KEY = "\u0000\u0000arca-sealed".getBytes(StandardCharsets.US_ASCII);
    /** Present only while an unsealed store is being sealed: the last key sealed so far. */
    static final byte[] PROGRESS_KEY = "\u0000\u0000arca-sealing".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MARK_VALUE = "ARCASEAL\u0001".getBytes(StandardCharsets.US_ASCII);
    /** Values sealed per batch while sealing an old store. */
    static final int SEAL_BATCH = 1_000;

    private final Kv raw;
    private final ValueCipher cipher;

    private SealedKv(Kv raw, ValueCipher cipher) {
        this.raw = raw;
        this.cipher = cipher;
    }

    /** Wraps {@code raw}, sealing it first if it holds unsealed values. Takes ownership of {@code raw}. */
    public static SealedKv open(Kv raw, ValueCipher cipher) {
        SealedKv kv = new SealedKv(raw, cipher);
        byte[] mark = raw.get(MARK_KEY);
        if (mark != null) {
            if (!Arrays.equals(mark, MARK_VALUE)) {
                throw new KvException("Corruption", "metadata store has an unknown sealing mark", null);
            }
            return kv;
        }
        kv.sealExisting();
        return kv;
    }

    private void sealExisting() {
        byte[] progress = raw.get(PROGRESS_KEY);
        byte[] from = progress == null ? new byte[0] : successor(progress);
        while (true) {
            KvBatch batch = new KvBatch();
            byte[] last = null;
            try (KvCursor c = raw.scan(from, null)) {
                while (batch.size() < SEAL_BATCH && c.next()) {
                    byte[] k = c.key();
                    if (isOwn(k)) {
                        continue;
                    }
                    batch.put(k, cipher.seal(k, c.value()));
                    last = k;
                }
            }
            if (last == null) {
                raw.write(new KvBatch().delete(PROGRESS_KEY).put(MARK_KEY, MARK_VALUE), true);
                return;
            }
            batch.put(PROGRESS_KEY, last);
            raw.write(batch, true);
            from = successor(last);
        }
    }

    private static boolean isOwn(byte[] key) {
        return Arrays.equals(key, MARK_KEY) || Arrays.equals(key, PROGRESS_KEY);
    }

    private static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    private byte[] open(byte[] key, byte[] sealed) {
        try {
            return cipher.open(key, sealed);
        } catch (TamperedDataException e) {
            throw new KvException("Corruption", "metadata value under a key of " + key.length
                    + " bytes fails authentication: tampered, or opened with the wrong key", e);
        }
    }

    @Override
    public byte[] get(byte[] key) {
        if (isOwn(key)) {
            return null;
        }
        byte[] sealed = raw.get(key);
        return sealed == null ? null : open(key, sealed);
    }

    @Override
    public KvCursor scan(byte[] from, byte[] to) {
        KvCursor inner = raw.scan(from, to);
        return new KvCursor() {
            private byte[] value;
            /** The entry's key as the value was sealed under it: a copy, since callers may scribble on key(). */
            private byte[] aad;

            @Override
            public boolean next() {
                value = null;
                while (inner.next()) {
                    if (!isOwn(inner.key())) {
                        aad = inner.key().clone();
                        return true;
                    }
                }
                return false;
            }

            @Override
            public byte[] key() {
                return inner.key();
            }

            @Override
            public byte[] value() {
                if (value == null) {
                    value = open(aad, inner.value());
                }
                return value.clone();
            }

            @Override
            public void close() {
                inner.close();
            }
        };
    }

    @Override
    public void write(KvBatch batch, boolean sync) {
        KvBatch sealed = new KvBatch();
        for (KvOp op : batch) {
            if (isOwn(op.key())) {
                throw new IllegalArgumentException("key reserved for sealing");
            }
            switch (op) {
                case KvOp.Put(byte[] k, byte[] v) -> sealed.put(k, cipher.seal(k, v));
                case KvOp.Delete(byte[] k) -> sealed.delete(k);
            }
        }
        raw.write(sealed, sync);
    }

    @Override
    public void close() {
        raw.close();
    }
}
