package dev.loupe.data.score;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import dev.loupe.data.Document;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

/**
 * Learnability: how much a training run learned about a document, as {@code learnability = loss_early -
 * loss_late}, the drop of its mean next-token loss ({@link ModelLoss}, nats per token) from an early checkpoint
 * ({@code early}) to a later one ({@code late}) of the same run. The idea is RHO-LOSS's (Mindermann et al. 2022,
 * "Prioritized Training on Points that are Learnable, Worth Learning, and Not Yet Learnt") and JEST's learnability
 * (Evans et al. 2024: learner loss minus reference loss), with the run's own checkpoints as learner and reference:
 * a document the run learned (high score) is learnable and on-distribution; noise stays hard under both (score
 * near 0); text the run forgot, or that was easy from the start, scores at or below 0.
 * <p>
 * Writes {@code loss_early}, {@code loss_late} and {@code learnability} to metadata (rounded to 1e-4); with
 * {@code min} set, drops documents scoring below it ({@code learnability_low}). Both checkpoints must share a
 * tokenizer (checkpoints of one run do), or the two losses are per different tokens.
 */
public final class LearnabilityAnnotator implements DocStep {
    private final String name;
    private final ModelLoss early;
    private final ModelLoss late;
    private final Double min;

    @JsonCreator
    public LearnabilityAnnotator(@JsonProperty("name") String name, @JsonProperty("early") String early,
                                 @JsonProperty("late") String late, @JsonProperty("max_tokens") Integer maxTokens,
                                 @JsonProperty("min") Double min,
                                 @JacksonInject(value = PipelineLoader.BASE_DIR, useInput = OptBoolean.FALSE) String baseDir) {
        this.name = name == null ? "learnability" : name;
        this.early = ModelLoss.of("learnability (early)", early, maxTokens, baseDir);
        this.late = ModelLoss.of("learnability (late)", late, maxTokens, baseDir);
        this.min = min;
    }

    @JsonProperty
    @Override
    public String name() {
        return name;
    }

    @JsonProperty
    public String early() {
        return early.model();
    }

    @JsonProperty
    public String late() {
        return late.model();
    }

    @JsonProperty("max_tokens")
    public int maxTokens() {
        return early.maxTokens();
    }

    @JsonProperty
    public Double min() {
        return min;
    }

    /** loss_early - loss_late in nats per token; NaN for a text of fewer than two tokens. */
    public double score(String text) {
        return early.loss(text) - late.loss(text);
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        double le = early.loss(doc.text()), ll = late.loss(doc.text());
        if (Double.isNaN(le) || Double.isNaN(ll)) {
            c.inc("too_short_to_score");
            return Outcome.keep(doc);
        }
        double score = le - ll;
        if (min != null && score < min) return Outcome.drop("learnability_low");
        return Outcome.keep(doc.with("loss_early", round(le)).with("loss_late", round(ll)).with("learnability", round(score)));
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
