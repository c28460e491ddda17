package dev.arca.erasure;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The systematic Reed-Solomon code of {@link ErasureCoder} over any {@link Kernel}: encoding
 * multiplies the parity rows of ISA-L's Cauchy matrix by the data shards; reconstruction inverts
 * the rows of the first k present shards and multiplies one derived row per missing shard by them.
 */
final class ReedSolomon implements ErasureCoder {
    /** Erasure patterns whose decode plans stay cached; a degraded cluster shows only a few. */
    static final int DECODE_CACHE_PATTERNS = 64;

    private final int k;
    private final int m;
    private final Kernel kernel;
    /** The (k+m)×k encoding matrix, row-major. */
    private final byte[] matrix;
    /** Parity rows × data shards; null when m == 0. */
    private final Kernel.Plan encoder;
    /** Present-shard bit mask → plan; access-ordered LRU, guarded by itself. */
    private final Map<Integer, Decoder> decoders = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Decoder> eldest) {
            return size() > DECODE_CACHE_PATTERNS;
        }
    };

    /** How to rebuild one erasure pattern: shards {@code outputs} = plan × shards {@code inputs}. */
    private record Decoder(int[] inputs, int[] outputs, Kernel.Plan plan) {}

    ReedSolomon(int k, int m, Kernel kernel) {
        ErasureCoders.checkShape(k, m);
        this.k = k;
        this.m = m;
        this.kernel = kernel;
        this.matrix = Gf256.cauchyMatrix(k, m);
        this.encoder = m == 0 ? null : kernel.prepare(rows(k, k + m), m, k);
    }

    Kernel kernel() {
        return kernel;
    }

    @Override
    public int dataShards() {
        return k;
    }

    @Override
    public int parityShards() {
        return m;
    }

    @Override
    public String name() {
        return kernel.name();
    }

    @Override
    public void encode(MemorySegment[] shards, int length) {
        checkShards(shards, length);
        MemorySegment[] data = new MemorySegment[k];
        for (int i = 0; i < k; i++) {
            data[i] = input(shards, i, length);
        }
        if (m == 0) {
            return;
        }
        MemorySegment[] parity = new MemorySegment[m];
        for (int i = 0; i < m; i++) {
            parity[i] = output(shards, k + i, length);
        }
        encoder.multiply(data, parity, length);
    }

    @Override
    public void reconstruct(MemorySegment[] shards, boolean[] present, int length) {
        checkShards(shards, length);
        int n = k + m;
        if (present.length != n) {
            throw new IllegalArgumentException("expected " + n + " presence flags, got " + present.length);
        }
        int mask = 0;
        for (int i = 0; i < n; i++) {
            if (present[i]) {
                mask |= 1 << i;
            }
        }
        int count = Integer.bitCount(mask);
        if (count < k) {
            throw new IllegalArgumentException(
                    "only " + count + " of " + n + " shards present; " + k + " are needed to reconstruct");
        }
        if (count == n) {
            return;
        }
        Decoder decoder = decoder(mask);
        MemorySegment[] inputs = new MemorySegment[k];
        for (int i = 0; i < k; i++) {
            inputs[i] = input(shards, decoder.inputs[i], length);
        }
        MemorySegment[] outputs = new MemorySegment[decoder.outputs.length];
        for (int i = 0; i < outputs.length; i++) {
            outputs[i] = output(shards, decoder.outputs[i], length);
        }
        decoder.plan.multiply(inputs, outputs, length);
    }

    private Decoder decoder(int presentMask) {
        synchronized (decoders) {
            Decoder cached = decoders.get(presentMask);
            if (cached != null) {
                return cached;
            }
        }
        // Built outside the lock: a race only builds the same immutable plan twice.
        Decoder built = buildDecoder(presentMask);
        synchronized (decoders) {
            decoders.put(presentMask, built);
        }
        return built;
    }

    private Decoder buildDecoder(int presentMask) {
        int n = k + m;
        int[] inputs = new int[k];
        int[] outputs = new int[n - Integer.bitCount(presentMask)];
        int in = 0;
        int out = 0;
        for (int i = 0; i < n; i++) {
            if ((presentMask & (1 << i)) == 0) {
                outputs[out++] = i;
            } else if (in < k) {
                inputs[in++] = i;
            }
        }
        byte[] survivors = new byte[k * k];
        for (int i = 0; i < k; i++) {
            System.arraycopy(matrix, inputs[i] * k, survivors, i * k, k);
        }
        // data = inverse × survivors, so shard s = (encoding row s) × inverse × survivors.
        byte[] inverse = Gf256.invert(survivors, k);
        byte[] coefficients = new byte[outputs.length * k];
        for (int o = 0; o < outputs.length; o++) {
            int shard = outputs[o];
            byte[] row = shard < k
                    ? rows(inverse, shard, shard + 1)
                    : Gf256.multiply(rows(matrix, shard, shard + 1), 1, k, inverse, k);
            System.arraycopy(row, 0, coefficients, o * k, k);
        }
        return new Decoder(inputs, outputs, kernel.prepare(coefficients, outputs.length, k));
    }

    private byte[] rows(int from, int to) {
        return rows(matrix, from, to);
    }

    private byte[] rows(byte[] source, int from, int to) {
        byte[] result = new byte[(to - from) * k];
        System.arraycopy(source, from * k, result, 0, result.length);
        return result;
    }

    private void checkShards(MemorySegment[] shards, int length) {
        if (shards.length != k + m) {
            throw new IllegalArgumentException("expected " + (k + m) + " shards, got " + shards.length);
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
    }

    private static MemorySegment input(MemorySegment[] shards, int index, int length) {
        MemorySegment shard = shards[index];
        if (shard == null) {
            throw new IllegalArgumentException("shard " + index + " is null");
        }
        if (shard.byteSize() < length) {
            throw new IllegalArgumentException(
                    "shard " + index + " holds " + shard.byteSize() + " bytes, less than length " + length);
        }
        return shard;
    }

    private static MemorySegment output(MemorySegment[] shards, int index, int length) {
        MemorySegment shard = input(shards, index, length);
        if (shard.isReadOnly()) {
            throw new IllegalArgumentException("shard " + index + " must be written but is read-only");
        }
        return shard;
    }

    @Override
    public String toString() {
        return "ReedSolomon[" + k + "+" + m + ", " + kernel.name() + "]";
    }
}
