package dev.loupe.train.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two inner loops every layer is made of, on the Vector API. Each result element is always computed by
 * one thread in one fixed order, so results do not depend on the thread count (resumed runs are bit-exact).
 */
final class Vec {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Vec() {}

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int up = S.loopBound(n); i < up; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
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
