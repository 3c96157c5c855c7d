package dev.loupe.core.tensor.act;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Vector API integer dots for the weight types people run most. Sixteen quants at a time are widened from
 * bytes to 16-bit lanes, multiplied by the sixteen int8 activations there (|q·a| ≤ 32·127, and a pair of
 * such products still fits a short), widened to int lanes, scaled by integer sub-block scales and summed in
 * int over a (super-)block — so each int lane is exact, as in ggml's AVX2 kernels (maddubs/madd) — and only
 * then turned into float and multiplied by the block's float factors. Against {@link ScalarDot} the result
 * differs only in float summation order.
 *
 * <p>The kernels use fixed 128-bit byte / 256-bit short, int and float shapes, which AVX2 and AVX-512
 * machines run natively; {@link #AVAILABLE} is false where 256-bit vectors are not native (e.g. 128-bit NEON),
 * and the table then uses the scalar reference.
 */
final class VectorDots {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    private VectorDots() {}

    // ---- shared block-walking helpers ----

    /** 16 weight bytes at {@code off}, sign-extended to shorts (mask for unsigned fields). */
    private static ShortVector w16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 int8 activations from element {@code e}. */
    private static ShortVector a16(QuantizedVector a, int e) {
        return (ShortVector) ByteVector.fromArray(B, a.qs, e).convertShape(VectorOperators.B2S, S, 0);
    }

    private static ShortVector low(ShortVector v) {
        return v.and((short) 0x0F);
    }

    private static ShortVector high(ShortVector v) {
        return v.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F);
    }

    /** Bit {@code bit} of each lane moved to bit 4: the fifth bit of a Q5 quant. */
    private static ShortVector bit4(ShortVector v, int bit) {
        return v.lanewise(VectorOperators.LSHR, bit).and((short) 1).lanewise(VectorOperators.LSHL, 4);
    }

    /**
     * The 16 short lanes of {@code p} summed pairwise into 8 int lanes (exact): each int lane holds two
     * shorts, sign-extended by shifts in place — pmaddwd's pairing, without a cross-lane conversion.
     */
    private static IntVector widen(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /** acc + float(isum)·scale; the int lanes are exact below 2^24, so the conversion is too. */
    private static FloatVector fma(IntVector isum, float scale, FloatVector acc) {
        return ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }

    private static float sum(FloatVector acc) {
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- kernels ----

    /** q8_0 × q8_0: Σ_blocks (d_w·d_a)·Σ w·a. */
    static float q8_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * 34L;
            int e = e0 + blk * 32;
            ShortVector p = w16(w, b + 2).mul(a16(a, e)).add(w16(w, b + 18).mul(a16(a, e + 16)));
            acc = fma(widen(p), Bytes.half(w, b) * a.d[e / 32], acc);
        }
        return sum(acc);
    }

    /** q4_0 × q8_0: low nibbles are quants 0..15, high 16..31, both minus 8. */
    static float q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * 18L;
            int e = e0 + blk * 32;
            ShortVector v = w16(w, b + 2);
            ShortVector p = low(v).sub((short) 8).mul(a16(a, e)).add(high(v).sub((short) 8).mul(a16(a, e + 16)));
            acc = fma(widen(p), Bytes.half(w, b) * a.d[e / 32], acc);
        }
        return sum(acc);
    }

    /** q4_K × q8_K. */
    static float q4_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return k45(w, off, a, e0, n, false);
    }

    /** q5_K × q8_K. */
    static float q5_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return k45(w, off, a, e0, n, true);
    }

    /**
     * Q4_K and Q5_K share everything but the fifth bit: per 64 quants, 32 bytes whose low nibbles are
     * sub-block 2k and high nibbles sub-block 2k+1, each with its 6-bit scale; the mins enter through the
     * Q8_K bsums. The qh bytes of Q5_K are loaded once per super-block.
     */
    private static float k45(MemorySegment w, long off, QuantizedVector a, int e0, int n, boolean five) {
        int bytes = five ? 176 : 144;
        long qsAt = five ? 48 : 16;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + (long) blk * bytes;
            int e = e0 + blk * 256;
            float da = a.d[e / 256];
            ShortVector h0 = five ? w16(w, b + 16) : null;
            ShortVector h1 = five ? w16(w, b + 32) : null;
            IntVector isum = IntVector.zero(I);
            int minSum = 0;
            for (int k = 0; k < 4; k++) {
                ShortVector v0 = w16(w, b + qsAt + 32 * k);
                ShortVector v1 = w16(w, b + qsAt + 32 * k + 16);
                ShortVector l0 = low(v0), l1 = low(v1), u0 = high(v0), u1 = high(v1);
                if (five) {
                    l0 = l0.or(bit4(h0, 2 * k));
                    l1 = l1.or(bit4(h1, 2 * k));
                    u0 = u0.or(bit4(h0, 2 * k + 1));
                    u1 = u1.or(bit4(h1, 2 * k + 1));
                }
                int ea = e + 64 * k;
                ShortVector pl = l0.mul(a16(a, ea)).add(l1.mul(a16(a, ea + 16)));
                ShortVector pu = u0.mul(a16(a, ea + 32)).add(u1.mul(a16(a, ea + 48)));
                isum = isum.add(widen(pl).mul(Bytes.k4Scale(w, b + 4, 2 * k)))
                        .add(widen(pu).mul(Bytes.k4Scale(w, b + 4, 2 * k + 1)));
                int bs = e / 16 + 4 * k;
                minSum += Bytes.k4Min(w, b + 4, 2 * k) * (a.bsums[bs] + a.bsums[bs + 1])
                        + Bytes.k4Min(w, b + 4, 2 * k + 1) * (a.bsums[bs + 2] + a.bsums[bs + 3]);
            }
            acc = fma(isum, Bytes.half(w, b) * da, acc);
            mins += (Bytes.half(w, b + 2) * da) * minSum;
        }
        return sum(acc) - mins;
    }

    /**
     * q6_K × q8_K: each 16-byte load of ql/qh yields 16 quants of each quarter of a 128-quant half, and
     * every such 16 share one int8 scale.
     */
    static float q6_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + blk * 210L;
            int e = e0 + blk * 256;
            IntVector isum = IntVector.zero(I);
            for (int h = 0; h < 2; h++) {
                for (int c = 0; c < 32; c += 16) {
                    ShortVector ql0 = w16(w, b + 64 * h + c);
                    ShortVector ql1 = w16(w, b + 64 * h + 32 + c);
                    ShortVector qh = w16(w, b + 128 + 32 * h + c);
                    ShortVector q1 = low(ql0).or(qh.and((short) 3).lanewise(VectorOperators.LSHL, 4)).sub((short) 32);
                    ShortVector q2 = low(ql1).or(qh.lanewise(VectorOperators.LSHL, 2).and((short) 0x30)).sub((short) 32);
                    ShortVector q3 = high(ql0).or(qh.and((short) 0x30)).sub((short) 32);
                    ShortVector q4 = high(ql1).or(qh.lanewise(VectorOperators.LSHR, 2).and((short) 0x30)).sub((short) 32);
                    int ea = e + 128 * h + c;
                    long sc = b + 192 + 8 * h + c / 16;
                    isum = isum.add(widen(q1.mul(a16(a, ea))).mul(Bytes.s8(w, sc)))
                            .add(widen(q2.mul(a16(a, ea + 32))).mul(Bytes.s8(w, sc + 2)))
                            .add(widen(q3.mul(a16(a, ea + 64))).mul(Bytes.s8(w, sc + 4)))
                            .add(widen(q4.mul(a16(a, ea + 96))).mul(Bytes.s8(w, sc + 6)));
                }
            }
            acc = fma(isum, Bytes.half(w, b + 208) * a.d[e / 256], acc);
        }
        return sum(acc);
    }
}
