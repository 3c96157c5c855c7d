package dev.loupe.train;

import dev.loupe.train.data.TokenData;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;

/**
 * The training loop's body: a step accumulates the gradient of {@code accumulation} micro-batches (each scaled
 * by 1/accumulation, so the step sees the mean), then takes one AdamW update. All randomness (batch positions)
 * comes from one SplitMix64 whose state is part of a checkpoint, so a resumed run is bit-identical.
 */
public final class Trainer {
    public record StepResult(long step, double loss, double gradNorm, double lr) {}

    private final LlamaModel model;
    private final AdamW optimizer;
    private final TokenData data;
    private final SplitMix64 rng;
    private final int accumulation;
    private final int[] tokens, targets;

    public Trainer(LlamaModel model, AdamW optimizer, TokenData data, long seed, int accumulation) {
        if (accumulation < 1) throw new IllegalArgumentException("accumulation must be at least 1");
        data.checkFits(model.seqLen());
        this.model = model;
        this.optimizer = optimizer;
        this.data = data;
        this.rng = new SplitMix64(seed);
        this.accumulation = accumulation;
        this.tokens = new int[model.batch() * model.seqLen()];
        this.targets = new int[tokens.length];
    }

    public LlamaModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public SplitMix64 rng() {
        return rng;
    }

    public TokenData data() {
        return data;
    }

    public int tokensPerStep() {
        return tokens.length * accumulation;
    }

    public StepResult step() {
        model.zeroGrad();
        double loss = 0;
        for (int a = 0; a < accumulation; a++) {
            data.trainBatch(rng, model.batch(), model.seqLen(), tokens, targets);
            loss += model.forward(tokens, targets, false);
            model.backward(1f / accumulation);
        }
        double lr = optimizer.config().learningRate(optimizer.step());
        double norm = optimizer.update(model.params, model.grads);
        return new StepResult(optimizer.step(), loss / accumulation, norm, lr);
    }

    /** Mean loss per token over {@code batches} fixed validation batches. */
    public double validate(int batches) {
        double sum = 0;
        for (int i = 0; i < batches; i++) {
            data.valBatch(i, batches, model.batch(), model.seqLen(), tokens, targets);
            sum += model.forward(tokens, targets, false);
        }
        return sum / batches;
    }
}
