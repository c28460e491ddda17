package dev.arca.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Gf256Test {
    /** Multiplication from the definition: shift-and-add, reducing by 0x11d; no tables involved. */
    private static int carrylessMul(int a, int b) {
        int product = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                product ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11d;
            }
            b >>>= 1;
        }
        return product;
    }

    @Test
    void mulMatchesTheDefinitionForAllPairs() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                assertThat(Gf256.mul(a, b)).as("%d * %d", a, b).isEqualTo(carrylessMul(a, b));
                assertThat(Gf256.mulTable()[(a << 8) | b] & 0xff).isEqualTo(carrylessMul(a, b));
            }
        }
    }

    @Test
    void fieldAxiomsHoldForAllElements() {
        for (int a = 0; a < 256; a++) {
            assertThat(Gf256.mul(a, 0)).isZero();
            assertThat(Gf256.mul(a, 1)).isEqualTo(a);
            if (a != 0) {
                assertThat(Gf256.mul(a, Gf256.inv(a))).as("a * inv(a), a=%d", a).isEqualTo(1);
                assertThat(Gf256.inv(Gf256.inv(a))).isEqualTo(a);
                assertThat(Gf256.exp(Gf256.log(a))).isEqualTo(a);
            }
            for (int b = 0; b < 256; b++) {
                assertThat(Gf256.mul(a, b)).isEqualTo(Gf256.mul(b, a));
                if (b != 0) {
                    assertThat(Gf256.div(Gf256.mul(a, b), b)).as("(%d * %d) / %d", a, b, b).isEqualTo(a);
                    assertThat(Gf256.mul(Gf256.div(a, b), b)).as("(%d / %d) * %d", a, b, b).isEqualTo(a);
                }
            }
        }
    }

    @Test
    void distributesAndAssociatesOverASampleOfThirdElements() {
        int[] thirds = {0, 1, 2, 3, 0x1d, 0x53, 0x8e, 0xca, 0xfe, 0xff};
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c : thirds) {
                    assertThat(Gf256.mul(a, b ^ c)).isEqualTo(Gf256.mul(a, b) ^ Gf256.mul(a, c));
                    assertThat(Gf256.mul(Gf256.mul(a, b), c)).isEqualTo(Gf256.mul(a, Gf256.mul(b, c)));
                }
            }
        }
    }

    @Test
    void twoGeneratesTheMultiplicativeGroup() {
        Set<Integer> powers = new HashSet<>();
        for (int i = 0; i < 255; i++) {
            powers.add(Gf256.exp(i));
        }
        assertThat(powers).hasSize(255).doesNotContain(0);
        assertThat(Gf256.exp(255)).isEqualTo(1);
    }

    @Test
    void zeroHasNoInverseOrLogarithm() {
        assertThatThrownBy(() -> Gf256.inv(0)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Gf256.div(5, 0)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Gf256.log(0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void cauchyMatrixMatchesValuesComputedByHand() {
        // k=3, m=2: identity, then row i, column j = inv(i ^ j). By hand in GF(2^8)/0x11d:
        // inv(1)=0x01; inv(2)=0x8e (2*0x8e = 0x11c, ^0x11d = 1); inv(3)=0xf4 (0xf4 ^ 0x1e8 = 0x11c);
        // inv(4)=0x47 (0x47<<2 = 0x11c); inv(5)=0xa7; inv(6)=0x7a.
        int[][] expected = {
            {1, 0, 0},
            {0, 1, 0},
            {0, 0, 1},
            {0xf4, 0x8e, 0x01}, // inv(3^0), inv(3^1), inv(3^2)
            {0x47, 0xa7, 0x7a}, // inv(4^0), inv(4^1), inv(4^2)
        };
        byte[] matrix = Gf256.cauchyMatrix(3, 2);
        assertThat(matrix).hasSize(15);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(matrix[i * 3 + j] & 0xff).as("row %d column %d", i, j).isEqualTo(expected[i][j]);
                if (i >= 3) {
                    assertThat(carrylessMul(expected[i][j], i ^ j)).as("hand value check").isEqualTo(1);
                }
            }
        }
    }

    @Test
    void inversionRoundTripsOnRandomMatrices() {
        Random random = new Random(TestSupport.seed("inversionRoundTripsOnRandomMatrices"));
        int inverted = 0;
        for (int trial = 0; trial < 300; trial++) {
            int n = 1 + random.nextInt(12);
            byte[] matrix = new byte[n * n];
            random.nextBytes(matrix);
            byte[] inverse;
            try {
                inverse = Gf256.invert(matrix, n);
            } catch (ArithmeticException singular) {
                continue;
            }
            inverted++;
            assertThat(Gf256.multiply(matrix, n, n, inverse, n)).isEqualTo(identity(n));
            assertThat(Gf256.multiply(inverse, n, n, matrix, n)).isEqualTo(identity(n));
        }
        assertThat(inverted).as("random matrices are almost always invertible").isGreaterThan(250);
    }

    @Test
    void everyKRowsOfTheCauchyMatrixAreInvertible() {
        int k = 4;
        int m = 3;
        byte[] matrix = Gf256.cauchyMatrix(k, m);
        int checked = 0;
        for (int mask = 0; mask < 1 << (k + m); mask++) {
            if (Integer.bitCount(mask) != k) {
                continue;
            }
            byte[] rows = new byte[k * k];
            int r = 0;
            for (int i = 0; i < k + m; i++) {
                if ((mask & (1 << i)) != 0) {
                    System.arraycopy(matrix, i * k, rows, r++ * k, k);
                }
            }
            assertThat(Gf256.multiply(rows, k, k, Gf256.invert(rows, k), k)).isEqualTo(identity(k));
            checked++;
        }
        assertThat(checked).isEqualTo(35);
    }

    @Test
    void singularMatricesAreRejected() {
        assertThatThrownBy(() -> Gf256.invert(new byte[4], 2)).isInstanceOf(ArithmeticException.class);
        // Second row = 2 × first row.
        assertThatThrownBy(() -> Gf256.invert(new byte[] {1, 2, 2, 4}, 2)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Gf256.invert(new byte[] {1, 2, 3, 4, 5, 6, 1, 2, 3}, 3))
                .isInstanceOf(ArithmeticException.class);
    }

    private static byte[] identity(int n) {
        byte[] identity = new byte[n * n];
        for (int i = 0; i < n; i++) {
            identity[i * n + i] = 1;
        }
        return identity;
    }
}
