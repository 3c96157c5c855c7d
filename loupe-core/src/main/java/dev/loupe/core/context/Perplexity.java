package dev.loupe.core.context;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Session;

import java.util.function.IntConsumer;

/**
 * Perplexity of a model on a token sequence, two ways.
 * <ul>
 *   <li>{@link #chunked}: llama.cpp's {@code llama-perplexity} (tools/perplexity/perplexity.cpp, {@code perplexity()}):
 *   the text is cut into chunks of the context size; each chunk runs from an empty cache with its first token replaced
 *   by BOS (when the model adds one), and only the second half is scored ({@code first = n_ctx / 2}: tokens j+1 for
 *   j in [first, n_ctx - 1)), so every scored token has at least half a context before it.</li>
 *   <li>{@link #streaming}: the whole span runs token by token through one session (StreamingLLM's evaluation):
 *   under a context policy the cache stays within its budget however long the text, and every token after the
 *   first is scored.</li>
 * </ul>
 * Both report exp(mean negative log-likelihood) and llama.cpp's uncertainty, sqrt(var(nll) / (count - 1)) · ppl.
 */
public final class Perplexity {
    private Perplexity() {}

    /**
     * @param perplexity  exp of the mean negative log-likelihood
     * @param uncertainty llama.cpp's "+/-": the standard error of the mean nll, times the perplexity
     * @param scored      tokens scored
     * @param runningPpl  after each chunk (chunked mode), the perplexity so far, as llama-perplexity prints "[i]ppl"
     */
    public record Result(double perplexity, double uncertainty, double meanNll, int scored, double[] runningPpl) {}

    /** Sums of nll and nll², as llama.cpp keeps them. */
    private static final class Tally {
        double nll, nll2;
        int count;

        void add(double v) {
            nll += v;
            nll2 += v * v;
            count++;
        }

        Result result(double[] running) {
            if (count < 2) throw new LoupeException("too few tokens to score (" + count + ")");
            double mean = nll / count, var = nll2 / count - mean * mean;
            double ppl = Math.exp(mean);
            return new Result(ppl, var > 0 ? Math.sqrt(var / (count - 1)) * ppl : 0, mean, count, running);
        }
    }

    /**
     * llama-perplexity over {@code chunks} chunks of {@code session.contextLength()} tokens (all whole chunks when
     * {@code chunks < 0}). {@code bos} replaces each chunk's first token when non-negative. The session is rewound
     * for every chunk. {@code progress} receives the chunks done.
     */
    public static Result chunked(Session session, int[] tokens, int chunks, int bos, IntConsumer progress) {
        int ctx = session.contextLength();
        if (tokens.length < 2 * ctx) {
            throw new LoupeException("the text has " + tokens.length + " tokens; perplexity with a context of " + ctx
                    + " needs at least " + 2 * ctx + " (as llama-perplexity)");
        }
        int max = tokens.length / ctx, n = chunks < 0 ? max : Math.min(chunks, max);
        int first = ctx / 2, batch = session.forwardEngine().maxBatch(), vocab = session.model().config().vocabSize();
        int[] chunk = new int[ctx];
        Tally tally = new Tally();
        double[] running = new double[n];
        for (int i = 0; i < n; i++) {
            int start = i * ctx;
            System.arraycopy(tokens, start, chunk, 0, ctx);
            if (bos >= 0) chunk[0] = bos;
            session.rewind(0);
            for (int from = 0; from < ctx; from += batch) {
                int m = Math.min(batch, ctx - from);
                int[] part = from == 0 && m == ctx ? chunk : java.util.Arrays.copyOfRange(chunk, from, from + m);
                float[] logits = session.forwardAll(part, m);
                for (int r = 0; r < m; r++) {
                    int j = from + r;
                    if (j >= first && j < ctx - 1) tally.add(-logSoftmax(logits, r * vocab, vocab, tokens[start + j + 1]));
                }
            }
            running[i] = Math.exp(tally.nll / tally.count);
            if (progress != null) progress.accept(i + 1);
        }
        return tally.result(running);
    }

    /**
     * Runs {@code tokens} one at a time from an empty {@code session} (under whatever context policy it has) and
     * scores each token after the first from the logits of the one before. {@code progress} receives tokens done.
     */
    public static Result streaming(Session session, int[] tokens, IntConsumer progress) {
        if (tokens.length < 3) throw new LoupeException("the text has " + tokens.length + " tokens; streaming perplexity needs at least 3");
        session.rewind(0);
        int vocab = session.model().config().vocabSize();
        Tally tally = new Tally();
        for (int t = 0; t + 1 < tokens.length; t++) {
            float[] logits = session.forward(tokens[t], true);
            tally.add(-logSoftmax(logits, 0, vocab, tokens[t + 1]));
            if (progress != null && (t & 63) == 0) progress.accept(t + 1);
        }
        if (progress != null) progress.accept(tokens.length - 1);
        return tally.result(new double[0]);
    }

    /** log p(token) from one row of logits, as llama.cpp's log_softmax: float max, double sum of expf. */
    static double logSoftmax(float[] logits, int off, int n, int token) {
        float max = logits[off];
        for (int i = 1; i < n; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (float) Math.exp(logits[off + i] - max);
        return logits[off + token] - max - Math.log(sum);
    }
}
