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
 * ({@link QuantizedVector#pairs}: quants k and k+1 in one int), broadcast to all lanes, so one 16-bit multiply does
 * two columns of all 8 rows; products are summed in 16-bit lanes while they fit, paired into 8 int lanes (one per
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
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ShortVector NIBBLE = ShortVector.broadcast(S, (short) 0x0F);
    private static final ShortVector EIGHT = ShortVector.broadcast(S, (short) 8);
    private static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFF);
    private static final IntVector SIGN = IntVector.broadcast(I, 0x8000);
    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /** Never written: a stride C2 cannot fold keeps each segment bounds check a single compare (see VectorDots). */
    private static long q4GroupStride = 8 * 18;

    private GroupDots() {}

    /** A pool thread's unpacked group: per column k, the 8 rows' quants as floats at w[8k ..]; the rows' scales at d[8·blk ..]. */
    private static final class Scratch {
        float[] w = new float[0];
        float[] d = new float[0];

        Scratch size(int n) {
            if (w.length < 8 * n) {
                w = new float[8 * n];
                d = new float[n / 4];
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
            scales(w, b).intoArray(sd, 8 * blk);
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

    /** The 8 fp16 scales at {@code b} as floats (see {@link #q4_0}). */
    private static FloatVector scales(MemorySegment w, long b) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(ShortVector.SPECIES_128, w, b, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.and(MAGNITUDE).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(TWO_112)
                .reinterpretAsInts().or(h.and(SIGN).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
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
        int[] ap = a.pairs, aw = a.pairsWrap;
        int[] sums = a.sums32;
        float[] ad = a.d;
        long stride = q4GroupStride;
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * stride;
            int p = (e0 >> 1) + blk * 16;
            int ab = (e0 >> 5) + blk;
            ShortVector v;
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p0 = v.mul(IntVector.broadcast(I, ap[p + 0]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 0]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p1 = v.mul(IntVector.broadcast(I, ap[p + 1]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 1]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p2 = v.mul(IntVector.broadcast(I, ap[p + 2]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 2]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p3 = v.mul(IntVector.broadcast(I, ap[p + 3]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 3]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p4 = v.mul(IntVector.broadcast(I, ap[p + 4]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 4]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p5 = v.mul(IntVector.broadcast(I, ap[p + 5]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 5]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p6 = v.mul(IntVector.broadcast(I, ap[p + 6]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 6]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 128, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p7 = v.mul(IntVector.broadcast(I, ap[p + 7]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, aw[p + 7]).reinterpretAsShorts()));
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
}
