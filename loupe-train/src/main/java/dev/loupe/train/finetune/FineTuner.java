package dev.loupe.train.finetune;

import dev.loupe.train.SplitMix64;
import dev.loupe.train.Trainer;
import dev.loupe.train.io.Checkpoint;
import dev.loupe.train.nn.Lora;
import dev.loupe.train.nn.LlamaModel;
import dev.loupe.train.optim.AdamW;

import java.nio.file.Path;

/**
 * The loop body shared by SFT and DPO: a step accumulates {@code accumulation} micro-batches and takes one AdamW
 * update of the trainable parameters, which are the whole model, or only its LoRA adapters when it has them (the
 * base then stays frozen). Examples are drawn at random by a SplitMix64 whose state goes into checkpoints, so a
 * resumed run continues bit for bit as pretraining does.
 */
public abstract class FineTuner {
    protected final LlamaModel model;
    protected final AdamW optimizer;
    protected final SplitMix64 rng;
    protected final int accumulation;
    protected final int[] tokens, targets;

    protected FineTuner(LlamaModel model, AdamW optimizer, long seed, int accumulation) {
        if (accumulation < 1) throw new IllegalArgumentException("accumulation must be at least 1");
        this.model = model;
        this.optimizer = optimizer;
        this.rng = new SplitMix64(seed);
        this.accumulation = accumulation;
        this.tokens = new int[model.batch() * model.seqLen()];
        this.targets = new int[tokens.length];
    }

    /** The parameters {@code model} trains: its LoRA adapters if it has them, otherwise all of it. */
    public static float[] trainable(LlamaModel model) {
        Lora lora = model.lora();
        return lora != null ? lora.params : model.params;
    }

    private float[] trainableGrads() {
        Lora lora = model.lora();
        return lora != null ? lora.grads : model.grads;
    }

    public LlamaModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** Runs one micro-batch forward and backward with the loss scaled by {@code scale}; returns its loss. */
    protected abstract double microStep(float scale);

    /** What kind of run this is, recorded in checkpoints so a resume cannot mix runs. */
    protected abstract String mode();

    public Trainer.StepResult step() {
        model.zeroGrad();
        double loss = 0;
        for (int a = 0; a < accumulation; a++) loss += microStep(1f / accumulation);
        double lr = optimizer.config().learningRate(optimizer.step());
        double norm = optimizer.update(trainable(model), trainableGrads());
        return new Trainer.StepResult(optimizer.step(), loss / accumulation, norm, lr);
    }

    public void saveCheckpoint(Path file) {
        Checkpoint.save(file, mode(), model.config(), trainable(model), optimizer, rng.state());
    }

    public void loadCheckpoint(Path file) {
        rng.setState(Checkpoint.load(file, mode(), model.config(), trainable(model), optimizer));
    }

    /** "lora r=8 alpha=16 [ATTN_Q, ATTN_V]" or "full", for {@link #mode()}. */
    protected String parameterMode() {
        Lora lora = model.lora();
        return lora == null ? "full" : "lora r=" + lora.config().rank() + " alpha=" + lora.config().alpha() + " " + lora.config().targets();
    }
}
