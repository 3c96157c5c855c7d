package dev.loupe.serve.engine;

import dev.loupe.core.model.Forward;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;

/**
 * Text embeddings from a generative model, as llama.cpp's {@code --pooling mean}: the final hidden states (after the
 * output norm) of every input token, averaged, then scaled to unit length so a dot product is a cosine.
 */
public final class Embeddings {
    private Embeddings() {}

    /**
     * Runs {@code tokens} through a fresh session of their own length (the slots and their prefix caches are not
     * touched) in chunks the engine takes at once. Call on the scheduler thread ({@link Scheduler#onEngine}).
     */
    public static float[] meanPooled(Forward engine, Model model, int[] tokens) {
        int dim = model.config().dim();
        double[] sum = new double[dim];
        try (Session session = new Session(model, tokens.length, engine)) {
            for (int from = 0; from < tokens.length; from += engine.maxBatch()) {
                int to = Math.min(tokens.length, from + engine.maxBatch());
                float[] rows = engine.hiddenStates(session, java.util.Arrays.copyOfRange(tokens, from, to));
                for (int r = 0; r < to - from; r++) {
                    for (int i = 0; i < dim; i++) sum[i] += rows[r * dim + i];
                }
            }
        }
        double norm = 0;
        for (double v : sum) norm += v * v;
        norm = Math.sqrt(norm);
        float[] out = new float[dim];
        // The mean's 1/n cancels in the normalization.
        for (int i = 0; i < dim; i++) out[i] = norm > 0 ? (float) (sum[i] / norm) : 0f;
        return out;
    }
}
