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
    private static final IntVector MAGNITUDE = IntVector.broadcast(I, 0x7FFF);
    private static final IntVector SIGN = IntVector.broadcast(I, 0x8000);
    private static final FloatVector TWO_112 = FloatVector.broadcast(F, 0x1p112f);

    /** Never written: a stride C2 cannot fold keeps each segment bounds check a single compare (see VectorDots). */
    private static long q4GroupStride = 8 * 18;

    private GroupDots() {}

    /**
     * q4_0 × q8_0 for the 8 rows of the group at {@code off}: out[o + r] for r in 0..7. Quants are taken unsigned
     * (0..15) and the −8 applied once per block as 8·Σa; a 16-bit lane sums 16 products of at most 15·127, and its pair
     * sum (2·30480) may pass a short, so each half is sign-extended on its own. The scales are fp16 widened in lanes
     * (magnitude shifted into a float's place and scaled by 2^112, which is exact for subnormals too; the sign put
     * back): the layout never holds Inf/NaN scales (a Q4_0 d is a finite fp16 by construction).
     */
    static void q4_0(MemorySegment w, long off, QuantizedVector a, int e0, int n, float[] out, int o) {
        FloatVector acc = FloatVector.zero(F);
        int[] ap = a.pairs;
        int[] sums = a.sums32;
        float[] ad = a.d;
        long stride = q4GroupStride;
        for (int blk = 0; blk < n / 32; blk++) {
            long b = off + blk * stride;
            int p = (e0 >> 1) + blk * 16;
            int ab = (e0 >> 5) + blk;
            ShortVector v;
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 16, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p0 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 0]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 8]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 32, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p1 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 1]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 9]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 48, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p2 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 2]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 10]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 64, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p3 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 3]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 11]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 80, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p4 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 4]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 12]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 96, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p5 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 5]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 13]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 112, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p6 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 6]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 14]).reinterpretAsShorts()));
            v = (ShortVector) ByteVector.fromMemorySegment(B, w, b + 128, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
            ShortVector p7 = v.and(NIBBLE).mul(IntVector.broadcast(I, ap[p + 7]).reinterpretAsShorts())
                    .add(v.lanewise(VectorOperators.LSHR, 4).mul(IntVector.broadcast(I, ap[p + 15]).reinterpretAsShorts()));
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
