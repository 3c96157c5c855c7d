package dev.loupe.core.quant;

/**
 * The search helpers behind ggml's K-quants, {@code make_qkx2_quants} and {@code make_qx_quants}, transcribed
 * operation for operation: every product and sum is a float and is evaluated in C's order, because a
 * different rounding anywhere can flip a level and break byte equality with llama-quantize.
 * Callers pass their own scratch arrays, so nothing here allocates.
 */
final class KQuants {
    /** GROUP_MAX_EPS: below this a group is treated as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuants() {}

    /**
     * Fits x ≈ scale * L - min with levels L in [0, nmax] for the asymmetric K-quants (Q4_K, Q5_K): starting
     * from the min/max fit, it tries nstep+1 scales around it and keeps the one with the least weighted error,
     * solving the weighted least squares for scale and min at each. Writes the levels to {@code L[lOff..]},
     * the (positive) min to {@code mins[mIdx]}, and returns the scale.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, int[] L, int lOff,
                                float[] mins, int mIdx, int[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; ++i) {
            float xi = x[xOff + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; ++i) L[lOff + i] = 0;
            mins[mIdx] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; ++i) {
            int l = GgmlMath.nearestInt(iscale * (x[xOff + i] - min));
            L[lOff + i] = Math.max(0, Math.min(nmax, l));
            float diff = scale * L[lOff + i] + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            mins[mIdx] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; ++is) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; ++i) {
                int l = GgmlMath.nearestInt(iscale * (x[xOff + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * x[xOff + i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; ++i) {
                    float diff = thisScale * laux[i] + thisMin - x[xOff + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        mins[mIdx] = -min;
        return scale;
    }

    /**
     * Fits x ≈ scale * l with l in [-nmax, nmax-1] for the symmetric K-quants (Q6_K), writing l + nmax to
     * {@code L[lOff..]}. {@code rmseType} picks the error weights as in ggml (1: x², 2: 1, 3: |x|, else √|x|;
     * 0: no search; negative: one refinement step, then stop). No importance weights: llama-quantize without an
     * imatrix passes none.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, int[] L, int lOff, int rmseType) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; ++i) {
                int l = GgmlMath.nearestInt(iscale * x[xOff + i]);
                L[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
            }
            return 1 / iscale;
        }
        boolean returnEarly = false;
        if (rmseType < 0) {
            rmseType = -rmseType;
            returnEarly = true;
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xOff + i];
            int l = GgmlMath.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lOff + i] = l + nmax;
            float w = weight(rmseType, xi);
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        if (returnEarly) return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xOff + i];
                int l = GgmlMath.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = weight(rmseType, xi);
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; ++i) {
                    int l = GgmlMath.nearestInt(iscale * x[xOff + i]);
                    L[lOff + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static float weight(int rmseType, float x) {
        return switch (rmseType) {
            case 1 -> x * x;
            case 2 -> 1;
            case 3 -> Math.abs(x);
            default -> (float) Math.sqrt(Math.abs(x));
        };
    }
}
