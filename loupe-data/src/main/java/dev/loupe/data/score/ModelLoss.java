package dev.loupe.data.score;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A document's language-model loss: the mean negative log-likelihood (nats per token) of each next token over its
 * first {@code maxTokens} tokens, under any GGUF the engine runs. The shared measure behind perplexity
 * (exp of it), learnability (its drop between two checkpoints) and curriculum order.
 * <p>
 * Serializable as just a path and a length, so steps holding one ship to Spark executors; the model is
 * memory-mapped once per JVM, and each worker thread gets its own single-threaded session, since shards already
 * run in parallel.
 */
public record ModelLoss(String model, int maxTokens) implements Serializable {
    private static final Map<String, Model> MODELS = new ConcurrentHashMap<>();
    private static final ThreadLocal<Map<String, Session>> SESSIONS = ThreadLocal.withInitial(HashMap::new);

    /** Resolves {@code model} against {@code baseDir} (the pipeline file's folder; null: as given). */
    public static ModelLoss of(String step, String model, Integer maxTokens, String baseDir) {
        if (model == null) throw new LoupeException(step + " needs 'model': a GGUF file");
        Path p = baseDir == null ? Path.of(model) : Path.of(baseDir).resolve(model);
        if (!Files.isRegularFile(p)) throw new LoupeException(step + ": no model file " + p);
        return new ModelLoss(p.toString(), maxTokens == null ? 256 : maxTokens);
    }

    /** Mean next-token NLL in nats; NaN for a text of fewer than two tokens. */
    public double loss(String text) {
        Model m = MODELS.computeIfAbsent(model, k -> Model.load(Path.of(k)));
        Session s = SESSIONS.get().computeIfAbsent(model + "#" + maxTokens, k -> new Session(m, Math.min(maxTokens, m.config().contextLength()), new ThreadPool(1)));
        Tokenizer tok = Tokenizer.fromMetadata(m.file().metadata());
        int[] ids = tok.encode(text, true, false);
        int n = Math.min(ids.length, s.contextLength());
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
        return nll / (n - 1);
    }
}
