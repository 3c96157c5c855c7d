package dev.loupe.train.optim;

/**
 * AdamW hyper-parameters and the learning-rate schedule: linear warmup over {@code warmupSteps}, then a cosine
 * decay from {@code lr} to {@code lr * minLrRatio} at {@code totalSteps}.
 *
 * @param gradClip global L2 norm the gradient is clipped to before the update; 0 disables clipping
 */
public record AdamWConfig(float lr, float beta1, float beta2, float eps, float weightDecay, int warmupSteps, int totalSteps,
                          float minLrRatio, float gradClip) {

    /** nanoGPT's choices for small models. */
    public static AdamWConfig defaults(float lr, int warmupSteps, int totalSteps) {
        return new AdamWConfig(lr, 0.9f, 0.95f, 1e-8f, 0.1f, warmupSteps, totalSteps, 0.1f, 1.0f);
    }

    /** The learning rate of step {@code step} (0-based). */
    public double learningRate(long step) {
        if (step < warmupSteps) return lr * (step + 1.0) / warmupSteps;
        if (step >= totalSteps) return lr * minLrRatio;
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return lr * (minLrRatio + (1 - minLrRatio) * cosine);
    }
}
