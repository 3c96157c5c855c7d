package dev.loupe.lens.logit;

/** Top-k of a logit row and softmax probabilities of chosen entries, without sorting the whole vocabulary. */
public final class TopK {
    private TopK() {}

    /** Indices of the k largest values of x[off, off+n), largest first (ties to the lower index). */
    public static int[] indices(float[] x, int off, int n, int k) {
        k = Math.min(k, n);
        int[] best = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (size == k && v <= x[off + best[k - 1]]) continue;
            int j = size < k ? size++ : k - 1;
            while (j > 0 && x[off + best[j - 1]] < v) {
                best[j] = best[j - 1];
                j--;
            }
            best[j] = i;
        }
        return best;
    }

    /** softmax(x[off, off+n))[ids[i]] for each i; the normaliser summed in double. */
    public static float[] softmaxAt(float[] x, int off, int n, int[] ids) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        float[] p = new float[ids.length];
        for (int i = 0; i < ids.length; i++) p[i] = (float) (Math.exp(x[off + ids[i]] - max) / sum);
        return p;
    }

    /** log softmax(x[off, off+n))[id]. */
    public static double logProb(float[] x, int off, int n, int id) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        return x[off + id] - max - Math.log(sum);
    }
}
