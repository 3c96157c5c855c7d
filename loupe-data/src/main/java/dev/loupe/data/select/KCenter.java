package dev.loupe.data.select;

import java.util.Arrays;

/**
 * k-center greedy (Gonzalez 1985; used for data selection as the "core-set" of Sener and Savarese 2018): start
 * from point 0, then repeatedly take the point farthest from everything taken so far. The chosen set's covering
 * radius is at most twice the optimum. Distance is cosine distance, 1 - a·b, on unit vectors. O(n·k·d) time,
 * O(n) extra memory (each point's distance to its nearest chosen center, updated once per new center). Ties go
 * to the lowest index, so the result depends only on the order of the input.
 */
public final class KCenter {
    private KCenter() {}

    /** Indices of the {@code k} chosen points, in the order chosen; all of them if {@code k >= n}. */
    public static int[] select(float[][] unit, int k) {
        int n = unit.length;
        int m = Math.min(k, n);
        int[] chosen = new int[m];
        if (m == 0) return chosen;
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.POSITIVE_INFINITY);
        int next = 0;
        for (int c = 0; c < m; c++) {
            chosen[c] = next;
            float[] center = unit[next];
            int far = -1;
            double farDist = -1;
            for (int i = 0; i < n; i++) {
                double d = 1 - dot(center, unit[i]);
                if (d < nearest[i]) nearest[i] = d;
                if (nearest[i] > farDist) {
                    farDist = nearest[i];
                    far = i;
                }
            }
            next = far;
        }
        return chosen;
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Scales {@code v} to unit length in place (a zero vector stays zero) and returns it. */
    public static float[] normalize(float[] v) {
        double n = Math.sqrt(dot(v, v));
        if (n > 0) for (int i = 0; i < v.length; i++) v[i] = (float) (v[i] / n);
        return v;
    }
}
