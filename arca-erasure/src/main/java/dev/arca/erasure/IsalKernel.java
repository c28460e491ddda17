package dev.arca.erasure;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Intel ISA-L's {@code ec_encode_data} through the FFM API. {@code ec_init_tables} expands each
 * coefficient matrix once into ISA-L's 32-bytes-per-coefficient tables, held by the {@link Plan}.
 * ISA-L reads shards through arrays of pointers, so heap segments are staged in native memory
 * (a copy each way); native segments are passed as they are.
 */
final class IsalKernel implements Kernel {
    static final String NAME = "isa-l";
    /** System property naming the library to load, a file name or an absolute path. */
    static final String LIBRARY_PROPERTY = "arca.isal.library";
    /** The soname of Debian's libisal2 (ISA-L 2.x, stable ABI). */
    static final String DEFAULT_LIBRARY = "libisal.so.2";
    /** Bytes ec_init_tables writes per coefficient. */
    static final int TABLE_BYTES_PER_COEFFICIENT = 32;
    /** Alignment for native staging buffers and tables: one cache line, a full AVX-512 vector. */
    private static final long ALIGNMENT = 64;

    private final MethodHandle initTables;
    private final MethodHandle encodeData;

    private IsalKernel(MethodHandle initTables, MethodHandle encodeData) {
        this.initTables = initTables;
        this.encodeData = encodeData;
    }

    /** The kernel, or empty if the library or its symbols are missing or native access is denied. */
    static Optional<Kernel> load(String library) {
        try {
            return Optional.of(open(library));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Loads ISA-L; the library stays loaded for the life of the JVM.
     *
     * @throws IllegalArgumentException if the library cannot be loaded
     * @throws IllegalStateException if a symbol is missing
     * @throws IllegalCallerException if native access is not enabled for this module
     */
    @SuppressWarnings("restricted") // the point of this class; arguments are checked before each call
    static Kernel open(String library) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        // void ec_init_tables(int k, int rows, unsigned char *a, unsigned char *gftbls)
        MethodHandle init = linker.downcallHandle(symbol(lookup, "ec_init_tables"), FunctionDescriptor.ofVoid(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        // void ec_encode_data(int len, int k, int rows, unsigned char *gftbls,
        //                     unsigned char **data, unsigned char **coding)
        MethodHandle encode = linker.downcallHandle(symbol(lookup, "ec_encode_data"), FunctionDescriptor.ofVoid(
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        return new IsalKernel(init, encode);
    }

    private static MemorySegment symbol(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not found"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Plan prepare(byte[] coefficients, int rows, int k) {
        if (rows < 0 || k < 1 || coefficients.length != rows * k) {
            throw new IllegalArgumentException("expected " + rows + "x" + k + " coefficients");
        }
        // Freed by the GC together with the plan (evicted decode plans included).
        MemorySegment tables = Arena.ofAuto().allocate((long) rows * k * TABLE_BYTES_PER_COEFFICIENT, ALIGNMENT);
        if (rows > 0) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment a = arena.allocate(coefficients.length);
                MemorySegment.copy(coefficients, 0, a, ValueLayout.JAVA_BYTE, 0, coefficients.length);
                initTables.invokeExact(k, rows, a, tables);
            } catch (Throwable e) {
                throw new IllegalStateException("ec_init_tables failed", e);
            }
        }
        return new IsalPlan(rows, k, tables);
    }

    private final class IsalPlan implements Plan {
        private final int rows;
        private final int k;
        private final MemorySegment tables;

        IsalPlan(int rows, int k, MemorySegment tables) {
            this.rows = rows;
            this.k = k;
            this.tables = tables;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int k() {
            return k;
        }

        @Override
        public void multiply(MemorySegment[] inputs, MemorySegment[] outputs, int length) {
            if (length == 0 || rows == 0) {
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment data = arena.allocate(ValueLayout.ADDRESS, k);
                for (int j = 0; j < k; j++) {
                    MemorySegment in = inputs[j];
                    if (!in.isNative()) {
                        in = arena.allocate(length, ALIGNMENT).copyFrom(in.asSlice(0, length));
                    }
                    data.setAtIndex(ValueLayout.ADDRESS, j, in);
                }
                MemorySegment coding = arena.allocate(ValueLayout.ADDRESS, rows);
                MemorySegment[] staged = new MemorySegment[rows];
                for (int r = 0; r < rows; r++) {
                    MemorySegment out = outputs[r];
                    if (!out.isNative()) {
                        out = staged[r] = arena.allocate(length, ALIGNMENT);
                    }
                    coding.setAtIndex(ValueLayout.ADDRESS, r, out);
                }
                encode(length, data, coding);
                for (int r = 0; r < rows; r++) {
                    if (staged[r] != null) {
                        outputs[r].copyFrom(staged[r]);
                    }
                }
            }
        }

        private void encode(int length, MemorySegment data, MemorySegment coding) {
            try {
                encodeData.invokeExact(length, k, rows, tables, data, coding);
            } catch (Throwable e) {
                throw new IllegalStateException("ec_encode_data failed", e);
            }
        }
    }
}
