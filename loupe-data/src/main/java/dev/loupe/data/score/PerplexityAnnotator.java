package dev.loupe.data.score;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.data.Document;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CCNet-style perplexity annotation (Wenzek et al. 2020, "CCNet", section 3.3): each document's perplexity under
 * a small language model (any GGUF the engine runs), over its first {@code max_tokens} tokens, in metadata
 * {@code perplexity}; with {@code head_max} and {@code middle_max} set, also {@code ppl_bucket} = head, middle or
 * tail. CCNet sets those two thresholds at the 33rd and 66th percentile of a language's perplexities; compute them
 * on a sample and pass them in. With {@code drop_tail: true} tail documents are dropped instead.
 * <p>
 * The model is memory-mapped once per JVM; each worker thread gets its own single-threaded session, since shards
 * already run in parallel.
 */
public final class PerplexityAnnotator implements DocStep {
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, Session>> SESSIONS = ThreadLocal.withInitial(HashMap::new);

    private final String name;
    private final String model;
    private final int maxTokens;
    private final Double headMax;
    private final Double middleMax;
    private final boolean dropTail;

    @JsonCreator
    public PerplexityAnnotator(@JsonProperty("name") String name, @JsonProperty("model") String model,
                               @JsonProperty("max_tokens") Integer maxTokens, @JsonProperty("head_max") Double headMax,
                               @JsonProperty("middle_max") Double middleMax, @JsonProperty("drop_tail") Boolean dropTail,
                               @JacksonInject(value = PipelineLoader.BASE_DIR, useInput = OptBoolean.FALSE) String baseDir) {
        this.name = name == null ? "perplexity" : name;
        if (model == null) throw new LoupeException("perplexity needs 'model': a GGUF file");
        Path p = baseDir == null ? Path.of(model) : Path.of(baseDir).resolve(model);
        if (!Files.isRegularFile(p)) throw new LoupeException("perplexity: no model file " + p);
        this.model = p.toString();
        this.maxTokens = maxTokens == null ? 256 : maxTokens;
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
        return model;
    }

    @JsonProperty("max_tokens")
    public int maxTokens() {
        return maxTokens;
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
        Model m = MODELS.computeIfAbsent(model, k -> Model.load(Path.of(k)));
        Session s = SESSIONS.get().computeIfAbsent(model, k -> new Session(m, maxTokens, new ThreadPool(1)));
        Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
        int[] ids = tok.encode(text, true, false);
        int n = Math.min(ids.length, maxTokens);
        if (n < 2) return Double.NaN;
        s.rewind(0);
        double nll = 0;
        for (int i = 0; i < n - 1; i++) {
            float[] logits = s.forward(ids[i], true);
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits) max = Math.max(max, v);
            double sum = 0;
            for (float v : logits) sum += Math.exp(v - max);
            nll += max + Math.log(sum) - logits[ids[i + 1]];
        }
        return Math.exp(nll / (n - 1));
    }
}
