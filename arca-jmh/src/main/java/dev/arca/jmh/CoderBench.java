package dev.arca.jmh;

import dev.arca.erasure.ErasureCoder;
import dev.arca.erasure.ErasureCoders;
import dev.arca.erasure.ErasureCoders.Implementation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Erasure coding throughput for one 1 MiB stripe (k chunks of 1 MiB / k bytes, native memory
 * unless {@code -p memory=heap}) per operation. The {@code bytes} counter is data bytes per second (encode: the k data chunks read;
 * reconstruct: the same k chunks' worth, with m data chunks rebuilt from k survivors).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CoderBench {
    /** Data bytes per stripe. */
    static final int STRIPE_BYTES = 1 << 20;

    @Param({"4+2", "8+4", "2+2", "12+4"})
    public String shape;

    @Param({"ISAL", "JAVA_VECTOR", "JAVA_SCALAR"})
    public String implementation;

    /** "native" (the fast path) or "heap" (byte[]-backed: ISA-L then stages copies); -p memory=heap. */
    @Param({"native"})
    public String memory;

    private Arena arena;
    private ErasureCoder coder;
    private MemorySegment[] shards;
    private boolean[] present;
    private int chunk;

    /** Per-iteration data bytes, reported by JMH as a rate next to ops/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] km = shape.split("\\+");
        int k = Integer.parseInt(km[0]);
        int m = Integer.parseInt(km[1]);
        coder = ErasureCoders.create(k, m, Implementation.valueOf(implementation));
        ErasureCoders.selfTest(coder);
        chunk = STRIPE_BYTES / k;
        arena = Arena.ofShared();
        shards = new MemorySegment[k + m];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < k + m; i++) {
            shards[i] = switch (memory) {
                case "native" -> arena.allocate(chunk, 64);
                case "heap" -> MemorySegment.ofArray(new byte[chunk]);
                default -> throw new IllegalArgumentException("memory must be native or heap: " + memory);
            };
            if (i < k) {
                byte[] bytes = new byte[chunk];
                random.nextBytes(bytes);
                shards[i].copyFrom(MemorySegment.ofArray(bytes));
            }
        }
        coder.encode(shards, chunk);
        // The expensive case: m data shards lost (parity only needs re-encoding).
        present = new boolean[k + m];
        Arrays.fill(present, true);
        Arrays.fill(present, 0, Math.min(m, k), false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void encode(Bytes counter) {
        coder.encode(shards, chunk);
        counter.bytes += (long) chunk * coder.dataShards();
    }

    @Benchmark
    public void reconstruct(Bytes counter) {
        coder.reconstruct(shards, present, chunk);
        counter.bytes += (long) chunk * coder.dataShards();
    }
}
