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
 * One quantized weight row against several activation rows (a batched decode step, or prefill): the
 * {@link ActivationDot#dotRows} of Q8_0, Q4_0, Q4_K, Q5_K and Q6_K. The weight row is unpacked once, into
 * a per-thread float buffer that stays in L1, and every input then costs only float FMAs against it:
 * unpacking (nibbles, high bits, scales) and widening are paid once per row instead of once per input.
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
 * <p>Inputs go four at a time through one pass over the unpacked row (four accumulators, the weight
 * vectors loaded once for the four); the rest one at a time through the same arithmetic, so an input's
 * result does not depend on how many came with it.
 */
final class VectorDotRows {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);
    private static final ShortVector THREE = ShortVector.broadcast(S, (short) 3);
    private static final ShortVector ONE = ShortVector.broadcast(S, (short) 1);

    /** Below this many inputs the single-row dot, which streams the weights without unpacking them, is faster. */
    static final int MIN_ROWS = 2;

    private VectorDotRows() {}

    /** A pool thread's unpacked weight row: quants times integer scales, in lane order; per-block factors. */
    private static final class Scratch {
        float[] w = new float[0];
        float[] d = new float[0];
        int[] k = new int[0];
        float[] sums = new float[0];

        Scratch size(int n, int blocks, int ints, int sums) {
            if (w.length < n) w = new float[n];
            if (d.length < 2 * blocks) d = new float[2 * blocks];
            if (k.length < ints) k = new int[ints];
            if (this.sums.length < sums) this.sums = new float[sums];
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

    /** q8_0 × q8_0, as {@link VectorDots#q8_0} for each input. */
    static void q8_0(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o, int os) {
        int blocks = n / 32;
        Scratch s = SCRATCH.get().size(n, blocks, 0, 0);
        decodeQ8(w, off, blocks, s.w, s.d);
        scaledBlocks(s.w, s.d, blocks, a, e0, rows, n, out, o, os);
    }

    static void decodeQ8(MemorySegment w, long off, int blocks, float[] wl, float[] wd) {
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * 34L;
            wd[blk] = Bytes.half(w, b);
            store(w16(w, b + 2), wl, 32 * blk);
            store(w16(w, b + 18), wl, 32 * blk + 16);
        }
    }

    /** q4_0 × q8_0, as {@link VectorDots#q4_0}: low nibbles are quants 0..15, high 16..31, both minus 8. */
    static void q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o, int os) {
        int blocks = n / 32;
        Scratch s = SCRATCH.get().size(n, blocks, 0, 0);
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * 18L;
            s.d[blk] = Bytes.half(w, b);
            store(nibbles(w, b + 2, 0).sub(EIGHT), s.w, 32 * blk);
            store(nibbles(w, b + 2, 4).sub(EIGHT), s.w, 32 * blk + 16);
        }
        scaledBlocks(s.w, s.d, blocks, a, e0, rows, n, out, o, os);
    }

    /**
     * Per input: acc += (exact lane sums of a block) · (d_w·d_a) per block, then the lanes reduced: the single-row
     * Q8_0/Q4_0 kernels' float steps. Four inputs share each load of the unpacked weights.
     */
    static void scaledBlocks(float[] wl, float[] wd, int blocks, QuantizedVector a, int e0, int rows, int n,
                                     float[] out, int o, int os) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) scaledBlocksFour(wl, wd, blocks, a.lanes, a.d, e0 + r * n, n, out, o + r * os, os);
        for (; r < rows; r++) out[o + r * os] = scaledBlocksOne(wl, wd, blocks, a.lanes, a.d, e0 + r * n);
    }

    // The four-input and one-input loops are methods of their own, and take and return no vectors: in one method
    // together, C2's inlining budget ran out before the one-input loop (the Vector API's bytecode is large), its
    // vector calls stayed calls, every vector was boxed, and 2-3 inputs (a speculative verify pass) cost ~15 single
    // dots instead of ~1 (VerifyCostBench; JFR: FloatVector.lanewiseTemplate and allocation in this loop).

    private static void scaledBlocksFour(float[] wl, float[] wd, int blocks, float[] al, float[] ad, int x0, int n,
                                         float[] out, int o, int os) {
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 32) {
            FloatVector w0 = FloatVector.fromArray(F, wl, p), w1 = FloatVector.fromArray(F, wl, p + 8);
            FloatVector w2 = FloatVector.fromArray(F, wl, p + 16), w3 = FloatVector.fromArray(F, wl, p + 24);
            float dw = wd[blk];
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

    private static float scaledBlocksOne(float[] wl, float[] wd, int blocks, float[] al, float[] ad, int x0) {
        FloatVector c0 = FloatVector.zero(F);
        for (int blk = 0, p = 0; blk < blocks; blk++, p += 32) {
            FloatVector w0 = FloatVector.fromArray(F, wl, p), w1 = FloatVector.fromArray(F, wl, p + 8);
            FloatVector w2 = FloatVector.fromArray(F, wl, p + 16), w3 = FloatVector.fromArray(F, wl, p + 24);
            c0 = block(w0, w1, w2, w3, al, x0 + p).fma(FloatVector.broadcast(F, wd[blk] * ad[(x0 + p) >> 5]), c0);
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
    static void q4_K(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o, int os) {
        k45(w, off, a, e0, rows, n, out, o, os, false);
    }

    /** q5_K × q8_K, as {@link VectorDots#q5_K}. */
    static void q5_K(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o, int os) {
        k45(w, off, a, e0, rows, n, out, o, os, true);
    }

    /**
     * Group g of a Q4_K/Q5_K super-block is 32 quants: low nibbles (even g) or high nibbles (odd g) of 32 bytes,
     * Q5_K's fifth bit g of qh[l]; unpacked as scale(g)·q. Per input and super-block: isum (exact) and
     * minSum = Σ_g min(g)·(bsums of g), combined as the single-row kernel does: the isum lanes times d·da into a float
     * accumulator, the mins term summed apart in scalar.
     */
    private static void k45(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o,
                            int os, boolean five) {
        int blocks = n / 256, size = five ? 176 : 144;
        Scratch s = SCRATCH.get().size(n, blocks, 8 * blocks, 8 * blocks * rows);
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + (long) blk * size;
            s.d[2 * blk] = Bytes.half(w, b);
            s.d[2 * blk + 1] = Bytes.half(w, b + 2);
            for (int g = 0; g < 8; g++) {
                s.k[8 * blk + g] = Bytes.k4Min(w, b + 4, g);
                ShortVector scale = ShortVector.broadcast(S, (short) Bytes.k4Scale(w, b + 4, g));
                long qs = b + (five ? 48 : 16) + 32 * (g >> 1);
                int shift = 4 * (g & 1), p = 256 * blk + 32 * g;
                ShortVector lo = nibbles(w, qs, shift), hi = nibbles(w, qs + 16, shift);
                if (five) {
                    lo = lo.or(w16(w, b + 16).lanewise(VectorOperators.LSHR, g).and(ONE).lanewise(VectorOperators.LSHL, 4));
                    hi = hi.or(w16(w, b + 32).lanewise(VectorOperators.LSHR, g).and(ONE).lanewise(VectorOperators.LSHL, 4));
                }
                store(lo.mul(scale), s.w, p);
                store(hi.mul(scale), s.w, p + 16);
            }
        }
        laneSums(s.w, blocks, 256, a.lanes, e0, rows, n, s.sums);
        int[] bs = a.bsums;
        for (int r = 0; r < rows; r++) {
            FloatVector acc = FloatVector.zero(F);
            float mins = 0;
            for (int blk = 0; blk < blocks; blk++) {
                int e = e0 + r * n + 256 * blk, j = e >> 4;
                int minSum = 0;
                for (int g = 0; g < 8; g++) minSum += s.k[8 * blk + g] * (bs[j + 2 * g] + bs[j + 2 * g + 1]);
                float da = a.d[e >> 8];
                FloatVector isum = FloatVector.fromArray(F, s.sums, (r * blocks + blk) * 8); // exact ints, as I2F gives them
                acc = isum.fma(FloatVector.broadcast(F, s.d[2 * blk] * da), acc);
                mins += (s.d[2 * blk + 1] * da) * minSum;
            }
            out[o + r * os] = (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)))) - mins;
        }
    }

    /**
     * q6_K × q8_K, as {@link VectorDots#q6_K}: per half h of 128 quants and quarter k of 32, quant l is nibble
     * k/2 of ql[64h + 32(k%2) + l] with bits 2k, 2k+1 of qh[32h + l] above it, taken without its −32 (applied
     * per group from the bsums); unpacked as scale·q, one int8 scale per 16.
     */
    static void q6_K(MemorySegment w, long off, QuantizedVector a, int e0, int rows, int n, float[] out, int o, int os) {
        int blocks = n / 256;
        Scratch s = SCRATCH.get().size(n, blocks, 16 * blocks, 16 * blocks * rows);
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * 210L;
            s.d[blk] = Bytes.half(w, b + 208);
            for (int g = 0; g < 16; g++) s.k[16 * blk + g] = Bytes.s8(w, b + 192 + g);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    for (int c = 0; c < 32; c += 16) {
                        ShortVector ql = nibbles(w, b + 64 * h + 32 * (k & 1) + c, 4 * (k >> 1));
                        ShortVector qh = w16(w, b + 128 + 32 * h + c).lanewise(VectorOperators.LSHR, 2 * k).and(THREE);
                        int p = 128 * h + 32 * k + c;
                        store(ql.or(qh.lanewise(VectorOperators.LSHL, 4)).mul((short) s.k[16 * blk + p / 16]), s.w, 256 * blk + p);
                    }
                }
            }
        }
        laneSums(s.w, 2 * blocks, 128, a.lanes, e0, rows, n, s.sums);
        int[] bs = a.bsums;
        for (int r = 0; r < rows; r++) {
            FloatVector acc = FloatVector.zero(F);
            float offsets = 0;
            for (int blk = 0; blk < blocks; blk++) {
                int e = e0 + r * n + 256 * blk, j = e >> 4;
                int half = (r * 2 * blocks + 2 * blk) * 8;
                int offset = 0;
                for (int g = 0; g < 16; g++) offset += s.k[16 * blk + g] * bs[j + g];
                // The halves are exact; their int sum may pass 2^24, and becomes float as the single-row I2F does.
                IntVector isum = ((IntVector) FloatVector.fromArray(F, s.sums, half).convert(VectorOperators.F2I, 0))
                        .add((IntVector) FloatVector.fromArray(F, s.sums, half + 8).convert(VectorOperators.F2I, 0));
                float scale = s.d[blk] * a.d[e >> 8];
                acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F, scale), acc);
                offsets += scale * (32 * offset);
            }
            out[o + r * os] = (((acc.lane(0) + acc.lane(4)) + (acc.lane(2) + acc.lane(6))) + ((acc.lane(1) + acc.lane(5)) + (acc.lane(3) + acc.lane(7)))) - offsets;
        }
    }

    /**
     * sums[(r·spans + s)·8 + lane] = lane sums of span s (of {@code len} quants) of the unpacked row against input r:
     * exact while the bounds in the class comment hold.
     */
    private static void laneSums(float[] wl, int spans, int len, float[] al, int e0, int rows, int n, float[] sums) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) laneSumsFour(wl, spans, len, al, e0 + r * n, n, sums, r * spans * 8);
        for (; r < rows; r++) laneSumsOne(wl, spans, len, al, e0 + r * n, sums, r * spans * 8);
    }

    /** Four inputs from {@code x0} (n apart), their sums from {@code s0}; a method of its own as scaledBlocksFour. */
    private static void laneSumsFour(float[] wl, int spans, int len, float[] al, int x0, int n, float[] sums, int s0) {
        int x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, stride = spans * 8;
        for (int sp = 0; sp < spans; sp++) {
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int p = sp * len, end = p + len; p < end; p += 8) {
                FloatVector wv = FloatVector.fromArray(F, wl, p);
                c0 = wv.fma(FloatVector.fromArray(F, al, x0 + p), c0);
                c1 = wv.fma(FloatVector.fromArray(F, al, x1 + p), c1);
                c2 = wv.fma(FloatVector.fromArray(F, al, x2 + p), c2);
                c3 = wv.fma(FloatVector.fromArray(F, al, x3 + p), c3);
            }
            c0.intoArray(sums, s0 + sp * 8);
            c1.intoArray(sums, s0 + stride + sp * 8);
            c2.intoArray(sums, s0 + 2 * stride + sp * 8);
            c3.intoArray(sums, s0 + 3 * stride + sp * 8);
        }
    }

    private static void laneSumsOne(float[] wl, int spans, int len, float[] al, int x0, float[] sums, int s0) {
        for (int sp = 0; sp < spans; sp++) {
            FloatVector c0 = FloatVector.zero(F);
            for (int p = sp * len, end = p + len; p < end; p += 8) {
                c0 = FloatVector.fromArray(F, wl, p).fma(FloatVector.fromArray(F, al, x0 + p), c0);
            }
            c0.intoArray(sums, s0 + sp * 8);
        }
    }
}
