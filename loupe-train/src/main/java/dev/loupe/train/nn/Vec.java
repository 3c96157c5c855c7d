package dev.loupe.train.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two inner loops every layer is made of, on the Vector API. Each result element is always computed by
 * one thread in one fixed order, so results do not depend on the thread count (resumed runs are bit-exact).
 */
final class Vec {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Vec() {}

    /**
     * The engine's F32 dot product operation for operation (F32Codec.dot: lane-wise fused multiply-adds, the lanes
     * summed in order, then the tail), so that a forward pass in the engine's order gives its logits bit for bit.
     */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += S.length()) {
            acc = FloatVector.fromArray(S, b, bOff + i).fma(FloatVector.fromArray(S, a, aOff + i), acc);
        }
        float sum = 0;
        for (int l = 0; l < S.length(); l++) sum += acc.lane(l);
        for (; i < n; i++) sum += b[bOff + i] * a[aOff + i];
        return sum;
    }

    /** y[yOff..] += alpha * x[xOff..] over n elements. */
    static void axpy(float[] y, int yOff, float alpha, float[] x, int xOff, int n) {
        int i = 0;
        if (n >= S.length()) {
            FloatVector va = FloatVector.broadcast(S, alpha);
            for (int up = S.loopBound(n); i < up; i += S.length()) {
                FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
            }
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}
