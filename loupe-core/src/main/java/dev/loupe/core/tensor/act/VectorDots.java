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
 * crosses a call C2 did not inline is boxed, which costs ~100x). C2 stops inlining once a compilation has
 * created ~18000 nodes (NodeCountInliningCutoff, not settable in product builds), and each Vector API call
 * parses into hundreds, so the K-quant work is cut into helpers of at most two products that return a
 * plain int: whatever C2 decides to inline, no vector crosses a call. Check with
 * -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining (no "NodeCountInliningCutoff" on a vector helper).
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
    private static final ShortVector ONE = ShortVector.broadcast(S, (short) 1);
    private static final ShortVector TWO = ShortVector.broadcast(S, (short) 2);
    private static final ShortVector THREE = ShortVector.broadcast(S, (short) 3);
    private static final ShortVector BITS45 = ShortVector.broadcast(S, (short) 0x30);

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
            long scales = k4Scales(u0, u2);
            int isum = 0;
            for (int k = 0; k < 4; k++) isum += k45Ints(w, b, a, e, k, scales, five);
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
     * Σ_g scale(g)·Σ_{i∈g} q(i)·a(i) over groups 2k and 2k+1 of a Q4_K/Q5_K super-block: 32 bytes whose low
     * nibbles are group 2k and high nibbles group 2k+1; Q5_K's qh gives bits 2k and 2k+1. A group's pair sums
     * are at most 4·31·127, so {@link #pairs} is exact. One call per 64 quants, returning a plain int: C2
     * parses each Vector API call into many nodes, and a whole super-block in one method exceeds its
     * inlining cutoff, after which helpers stop inlining and their vectors are boxed.
     */
    private static int k45Ints(MemorySegment w, long b, QuantizedVector a, int e, int k, long scales, boolean five) {
        long qs = b + (five ? 48 : 16) + 32 * k;
        ShortVector v0 = w16(w, qs), v1 = w16(w, qs + 16);
        ShortVector l0 = low(v0), l1 = low(v1), u0 = high(v0), u1 = high(v1);
        if (five) {
            ShortVector h0 = w16(w, b + 16).lanewise(VectorOperators.LSHR, 2 * k);
            ShortVector h1 = w16(w, b + 32).lanewise(VectorOperators.LSHR, 2 * k);
            l0 = l0.or(h0.and(ONE).lanewise(VectorOperators.LSHL, 4));
            l1 = l1.or(h1.and(ONE).lanewise(VectorOperators.LSHL, 4));
            u0 = u0.or(h0.and(TWO).lanewise(VectorOperators.LSHL, 3));
            u1 = u1.or(h1.and(TWO).lanewise(VectorOperators.LSHL, 3));
        }
        int ea = e + 64 * k;
        ShortVector pl = l0.mul(a16(a, ea)).add(l1.mul(a16(a, ea + 16)));
        ShortVector pu = u0.mul(a16(a, ea + 32)).add(u1.mul(a16(a, ea + 48)));
        return pairs(pl).mul(u8(scales, 2 * k)).add(pairs(pu).mul(u8(scales, 2 * k + 1))).reduceLanes(VectorOperators.ADD);
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
            int isum = -32 * offset;
            for (int step = 0; step < 8; step++) {
                int h = step >> 2, c = (step & 1) * 16, k = step >> 1 & 1; // half, 16-byte step, ql select
                isum += q6Ints(w, b + 64 * h + 32 * k + c, b + 128 + 32 * h + c, 2 * k, a, e + 128 * h + 32 * k + c,
                        h == 0 ? s0 : s1, k * 2 + c / 16);
            }
            sum += (Bytes.half(w, b + 208) * a.d[e / 256]) * isum;
        }
        return sum;
    }

    /**
     * Σ_g scale(g)·Σ_{i∈g} q(i)·a(i), q in 0..63, for the two quarters of a Q6_K half that share 16 ql bytes
     * (at {@code ql}): low nibbles with qh bits {@code shift}, {@code shift}+1 (quarter 0 or 1), high nibbles
     * with bits {@code shift}+4, +5 (quarter 2 or 3), 64 quants apart. Every 16 quants share one int8 scale,
     * byte {@code j} and {@code j}+4 of {@code sc} (the half's eight). Pair sums are at most 2·63·127, so
     * {@link #pairs} is exact. Two products per call, returning a plain int, for the reason {@link #k45Ints}
     * gives.
     */
    private static int q6Ints(MemorySegment w, long ql, long qhAt, int shift, QuantizedVector a, int ea, long sc, int j) {
        ShortVector v = w16(w, ql);
        ShortVector qh = w16(w, qhAt).lanewise(VectorOperators.LSHR, shift);
        ShortVector lo = low(v).or(qh.and(THREE).lanewise(VectorOperators.LSHL, 4));
        ShortVector hi = high(v).or(qh.and(BITS45));
        return pairs(lo.mul(a16(a, ea))).mul((byte) u8(sc, j))
                .add(pairs(hi.mul(a16(a, ea + 64))).mul((byte) u8(sc, j + 4)))
                .reduceLanes(VectorOperators.ADD);
    }
}
