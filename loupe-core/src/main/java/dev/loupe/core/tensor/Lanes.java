package dev.loupe.core.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The vector geometry the fast dot kernels share. Quantized values are widened from bytes into int
 * lanes of the same shape as the float species, rebuilt there with the same integer arithmetic as
 * ggml's reference, and only then turned into floats: a weight in a lane is bit-for-bit the value
 * the scalar {@code dequantize} produces, so fast and reference differ only in summation order.
 */
final class Lanes {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    /** Float lanes per vector: 4, 8 or 16. */
    static final int L = F.length();
    /**
     * Bytes per load. The smallest byte vector is 8 lanes, so with 4 float lanes one load feeds two
     * parts; every block region we load from is a multiple of 16 bytes, so a load never crosses it.
     */
    static final int C = Math.max(L, 8);
    /** Parts (of {@link #L} lanes) per load of {@link #C} bytes. */
    static final int P = C / L;
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(C * 8));
    /** 0, 1, ..., L-1. */
    static final IntVector IOTA = IntVector.zero(I).addIndex(1);

    private Lanes() {}

    /** Part {@code p} of the {@link #C} bytes at {@code off}, sign-extended into int lanes. */
    static IntVector bytes(MemorySegment s, long off, int p) {
        return (IntVector) ByteVector.fromMemorySegment(B, s, off, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, I, p);
    }

    static IntVector low(IntVector v) {
        return v.and(0x0F);
    }

    /** The high nibble; the mask undoes the sign extension of {@link #bytes}. */
    static IntVector high(IntVector v) {
        return v.lanewise(VectorOperators.LSHR, 4).and(0x0F);
    }

    static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    static FloatVector x(float[] x, int i) {
        return FloatVector.fromArray(F, x, i);
    }

    /**
     * Lane i holds bit {@code e + i} of {@code word}, moved to bit 4 (0x10): the fifth bit of a
     * Q5 quant. {@code e + L} must not exceed 32.
     */
    static IntVector bit4(int word, int e) {
        return IntVector.broadcast(I, (word >>> e) << 4).lanewise(VectorOperators.LSHR, IOTA).and(0x10);
    }
}
