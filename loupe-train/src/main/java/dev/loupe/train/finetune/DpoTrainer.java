package dev.loupe.train.finetune;

import dev.loupe.core.LoupeException;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;

import java.util.List;

/**
 * DPO: each micro-batch holds B/2 preference pairs, chosen answer in row 2i and rejected in row 2i+1. The
 * reference model is the model as it is when the trainer is built (the SFT or base model); its log-probabilities
 * are computed once per pair then, so no second copy of the weights is kept. The gradient reaches the weights through
 * the per-sequence weighting of the cross-entropy: d loss / d(summed CE of chosen) = beta σ(−z), and minus that for
 * the rejected answer.
 */
public final class DpoTrainer extends FineTuner {
    private final List<PreferencePair> pairs;
    private final double beta;
    private final double[] refChosen, refRejected;
    private final double[] logProbs;
    private final float[] seqScale;
    private final int[] drawn;

    public DpoTrainer(LlamaModel model, AdamW optimizer, List<PreferencePair> pairs, double beta, long seed, int accumulation) {
        super(model, optimizer, seed, accumulation);
        if (model.batch() % 2 != 0) throw new LoupeException("DPO needs an even batch (chosen and rejected side by side), got " + model.batch());
        if (!(beta > 0)) throw new LoupeException("DPO beta must be positive, got " + beta);
        if (pairs.isEmpty()) throw new LoupeException("no preference pairs");
        this.pairs = pairs;
        this.beta = beta;
        this.logProbs = new double[model.batch()];
        this.seqScale = new float[model.batch()];
        this.drawn = new int[model.batch() / 2];
        this.refChosen = new double[pairs.size()];
        this.refRejected = new double[pairs.size()];
        logProbs(refChosen, refRejected);
    }

    /** Summed answer log-probabilities of every pair under the current weights. */
    public void logProbs(double[] chosen, double[] rejected) {
        int per = model.batch() / 2;
        for (int i = 0; i < pairs.size(); i += per) {
            int n = Math.min(per, pairs.size() - i);
            for (int k = 0; k < per; k++) drawn[k] = k < n ? i + k : -1;
            forwardPairs();
            for (int k = 0; k < n; k++) {
                chosen[i + k] = logProbs[2 * k];
                rejected[i + k] = logProbs[2 * k + 1];
            }
        }
    }

    /** Mean over pairs of the implicit reward margin beta·((π_c − ref_c) − (π_r − ref_r)), and the fraction above 0. */
    public double[] rewardMargin() {
        double[] c = new double[pairs.size()], r = new double[pairs.size()];
        logProbs(c, r);
        double sum = 0, above = 0;
        for (int i = 0; i < c.length; i++) {
            double z = DpoLoss.z(beta, c[i], r[i], refChosen[i], refRejected[i]);
            sum += z;
            if (z > 0) above++;
        }
        return new double[]{sum / c.length, above / c.length};
    }

    @Override
    protected double microStep(float scale) {
        int per = drawn.length;
        for (int k = 0; k < per; k++) drawn[k] = rng.nextInt(pairs.size());
        forwardPairs();
        double loss = 0;
        for (int k = 0; k < per; k++) {
            int p = drawn[k];
            double z = DpoLoss.z(beta, logProbs[2 * k], logProbs[2 * k + 1], refChosen[p], refRejected[p]);
            loss += DpoLoss.loss(z);
            // The model's weighted loss is sum_b w_b * CE_b with CE_b = -log π(b): w = -d loss / d log π.
            float w = (float) (-DpoLoss.dChosen(beta, z) * scale / per);
            seqScale[2 * k] = w;
            seqScale[2 * k + 1] = -w;
        }
        model.backwardSequences(seqScale);
        return loss / per;
    }

    /** Forward pass of the pairs in {@link #drawn} (-1 = an empty row); fills {@link #logProbs}. */
    private void forwardPairs() {
        int T = model.seqLen();
        MaskedSequence empty = new MaskedSequence(new int[0], new int[0]);
        for (int k = 0; k < drawn.length; k++) {
            PreferencePair p = drawn[k] >= 0 ? pairs.get(drawn[k]) : null;
            (p != null ? p.chosen() : empty).fill(tokens, targets, 2 * k, T);
            (p != null ? p.rejected() : empty).fill(tokens, targets, 2 * k + 1, T);
        }
        model.forward(tokens, targets, false);
        model.sequenceLogProbs(logProbs);
    }

    @Override
    protected String mode() {
        return "dpo beta=" + beta + " " + parameterMode();
    }
}
