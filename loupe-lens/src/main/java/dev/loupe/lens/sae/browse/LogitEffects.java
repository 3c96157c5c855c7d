package dev.loupe.lens.sae.browse;

import dev.loupe.core.model.Weights;
import dev.loupe.lens.logit.TopK;
import dev.loupe.lens.sae.SparseAutoencoder;

/**
 * The direct effect of each feature's decoder direction on the logits: {@code W_U · (γ ∘ d_f)}, γ being the final
 * RMSNorm's weight (folded in, as TransformerLens's fold_ln does; the norm's 1/rms scale is left out, it only
 * rescales every logit alike). The tokens a feature promotes most are the top of that vector, the ones it suppresses
 * the bottom. The unembedding is read one vocabulary row at a time (any ggml type), and features are done in blocks
 * so the [block][vocab] buffer stays under ~64 MB however large the vocabulary.
 */
public final class LogitEffects {
    private LogitEffects() {}

    /** Token ids and their logit effects, strongest first. */
    public record Effects(int[] promoted, float[] promotedBy, int[] suppressed, float[] suppressedBy) {}

    /** Effects of features [0, count) of {@code sae}, the {@code n} strongest each way. */
    public static Effects[] of(Weights w, SparseAutoencoder sae, int count, int n) {
        int d = sae.inputDim(), V = w.output().rows();
        int block = Math.max(1, Math.min(count, (16 << 20) / V));
        float[] dirs = new float[block * d], row = new float[d], logits = new float[block * V], neg = new float[V];
        Effects[] out = new Effects[count];
        for (int from = 0; from < count; from += block) {
            int b = Math.min(block, count - from);
            for (int i = 0; i < b; i++) {
                float[] dir = sae.direction(from + i);
                for (int j = 0; j < d; j++) dirs[i * d + j] = dir[j] * w.outputNorm()[j];
            }
            for (int v = 0; v < V; v++) {
                w.output().dequantizeRow(v, row, 0);
                for (int i = 0; i < b; i++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) s += row[j] * dirs[i * d + j];
                    logits[i * V + v] = (float) s;
                }
            }
            for (int i = 0; i < b; i++) {
                int[] up = TopK.indices(logits, i * V, V, n);
                for (int v = 0; v < V; v++) neg[v] = -logits[i * V + v];
                int[] down = TopK.indices(neg, 0, V, n);
                out[from + i] = new Effects(up, at(logits, i * V, up), down, at(logits, i * V, down));
            }
        }
        return out;
    }

    private static float[] at(float[] x, int off, int[] ids) {
        float[] v = new float[ids.length];
        for (int i = 0; i < ids.length; i++) v[i] = x[off + ids[i]];
        return v;
    }
}
