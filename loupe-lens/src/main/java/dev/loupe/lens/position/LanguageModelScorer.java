package dev.loupe.lens.position;

import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.tokenizer.Tokenizer;

/**
 * {@link AnswerScorer} over any {@link LanguageModel} (the engine, or an OpenAI-compatible server): the prompt and
 * answer are decoded to text with the model's tokenizer and scored by {@link LanguageModel#logLikelihood}. The
 * server re-tokenizes the text, so positions hold to within a token at the seams; the rank is not known (-1).
 */
public final class LanguageModelScorer implements AnswerScorer {
    private final LanguageModel lm;
    private final Tokenizer tok;

    public LanguageModelScorer(LanguageModel lm, Tokenizer tok) {
        this.lm = lm;
        this.tok = tok;
    }

    @Override
    public Score score(int[] prompt, int[] answer) {
        int from = prompt.length > 0 && tok.addBos() && prompt[0] == tok.bos() ? 1 : 0;  // the LanguageModel adds its own BOS
        int[] context = java.util.Arrays.copyOfRange(prompt, from, prompt.length), whole = java.util.Arrays.copyOf(context, context.length + answer.length);
        System.arraycopy(answer, 0, whole, context.length, answer.length);
        // The answer's text is what it adds to the context's (decoding it alone would drop an SPM leading space).
        String ctx = tok.decode(context), all = tok.decode(whole);
        String continuation = all.startsWith(ctx) ? all.substring(ctx.length()) : tok.decode(answer);
        LanguageModel.LogLikelihood ll = lm.logLikelihood(ctx, continuation);
        return new Score(ll.logProb(), ll.greedy(), -1);
    }
}
