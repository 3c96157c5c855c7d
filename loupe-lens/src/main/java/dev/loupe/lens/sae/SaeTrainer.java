package dev.loupe.lens.sae;

import java.util.Random;
import java.util.function.IntConsumer;

/**
 * Adam on {@link SaeLoss} over shuffled minibatches; after every step the decoder directions are renormalised to
 * unit length (the constraint SAELens enforces), which keeps the L1 penalty meaningful.
 */
public final class SaeTrainer {
    /** @param l1 sparsity penalty (use 0 with TopK), @param steps optimiser steps */
    public record Options(float l1, float learningRate, int batch, int steps, long seed) {}

    private SaeTrainer() {}

    /** Trains {@code sae} in place on {@code rows} rows of {@code x}; {@code onStep} sees each finished step. */
    public static void train(SparseAutoencoder sae, float[] x, int rows, Options o, IntConsumer onStep) {
        int d = sae.inputDim();
        float[] p = sae.params();
        float[] g = new float[p.length], mom = new float[p.length], vel = new float[p.length];
        float[] batch = new float[o.batch() * d];
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) order[i] = i;
        Random rnd = new Random(o.seed());
        SaeLoss loss = new SaeLoss(sae);
        initDecoderBias(sae, x, rows);
        int cursor = rows;
        final double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        for (int step = 1; step <= o.steps(); step++) {
            int n = Math.min(o.batch(), rows);
            for (int b = 0; b < n; b++) {
                if (cursor == rows) {
                    shuffle(order, rnd);
                    cursor = 0;
                }
                System.arraycopy(x, order[cursor++] * d, batch, b * d, d);
            }
            java.util.Arrays.fill(g, 0f);
            loss.loss(batch, 0, n, o.l1(), g);
            double c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < p.length; i++) {
                mom[i] = (float) (b1 * mom[i] + (1 - b1) * g[i]);
                vel[i] = (float) (b2 * vel[i] + (1 - b2) * g[i] * g[i]);
                p[i] -= (float) (o.learningRate() * (mom[i] / c1) / (Math.sqrt(vel[i] / c2) + eps));
            }
            sae.normalizeDecoder();
            if (onStep != null) onStep.accept(step);
        }
    }

    /** b_dec starts at the data mean, so features model deviations from it (Bricken et al.). */
    private static void initDecoderBias(SparseAutoencoder sae, float[] x, int rows) {
        int d = sae.inputDim(), bd = sae.bDec();
        double[] mean = new double[d];
        for (int r = 0; r < rows; r++) for (int j = 0; j < d; j++) mean[j] += x[r * d + j];
        for (int j = 0; j < d; j++) sae.params()[bd + j] = (float) (mean[j] / rows);
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
