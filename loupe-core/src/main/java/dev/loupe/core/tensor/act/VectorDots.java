package dev.loupe.core.tensor.act;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Vector API integer dots for the weight types people run most. Sixteen quants at a time are widened from
 * bytes to 16-bit lanes and multiplied by the sixteen activations there (kept as int16 by
 * {@link QuantizedVector}, so only the weights are converted per row); adjacent 16-bit lanes are then summed
 * pairwise into int lanes (pmaddwd's pairing), scaled by integer sub-block scales and summed in int over a
 * (super-)block, so each int is exact as in ggml's AVX2 kernels (maddubs/madd).
 *
 * <p>Q8_0/Q4_0 blocks are small, so their ints become float and are multiplied by the block's float factor
 * per block, into two float accumulators (so consecutive fmas do not wait on each other), as ggml does.
 * K-quant super-blocks reduce to one exact int per super-block and are combined in scalar exactly as
 * {@link ScalarDot} does; the Q8_K bsums supply the K-quant mins and Q6_K's −32 offset, as in ggml, so no
 * lane subtracts anything. Against {@link ScalarDot} the results differ only in float summation order (and
 * for K-quants not at all).
 *
 * <p>Every kernel keeps its vectors inside one method or in helpers small enough to inline (a vector that
 * crosses a call C2 did not inline is boxed, which costs ~100x); the K-quant per-super-block work is a
 * separate method returning a plain int, so C2's per-method node budget is never exhausted.
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
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    private VectorDots() {}

    // ---- shared helpers ----

    /** 16 weight bytes at {@code off}, sign-extended to shorts (mask for unsigned fields). */
    private static ShortVector w16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 activations from element {@code e}, already int16. */
    private static ShortVector a16(QuantizedVector a, int e) {
        return ShortVector.fromArray(S, a.wide, e);
    }

    // Constant vectors rather than scalar operands: each scalar operand is a broadcast C2 must parse again.
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);

    private static ShortVector low(ShortVector v) {
        return v.and(NIBBLE);
    }

    /** LSHR on a short lane shifts its 16 bits, so the sign extension of {@link #w16} is masked off here. */
    private static ShortVector high(ShortVector v) {
        return v.lanewise(VectorOperators.LSHR, 4).and(NIBBLE);
    }

    /**
     * The 16 short lanes of {@code p} summed pairwise into 8 int lanes, exact when every pair sum fits in a
     * short: v + (v << 16) has the pair sum (mod 2^16) in its top half, which the arithmetic shift sign-extends.
     */
    private static IntVector pairs(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16);
    }

    /** As {@link #pairs} for pair sums that may not fit a short (Q8_0): each half sign-extended separately. */
    private static IntVector pairsWide(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /** acc + float(isum)·scale; the int lanes are exact below 2^24, so the conversion is too. */
    private static FloatVector fma(IntVector isum, float scale, FloatVector acc) {
        return ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }

    /** Byte {@code j} of {@code packed}, unsigned. */
    private static int u8(long packed, int j) {
        return (int) (packed >>> 8 * j) & 0xFF;
    }

    // ---- Q8_0, Q4_0 ----
    // One block per iteration into one accumulator: unrolling by hand doubles the nodes C2 parses per
    // iteration, and past its inlining cutoff the helpers stop inlining and every vector is boxed.

    /** q8_0 × q8_0: Σ_blocks (d_w·d_a)·Σ w·a. The pair sums can reach 4·128·127, hence {@link #pairsWide}. */
    static float q8_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * 34L;
            int e = e0 + blk * 32;
            IntVector p = pairsWide(w16(w, b + 2).mul(a16(a, e)).add(w16(w, b + 18).mul(a16(a, e + 16))));
            acc = fma(p, Bytes.half(w, b) * a.d[e >> 5], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** q4_0 × q8_0: low nibbles are quants 0..15, high 16..31, both minus 8; pair sums at most 4·8·127. */
    static float q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * 18L;
            int e = e0 + blk * 32;
            ShortVector v = w16(w, b + 2);
            IntVector p = pairs(low(v).sub(EIGHT).mul(a16(a, e)).add(high(v).sub(EIGHT).mul(a16(a, e + 16))));
            acc = fma(p, Bytes.half(w, b) * a.d[e >> 5], acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q4_K, Q5_K ----

    /** q4_K × q8_K. */
    static float q4_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return k45(w, off, a, e0, n, false);
    }

    /** q5_K × q8_K. */
    static float q5_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return k45(w, off, a, e0, n, true);
    }

    /**
     * Q4_K and Q5_K share everything but the fifth bit. Per super-block: d·da·Σ_g scale(g)·Σ q·a
     * − dmin·da·Σ_g min(g)·(bsum pair of g), in ScalarDot's order.
     */
    private static float k45(MemorySegment w, long off, QuantizedVector a, int e0, int n, boolean five) {
        int size = five ? 176 : 144;
        float sum = 0;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + (long) blk * size;
            int e = e0 + blk * 256;
            int u0 = w.get(LE_INT, b + 4), u1 = w.get(LE_INT, b + 8), u2 = w.get(LE_INT, b + 12);
            int isum = k45Ints(w, b, a, e, k4Scales(u0, u2), five);
            long mins = k4Mins(u0, u1, u2);
            int minSum = 0;
            for (int g = 0; g < 8; g++) minSum += u8(mins, g) * (a.bsums[e / 16 + 2 * g] + a.bsums[e / 16 + 2 * g + 1]);
            float da = a.d[e / 256];
            sum += (Bytes.half(w, b) * da) * isum - (Bytes.half(w, b + 2) * da) * minSum;
        }
        return sum;
    }

    /**
     * get_scale_min_k4's eight 6-bit scales, byte j of the result, from the 12 scale bytes as three LE ints:
     * scales 0..3 are the low 6 bits of bytes 0..3; 4..7 the low nibbles of bytes 8..11 with the top two bits
     * of bytes 0..3 above them.
     */
    private static long k4Scales(int u0, int u2) {
        int lo = u0 & 0x3F3F3F3F;
        int hi = (u2 & 0x0F0F0F0F) | ((u0 >>> 6) & 0x03030303) << 4;
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    /** The mins likewise: bytes 4..7, then the high nibbles of 8..11 with the top bits of 4..7. */
    private static long k4Mins(int u0, int u1, int u2) {
        int lo = u1 & 0x3F3F3F3F;
        int hi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 6) & 0x03030303) << 4;
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    /**
     * Σ_g scale(g)·Σ_{i∈g} q(i)·a(i) of one Q4_K/Q5_K super-block. Each 64 quants are 32 bytes whose low
     * nibbles are group 2k and high nibbles group 2k+1; Q5_K's qh (always loaded, only used if {@code five},
     * so no vector is ever null) gives bits 2k and 2k+1, shifted down by two per step. A group's pair sums
     * are at most 4·31·127, so {@link #pairs} is exact.
     */
    private static int k45Ints(MemorySegment w, long b, QuantizedVector a, int e, long scales, boolean five) {
        long qs = b + (five ? 48 : 16);
        ShortVector h0 = w16(w, b + 16), h1 = w16(w, b + 32);
        IntVector acc = IntVector.zero(I);
        for (int k = 0; k < 4; k++) {
            ShortVector v0 = w16(w, qs + 32 * k), v1 = w16(w, qs + 32 * k + 16);
            ShortVector l0 = low(v0), l1 = low(v1), u0 = high(v0), u1 = high(v1);
            if (five) {
                l0 = l0.or(h0.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                l1 = l1.or(h1.and((short) 1).lanewise(VectorOperators.LSHL, 4));
                u0 = u0.or(h0.and((short) 2).lanewise(VectorOperators.LSHL, 3));
                u1 = u1.or(h1.and((short) 2).lanewise(VectorOperators.LSHL, 3));
                h0 = h0.lanewise(VectorOperators.LSHR, 2);
                h1 = h1.lanewise(VectorOperators.LSHR, 2);
            }
            int ea = e + 64 * k;
            ShortVector pl = l0.mul(a16(a, ea)).add(l1.mul(a16(a, ea + 16)));
            ShortVector pu = u0.mul(a16(a, ea + 32)).add(u1.mul(a16(a, ea + 48)));
            acc = acc.add(pairs(pl).mul(u8(scales, 2 * k))).add(pairs(pu).mul(u8(scales, 2 * k + 1)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q6_K ----

    /**
     * q6_K × q8_K: d·da·(Σ_g scale(g)·Σ q·a − 32·Σ_g scale(g)·bsum(g)), the quants taken without their −32
     * and the offset applied once per group from the bsums, as ggml's q8sums term does.
     */
    static float q6_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        float sum = 0;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + blk * 210L;
            int e = e0 + blk * 256;
            long s0 = w.get(LE_LONG, b + 192), s1 = w.get(LE_LONG, b + 200);
            int offset = 0;
            for (int g = 0; g < 8; g++) {
                offset += (byte) u8(s0, g) * a.bsums[e / 16 + g] + (byte) u8(s1, g) * a.bsums[e / 16 + 8 + g];
            }
            int isum = q6Ints(w, b, a, e, s0, s1) - 32 * offset;
            sum += (Bytes.half(w, b + 208) * a.d[e / 256]) * isum;
        }
        return sum;
    }

    /**
     * Σ_g scale(g)·Σ_{i∈g} q(i)·a(i), q in 0..63, of one Q6_K super-block: each 16-byte load of ql/qh yields 16
     * quants of each quarter of a 128-quant half, and every such 16 share one int8 scale (byte 8h + 2k + c/16
     * of the scales). Pair sums are at most 2·63·127, so {@link #pairs} is exact.
     */
    private static int q6Ints(MemorySegment w, long b, QuantizedVector a, int e, long s0, long s1) {
        IntVector acc = IntVector.zero(I);
        for (int h = 0; h < 2; h++) {
            long sc = h == 0 ? s0 : s1;
            for (int c = 0; c < 32; c += 16) {
                ShortVector ql0 = w16(w, b + 64 * h + c);
                ShortVector ql1 = w16(w, b + 64 * h + 32 + c);
                ShortVector qh = w16(w, b + 128 + 32 * h + c);
                ShortVector q1 = low(ql0).or(qh.and((short) 3).lanewise(VectorOperators.LSHL, 4));
                ShortVector q2 = low(ql1).or(qh.lanewise(VectorOperators.LSHL, 2).and((short) 0x30));
                ShortVector q3 = high(ql0).or(qh.and((short) 0x30));
                ShortVector q4 = high(ql1).or(qh.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
                int ea = e + 128 * h + c, j = c / 16;
                acc = acc.add(pairs(q1.mul(a16(a, ea))).mul((byte) u8(sc, j)))
                        .add(pairs(q2.mul(a16(a, ea + 32))).mul((byte) u8(sc, j + 2)))
                        .add(pairs(q3.mul(a16(a, ea + 64))).mul((byte) u8(sc, j + 4)))
                        .add(pairs(q4.mul(a16(a, ea + 96))).mul((byte) u8(sc, j + 6)));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
