package dev.loupe.train.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one matrix-product kernel training is built on: C[i][j] (+)= sum_k A[i][k] B[k][j] over a range of rows of C,
 * with B row-major (its rows of N floats are what the vector loads stream) and A addressed through two strides,
 * so A may be a matrix or the transpose of one without copying it (dW = dy^T x reads dy column-wise).
 *
 * <p>Register tile: 4 rows of C by 2 vectors (16 floats with AVX2): per k, 4 broadcasts of A and 2 loads of B feed
 * 8 FMAs into accumulators that stay in registers (8 + 2 + 1 of the 16 AVX2 registers). K is cut into blocks of
 * {@link #KB} and N into blocks of {@link #NB} so that the KB x NB block of B (128 KB) stays in L2 while all rows
 * sweep over it, and the KB x 16 strip a tile reads (16 KB) stays in L1.
 *
 * <p>Every element is accumulated by fused multiply-adds in increasing k, starting from C (accumulate) or 0 — the
 * same operations in the vector tiles, the narrower edge tiles and the scalar tail ({@link Math#fma}). So a result
 * does not depend on how rows are split between threads or where tile edges fall: training stays bit-reproducible
 * for any thread count.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int KB = 256;
    static final int NB = 128;
    /** Rows per register tile; callers split work between threads in multiples of it. */
    static final int MR = 4;

    private Gemm() {}

    /**
     * Rows [r0, r1) of C = (C if accumulate, else 0) + A B. C[i][j] is c[cOff + i*ldc + j]; A[i][k] is
     * a[aOff + i*aRow + k*aCol]; B[k][j] is b[bOff + k*ldb + j]; j in [0, n), k in [0, kk).
     */
    static void rows(float[] c, int cOff, int ldc, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                     int r0, int r1, int n, int kk, boolean accumulate) {
        if (!accumulate) {
            for (int i = r0; i < r1; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        }
        for (int k0 = 0; k0 < kk; k0 += KB) {
            int k1 = Math.min(kk, k0 + KB);
            for (int j0 = 0; j0 < n; j0 += NB) {
                int j1 = Math.min(n, j0 + NB);
                int i = r0;
                for (; i + MR <= r1; i += MR) tile4(c, cOff, ldc, a, aOff, aRow, aCol, b, bOff, ldb, i, j0, j1, k0, k1);
                for (; i < r1; i++) tile1(c, cOff, ldc, a, aOff, aRow, aCol, b, bOff, ldb, i, j0, j1, k0, k1);
            }
        }
    }

    private static void tile4(float[] c, int cOff, int ldc, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                              int i, int j0, int j1, int k0, int k1) {
        int c0 = cOff + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int a0 = aOff + i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
        int j = j0;
        for (; j + 2 * L <= j1; j += 2 * L) {
            FloatVector s00 = FloatVector.fromArray(S, c, c0 + j), s01 = FloatVector.fromArray(S, c, c0 + j + L);
            FloatVector s10 = FloatVector.fromArray(S, c, c1 + j), s11 = FloatVector.fromArray(S, c, c1 + j + L);
            FloatVector s20 = FloatVector.fromArray(S, c, c2 + j), s21 = FloatVector.fromArray(S, c, c2 + j + L);
            FloatVector s30 = FloatVector.fromArray(S, c, c3 + j), s31 = FloatVector.fromArray(S, c, c3 + j + L);
            for (int k = k0; k < k1; k++) {
                int bo = bOff + k * ldb + j, ak = k * aCol;
                FloatVector b0 = FloatVector.fromArray(S, b, bo), b1 = FloatVector.fromArray(S, b, bo + L);
                FloatVector x = FloatVector.broadcast(S, a[a0 + ak]);
                s00 = b0.fma(x, s00);
                s01 = b1.fma(x, s01);
                x = FloatVector.broadcast(S, a[a1 + ak]);
                s10 = b0.fma(x, s10);
                s11 = b1.fma(x, s11);
                x = FloatVector.broadcast(S, a[a2 + ak]);
                s20 = b0.fma(x, s20);
                s21 = b1.fma(x, s21);
                x = FloatVector.broadcast(S, a[a3 + ak]);
                s30 = b0.fma(x, s30);
                s31 = b1.fma(x, s31);
            }
            s00.intoArray(c, c0 + j);
            s01.intoArray(c, c0 + j + L);
            s10.intoArray(c, c1 + j);
            s11.intoArray(c, c1 + j + L);
            s20.intoArray(c, c2 + j);
            s21.intoArray(c, c2 + j + L);
            s30.intoArray(c, c3 + j);
            s31.intoArray(c, c3 + j + L);
        }
        for (; j + L <= j1; j += L) {
            FloatVector s0 = FloatVector.fromArray(S, c, c0 + j), s1 = FloatVector.fromArray(S, c, c1 + j);
            FloatVector s2 = FloatVector.fromArray(S, c, c2 + j), s3 = FloatVector.fromArray(S, c, c3 + j);
            for (int k = k0; k < k1; k++) {
                int ak = k * aCol;
                FloatVector bv = FloatVector.fromArray(S, b, bOff + k * ldb + j);
                s0 = bv.fma(FloatVector.broadcast(S, a[a0 + ak]), s0);
                s1 = bv.fma(FloatVector.broadcast(S, a[a1 + ak]), s1);
                s2 = bv.fma(FloatVector.broadcast(S, a[a2 + ak]), s2);
                s3 = bv.fma(FloatVector.broadcast(S, a[a3 + ak]), s3);
            }
            s0.intoArray(c, c0 + j);
            s1.intoArray(c, c1 + j);
            s2.intoArray(c, c2 + j);
            s3.intoArray(c, c3 + j);
        }
        if (j < j1) {
            scalar(c, c0, a, a0, aCol, b, bOff, ldb, j, j1, k0, k1);
            scalar(c, c1, a, a1, aCol, b, bOff, ldb, j, j1, k0, k1);
            scalar(c, c2, a, a2, aCol, b, bOff, ldb, j, j1, k0, k1);
            scalar(c, c3, a, a3, aCol, b, bOff, ldb, j, j1, k0, k1);
        }
    }

    private static void tile1(float[] c, int cOff, int ldc, float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, int ldb,
                              int i, int j0, int j1, int k0, int k1) {
        int c0 = cOff + i * ldc, a0 = aOff + i * aRow;
        int j = j0;
        for (; j + L <= j1; j += L) {
            FloatVector s = FloatVector.fromArray(S, c, c0 + j);
            for (int k = k0; k < k1; k++) {
                s = FloatVector.fromArray(S, b, bOff + k * ldb + j).fma(FloatVector.broadcast(S, a[a0 + k * aCol]), s);
            }
            s.intoArray(c, c0 + j);
        }
        if (j < j1) scalar(c, c0, a, a0, aCol, b, bOff, ldb, j, j1, k0, k1);
    }

    /** Columns [j, j1) of one row, with the vector lanes' exact arithmetic (one rounding per fused multiply-add). */
    private static void scalar(float[] c, int cRow, float[] a, int aRowStart, int aCol, float[] b, int bOff, int ldb,
                               int j, int j1, int k0, int k1) {
        for (; j < j1; j++) {
            float s = c[cRow + j];
            for (int k = k0; k < k1; k++) s = Math.fma(a[aRowStart + k * aCol], b[bOff + k * ldb + j], s);
            c[cRow + j] = s;
        }
    }
}
