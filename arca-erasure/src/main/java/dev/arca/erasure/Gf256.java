package dev.arca.erasure;

/**
 * Arithmetic in GF(2^8) with the field polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator
 * 2: the field Intel ISA-L uses, so matrices built here drive ISA-L unchanged. Elements are ints in
 * {@code 0..255}; matrices are row-major {@code byte[]}.
 */
final class Gf256 {
    private Gf256() {}

    /** Number of field elements. */
    static final int ORDER = 256;
    /** The field polynomial, bit 8 included. */
    static final int POLYNOMIAL = 0x11d;
    /** Order of the multiplicative group: exp(i + GROUP_ORDER) == exp(i). */
    private static final int GROUP_ORDER = ORDER - 1;

    /** exp[i] = 2^i; twice the group order long so exp[log a + log b] needs no reduction. */
    private static final int[] EXP = new int[2 * GROUP_ORDER];
    /** log[a] for a != 0; log[0] is unused. */
    private static final int[] LOG = new int[ORDER];
    /** MUL[(a << 8) | b] = a * b: one 256-byte row per multiplier, for the table-driven kernels. */
    private static final byte[] MUL = new byte[ORDER * ORDER];

    static {
        int x = 1;
        for (int i = 0; i < GROUP_ORDER; i++) {
            EXP[i] = x;
            EXP[i + GROUP_ORDER] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= ORDER) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 0; a < ORDER; a++) {
            for (int b = 0; b < ORDER; b++) {
                MUL[(a << 8) | b] = (byte) mulByLogs(a, b);
            }
        }
    }

    private static int mulByLogs(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    static int mul(int a, int b) {
        return MUL[((a & 0xff) << 8) | (b & 0xff)] & 0xff;
    }

    static int exp(int i) {
        return EXP[Math.floorMod(i, GROUP_ORDER)];
    }

    /** Discrete logarithm base 2; undefined for 0. */
    static int log(int a) {
        if (a == 0) {
            throw new ArithmeticException("log(0) in GF(2^8)");
        }
        return LOG[a];
    }

    static int inv(int a) {
        if (a == 0) {
            throw new ArithmeticException("inverse of 0 in GF(2^8)");
        }
        return EXP[GROUP_ORDER - LOG[a]];
    }

    static int div(int a, int b) {
        if (b == 0) {
            throw new ArithmeticException("division by 0 in GF(2^8)");
        }
        return a == 0 ? 0 : EXP[LOG[a] + GROUP_ORDER - LOG[b]];
    }

    /** The full multiplication table, indexed {@code (a << 8) | b}; callers must not modify it. */
    static byte[] mulTable() {
        return MUL;
    }

    /**
     * The {@code (k + m) × k} systematic encoding matrix of ISA-L's {@code gf_gen_cauchy1_matrix}:
     * the k×k identity, then row {@code i} (k ≤ i < k+m), column {@code j} = inv(i ^ j). Every k×k
     * submatrix of it is invertible (a Cauchy matrix with distinct x_i = i, y_j = j, stacked under
     * the identity), so any k shards recover the data.
     */
    static byte[] cauchyMatrix(int k, int m) {
        if (k < 1 || m < 0 || k + m > ORDER) {
            throw new IllegalArgumentException("no Cauchy matrix for k=" + k + ", m=" + m);
        }
        byte[] matrix = new byte[(k + m) * k];
        for (int i = 0; i < k; i++) {
            matrix[i * k + i] = 1;
        }
        for (int i = k; i < k + m; i++) {
            for (int j = 0; j < k; j++) {
                matrix[i * k + j] = (byte) inv(i ^ j);
            }
        }
        return matrix;
    }

    /** The {@code a.rows × b.cols} product of row-major {@code a} (rows×inner) and {@code b} (inner×cols). */
    static byte[] multiply(byte[] a, int rows, int inner, byte[] b, int cols) {
        if (a.length != rows * inner || b.length != inner * cols) {
            throw new IllegalArgumentException("matrix shapes do not match");
        }
        byte[] product = new byte[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int sum = 0;
                for (int i = 0; i < inner; i++) {
                    sum ^= mul(a[r * inner + i], b[i * cols + c]);
                }
                product[r * cols + c] = (byte) sum;
            }
        }
        return product;
    }

    /**
     * The inverse of the n×n row-major matrix, by Gauss-Jordan elimination.
     *
     * @throws ArithmeticException if the matrix is singular
     */
    static byte[] invert(byte[] matrix, int n) {
        if (matrix.length != n * n) {
            throw new IllegalArgumentException("not an " + n + "x" + n + " matrix");
        }
        byte[] work = matrix.clone();
        byte[] inverse = new byte[n * n];
        for (int i = 0; i < n; i++) {
            inverse[i * n + i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && work[pivot * n + col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("singular matrix over GF(2^8)");
            }
            if (pivot != col) {
                swapRows(work, n, pivot, col);
                swapRows(inverse, n, pivot, col);
            }
            int scale = inv(work[col * n + col] & 0xff);
            scaleRow(work, n, col, scale);
            scaleRow(inverse, n, col, scale);
            for (int row = 0; row < n; row++) {
                int factor = work[row * n + col] & 0xff;
                if (row != col && factor != 0) {
                    addScaledRow(work, n, row, col, factor);
                    addScaledRow(inverse, n, row, col, factor);
                }
            }
        }
        return inverse;
    }

    private static void swapRows(byte[] m, int n, int a, int b) {
        for (int c = 0; c < n; c++) {
            byte t = m[a * n + c];
            m[a * n + c] = m[b * n + c];
            m[b * n + c] = t;
        }
    }

    private static void scaleRow(byte[] m, int n, int row, int factor) {
        for (int c = 0; c < n; c++) {
            m[row * n + c] = (byte) mul(m[row * n + c], factor);
        }
    }

    /** row[target] ^= factor * row[source]. */
    private static void addScaledRow(byte[] m, int n, int target, int source, int factor) {
        for (int c = 0; c < n; c++) {
            m[target * n + c] ^= (byte) mul(m[source * n + c], factor);
        }
    }
}
