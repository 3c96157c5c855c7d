package dev.loupe.core.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector geometry the fast dot kernels share. A kernel loads {@link #C} quant bytes, rebuilds
 * the quants with the same integer arithmetic as ggml's reference (in byte or int lanes), and only
 * then converts to float and applies the scales in the reference's order: a weight in a lane is
 * bit-for-bit the value the scalar {@code dequantize} produces, so fast and reference differ only in
 * summation order.
 *
 * <p>Kernels call the Vector API directly rather than through small helpers of ours taking or
 * returning vectors: the API's own methods are force-inlined, ours are not, and C2 stops inlining
 * ordinary methods once a compilation grows past its node cutoff (the big K-quant kernels do) — a
 * helper left out of line boxes its vectors, i.e. allocates on every call.
 *
 * <p>Kernels end by adding the accumulator's lanes in lane order, not with
 * {@code reduceLanes(ADD)}, whose order is unspecified and does differ between the interpreter and
 * C2: with a fixed order a dot is bit-identical whichever tier runs it, so results never depend on
 * JIT warm-up.
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
}
