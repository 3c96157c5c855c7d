package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a test: perplexity of a text per KV cache type, by llama-perplexity's protocol so the numbers compare with
 * {@code llama-perplexity -f TEXT -c CTX -ctk T -ctv T}: the text tokenized with BOS, cut into chunks of CTX tokens,
 * each chunk's first token replaced by BOS and run from an empty cache, the negative log-likelihood taken over the
 * second half of each chunk (positions CTX/2 .. CTX-2 predicting the next token). Prints PPL and its standard error
 * per type, and the mean KL divergence of each type's next-token distribution from F32's.
 * Run: java --add-modules jdk.incubator.vector -cp CP dev.loupe.core.model.KvPerplexityBench MODEL.gguf TEXT
 *      [ctx=128] [types=f32,f16,q8_0,q4_0] [threads=2]
 */
public final class KvPerplexityBench {
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        String text = Files.readString(Path.of(args[1]));
        int ctx = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        String[] types = (args.length > 3 ? args[3] : "f32,f16,q8_0,q4_0").split(",");
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(threads)) {
            Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
            int[] tokens = tok.encode(text, true, false);
            int chunks = tokens.length / ctx, vocab = model.config().vocabSize(), first = ctx / 2;
            System.out.printf("%s: %d tokens, %d chunks of %d, scored positions %d..%d of each%n", file.getFileName(),
                    tokens.length, chunks, ctx, first, ctx - 2);
            float[][] baseline = null;
            for (String t : types) {
                KvFormat f = new KvFormat(KvFormat.parseType(t), KvFormat.parseType(t));
                double nll = 0, nll2 = 0, kl = 0;
                int count = 0;
                float[][] probs = new float[chunks * (ctx - 1 - first)][];
                try (Session s = new Session(model, ctx, pool, f)) {
                    for (int c = 0; c < chunks; c++) {
                        int[] chunk = java.util.Arrays.copyOfRange(tokens, c * ctx, (c + 1) * ctx);
                        if (tok.bos() >= 0) chunk[0] = tok.bos();
                        s.rewind(0);
                        float[] logits = s.prefillAll(chunk);
                        for (int j = first; j < ctx - 1; j++) {
                            float[] p = logSoftmax(logits, j * vocab, vocab);
                            double l = -p[tokens[c * ctx + j + 1]];
                            nll += l;
                            nll2 += l * l;
                            if (baseline != null) kl += kl(baseline[count], p);
                            probs[count++] = p;
                        }
                    }
                }
                if (baseline == null) baseline = probs;
                double mean = nll / count, var = nll2 / count - mean * mean;
                double ppl = Math.exp(mean), err = ppl * Math.sqrt(var / (count - 1));
                System.out.printf("| %s | %.4f ± %.4f | %.6f |%n", t, ppl, err, kl / count);
            }
        }
    }

    private static float[] logSoftmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[off + i]);
        for (int i = 0; i < n; i++) sum += Math.exp(x[off + i] - max);
        double lse = max + Math.log(sum);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (x[off + i] - lse);
        return out;
    }

    /** KL(p || q) of two log-distributions. */
    private static double kl(float[] logP, float[] logQ) {
        double s = 0;
        for (int i = 0; i < logP.length; i++) s += Math.exp(logP[i]) * (logP[i] - logQ[i]);
        return s;
    }
}
