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
 * A tile of quantized weight rows against several activation rows (prefill, or a batched decode step): the
 * {@link ActivationDot#dotTile} (and {@link ActivationDot#dotRows}, a tile of one row) of Q8_0, Q4_0, Q4_K, Q5_K
 * and Q6_K. The tile's rows are unpacked once, into a per-thread float buffer (16 rows of 2048 quants: 128 KB, in
 * L2), and every input of the batch then costs only float FMAs against them: unpacking (nibbles, high bits,
 * scales) and widening are paid once per row per batch. (Until session 5 they were paid once per row per 8
 * inputs, which at a 128-token prefill was half of the K-quant kernels' time.)
 *
 * <p>The results are bit-identical to {@link VectorDots}' single-row dots, input by input. Those multiply
 * int16 lanes and pair adjacent lanes into exact int lanes; each int lane holds the products of a fixed
 * set of elements (in every 16 of them, elements 2j and 2j+1 go to lane j). Here the weights are stored
 * in that lane order — the evens of every 16, then the odds — and so are the activations
 * ({@link QuantizedVector#lanes}), so float lane j accumulates exactly the products int lane j does. Every
 * product and partial sum is an integer below 2^24 in magnitude, so the float sums are exact and equal
 * the int lanes; the block factors are then applied in the single-row kernel's order. The bounds, per
 * span summed in float before becoming int: Q8_0 4·128·127 per 32; Q4_0 4·8·127; Q4_K 32·63·15·127
 * (3.8M) and Q5_K 32·63·31·127 (7.9M) per 256; Q6_K 16·128·63·127 (16.4M) per 128, so its 256-quant
 * super-block is summed as two halves and joined in int.
 *
 * The K-quants' integer mins/offsets term (Σ min·bsum, Σ scale·bsum per super-block) is formed as a vector of
 * exact float products and summed across lanes: below 2^24, so equal to the single-row kernels' int in any order.
 *
 * <p>Inputs go four at a time through one pass over each unpacked row (four accumulators, the weight
 * vectors loaded once for the four; the tile's rows pass under the same four inputs, which stay in L1/L2); the
 * rest one at a time through the same arithmetic, so an input's result does not depend on how many came with it.
 * Not two rows by four inputs: with eight accumulators C2 unrolled the loop 4x and spilled vectors to the stack
 * inside it (disassembly: vmovdqu [rsp+..] between the FMAs), 15-40% slower than one row by four (TileBench).
 */
final class VectorDotRows {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);
    private static final ShortVector THREE = ShortVector.broadcast(S, (short) 3);
    private static final ShortVector ONE = ShortVector.broadcast(S, (short) 1);

    /** Below this many inputs the single-row dot, which streams the weights without unpacking them, is faster. */
    static final int MIN_ROWS = 2;

    private VectorDotRows() {}

    /**
     * A pool thread's unpacked weight rows (a tile): row r's quants times integer scales, in lane order, at
     * w[r·n ..]; its per-block factors at d[r·blocks ..] (K-quants: d and dmin interleaved); K-quants: per 16 quants,
     * the integer that multiplies the Q8_K bsum of those 16 (Q4_K/Q5_K: the group's min, Q6_K: the scale), as an
     * exact float at k[16·(r·blocks + blk) ..].
     */
    private static final class Scratch {
        float[] w = new float[0];
        float[] d = new float[0];
        float[] k = new float[0];
        /** Q6_K: the first halves' int lane sums against four inputs, 8 lanes each. */
        final int[] half = new int[32];

        Scratch size(int n, int factors, int ints) {
            if (w.length < n) w = new float[n];
            if (d.length < factors) d = new float[factors];
            if (k.length < ints) k = new float[ints];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    // ---- unpacking ----

    /** 16 weight bytes at {@code off}, sign-extended to shorts. */
    private static ShortVector w16(MemorySegment s, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2S, S, 0);
    }

    /** 16 values (value i in short lane i) stored as floats in lane order: the 8 evens at {@code pos}, the 8 odds after. */
    private static void store(ShortVector v, float[] dst, int pos) {
        IntVector x = v.reinterpretAsInts();
        ((FloatVector) x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                .intoArray(dst, pos);
        ((FloatVector) x.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).intoArray(dst, pos + 8);
    }

    /** The nibbles at {@code shift} (0 or 4) of 16 bytes; LSHR shifts the sign extension in, the mask drops it. */
    private static ShortVector nibbles(MemorySegment s, long off, int shift) {
        return w16(s, off).lanewise(VectorOperators.LSHR, shift).and(NIBBLE);
    }

    // ---- Q8_0, Q4_0: 32-quant blocks with one fp16 scale ----

    /** q8_0 × q8_0 for a tile of weight rows, as {@link VectorDots#q8_0} for each row and input. */
    static void q8_0(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs, int n,
                     float[] out, int o, int os) {
        int blocks = n / 32;
        Scratch s = SCRATCH.get().size(rows * n, rows * blocks, 0);
        for (int r = 0; r < rows; r++) {
            long row = off + r * rowBytes;
            for (int blk = 0, rb = r * blocks; blk < blocks; blk++, rb++) {
                long b = row + blk * 34L;
                s.d[rb] = Bytes.half(w, b);
                store(w16(w, b + 2), s.w, 32 * rb);
                store(w16(w, b + 18), s.w, 32 * rb + 16);
            }
        }
        scaledBlocks(s.w, s.d, rows, blocks, a, e0, inputs, n, out, o, os);
    }

    /** q4_0 × q8_0, as {@link VectorDots#q4_0}: low nibbles are quants 0..15, high 16..31, both minus 8. */
    static void q4_0(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs, int n,
                     float[] out, int o, int os) {
        int blocks = n / 32;
        Scratch s = SCRATCH.get().size(rows * n, rows * blocks, 0);
        for (int r = 0; r < rows; r++) {
            long row = off + r * rowBytes;
            for (int blk = 0, rb = r * blocks; blk < blocks; blk++, rb++) {
                long b = row + blk * 18L;
                s.d[rb] = Bytes.half(w, b);
                store(nibbles(w, b + 2, 0).sub(EIGHT), s.w, 32 * rb);
                store(nibbles(w, b + 2, 4).sub(EIGHT), s.w, 32 * rb + 16);
            }
        }
        scaledBlocks(s.w, s.d, rows, blocks, a, e0, inputs, n, out, o, os);
    }

    /**
     * Per row and input: acc += (exact lane sums of a block) · (d_w·d_a) per block, then the lanes reduced: the
     * single-row Q8_0/Q4_0 kernels' float steps. Four inputs share each load of a row's unpacked weights; the
     * tile's rows (in L1/L2) pass under the same four inputs before the next four are read.
     */
    private static void scaledBlocks(float[] wl, float[] wd, int rows, int blocks, QuantizedVector a, int e0, int inputs,
                                     int n, float[] out, int o, int os) {
        int b = 0;
        for (; b + 4 <= inputs; b += 4) {
            for (int r = 0; r < rows; r++) {
                scaledBlocksFour(wl, wd, r * blocks, blocks, a.lanes, a.d, e0 + b * n, n, out, o + b * os + r, os);
            }
        }
        for (; b < inputs; b++) {
            for (int r = 0; r < rows; r++) out[o + b * os + r] = scaledBlocksOne(wl, wd, r * blocks, blocks, a.lanes, a.d, e0 + b * n);
        }
    }

    // The four-input and one-input loops are methods of their own, and take and return no vectors: in one method
    // together, C2's inlining budget ran out before the one-input loop (the Vector API's bytecode is large), its
    // vector calls stayed calls, every vector was boxed, and 2-3 inputs (a speculative verify pass) cost ~15 single
    // dots instead of ~1 (VerifyCostBench; JFR: FloatVector.lanewiseTemplate and allocation in this loop).

    /** Row {@code rb0 / blocks} of the tile against four inputs from element {@code x0} (n apart). */
    private static void scaledBlocksFour(float[] wl, float[] wd, int rb0, int blocks, float[] al, float[] ad, int x0, int n,
                                         float[] out, int o, int os) {
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int blk = 0, p = 0, q = 32 * rb0; blk < blocks; blk++, p += 32, q += 32) {
            FloatVector w0 = FloatVector.fromArray(F, wl, q), w1 = FloatVector.fromArray(F, wl, q + 8);
            FloatVector w2 = FloatVector.fromArray(F, wl, q + 16), w3 = FloatVector.fromArray(F, wl, q + 24);
            float dw = wd[rb0 + blk];
            c0 = block(w0, w1, w2, w3, al, x0 + p).fma(FloatVector.broadcast(F, dw * ad[(x0 + p) >> 5]), c0);
            c1 = block(w0, w1, w2, w3, al, x1 + p).fma(FloatVector.broadcast(F, dw * ad[(x1 + p) >> 5]), c1);
            c2 = block(w0, w1, w2, w3, al, x2 + p).fma(FloatVector.broadcast(F, dw * ad[(x2 + p) >> 5]), c2);
            c3 = block(w0, w1, w2, w3, al, x3 + p).fma(FloatVector.broadcast(F, dw * ad[(x3 + p) >> 5]), c3);
        }
        out[o] = (((c0.lane(0) + c0.lane(4)) + (c0.lane(2) + c0.lane(6))) + ((c0.lane(1) + c0.lane(5)) + (c0.lane(3) + c0.lane(7))));
        out[o + os] = (((c1.lane(0) + c1.lane(4)) + (c1.lane(2) + c1.lane(6))) + ((c1.lane(1) + c1.lane(5)) + (c1.lane(3) + c1.lane(7))));
        out[o + 2 * os] = (((c2.lane(0) + c2.lane(4)) + (c2.lane(2) + c2.lane(6))) + ((c2.lane(1) + c2.lane(5)) + (c2.lane(3) + c2.lane(7))));
        out[o + 3 * os] = (((c3.lane(0) + c3.lane(4)) + (c3.lane(2) + c3.lane(6))) + ((c3.lane(1) + c3.lane(5)) + (c3.lane(3) + c3.lane(7))));
    }

    private static float scaledBlocksOne(float[] wl, float[] wd, int rb0, int blocks, float[] al, float[] ad, int x0) {
        FloatVector c0 = FloatVector.zero(F);
        for (int blk = 0, p = 0, q = 32 * rb0; blk < blocks; blk++, p += 32, q += 32) {
            FloatVector w0 = FloatVector.fromArray(F, wl, q), w1 = FloatVector.fromArray(F, wl, q + 8);
            FloatVector w2 = FloatVector.fromArray(F, wl, q + 16), w3 = FloatVector.fromArray(F, wl, q + 24);
            c0 = block(w0, w1, w2, w3, al, x0 + p).fma(FloatVector.broadcast(F, wd[rb0 + blk] * ad[(x0 + p) >> 5]), c0);
        }
        return (((c0.lane(0) + c0.lane(4)) + (c0.lane(2) + c0.lane(6))) + ((c0.lane(1) + c0.lane(5)) + (c0.lane(3) + c0.lane(7))));
    }

    /** The 8 exact lane sums of one 32-quant block against the activations from element {@code e}. */
    private static FloatVector block(FloatVector w0, FloatVector w1, FloatVector w2, FloatVector w3, float[] al, int e) {
        FloatVector s = w0.mul(FloatVector.fromArray(F, al, e));
        s = w1.fma(FloatVector.fromArray(F, al, e + 8), s);
        s = w2.fma(FloatVector.fromArray(F, al, e + 16), s);
        return w3.fma(FloatVector.fromArray(F, al, e + 24), s);
    }

    // ---- K-quants: 256-quant super-blocks, integer sums per super-block ----

    /** q4_K × q8_K, as {@link VectorDots#q4_K}. */
    static void q4_K(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs, int n,
                     float[] out, int o, int os) {
        k45(w, off, rowBytes, rows, a, e0, inputs, n, out, o, os, false);
    }

    /** q5_K × q8_K, as {@link VectorDots#q5_K}. */
    static void q5_K(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs, int n,
                     float[] out, int o, int os) {
        k45(w, off, rowBytes, rows, a, e0, inputs, n, out, o, os, true);
    }

    /**
     * Group g of a Q4_K/Q5_K super-block is 32 quants: low nibbles (even g) or high nibbles (odd g) of 32 bytes,
     * Q5_K's fifth bit g of qh[l]; unpacked as scale(g)·q. Per input and super-block: isum (exact) and
     * minSum = Σ_g min(g)·(bsums of g), combined as the single-row kernel does: the isum lanes times d·da into a float
     * accumulator, the mins term summed apart in scalar.
     */
    private static void k45(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs,
                            int n, float[] out, int o, int os, boolean five) {
        int blocks = n / 256, size = five ? 176 : 144;
        Scratch s = SCRATCH.get().size(rows * n, 2 * rows * blocks, 16 * rows * blocks);
        for (int r = 0; r < rows; r++) {
            for (int blk = 0, rb = r * blocks; blk < blocks; blk++, rb++) {
                long b = off + r * rowBytes + (long) blk * size;
                s.d[2 * rb] = Bytes.half(w, b);
                s.d[2 * rb + 1] = Bytes.half(w, b + 2);
                for (int g = 0; g < 8; g++) {
                    s.k[16 * rb + 2 * g] = s.k[16 * rb + 2 * g + 1] = Bytes.k4Min(w, b + 4, g);
                    ShortVector scale = ShortVector.broadcast(S, (short) Bytes.k4Scale(w, b + 4, g));
                    long qs = b + (five ? 48 : 16) + 32 * (g >> 1);
                    int shift = 4 * (g & 1), p = 256 * rb + 32 * g;
                    ShortVector lo = nibbles(w, qs, shift), hi = nibbles(w, qs + 16, shift);
                    if (five) {
                        lo = lo.or(w16(w, b + 16).lanewise(VectorOperators.LSHR, g).and(ONE).lanewise(VectorOperators.LSHL, 4));
                        hi = hi.or(w16(w, b + 32).lanewise(VectorOperators.LSHR, g).and(ONE).lanewise(VectorOperators.LSHL, 4));
                    }
                    store(lo.mul(scale), s.w, p);
                    store(hi.mul(scale), s.w, p + 16);
                }
            }
        }
        int b = 0;
        for (; b + 4 <= inputs; b += 4) {
            for (int r = 0; r < rows; r++) k45Four(s.w, s.d, s.k, r * blocks, blocks, a, e0 + b * n, n, out, o + b * os + r, os);
        }
        for (; b < inputs; b++) {
            for (int r = 0; r < rows; r++) out[o + b * os + r] = k45One(s.w, s.d, s.k, r * blocks, blocks, a, e0 + b * n);
        }
    }

    /**
     * Σ k·bsum over the 16 bsums of one super-block from {@code j}: Q4_K/Q5_K's Σ_g min(g)·(bsums of g) (each min twice,
     * once per bsum of its 32) or Q6_K's Σ_g scale(g)·bsum(g). Every product (≤ 63·4064, 128·2032) and partial sum
     * stays below 2^24, so the float sum is exact in any order and equals the single-row kernels' int.
     */
    private static float offsetSum(float[] k, int k0, float[] bs, int j) {
        return FloatVector.fromArray(F, k, k0).mul(FloatVector.fromArray(F, bs, j))
                .add(FloatVector.fromArray(F, k, k0 + 8).mul(FloatVector.fromArray(F, bs, j + 8)))
                .reduceLanes(VectorOperators.ADD);
    }

    /** Row {@code rb0 / blocks} of a Q4_K/Q5_K tile against four inputs from {@code x0} (n apart). */
    private static void k45Four(float[] wl, float[] wd, float[] wk, int rb0, int blocks, QuantizedVector a, int x0, int n,
                                float[] out, int o, int os) {
        float[] al = a.lanes, ad = a.d, bs = a.bsumsF;
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 256) {
            int rb = rb0 + blk, q = 256 * rb;
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int i = 0; i < 256; i += 8) {
                FloatVector wv = FloatVector.fromArray(F, wl, q + i);
                c0 = wv.fma(FloatVector.fromArray(F, al, x0 + p + i), c0);
                c1 = wv.fma(FloatVector.fromArray(F, al, x1 + p + i), c1);
                c2 = wv.fma(FloatVector.fromArray(F, al, x2 + p + i), c2);
                c3 = wv.fma(FloatVector.fromArray(F, al, x3 + p + i), c3);
            }
            float d = wd[2 * rb], dmin = wd[2 * rb + 1];
            float a0 = ad[(x0 + p) >> 8], a1 = ad[(x1 + p) >> 8], a2 = ad[(x2 + p) >> 8], a3 = ad[(x3 + p) >> 8];
            acc0 = c0.fma(FloatVector.broadcast(F, d * a0), acc0); // exact int lane sums, as I2F gives them
            acc1 = c1.fma(FloatVector.broadcast(F, d * a1), acc1);
            acc2 = c2.fma(FloatVector.broadcast(F, d * a2), acc2);
            acc3 = c3.fma(FloatVector.broadcast(F, d * a3), acc3);
            m0 += (dmin * a0) * offsetSum(wk, 16 * rb, bs, (x0 + p) >> 4);
            m1 += (dmin * a1) * offsetSum(wk, 16 * rb, bs, (x1 + p) >> 4);
            m2 += (dmin * a2) * offsetSum(wk, 16 * rb, bs, (x2 + p) >> 4);
            m3 += (dmin * a3) * offsetSum(wk, 16 * rb, bs, (x3 + p) >> 4);
        }
        out[o] = (((acc0.lane(0) + acc0.lane(4)) + (acc0.lane(2) + acc0.lane(6))) + ((acc0.lane(1) + acc0.lane(5)) + (acc0.lane(3) + acc0.lane(7)))) - m0;
        out[o + os] = (((acc1.lane(0) + acc1.lane(4)) + (acc1.lane(2) + acc1.lane(6))) + ((acc1.lane(1) + acc1.lane(5)) + (acc1.lane(3) + acc1.lane(7)))) - m1;
        out[o + 2 * os] = (((acc2.lane(0) + acc2.lane(4)) + (acc2.lane(2) + acc2.lane(6))) + ((acc2.lane(1) + acc2.lane(5)) + (acc2.lane(3) + acc2.lane(7)))) - m2;
        out[o + 3 * os] = (((acc3.lane(0) + acc3.lane(4)) + (acc3.lane(2) + acc3.lane(6))) + ((acc3.lane(1) + acc3.lane(5)) + (acc3.lane(3) + acc3.lane(7)))) - m3;
    }

    private static float k45One(float[] wl, float[] wd, float[] wk, int rb0, int blocks, QuantizedVector a, int x0) {
        float[] al = a.lanes, ad = a.d;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 256) {
            int rb = rb0 + blk, q = 256 * rb;
            FloatVector c = FloatVector.zero(F);
            for (int i = 0; i < 256; i += 8) c = FloatVector.fromArray(F, wl, q + i).fma(FloatVector.fromArray(F, al, x0 + p + i), c);
            float da = ad[(x0 + p) >> 8];
            acc = c.fma(FloatVector.broadcast(F, wd[2 * rb] * da), acc);
            mins += (wd[2 * rb + 1] * da) * offsetSum(wk, 16 * rb, a.bsumsF, (x0 + p) >> 4);
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)))) - mins;
    }

    /**
     * q6_K × q8_K, as {@link VectorDots#q6_K}: per half h of 128 quants and quarter k of 32, quant l is nibble
     * k/2 of ql[64h + 32(k%2) + l] with bits 2k, 2k+1 of qh[32h + l] above it, taken without its −32 (applied
     * per group from the bsums); unpacked as scale·q, one int8 scale per 16.
     */
    static void q6_K(MemorySegment w, long off, long rowBytes, int rows, QuantizedVector a, int e0, int inputs, int n,
                     float[] out, int o, int os) {
        int blocks = n / 256;
        Scratch s = SCRATCH.get().size(rows * n, rows * blocks, 16 * rows * blocks);
        for (int r = 0; r < rows; r++) {
            for (int blk = 0, rb = r * blocks; blk < blocks; blk++, rb++) {
                long b = off + r * rowBytes + blk * 210L;
                s.d[rb] = Bytes.half(w, b + 208);
                for (int g = 0; g < 16; g++) s.k[16 * rb + g] = Bytes.s8(w, b + 192 + g);
                for (int h = 0; h < 2; h++) {
                    for (int k = 0; k < 4; k++) {
                        for (int c = 0; c < 32; c += 16) {
                            ShortVector ql = nibbles(w, b + 64 * h + 32 * (k & 1) + c, 4 * (k >> 1));
                            ShortVector qh = w16(w, b + 128 + 32 * h + c).lanewise(VectorOperators.LSHR, 2 * k).and(THREE);
                            int p = 128 * h + 32 * k + c;
                            store(ql.or(qh.lanewise(VectorOperators.LSHL, 4)).mul((short) Bytes.s8(w, b + 192 + p / 16)), s.w, 256 * rb + p);
                        }
                    }
                }
            }
        }
        int b = 0;
        for (; b + 4 <= inputs; b += 4) {
            for (int r = 0; r < rows; r++) q6Four(s.w, s.d, s.k, s.half, r * blocks, blocks, a, e0 + b * n, n, out, o + b * os + r, os);
        }
        for (; b < inputs; b++) {
            for (int r = 0; r < rows; r++) out[o + b * os + r] = q6One(s.w, s.d, s.k, r * blocks, blocks, a, e0 + b * n);
        }
    }

    /**
     * Row {@code rb0 / blocks} of a Q6_K tile against four inputs from {@code x0} (n apart). Q6_K's worst case passes
     * 2^24 over 256 quants, so each 128-quant half is summed exactly in float and the halves are joined in int.
     */
    private static void q6Four(float[] wl, float[] wd, float[] wk, int[] half, int rb0, int blocks, QuantizedVector a, int x0,
                               int n, float[] out, int o, int os) {
        float[] al = a.lanes, ad = a.d, bs = a.bsumsF;
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        float f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 256) {
            int rb = rb0 + blk, q = 256 * rb;
            // The halves one after the other, four accumulators each, the first half's ints parked in memory: eight
            // accumulators in one loop made C2 (which unrolls it 4x) spill vectors to the stack inside the loop.
            halfSums(wl, q, al, x0 + p, n, half);
            FloatVector h0 = FloatVector.zero(F), h1 = h0, h2 = h0, h3 = h0;
            for (int i = 128; i < 256; i += 8) {
                FloatVector wv = FloatVector.fromArray(F, wl, q + i);
                h0 = wv.fma(FloatVector.fromArray(F, al, x0 + p + i), h0);
                h1 = wv.fma(FloatVector.fromArray(F, al, x1 + p + i), h1);
                h2 = wv.fma(FloatVector.fromArray(F, al, x2 + p + i), h2);
                h3 = wv.fma(FloatVector.fromArray(F, al, x3 + p + i), h3);
            }
            IntVector i0 = IntVector.fromArray(I, half, 0).add((IntVector) h0.convert(VectorOperators.F2I, 0));
            IntVector i1 = IntVector.fromArray(I, half, 8).add((IntVector) h1.convert(VectorOperators.F2I, 0));
            IntVector i2 = IntVector.fromArray(I, half, 16).add((IntVector) h2.convert(VectorOperators.F2I, 0));
            IntVector i3 = IntVector.fromArray(I, half, 24).add((IntVector) h3.convert(VectorOperators.F2I, 0));
            float d = wd[rb];
            float s0 = d * ad[(x0 + p) >> 8], s1 = d * ad[(x1 + p) >> 8], s2 = d * ad[(x2 + p) >> 8], s3 = d * ad[(x3 + p) >> 8];
            acc0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, s0), acc0);
            acc1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, s1), acc1);
            acc2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, s2), acc2);
            acc3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, s3), acc3);
            f0 += s0 * (32 * offsetSum(wk, 16 * rb, bs, (x0 + p) >> 4)); // 32·(exact < 2^24): exact
            f1 += s1 * (32 * offsetSum(wk, 16 * rb, bs, (x1 + p) >> 4)); // 32·(exact < 2^24): exact
            f2 += s2 * (32 * offsetSum(wk, 16 * rb, bs, (x2 + p) >> 4)); // 32·(exact < 2^24): exact
            f3 += s3 * (32 * offsetSum(wk, 16 * rb, bs, (x3 + p) >> 4)); // 32·(exact < 2^24): exact
        }
        out[o] = (((acc0.lane(0) + acc0.lane(4)) + (acc0.lane(2) + acc0.lane(6))) + ((acc0.lane(1) + acc0.lane(5)) + (acc0.lane(3) + acc0.lane(7)))) - f0;
        out[o + os] = (((acc1.lane(0) + acc1.lane(4)) + (acc1.lane(2) + acc1.lane(6))) + ((acc1.lane(1) + acc1.lane(5)) + (acc1.lane(3) + acc1.lane(7)))) - f1;
        out[o + 2 * os] = (((acc2.lane(0) + acc2.lane(4)) + (acc2.lane(2) + acc2.lane(6))) + ((acc2.lane(1) + acc2.lane(5)) + (acc2.lane(3) + acc2.lane(7)))) - f2;
        out[o + 3 * os] = (((acc3.lane(0) + acc3.lane(4)) + (acc3.lane(2) + acc3.lane(6))) + ((acc3.lane(1) + acc3.lane(5)) + (acc3.lane(3) + acc3.lane(7)))) - f3;
    }

    /** half[8i ..] = the exact lane sums of quants [0, 128) of the row at {@code q} against input i (from e + i·n), as ints. */
    private static void halfSums(float[] wl, int q, float[] al, int e, int n, int[] half) {
        int e1 = e + n, e2 = e1 + n, e3 = e2 + n;
        FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0;
        for (int i = 0; i < 128; i += 8) {
            FloatVector wv = FloatVector.fromArray(F, wl, q + i);
            l0 = wv.fma(FloatVector.fromArray(F, al, e + i), l0);
            l1 = wv.fma(FloatVector.fromArray(F, al, e1 + i), l1);
            l2 = wv.fma(FloatVector.fromArray(F, al, e2 + i), l2);
            l3 = wv.fma(FloatVector.fromArray(F, al, e3 + i), l3);
        }
        ((IntVector) l0.convert(VectorOperators.F2I, 0)).intoArray(half, 0);
        ((IntVector) l1.convert(VectorOperators.F2I, 0)).intoArray(half, 8);
        ((IntVector) l2.convert(VectorOperators.F2I, 0)).intoArray(half, 16);
        ((IntVector) l3.convert(VectorOperators.F2I, 0)).intoArray(half, 24);
    }

    private static float q6One(float[] wl, float[] wd, float[] wk, int rb0, int blocks, QuantizedVector a, int x0) {
        float[] al = a.lanes;
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0;
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 256) {
            int rb = rb0 + blk, q = 256 * rb;
            FloatVector lo = FloatVector.zero(F), hi = lo;
            for (int i = 0; i < 128; i += 8) {
                lo = FloatVector.fromArray(F, wl, q + i).fma(FloatVector.fromArray(F, al, x0 + p + i), lo);
                hi = FloatVector.fromArray(F, wl, q + 128 + i).fma(FloatVector.fromArray(F, al, x0 + p + 128 + i), hi);
            }
            IntVector isum = ((IntVector) lo.convert(VectorOperators.F2I, 0)).add((IntVector) hi.convert(VectorOperators.F2I, 0));
            float scale = wd[rb] * a.d[(x0 + p) >> 8];
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
            offsets += scale * (32 * offsetSum(wk, 16 * rb, a.bsumsF, (x0 + p) >> 4));
        }
        return (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)))) - offsets;
    }
}
