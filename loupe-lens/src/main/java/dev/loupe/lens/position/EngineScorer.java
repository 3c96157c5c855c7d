package dev.loupe.lens.position;

import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.lens.logit.TopK;

/**
 * {@link AnswerScorer} on the in-process engine: one session whose KV cache is reused for the prefix a prompt shares
 * with the previous one (a sweep moving the fact later re-runs only from the fact's old position on). Only the last
 * prompt position's logits and the answer's are computed, so long contexts on big models cost one prefill each.
 * Not thread-safe.
 */
public final class EngineScorer implements AnswerScorer, AutoCloseable {
    private final Session session;
    private final int vocab;
    private int[] cached = new int[0];

    public EngineScorer(Model model, ThreadPool pool, int contextLength) {
        this.session = new Session(model, contextLength, pool);
        this.vocab = model.config().vocabSize();
    }

    @Override
    public Score score(int[] prompt, int[] answer) {
        if (prompt.length == 0 || answer.length == 0) throw new LoupeException("the prompt and the answer need at least one token each");
        if (prompt.length + answer.length - 1 > session.contextLength()) {
            throw new LoupeException("prompt and answer take " + (prompt.length + answer.length - 1) + " tokens, more than the context of " + session.contextLength());
        }
        int same = java.util.Arrays.mismatch(cached, prompt), keep = Math.min(same < 0 ? prompt.length : same, prompt.length - 1);
        session.rewind(Math.min(keep, session.position()));
        float[] logits = session.prefill(java.util.Arrays.copyOfRange(prompt, session.position(), prompt.length));
        cached = prompt.clone();
        double lp = 0;
        boolean greedy = true;
        int rank = 0;
        for (int i = 0; i < answer.length; i++) {
            int want = answer[i];
            lp += TopK.logProb(logits, 0, vocab, want);
            int higher = 0;
            for (int v = 0; v < vocab; v++) if (logits[v] > logits[want]) higher++;
            if (higher > 0) greedy = false;
            if (i == 0) rank = higher;
            if (i + 1 < answer.length) logits = session.forward(want, true);
        }
        session.rewind(Math.min(session.position(), prompt.length));  // drop the answer: the next prompt shares at most this prompt
        return new Score(lp, greedy, rank);
    }

    @Override
    public void close() {
        session.close();
    }
}
