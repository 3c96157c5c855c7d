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
 * Decode kernels for weights in a {@link dev.loupe.core.tensor.RowGroups} layout: one activation vector against a
 * group of 8 rows, the 8 dots computed side by side in the lanes of one vector. The activations come as pairs
 * (quants k and k+1) repeated in all 8 int lanes ({@link QuantizedVector#pairs16}, a vector load instead of a
 * broadcast per pair: 5-9% faster), so one 16-bit multiply does two columns of all 8 rows; products are summed in 16-bit lanes while they fit, paired into 8 int lanes (one per
 * row) once per block, and scaled by the 8 rows' scales as one vector. Against the row kernels ({@link VectorDots})
 * this drops the per-row work (scale decode and broadcast, pair sums, conversion, the final horizontal sum) to an
 * eighth and measured 1.5x the bytes per second on Q4_0.
 *
 * <p>Order of the float steps, per row: acc += float(exact block sum) · (d_w · d_a), block after block, from 0. Any
 * kernel over the same layout (a batch) must keep it to give the same bits.
 *
 * <p>The loop bodies are written out and the strides read from fields, as in {@link VectorDots} (same C2 reasons).
 */
final class GroupDots {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);
    private static final ShortVector NIBBLES_128 = ShortVector.broadcast(ShortVector.SPECIES_128, (short) 0x0F0F);
    private static final ShortVector BITS45_128 = ShortVector.broadcast(ShortVector.SPECIES_128, (short) 0x3030);
    private static final ByteVector THIRTY_TWO = ByteVector.broadcast(B, (byte) 32);
    private static final IntVector SIX_BITS = IntVector.broadcast(I, 63);
    private static final IntVector NIBBLE_I = IntVector.broadcast(I, 15);
    private static final IntVector BITS45_I = IntVector.broadcast(I, 0x30);
    private static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFF);
    private static final IntVector SIGN = IntVector.broadcast(I, 0x8000);
    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /** Never written: a stride C2 cannot fold keeps each segment bounds check a single compare (see VectorDots). */
    private static long q4GroupStride = 8 * 18;
    private static long q4KGroupStride = 8 * 144;
    private static long q6KGroupStride = 8 * 210;

    private GroupDots() {}

    /**
     * A pool thread's unpacked group: per column k, the 8 rows' weights as floats at w[8k ..] (Q4_0: q − 8, Q4_K:
     * scale·q); per block the rows' d at d[8·blk ..] and (Q4_K) dmin at m[8·blk ..], and per group of 32 the rows'
     * mins at mins[8·(8·blk + g) ..].
     */
    private static final class Scratch {
        float[] w = new float[0];
        float[] d = new float[0];
        float[] m = new float[0];
        float[] mins = new float[0];

        Scratch size(int n) {
            if (w.length < 8 * n) {
                w = new float[8 * n];
                d = new float[n / 4];
                m = new float[n / 4];
                mins = new float[n / 4];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * q4_0 for a batch: the group unpacked once to floats (q − 8 per row and column, lanes = rows), then per input and
     * block the exact integer sum by float FMAs (|Σ| ≤ 32·8·127, below 2^24), two chains per input (even and odd
     * columns, joined exactly), four inputs at a time; then {@link #q4_0}'s float steps in its order, so each input gets
     * the single-input kernel's bits. Decoding pays the unpacking once per input; a prompt once per batch.
     */
    static void q4_0Batch(MemorySegment w, long off, QuantizedVector a, int e0, int inputs, int n, float[] out, int o, int os) {
        int blocks = n / 32;
        Scratch s = SCRATCH.get().size(n);
        float[] sw = s.w, sd = s.d;
        long stride = q4GroupStride;
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * stride;
            halves(w, b, sd, 8 * blk);
            for (int c = 0; c < 8; c++) {
                ShortVector v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 16 + 16 * c, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                int k = 256 * blk + 16 * c; // 8·column: columns 2c, 2c+1 (low nibbles) and 2c+16, 2c+17 (high)
                IntVector lo = v.and(NIBBLE).sub(EIGHT).reinterpretAsInts(), hi = v.lanewise(VectorOperators.LSHR, 4).sub(EIGHT).reinterpretAsInts();
                ((FloatVector) lo.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).intoArray(sw, k);
                ((FloatVector) lo.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).intoArray(sw, k + 8);
                ((FloatVector) hi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).intoArray(sw, k + 128);
                ((FloatVector) hi.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).intoArray(sw, k + 136);
            }
        }
        float[] af = a.floats, ad = a.d;
        int x = 0;
        for (; x + 4 <= inputs; x += 4) {
            int e = e0 + x * n;
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            for (int blk = 0; blk < blocks; blk++) {
                FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                int ea = e + 32 * blk;
                for (int k = 0; k < 32; k += 2) {
                    FloatVector we = FloatVector.fromArray(F, sw, 8 * (32 * blk + k)), wo = FloatVector.fromArray(F, sw, 8 * (32 * blk + k) + 8);
                    s0 = we.fma(FloatVector.broadcast(F, af[ea + k]), s0);
                    t0 = wo.fma(FloatVector.broadcast(F, af[ea + k + 1]), t0);
                    s1 = we.fma(FloatVector.broadcast(F, af[ea + n + k]), s1);
                    t1 = wo.fma(FloatVector.broadcast(F, af[ea + n + k + 1]), t1);
                    s2 = we.fma(FloatVector.broadcast(F, af[ea + 2 * n + k]), s2);
                    t2 = wo.fma(FloatVector.broadcast(F, af[ea + 2 * n + k + 1]), t2);
                    s3 = we.fma(FloatVector.broadcast(F, af[ea + 3 * n + k]), s3);
                    t3 = wo.fma(FloatVector.broadcast(F, af[ea + 3 * n + k + 1]), t3);
                }
                FloatVector d = FloatVector.fromArray(F, sd, 8 * blk);
                int ab = ea >> 5;
                c0 = s0.add(t0).fma(d.mul(ad[ab]), c0);
                c1 = s1.add(t1).fma(d.mul(ad[ab + n / 32]), c1);
                c2 = s2.add(t2).fma(d.mul(ad[ab + 2 * (n / 32)]), c2);
                c3 = s3.add(t3).fma(d.mul(ad[ab + 3 * (n / 32)]), c3);
            }
            c0.intoArray(out, o + x * os);
            c1.intoArray(out, o + (x + 1) * os);
            c2.intoArray(out, o + (x + 2) * os);
            c3.intoArray(out, o + (x + 3) * os);
        }
        for (; x < inputs; x++) {
            int e = e0 + x * n;
            FloatVector c0 = FloatVector.zero(F);
            for (int blk = 0; blk < blocks; blk++) {
                FloatVector s0 = FloatVector.zero(F), t0 = s0;
                int ea = e + 32 * blk;
                for (int k = 0; k < 32; k += 2) {
                    s0 = FloatVector.fromArray(F, sw, 8 * (32 * blk + k)).fma(FloatVector.broadcast(F, af[ea + k]), s0);
                    t0 = FloatVector.fromArray(F, sw, 8 * (32 * blk + k) + 8).fma(FloatVector.broadcast(F, af[ea + k + 1]), t0);
                }
                c0 = s0.add(t0).fma(FloatVector.fromArray(F, sd, 8 * blk).mul(ad[ea >> 5]), c0);
            }
            c0.intoArray(out, o + x * os);
        }
    }

    /**
     * The 8 fp16 values at {@code b} as floats into dst[pos ..] (see {@link #q4_0}); no vector crosses the call, so it
     * costs nothing if C2 leaves it out of line.
     */
    private static void halves(MemorySegment w, long b, float[] dst, int pos) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b, LE).convertShape(VectorOperators.S2I, I, 0);
        h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, pos);
    }

    /**
     * q4_0 × q8_0 for the 8 rows of the group at {@code off}: out[o + r] for r in 0..7. Quants are taken unsigned
     * (0..15) and the −8 applied once per block as 8·Σa; a 16-bit lane sums 16 products of at most 15·127, and its pair
     * sum (2·30480) may pass a short, so each half is sign-extended on its own. The low nibble is not masked: a byte
     * lo + 16·hi times a, plus hi times (a' − 16·a) ({@link QuantizedVector#pairsWrap}), is lo·a + hi·a' modulo 2^16,
     * and the true lane sum fits a short, so the wrapped 16-bit sum is exact (one op fewer per 32 products). The scales are fp16 widened in lanes
     * (magnitude shifted into a float's place and scaled by 2^112, which is exact for subnormals too; the sign put
     * back): the layout never holds Inf/NaN scales (a Q4_0 d is a finite fp16 by construction).
     */
    static void q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int n, float[] out, int o) {
        FloatVector acc = FloatVector.zero(F);
        short[] ar = a.pairs16, arw = a.pairsWrap16;
        int[] sums = a.sums32;
        float[] ad = a.d;
        long stride = q4GroupStride;
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * stride;
            int p = (e0 >> 1) + blk * 16;
            int ab = (e0 >> 5) + blk;
            ShortVector v;
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p0 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 0)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 0))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p1 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 1)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 1))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p2 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 2)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 2))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p3 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 3)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 3))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p4 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 4)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 4))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p5 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 5)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 5))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p6 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 6)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 6))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 128, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p7 = v.mul(ShortVector.fromArray(S, ar, 16 * (p + 7)))
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, arw, 16 * (p + 7))));
            IntVector s = p0.add(p1).add(p2.add(p3)).add(p4.add(p5).add(p6.add(p7))).reinterpretAsInts();
            IntVector isum = s.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(s.lanewise(VectorOperators.ASHR, 16)).sub(sums[ab] << 3);
            IntVector h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector d = h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                    .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[ab]), acc);
        }
        acc.intoArray(out, o);
    }

    /**
     * q4_K × q8_K for the 8 rows of the group at {@code off} (layout: RowGroups, Q4_K): d·da·Σ_g scale(g)·Σ q·a −
     * dmin·da·Σ_g min(g)·Σ a, per super-block. Each 16-byte chunk holds two adjacent columns of 8 rows; its low nibbles
     * belong to group 2i and its high nibbles to group 2i+1, summed in two 16-bit accumulators (16 products of at most
     * 15·127 per lane), paired into ints, times the group's 6-bit scales (one vector for the 8 rows), in int: exact. The
     * mins term is an exact int per super-block from the per-32 activation sums. Float steps per super-block, per row:
     * acc += float(isum)·(d·da); macc += float(msum)·(dmin·da); the result is acc − macc.
     */
    static void q4_K(MemorySegment w, long off, QuantizedVector a, int e0, int n, float[] out, int o) {
        FloatVector acc = FloatVector.zero(F), macc = FloatVector.zero(F);
        IntVector isum = IntVector.zero(I), msum = IntVector.zero(I);
        ShortVector lo = ShortVector.zero(S), hi = lo, v;
        short[] ar = a.pairs16;
        int[] sums = a.sums32;
        float[] ad = a.d;
        long stride = q4KGroupStride;
        // Half a pair of groups (2i, 2i+1: 8 of their 16 chunks) per iteration, eight per super-block. A larger body
        // is a risk for the JIT: written out whole, the super-block passed 8000 bytes of bytecode (HugeMethodLimit: never
        // compiled), and at 16 chunks C1's tier-3 compile bailed out ("out of virtual registers"), so C2 never saw it.
        for (int j = 0; j < 8 * (n / 256); j++) {
            int i = (j >> 1) & 3, blk = j >> 3;
            long b = off + blk * stride;
            long qs = b + 128 + 256 * i + 128 * (j & 1);
            int p = (e0 >> 1) + blk * 128 + 32 * i + 8 * (j & 1);
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 0, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 0))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 16))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 1))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 17))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 2))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 18))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 3))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 19))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 4))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 20))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 5))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 21))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 6))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 22))));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, qs + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            lo = lo.add(v.and(NIBBLE).mul(ShortVector.fromArray(S, ar, 16 * (p + 7))));
            hi = hi.add(v.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S, ar, 16 * (p + 23))));
            if ((j & 1) == 0) continue;
            int q = (e0 >> 5) + blk * 8 + 2 * i;
            IntVector ml = IntVector.fromMemorySegment(I, w, b + 96, LE);
            IntVector x = (IntVector) ByteVector.fromMemorySegment(B64, w, b + 32 + 16 * i, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector y = lo.reinterpretAsInts();
            isum = isum.add(y.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(y.lanewise(VectorOperators.ASHR, 16)).mul(x.and(SIX_BITS)));
            msum = msum.add(ml.lanewise(VectorOperators.LSHR, 8 * i).and(NIBBLE_I).or(x.lanewise(VectorOperators.LSHR, 2).and(BITS45_I)).mul(sums[q]));
            x = (IntVector) ByteVector.fromMemorySegment(B64, w, b + 40 + 16 * i, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            y = hi.reinterpretAsInts();
            isum = isum.add(y.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(y.lanewise(VectorOperators.ASHR, 16)).mul(x.and(SIX_BITS)));
            msum = msum.add(ml.lanewise(VectorOperators.LSHR, 8 * i + 4).and(NIBBLE_I).or(x.lanewise(VectorOperators.LSHR, 2).and(BITS45_I)).mul(sums[q + 1]));
            lo = ShortVector.zero(S);
            hi = lo;
            if (i < 3) continue;
            float da = ad[(e0 >> 8) + blk];
            IntVector h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector d = h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                    .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b + 16, LE).convertShape(VectorOperators.S2I, I, 0);
            FloatVector dm = h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                    .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(d.mul(da), acc);
            macc = ((FloatVector) msum.convert(VectorOperators.I2F, 0)).fma(dm.mul(da), macc);
            isum = IntVector.zero(I);
            msum = IntVector.zero(I);
        }
        acc.sub(macc).intoArray(out, o);
    }

    /**
     * q4_K for a batch, bit-identical to {@link #q4_K} per input: the group unpacked once to floats (scale·q, lanes =
     * rows), then per input and super-block the exact isum as two float FMA halves of 128 columns (each below
     * 128·63·15·127 < 2^24) joined in int, and msum as exact float FMAs of the mins and per-32 sums; then q4_K's float
     * steps in its order. Four inputs at a time, two FMA chains each (even and odd columns).
     */
    static void q4_KBatch(MemorySegment w, long off, QuantizedVector a, int e0, int inputs, int n, float[] out, int o, int os) {
        int blocks = n / 256;
        Scratch s = SCRATCH.get().size(n);
        float[] sw = s.w, sm = s.mins;
        long stride = q4KGroupStride;
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * stride;
            halves(w, b, s.d, 8 * blk);
            halves(w, b + 16, s.m, 8 * blk);
            IntVector ml = IntVector.fromMemorySegment(I, w, b + 96, LE);
            for (int g = 0; g < 8; g++) {
                IntVector x = (IntVector) ByteVector.fromMemorySegment(B64, w, b + 32 + 8 * g, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) ml.lanewise(VectorOperators.LSHR, 4 * g).and(NIBBLE_I).or(x.lanewise(VectorOperators.LSHR, 2).and(BITS45_I))
                        .convert(VectorOperators.I2F, 0)).intoArray(sm, 8 * (8 * blk + g));
            }
            for (int i = 0; i < 4; i++) {
                FloatVector sl = (FloatVector) ((IntVector) ByteVector.fromMemorySegment(B64, w, b + 32 + 16 * i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).and(SIX_BITS).convert(VectorOperators.I2F, 0);
                FloatVector sh = (FloatVector) ((IntVector) ByteVector.fromMemorySegment(B64, w, b + 40 + 16 * i, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0)).and(SIX_BITS).convert(VectorOperators.I2F, 0);
                for (int c = 0; c < 16; c++) {
                    IntVector v = ((ShortVector) ByteVector.fromMemorySegment(B, w, b + 128 + 16 * (16 * i + c), LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0)).reinterpretAsInts();
                    int k = 8 * (256 * blk + 64 * i + 2 * c); // columns 64i + 2c, +1 (low nibbles), 64i + 32 + 2c, +1 (high)
                    ((FloatVector) v.and(NIBBLE_I).convert(VectorOperators.I2F, 0)).mul(sl).intoArray(sw, k);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 16).and(NIBBLE_I).convert(VectorOperators.I2F, 0)).mul(sl).intoArray(sw, k + 8);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).and(NIBBLE_I).convert(VectorOperators.I2F, 0)).mul(sh).intoArray(sw, k + 256);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 20).convert(VectorOperators.I2F, 0)).mul(sh).intoArray(sw, k + 264);
                }
            }
        }
        scaledRuns(s, a, e0, inputs, n, 256, out, o, os);
        subtractMins(s, a, e0, inputs, n, out, o, os);
    }

    /**
     * q6_K × q8_K for the 8 rows of the group at {@code off} (layout: RowGroups, Q6_K): d·da·Σ_g scale(g)·Σ (q − 32)·a
     * per super-block, as ggml's AVX2 kernel orders it. One scale group (16 columns, 96 bytes) per iteration: its eight
     * column pairs are assembled in byte lanes (see VectorDots' NIBBLES_128), made signed (−32), widened and multiplied by
     * the broadcast activation pairs; 8 products of at most 32·127 per 16-bit lane, paired into ints, times the 8 rows'
     * int8 scales (one load), in int: exact. Per super-block and row: acc += float(isum)·(d·da). (Layout and kernel
     * from a helper's study: 1.6x the row kernel's bytes/s; a plain transpose of the file's bytes measured 25% slower
     * than the row kernel.)
     */
    static void q6_K(MemorySegment w, long off, QuantizedVector a, int e0, int n, float[] out, int o) {
        FloatVector acc = FloatVector.zero(F);
        IntVector isum = IntVector.zero(I);
        short[] ar = a.pairs16;
        float[] ad = a.d;
        long stride = q6KGroupStride;
        for (int j = 0; j < n / 16; j++) {
            int g = j & 15;
            long b = off + (j >> 4) * stride;
            long u = b + 144 + 96 * g;
            int p = (e0 >> 1) + 8 * j;
            ShortVector l0 = ByteVector.fromMemorySegment(B, w, u, LE).reinterpretAsShorts();
            ShortVector l1 = ByteVector.fromMemorySegment(B, w, u + 16, LE).reinterpretAsShorts();
            ShortVector hb = ByteVector.fromMemorySegment(B, w, u + 32, LE).reinterpretAsShorts();
            ShortVector t0 = ((ShortVector) l0.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 4).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 0)));
            ShortVector t1 = ((ShortVector) l1.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 2).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 1)));
            ShortVector t2 = ((ShortVector) l0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 2)));
            ShortVector t3 = ((ShortVector) l1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHR, 2).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 3)));
            l0 = ByteVector.fromMemorySegment(B, w, u + 48, LE).reinterpretAsShorts();
            l1 = ByteVector.fromMemorySegment(B, w, u + 64, LE).reinterpretAsShorts();
            hb = ByteVector.fromMemorySegment(B, w, u + 80, LE).reinterpretAsShorts();
            ShortVector s0 = ((ShortVector) l0.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 4).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 4)));
            ShortVector s1 = ((ShortVector) l1.and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHL, 2).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 5)));
            ShortVector s2 = ((ShortVector) l0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 6)));
            ShortVector s3 = ((ShortVector) l1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(hb.lanewise(VectorOperators.LSHR, 2).and(BITS45_128)).reinterpretAsBytes().sub(THIRTY_TWO)
                    .convertShape(VectorOperators.B2S, S, 0)).mul(ShortVector.fromArray(S, ar, 16 * (p + 7)));
            IntVector vi = t0.add(t1).add(t2.add(t3)).add(s0.add(s1).add(s2.add(s3))).reinterpretAsInts();
            isum = isum.add(vi.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(vi.lanewise(VectorOperators.ASHR, 16))
                    .mul((IntVector) ByteVector.fromMemorySegment(B64, w, b + 16 + 8 * g, LE).convertShape(VectorOperators.B2I, I, 0)));
            if (g == 15) {
                IntVector h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b, LE).convertShape(VectorOperators.S2I, I, 0);
                FloatVector d = h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                        .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
                acc = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[(e0 >> 8) + (j >> 4)]), acc);
                isum = IntVector.zero(I);
            }
        }
        acc.intoArray(out, o);
    }

    /**
     * q6_K for a batch, bit-identical to {@link #q6_K} per input: the group unpacked once to floats (scale·(q − 32), lanes
     * = rows, natural column order); per input each run of 32 columns summed by float FMAs (exact: at most 32·128·32·127 < 2^24), the eight
     * runs of a super-block joined in int, then q6_K's float step. Four inputs at a time, two FMA chains each.
     */
    static void q6_KBatch(MemorySegment w, long off, QuantizedVector a, int e0, int inputs, int n, float[] out, int o, int os) {
        int blocks = n / 256;
        Scratch s = SCRATCH.get().size(n);
        float[] sw = s.w;
        long stride = q6KGroupStride;
        for (int blk = 0; blk < blocks; blk++) {
            long b = off + blk * stride;
            halves(w, b, s.d, 8 * blk);
            for (int u = 0; u < 32; u++) {
                long ub = b + 144 + 48 * u;
                FloatVector sc = (FloatVector) ByteVector.fromMemorySegment(B64, w, b + 16 + 8 * (u >> 1), LE).convertShape(VectorOperators.B2I, I, 0)
                        .convert(VectorOperators.I2F, 0);
                ShortVector l0 = ByteVector.fromMemorySegment(B, w, ub, LE).reinterpretAsShorts();
                ShortVector l1 = ByteVector.fromMemorySegment(B, w, ub + 16, LE).reinterpretAsShorts();
                ShortVector qh = ByteVector.fromMemorySegment(B, w, ub + 32, LE).reinterpretAsShorts();
                for (int qd = 0; qd < 4; qd++) {
                    // ql0 low: columns 8u, 8u+1; ql1 low: 8u+2, +3; ql0 high: 8u+4, +5; ql1 high: 8u+6, +7
                    ShortVector v = qd == 0 ? l0.and(NIBBLES_128).or(qh.lanewise(VectorOperators.LSHL, 4).and(BITS45_128))
                            : qd == 1 ? l1.and(NIBBLES_128).or(qh.lanewise(VectorOperators.LSHL, 2).and(BITS45_128))
                            : qd == 2 ? l0.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(qh.and(BITS45_128))
                            : l1.lanewise(VectorOperators.LSHR, 4).and(NIBBLES_128).or(qh.lanewise(VectorOperators.LSHR, 2).and(BITS45_128));
                    IntVector x = ((ShortVector) v.reinterpretAsBytes().sub(THIRTY_TWO).convertShape(VectorOperators.B2S, S, 0)).reinterpretAsInts();
                    int k = 8 * (256 * blk + 8 * u + 2 * qd);
                    ((FloatVector) x.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(sc).intoArray(sw, k);
                    ((FloatVector) x.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(sc).intoArray(sw, k + 8);
                }
            }
        }
        scaledRuns(s, a, e0, inputs, n, 256, out, o, os);
    }

    /**
     * The batch kernels' common part, over a group unpacked into {@code s} (weights per column, lanes = rows, the rows'
     * d per block of {@code blockCols}): per input and block, the exact integer sum of weight × activation, formed in
     * float over runs of {@link #RUN} columns (below 2^24 for every type: at most 32·128·32·127, Q6_K's) and joined in
     * int, then
     * acc += float(sum)·(d·da), block after block: the single-input kernels' float steps, in their order, so every input
     * gets their bits. Four inputs at a time, two FMA chains each (even and odd columns, joined exactly). For the
     * K-quants (activation blocks of 256, Q8_K's); Q4_0's 32-column blocks have a loop of their own in {@link #q4_0Batch}
     * (through this one, with its run loop of one, its prompts ran 20% slower: 16.5 against 20.1 tok/s at pp64).
     */
    /** Columns summed in float before joining in int (a constant: C2 unrolls the loop over it). */
    private static final int RUN = 32;

    private static void scaledRuns(Scratch s, QuantizedVector a, int e0, int inputs, int n, int blockCols,
                                   float[] out, int o, int os) {
        float[] sw = s.w, sd = s.d, af = a.floats, ad = a.d;
        int blocks = n / blockCols, runs = blockCols / RUN;
        int x = 0;
        for (; x + 4 <= inputs; x += 4) {
            int x0 = e0 + x * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
            int d0 = x0 / blockCols, d1 = x1 / blockCols, d2 = x2 / blockCols, d3 = x3 / blockCols; // no division per block
            FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int blk = 0; blk < blocks; blk++) {
                IntVector i0 = IntVector.zero(I), i1 = i0, i2 = i0, i3 = i0;
                for (int run = 0; run < runs; run++) {
                    int ab = blk * blockCols + run * RUN, wb = 8 * ab;
                    FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
                    for (int k = 0; k < RUN; k += 2) {
                        FloatVector we = FloatVector.fromArray(F, sw, wb + 8 * k), wo = FloatVector.fromArray(F, sw, wb + 8 * k + 8);
                        s0 = we.fma(FloatVector.broadcast(F, af[x0 + ab + k]), s0);
                        s1 = we.fma(FloatVector.broadcast(F, af[x1 + ab + k]), s1);
                        s2 = we.fma(FloatVector.broadcast(F, af[x2 + ab + k]), s2);
                        s3 = we.fma(FloatVector.broadcast(F, af[x3 + ab + k]), s3);
                        t0 = wo.fma(FloatVector.broadcast(F, af[x0 + ab + k + 1]), t0);
                        t1 = wo.fma(FloatVector.broadcast(F, af[x1 + ab + k + 1]), t1);
                        t2 = wo.fma(FloatVector.broadcast(F, af[x2 + ab + k + 1]), t2);
                        t3 = wo.fma(FloatVector.broadcast(F, af[x3 + ab + k + 1]), t3);
                    }
                    i0 = i0.add((IntVector) s0.add(t0).convert(VectorOperators.F2I, 0));
                    i1 = i1.add((IntVector) s1.add(t1).convert(VectorOperators.F2I, 0));
                    i2 = i2.add((IntVector) s2.add(t2).convert(VectorOperators.F2I, 0));
                    i3 = i3.add((IntVector) s3.add(t3).convert(VectorOperators.F2I, 0));
                }
                FloatVector d = FloatVector.fromArray(F, sd, 8 * blk);
                acc0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[d0 + blk]), acc0);
                acc1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[d1 + blk]), acc1);
                acc2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[d2 + blk]), acc2);
                acc3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).fma(d.mul(ad[d3 + blk]), acc3);
            }
            acc0.intoArray(out, o + x * os);
            acc1.intoArray(out, o + (x + 1) * os);
            acc2.intoArray(out, o + (x + 2) * os);
            acc3.intoArray(out, o + (x + 3) * os);
        }
        for (; x < inputs; x++) {
            int x0 = e0 + x * n, d0 = x0 / blockCols;
            FloatVector acc = FloatVector.zero(F);
            for (int blk = 0; blk < blocks; blk++) {
                IntVector i0 = IntVector.zero(I);
                for (int run = 0; run < runs; run++) {
                    int ab = blk * blockCols + run * RUN, wb = 8 * ab;
                    FloatVector s0 = FloatVector.zero(F), t0 = s0;
                    for (int k = 0; k < RUN; k += 2) {
                        s0 = FloatVector.fromArray(F, sw, wb + 8 * k).fma(FloatVector.broadcast(F, af[x0 + ab + k]), s0);
                        t0 = FloatVector.fromArray(F, sw, wb + 8 * k + 8).fma(FloatVector.broadcast(F, af[x0 + ab + k + 1]), t0);
                    }
                    i0 = i0.add((IntVector) s0.add(t0).convert(VectorOperators.F2I, 0));
                }
                acc = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, sd, 8 * blk).mul(ad[d0 + blk]), acc);
            }
            acc.intoArray(out, o + x * os);
        }
    }

    /**
     * Q4_K's mins term for a batch, after {@link #scaledRuns}: per input, macc += (Σ_g min(g)·Σa(g))·(dmin·da) per
     * super-block (the mins sum exact in float, below 2^24), and out = acc − macc, as {@link #q4_K} ends.
     */
    private static void subtractMins(Scratch s, QuantizedVector a, int e0, int inputs, int n, float[] out, int o, int os) {
        float[] sm = s.mins, bf = a.sums32F, ad = a.d;
        for (int x = 0; x < inputs; x++) {
            int x0 = e0 + x * n;
            FloatVector mac = FloatVector.zero(F);
            for (int blk = 0; blk < n / 256; blk++) {
                int q = 8 * blk;
                FloatVector m = FloatVector.zero(F);
                for (int g = 0; g < 8; g++) m = FloatVector.fromArray(F, sm, 8 * (q + g)).fma(FloatVector.broadcast(F, bf[(x0 >> 5) + q + g]), m);
                mac = m.fma(FloatVector.fromArray(F, s.m, q).mul(ad[(x0 >> 8) + blk]), mac);
            }
            FloatVector.fromArray(F, out, o + x * os).sub(mac).intoArray(out, o + x * os);
        }
    }
}
