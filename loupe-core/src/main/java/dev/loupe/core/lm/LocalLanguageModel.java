package dev.loupe.core.lm;

import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.BatchGenerator;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@link LanguageModel} over the in-process engine. One session is kept and reused: a request whose tokens
 * share a prefix with the previous one (the same few-shot context with different choices, say) computes only
 * the part that differs. Not thread-safe.
 */
public final class LocalLanguageModel implements LanguageModel {
    private final Model model;
    private final Tokenizer tokenizer;
    private final ThreadPool pool;
    private final Session session;
    private final String name;
    private int[] cached = new int[0];
    private BatchGenerator batch;   // made on the first completeMany, sized for the largest n asked so far

    public LocalLanguageModel(Path file, int threads, int contextLength) {
        this(file, java.util.List.of(), threads, contextLength);
    }

    /** With LoRA adapters applied at load time. */
    public LocalLanguageModel(Path file, java.util.List<dev.loupe.core.lora.LoraSpec> adapters, int threads, int contextLength) {
        this.model = Model.load(file, adapters);
        try {
            this.tokenizer = Tokenizer.fromMetadata(model.file().metadata());
            this.pool = new ThreadPool(threads);
            this.session = new Session(model, Math.min(contextLength, model.config().contextLength()), pool);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.name = file.getFileName().toString();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LogLikelihood logLikelihood(String context, String continuation) {
        // As lm-evaluation-harness: encode the whole string, and take the continuation as the tokens after the
        // context's own encoding, so a word split differently at the seam is still scored whole.
        int[] whole = tokenizer.encode(context + continuation, true, false);
        int[] ctx = tokenizer.encode(context, true, false);
        int split = commonPrefix(ctx, whole);
        // A token re-segmented across the seam that still ends inside the context ("▁s" of "▁s|und|ay" for "sun" +
        // "day") stays context: the continuation is the tokens whose text reaches past the context, a rule an HTTP
        // client can apply to a server's echoed text offsets too, so both backends score the same tokens.
        if (split > 0 && split < whole.length - 1) {
            int contextChars = tokenizer.decode(ctx).length();
            while (split < whole.length - 1 && tokenizer.decode(Arrays.copyOf(whole, split + 1)).length() <= contextChars) split++;
        }
        if (split == 0) throw new LoupeException("the context must not be empty (the model needs at least one token to condition on)");
        if (split == whole.length) throw new LoupeException("the continuation is empty after tokenization");
        if (whole.length > session.contextLength()) {
            throw new LoupeException("request of " + whole.length + " tokens exceeds the context of " + session.contextLength());
        }
        int keep = Math.min(commonPrefix(cached, whole), split - 1);
        session.rewind(Math.min(keep, session.position()));
        keep = session.position();
        double logProb = 0;
        boolean greedy = true;
        float[] logits = keep == split ? null : session.prefill(Arrays.copyOfRange(whole, keep, split));
        for (int i = split; i < whole.length; i++) {
            int target = whole[i];
            logProb += logSoftmax(logits, target);
            greedy &= argmax(logits) == target;
            logits = session.forward(target, i + 1 < whole.length);
        }
        cached = Arrays.copyOf(whole, session.position());
        return new LogLikelihood(logProb, greedy, whole.length - split);
    }

    @Override
    public Completion complete(String prompt, SamplingParams params, Consumer<String> onText) {
        int[] ids = tokenizer.encode(prompt, true, false);
        session.rewind(0);
        cached = new int[0];
        GenerationResult r = new Generator(session, tokenizer).generate(ids, new int[0], params, onText);
        return new Completion(r.text(), ids.length, r.ids().length, r.finishReason().name().toLowerCase(), r.stopString());
    }

    @Override
    public List<Completion> completeMany(String prompt, SamplingParams params, int n) {
        int[] ids = tokenizer.encode(prompt, true, false);
        if (batch == null || batch.maxCandidates() < n) batch = new BatchGenerator(model, tokenizer, pool, n, session.contextLength());
        return batch.generate(ids, n, params).stream()
                .map(r -> new Completion(r.text(), ids.length, r.ids().length, r.finishReason().name().toLowerCase(), r.stopString()))
                .toList();
    }

    @Override
    public boolean reportsStopStrings() {
        return true;
    }

    /** log softmax(logits)[target], in double with max subtraction. */
    static double logSoftmax(float[] logits, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        for (float v : logits) sum += Math.exp(v - max);
        return logits[target] - max - Math.log(sum);
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }

    @Override
    public void close() {
        session.close();
        pool.close();
        model.close();
    }
}
