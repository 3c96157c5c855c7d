package dev.loupe.data.score;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import dev.loupe.core.LoupeException;
import dev.loupe.data.Document;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

/**
 * CCNet-style perplexity annotation (Wenzek et al. 2020, "CCNet", section 3.3): each document's perplexity under
 * a small language model (any GGUF the engine runs), over its first {@code max_tokens} tokens, in metadata
 * {@code perplexity}; with {@code head_max} and {@code middle_max} set, also {@code ppl_bucket} = head, middle or
 * tail. CCNet sets those two thresholds at the 33rd and 66th percentile of a language's perplexities; compute them
 * on a sample and pass them in. With {@code drop_tail: true} tail documents are dropped instead.
 * The loss is {@link ModelLoss}'s.
 */
public final class PerplexityAnnotator implements DocStep {
    private final String name;
    private final ModelLoss loss;
    private final Double headMax;
    private final Double middleMax;
    private final boolean dropTail;

    @JsonCreator
    public PerplexityAnnotator(@JsonProperty("name") String name, @JsonProperty("model") String model,
                               @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("head_max") Double headMax,
                               @JsonProperty("middle_max") Double middleMax, @JsonProperty("drop_tail") Boolean dropTail,
                               @JacksonInject(value = PipelineLoader.BASE_DIR, useInput = OptBoolean.FALSE) String baseDir) {
        this.name = name == null ? "perplexity" : name;
        this.loss = ModelLoss.of("perplexity", model, maxTokens, baseDir);
        if ((headMax == null) != (middleMax == null)) throw new LoupeException("perplexity: give both head_max and middle_max, or neither");
        this.headMax = headMax;
        this.middleMax = middleMax;
        this.dropTail = dropTail != null && dropTail;
    }

    @JsonProperty
    @Override
    public String name() {
        return name;
    }

    @JsonProperty
    public String model() {
        return loss.model();
    }

    @JsonProperty("max_tokens")
    public int maxTokens() {
        return loss.maxTokens();
    }

    @JsonProperty("head_max")
    public Double headMax() {
        return headMax;
    }

    @JsonProperty("middle_max")
    public Double middleMax() {
        return middleMax;
    }

    @JsonProperty("drop_tail")
    public boolean dropTail() {
        return dropTail;
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        double ppl = perplexity(doc.text());
        if (Double.isNaN(ppl)) {
            c.inc("too_short_to_score");
            return Outcome.keep(doc);
        }
        Document d = doc.with("perplexity", Math.round(ppl * 100) / 100.0);
        if (headMax == null) return Outcome.keep(d);
        String bucket = ppl <= headMax ? "head" : ppl <= middleMax ? "middle" : "tail";
        c.inc("bucket:" + bucket);
        if (dropTail && bucket.equals("tail")) return Outcome.drop("perplexity_tail");
        return Outcome.keep(d.with("ppl_bucket", bucket));
    }

    /** exp(mean negative log-likelihood of each next token); NaN for texts of fewer than two tokens. */
    public double perplexity(String text) {
        return Math.exp(loss.loss(text));
    }
}
