package dev.loupe.lens.sae;

/**
 * How well an SAE does on a set of activations.
 *
 * @param mse               mean squared reconstruction error per element
 * @param varianceExplained 1 - SSE / total variance around the data mean
 * @param l0                mean number of active features per row
 * @param dead              features active on no row
 */
public record SaeMetrics(double mse, double varianceExplained, double l0, int dead) {

    public static SaeMetrics of(SparseAutoencoder sae, float[] x, int rows) {
        int d = sae.inputDim(), m = sae.features();
        float[] pre = new float[m], f = new float[m], xhat = new float[d];
        double[] mean = new double[d];
        for (int r = 0; r < rows; r++) for (int j = 0; j < d; j++) mean[j] += x[r * d + j];
        for (int j = 0; j < d; j++) mean[j] /= rows;
        boolean[] alive = new boolean[m];
        double sse = 0, var = 0, active = 0;
        for (int r = 0; r < rows; r++) {
            sae.encode(x, r * d, pre, f);
            sae.decode(f, xhat, 0);
            for (int j = 0; j < d; j++) {
                double e = xhat[j] - x[r * d + j], c = x[r * d + j] - mean[j];
                sse += e * e;
                var += c * c;
            }
            for (int i = 0; i < m; i++) {
                if (f[i] > 0) {
                    active++;
                    alive[i] = true;
                }
            }
        }
        int dead = 0;
        for (boolean a : alive) if (!a) dead++;
        return new SaeMetrics(sse / ((double) rows * d), var > 0 ? 1 - sse / var : 0, active / rows, dead);
    }
}
