package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Attention's two loops over a run of consecutive F16 cache rows (keys or values), for up to four query heads that
 * share a KV head (grouped-query attention): each row's halves are converted to floats once for all the heads instead
 * of once per head, and the run is one call instead of one per row. Converting halves is most of the work of an F16
 * dot (the Vector API has no half-to-float lane conversion, see {@link F16Codec}), so a 1B-shaped model with four
 * query heads per KV head does a quarter of it.
 * <p>
 * Every head's result is formed in exactly {@link F16Codec#dot}'s and {@link F16Codec#accumulate}'s order, so it is
 * bit-identical to calling those per head and row.
 */
public final class F16Rows {
    /** Heads per pass: four accumulators and the converted row fit AVX2's sixteen registers. */
    public static final int MAX_HEADS = 4;
    /** The per-head, per-row calls this replaces, for fewer than {@link #MAX_HEADS} heads and for a width's tail. */
    private static final F16Codec CODEC = new F16Codec();

    private F16Rows() {}

    /**
     * {@code p[h0 + j][pOff + r] = dot(row r, q[h0 + j][0, n)) · scale} for rows r in [0, rows) at
     * {@code off + r · stride} and heads j in [0, m), m ≤ {@link #MAX_HEADS}.
     */
    public static void dots(MemorySegment src, long off, long stride, int rows, float[][] q, int h0, int m, int n, float scale,
                            float[][] p, int pOff) {
        if (m == MAX_HEADS) {
            float[] q0 = q[h0], q1 = q[h0 + 1], q2 = q[h0 + 2], q3 = q[h0 + 3];
            float[] p0 = p[h0], p1 = p[h0 + 1], p2 = p[h0 + 2], p3 = p[h0 + 3];
            int upper = Lanes.F.loopBound(n);
            for (int r = 0; r < rows; r++) {
                long o = off + r * stride;
                FloatVector a0 = FloatVector.zero(Lanes.F), a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < upper; i += Lanes.L) {
                    FloatVector k = F16Codec.load(src, o, i);
                    a0 = k.fma(FloatVector.fromArray(Lanes.F, q0, i), a0);
                    a1 = k.fma(FloatVector.fromArray(Lanes.F, q1, i), a1);
                    a2 = k.fma(FloatVector.fromArray(Lanes.F, q2, i), a2);
                    a3 = k.fma(FloatVector.fromArray(Lanes.F, q3, i), a3);
                }
                p0[pOff + r] = F16Codec.finish(a0, src, o, q0, 0, upper, n) * scale;
                p1[pOff + r] = F16Codec.finish(a1, src, o, q1, 0, upper, n) * scale;
                p2[pOff + r] = F16Codec.finish(a2, src, o, q2, 0, upper, n) * scale;
                p3[pOff + r] = F16Codec.finish(a3, src, o, q3, 0, upper, n) * scale;
            }
            return;
        }
        for (int j = 0; j < m; j++) {
            float[] qj = q[h0 + j], pj = p[h0 + j];
            for (int r = 0; r < rows; r++) pj[pOff + r] = CODEC.dot(src, off + r * stride, qj, 0, n) * scale;
        }
    }

    /**
     * {@code out[outOff + j · outStride + i] += p[h0 + j][pOff + r] · row_r[i]} for i in [0, n), rows r in [0, rows)
     * in ascending order, heads j in [0, m), m ≤ {@link #MAX_HEADS}.
     */
    public static void accumulate(MemorySegment src, long off, long stride, int rows, float[][] p, int h0, int m, int pOff,
                                  float[] out, int outOff, int outStride, int n) {
        int upper = Lanes.F.loopBound(n);
        if (m == MAX_HEADS && upper == n) {
            float[] p0 = p[h0], p1 = p[h0 + 1], p2 = p[h0 + 2], p3 = p[h0 + 3];
            int o0 = outOff, o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
            // Lane chunk outer, rows inner: each output element still sees the rows in ascending order, one
            // multiply and one add each, as accumulate's row-by-row calls do; the four sums stay in registers.
            for (int i = 0; i < n; i += Lanes.L) {
                FloatVector y0 = FloatVector.fromArray(Lanes.F, out, o0 + i), y1 = FloatVector.fromArray(Lanes.F, out, o1 + i);
                FloatVector y2 = FloatVector.fromArray(Lanes.F, out, o2 + i), y3 = FloatVector.fromArray(Lanes.F, out, o3 + i);
                for (int r = 0; r < rows; r++) {
                    FloatVector v = F16Codec.load(src, off + r * stride, i);
                    y0 = v.mul(p0[pOff + r]).add(y0);
                    y1 = v.mul(p1[pOff + r]).add(y1);
                    y2 = v.mul(p2[pOff + r]).add(y2);
                    y3 = v.mul(p3[pOff + r]).add(y3);
                }
                y0.intoArray(out, o0 + i);
                y1.intoArray(out, o1 + i);
                y2.intoArray(out, o2 + i);
                y3.intoArray(out, o3 + i);
            }
            return;
        }
        for (int j = 0; j < m; j++) {
            float[] pj = p[h0 + j];
            for (int r = 0; r < rows; r++) CODEC.accumulate(src, off + r * stride, pj[pOff + r], out, outOff + j * outStride, n, null);
        }
    }

}
