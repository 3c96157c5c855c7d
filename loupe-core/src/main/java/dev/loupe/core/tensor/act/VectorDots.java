package dev.loupe.core.tensor.act;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
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
 * per block, into a float accumulator, as ggml does. A K-quant super-block sums into one vector of exact
 * lane sums — in int for Q4_K and Q6_K (Q6_K's worst case passes 2^24, and is then rounded as ggml's
 * cvtepi32_ps rounds it), in float for Q5_K, which is exact because its sums stay below 2^24 and spares an int
 * multiply per group ({@link #fma16}) — times d·da once; the Q8_K bsums supply the K-quant mins and
 * Q6_K's −32 offset as a scalar term per super-block, as in ggml, so no lane subtracts anything. Against
 * {@link ScalarDot} the results differ only in float summation order.
 *
 * <p>Every kernel keeps its vectors inside one method (a vector that crosses a call C2 did not inline is boxed,
 * which costs ~100x; a helper returning a reduced int instead pays a call and a lane reduction, which cost the
 * K-quant kernels half their speed when k45Ints passed FreqInlineSize). C2 stops inlining our methods once a
 * compilation has created ~18000 nodes (NodeCountInliningCutoff, not settable in product builds), and each Vector
 * API call parses into hundreds; past that point it still inlines the API's own @ForceInline methods (late), but
 * not ours. So Q8_0, Q4_0 and Q5_K keep a small loop body built from the helpers below, and Q4_K and Q6_K, whose
 * loop bodies are written out (a super-block or a column of one: every byte loaded once, constant shifts, no
 * inner loop), call the Vector API directly and nothing of ours inside the loop. Their scalar parts (mins,
 * offsets) run as passes of their own. Check with -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining (no
 * "NodeCountInliningCutoff" or "too big" inside a kernel), and read the loop C2 emits (-XX:CompileCommand=print).
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
    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static final boolean AVAILABLE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    // Kernels end by adding the 8 lanes of their accumulator in a fixed tree order, ggml's hsum_float_8 on AVX2:
    // ((0+4)+(2+6)) + ((1+5)+(3+7)), written out at each site with lane() (force-inlined by the API). Not
    // reduceLanes(ADD): its order differs between the interpreter and C2's intrinsic, so a dot would change by an ulp
    // while the JIT warms up and a sequence decoded alone would stop matching itself decoded in a batch
    // (VectorDotRows ends the same way). Not a helper method either: the big K-quant kernels pass C2's inlining node
    // cutoff, and an out-of-line helper taking a vector boxes it, i.e. allocates on every dot. ggml's order also keeps
    // greedy decoding on llama.cpp's side of near ties (LlamaCppAgreementTest).

    private VectorDots() {}

    // ---- shared helpers ----

    /** 16 weight bytes at {@code off}, sign-extended to shorts (mask for unsigned fields). */
    private static ShortVector w16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 weight bytes at {@code off}, zero-extended to shorts: unsigned fields need no mask after a shift. */
    private static ShortVector u16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }

    /** 16 activations from element {@code e}, already int16. */
    private static ShortVector a16(QuantizedVector a, int e) {
        return ShortVector.fromArray(S, a.wide, e);
    }

    // Constant vectors rather than scalar operands: each scalar operand is a broadcast C2 must parse again.
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);
    private static final ShortVector BIT4 = ShortVector.broadcast(S, (short) 0x10);
    private static final ShortVector BITS45 = ShortVector.broadcast(S, (short) 0x30);

    /** The low nibble of each lane. */
    private static ShortVector low(ShortVector v) {
        return v.and(NIBBLE);
    }

    /** The high nibble of each lane of a {@link #u16} vector (zero-extended, so nothing above it to mask). */
    private static ShortVector high(ShortVector v) {
        return v.lanewise(VectorOperators.LSHR, 4);
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

    /**
     * As {@link #pairs}, but each int lane holds 2^16 times the pair sum: the pair sum lands in the top half and the
     * low half is masked off rather than shifted out. (Alone it measures the same as {@link #pairs}; with
     * {@link #fma16} it saves Q5_K an int multiply per group.)
     */
    private static IntVector pairs16(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.add(v.lanewise(VectorOperators.LSHL, 16)).and(0xFFFF0000);
    }

    /** acc + float(isum)·scale; the int lanes are exact below 2^24, so the conversion is too. */
    private static FloatVector fma(IntVector isum, float scale, FloatVector acc) {
        return ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
    }

    /**
     * acc + float(p16)·scale/2^16 for a {@link #pairs16} vector: the same bits as {@link #fma} of the pair sums, since
     * the scaling by 2^16 is exact both ways and the fma rounds the same exact product. With integer scales (the
     * K-quants' sub-block scales) into a float accumulator, it is exact while every partial sum is an integer below
     * 2^24, and so equals the int multiply-add it replaces (vpmulld is slow on AVX2 machines).
     */
    private static FloatVector fma16(IntVector p16, float scale, FloatVector acc) {
        return ((FloatVector) p16.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale * 0x1p-16f), acc);
    }

    /** Byte {@code j} of {@code packed}, unsigned. */
    private static int u8(long packed, int j) {
        return (int) (packed >>> 8 * j) & 0xFF;
    }

    // ---- Q8_0, Q4_0 ----
    // One block per iteration into one accumulator: C2 unrolls the loop itself after parsing it, while a hand
    // unroll doubles the nodes it parses and brings the inlining cutoff nearer.

    /** q8_0 × q8_0: Σ_blocks (d_w·d_a)·Σ w·a. The pair sums can reach 4·128·127, hence {@link #pairsWide}. */
    static float q8_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        long stride = q8Stride;
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * stride;
            int e = e0 + blk * 32;
            IntVector p = pairsWide(w16(w, b + 2).mul(a16(a, e)).add(w16(w, b + 18).mul(a16(a, e + 16))));
            acc = fma(p, Bytes.half(w, b) * a.d[e >> 5], acc);
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
    }

    /**
     * q4_0 × q8_0: low nibbles are quants 0..15, high 16..31, both minus 8; pair sums at most 4·8·127. The bytes are
     * zero-extended, so the high nibble needs no mask after its shift (3.15 -> 3.4 GB/s).
     */
    static float q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * 18L;
            int e = e0 + blk * 32;
            ShortVector v = u16(w, b + 2);
            IntVector p = pairs(low(v).sub(EIGHT).mul(a16(a, e)).add(high(v).sub(EIGHT).mul(a16(a, e + 16))));
            acc = fma(p, Bytes.half(w, b) * a.d[e >> 5], acc);
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
    }

    // ---- Q4_K, Q5_K ----
    // A super-block is summed into one vector (each lane an exact partial of Σ_g scale(g)·Σ q·a), then times d·da
    // into a float accumulator; the mins term is scalar, as in ggml's AVX2 kernels, and computed in a pass of its own
    // (k4MinsTerm) so that the vector loop keeps the registers and C2's inlining budget to itself.

    /** q4_K × q8_K: d·da·Σ_g scale(g)·Σ q·a − dmin·da·Σ_g min(g)·(bsum pair of g), per super-block. */
    static float q4_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return q4KScaled(w, off, a, e0, n) - k4MinsTerm(w, off, 144, a, e0, n);
    }

    // The K-quant loops run over 8-32 super-blocks per row. When a counted loop's segment offsets are a constant
    // multiple of its index, C2 turns it into a loop nest for its long range checks, with a pre-loop and some twenty
    // instructions of clamped bounds per access per strip: more than the checks cost (Q4_K 2.3 instead of 2.9 GB/s;
    // -XX:-RangeCheckElimination gave the same 2.9). A stride read from a non-final field is an invariant C2 cannot
    // fold, so each check stays one compare (Q6_K, whose offsets are not linear in its index anyway, still runs ~4%
    // faster with it; Q8_0 5.1 -> 5.7 GB/s; Q4_0, whose loop is smaller, measured no better). Never written.
    private static long q4KStride = 144;
    private static long q8Stride = 34;
    private static long q6KStride = 210;
    private static int superBlockQuants = 256;

    /**
     * Q4_K's d·da·Σ_g scale(g)·Σ q·a part, lanes summed. A super-block per iteration, written out in four steps of 64
     * quants: groups 2i and 2i+1 are the low and high nibbles of the same 32 bytes, loaded once, with constant shifts.
     * (The four steps as an inner loop, its offsets from a field too so that C2 adds no range-check pre-loop, measured
     * 7% slower: 2.83 against 3.04 GB/s; hence the repetition.)
     * Only Vector API calls inside the loop, no helpers of ours: the body passes C2's node cutoff, after which the API's
     * force-inlined methods are still inlined (late) but ours would become calls taking boxed vectors. Group pair sums
     * are at most 4·15·127, so v + (v << 16) >> 16 (as in {@link #pairs}) is exact; the lane sums of a super-block,
     * at most 32·63·15·127, are exact in int.
     */
    private static float q4KScaled(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        short[] aw = a.wide;
        long stride = q4KStride;
        int quants = superBlockQuants;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + blk * stride;
            int e = e0 + blk * quants;
            long scales = k4Scales(w.get(LE_INT, b + 4), w.get(LE_INT, b + 12));
            IntVector isum = IntVector.zero(I);
            ShortVector v0, v1;
            IntVector p, q;
            // groups 0, 1: bytes 16..47
            v0 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            v1 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            p = v0.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e)).add(v1.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 16))).reinterpretAsInts();
            q = v0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 32))
                    .add(v1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 48))).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) scales & 0xFF))
                    .add(q.add(q.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 8) & 0xFF));
            // groups 2, 3: bytes 48..79
            v0 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            v1 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            p = v0.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 64)).add(v1.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 80))).reinterpretAsInts();
            q = v0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 96))
                    .add(v1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 112))).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 16) & 0xFF))
                    .add(q.add(q.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 24) & 0xFF));
            // groups 4, 5: bytes 80..111
            v0 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            v1 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            p = v0.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 128)).add(v1.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 144))).reinterpretAsInts();
            q = v0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 160))
                    .add(v1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 176))).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 32) & 0xFF))
                    .add(q.add(q.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 40) & 0xFF));
            // groups 6, 7: bytes 112..143
            v0 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            v1 = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 128, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            p = v0.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 192)).add(v1.and(NIBBLE).mul(ShortVector.fromArray(S, aw, e + 208))).reinterpretAsInts();
            q = v0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 224))
                    .add(v1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, aw, e + 240))).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 48) & 0xFF))
                    .add(q.add(q.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((int) (scales >>> 56) & 0xFF));
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(LE_SHORT, b)) * a.d[e >> 8]), acc);
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
    }

    /**
     * q5_K × q8_K: Q4_K plus a fifth bit, bit g of qh[l] for quant l of group g. Group pair sums are at most
     * 4·31·127, so {@link #pairs} is exact.
     */
    static float q5_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return q5KScaled(w, off, a, e0, n) - k4MinsTerm(w, off, 176, a, e0, n);
    }

    /** q5_K's d·da·Σ_g scale(g)·Σ q·a part, lanes summed. */
    private static float q5KScaled(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + blk * 176L;
            int e = e0 + blk * 256;
            long scales = k4Scales(w.get(LE_INT, b + 4), w.get(LE_INT, b + 12));
            FloatVector isum = FloatVector.zero(F);
            for (int g = 0; g < 8; g++) {
                long qs = b + 48 + 32 * (g >> 1);
                int shift = 4 * (g & 1), ea = e + 32 * g;
                ShortVector p = five(u16(w, qs), u16(w, b + 16), shift, g).mul(a16(a, ea))
                        .add(five(u16(w, qs + 16), u16(w, b + 32), shift, g).mul(a16(a, ea + 16)));
                isum = fma16(pairs16(p), u8(scales, g), isum);
            }
            float da = a.d[e >> 8];
            acc = isum.fma(FloatVector.broadcast(F, Bytes.half(w, b) * da), acc);
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
    }

    /** The nibble of {@code qs} at {@code shift}, with bit {@code g} of {@code qh} above it. */
    private static ShortVector five(ShortVector qs, ShortVector qh, int shift, int g) {
        return qs.lanewise(VectorOperators.LSHR, shift).and(NIBBLE)
                .or(qh.lanewise(VectorOperators.LSHL, 4).lanewise(VectorOperators.LSHR, g).and(BIT4));
    }

    /**
     * Σ_blocks dmin·da·Σ_g min(g)·(Σ of the activations of group g, from the Q8_K bsums): the Q4_K/Q5_K mins term of
     * a row of super-blocks of {@code size} bytes, summed in block order as ggml does. A pass of its own, beside the
     * vector loop rather than in it (inside, its helpers passed NodeCountInliningCutoff and became calls). Per
     * super-block the eight 6-bit mins are unpacked as bytes, each doubled to face the two bsums of its group, and
     * multiplied by the sixteen bsums in int lanes: the int sum is exact, so its order does not matter.
     */
    private static float k4MinsTerm(MemorySegment w, long off, int size, QuantizedVector a, int e0, int n) {
        float mins = 0;
        int[] bs = a.bsums;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + (long) blk * size;
            int e = e0 + blk * 256;
            ByteVector m = LongVector.broadcast(LongVector.SPECIES_128, k4Mins(w.get(LE_INT, b + 8), w.get(LE_INT, b + 12)))
                    .reinterpretAsBytes().rearrange(EACH_TWICE);
            int minSum = ((IntVector) m.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).mul(IntVector.fromArray(I, bs, e >> 4))
                    .add(((IntVector) m.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 1)).mul(IntVector.fromArray(I, bs, (e >> 4) + 8)))
                    .reduceLanes(VectorOperators.ADD);
            mins += (Float.float16ToFloat(w.get(LE_SHORT, b + 2)) * a.d[e >> 8]) * minSum;
        }
        return mins;
    }

    /** Bytes 0..7 each twice: byte g of the mins faces bsums 2g and 2g + 1. */
    private static final VectorShuffle<Byte> EACH_TWICE = VectorShuffle.fromValues(B, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);

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

    /** The mins likewise, from scale bytes 4..7 and 8..11: bytes 4..7, then the high nibbles of 8..11 with the top bits of 4..7. */
    private static long k4Mins(int u1, int u2) {
        int lo = u1 & 0x3F3F3F3F;
        int hi = ((u2 >>> 4) & 0x0F0F0F0F) | ((u1 >>> 6) & 0x03030303) << 4;
        return (lo & 0xFFFFFFFFL) | (long) hi << 32;
    }

    // ---- Q6_K ----

    /**
     * q6_K × q8_K: d·da·(Σ_g scale(g)·Σ q·a − 32·Σ_g scale(g)·bsum(g)), the quants taken without their −32
     * and the offset applied once per super-block from the bsums, as ggml's q8sums term does (in a pass of its own,
     * {@link #q6Offsets}).
     */
    static float q6_K(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        return q6KScaled(w, off, a, e0, n) - q6Offsets(w, off, a, e0, n);
    }

    // Where column c (0..3) of a Q6_K super-block starts, relative to the block: its ql bytes (ql + 32 holds the
    // second and fourth quarters), its qh bytes, the bit offset of its first scale in the half's eight scale bytes,
    // and its first quant.
    // Byte masks applied to 16-bit lanes of a 128-bit vector: the bits a 16-bit shift moves across a byte boundary are
    // masked off, so these act on 16 bytes at once, at half the cost of the same ops on 16 widened lanes.
    private static final ShortVector NIBBLES_128 = ShortVector.broadcast(ShortVector.SPECIES_128, (short) 0x0F0F);
    private static final ShortVector BITS45_128 = ShortVector.broadcast(ShortVector.SPECIES_128, (short) 0x3030);

    private static final int[] COL_QL = {0, 16, 64, 80}, COL_QH = {128, 144, 160, 176}, COL_SC = {0, 8, 0, 8}, COL_E = {0, 16, 128, 144};

    /**
     * Q6_K's d·da·Σ_g scale(g)·Σ q·a part, lanes summed. Each half of 128 quants is ql[64] | qh[32]; a column of it is
     * 16 bytes of ql, the 16 at ql + 32 and 16 of qh, which hold the quants l..l+15 of all four quarters: low nibbles,
     * low nibbles of ql + 32, then the high nibbles, each with its two qh bits above it (bits 0-1, 2-3, 4-5, 6-7), one
     * scale group of 16 each. The quants are assembled from those 48 bytes in 128-bit vectors (see NIBBLES_128) and
     * only then widened. One column per iteration (four per super-block, the block finished after the fourth), so
     * no byte is loaded twice and every shift is constant; as in Q4_K, only Vector API calls in the loop, and the stride
     * from a field. Products are at most 63·127,
     * pair sums fit a short; a super-block's int lane sums reach 32·63·127·127 (> 2^24), and become float as ggml's
     * cvtepi32_ps rounds them.
     */
    private static float q6KScaled(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        FloatVector acc = FloatVector.zero(F);
        IntVector isum = IntVector.zero(I);
        short[] aw = a.wide;
        long stride = q6KStride;
        for (int j = 0; j < 4 * (n / 256); j++) {
            int col = j & 3;
            long b = off + (j >> 2) * stride;
            long ql = b + COL_QL[col];
            long sc = w.get(LE_LONG, b + 192 + 8 * (col >> 1)) >>> COL_SC[col];
            int e = e0 + 256 * (j >> 2) + COL_E[col];
            ShortVector l0 = ByteVector.fromMemorySegment(B, w, ql, LE).reinterpretAsShorts();
            ShortVector l1 = ByteVector.fromMemorySegment(B, w, ql + 32, LE).reinterpretAsShorts();
            ShortVector hb = ByteVector.fromMemorySegment(B, w, b + COL_QH[col], LE).reinterpretAsShorts();
            IntVector p = ((ShortVector) l0.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 4).and(BITS45_128)).reinterpretAsBytes()
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).mul(ShortVector.fromArray(S, aw, e)).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) sc));
            p = ((ShortVector) l1.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 2).and(BITS45_128)).reinterpretAsBytes()
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).mul(ShortVector.fromArray(S, aw, e + 32)).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 16)));
            p = ((ShortVector) l0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.and(BITS45_128)).reinterpretAsBytes()
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).mul(ShortVector.fromArray(S, aw, e + 64)).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 32)));
            p = ((ShortVector) l1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHR, 2).and(BITS45_128)).reinterpretAsBytes()
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).mul(ShortVector.fromArray(S, aw, e + 96)).reinterpretAsInts();
            isum = isum.add(p.add(p.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16).mul((byte) (sc >>> 48)));
            if (col == 3) {
                acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(LE_SHORT, b + 208)) * a.d[e >> 8]), acc);
                isum = IntVector.zero(I);
            }
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7))));
    }

    /**
     * Σ_blocks d·da·32·Σ_g scale(g)·bsum(g) over the 16 groups of each Q6_K super-block, summed in block order as the
     * kernel did inline before; the int8 scales against the bsums in int lanes (exact in any order).
     */
    private static float q6Offsets(MemorySegment w, long off, QuantizedVector a, int e0, int n) {
        float offsets = 0;
        int[] bs = a.bsums;
        for (int blk = 0; blk < n / 256; blk++) {
            long b = off + blk * 210L;
            int e = e0 + blk * 256;
            ByteVector sc = ByteVector.fromMemorySegment(B, w, b + 192, LE);
            int offset = ((IntVector) sc.convertShape(VectorOperators.B2I, I, 0)).mul(IntVector.fromArray(I, bs, e >> 4))
                    .add(((IntVector) sc.convertShape(VectorOperators.B2I, I, 1)).mul(IntVector.fromArray(I, bs, (e >> 4) + 8)))
                    .reduceLanes(VectorOperators.ADD);
            float scale = Float.float16ToFloat(w.get(LE_SHORT, b + 208)) * a.d[e >> 8];
            offsets += scale * (32 * offset);
        }
        return offsets;
    }
}
