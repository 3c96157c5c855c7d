package dev.loupe.train.finetune;

import dev.loupe.core.LoupeException;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;

import java.util.List;

/**
 * Supervised fine-tuning: each micro-batch is B conversations drawn at random, and the loss is the mean
 * cross-entropy over their assistant tokens only (the prompt and template tokens are masked out).
 */
public final class SftTrainer extends FineTuner {
    private final List<MaskedSequence> data;

    public SftTrainer(LlamaModel model, AdamW optimizer, List<MaskedSequence> data, long seed, int accumulation) {
        super(model, optimizer, seed, accumulation);
        if (data.isEmpty()) throw new LoupeException("no training conversations");
        this.data = data;
    }

    @Override
    protected double microStep(float scale) {
        int T = model.seqLen();
        for (int b = 0; b < model.batch(); b++) data.get(rng.nextInt(data.size())).fill(tokens, targets, b, T);
        double loss = model.forward(tokens, targets, false);
        if (Double.isNaN(loss)) return 0; // every drawn conversation's reply lies beyond T: nothing to learn here
        model.backward(scale);
        return loss;
    }

    /** Mean loss per assistant token over all conversations (batched in order; no update). */
    public double evaluate() {
        int T = model.seqLen(), B = model.batch();
        double sum = 0;
        long count = 0;
        for (int i = 0; i < data.size(); i += B) {
            int counted = 0;
            for (int b = 0; b < B; b++) {
                MaskedSequence s = i + b < data.size() ? data.get(i + b).truncate(T) : new MaskedSequence(new int[0], new int[0]);
                s.fill(tokens, targets, b, T);
                counted += s.trainedTokens();
            }
            if (counted == 0) continue;
            sum += model.forward(tokens, targets, false) * counted;
            count += counted;
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    @Override
    protected String mode() {
        return "sft " + parameterMode();
    }
}
