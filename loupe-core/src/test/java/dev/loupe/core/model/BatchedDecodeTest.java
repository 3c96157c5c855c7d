package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Sequences decoded together in one batched step give exactly what each gives alone. */
class BatchedDecodeTest {
    @Test
    void batchedGreedyEqualsAlone() throws Exception {
        Reference ref = Reference.load("tiny-llama-q8_0");
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2)) {
            int steps = 10;
            List<int[]> alone = new ArrayList<>();
            for (Reference.Prompt p : ref.prompts()) {
                try (Session s = new Session(model, 128, pool)) {
                    float[] logits = s.prefill(p.promptIds());
                    int[] out = new int[steps];
                    for (int i = 0; i < steps; i++) {
                        out[i] = LlamaCppAgreementTest.argmax(logits);
                        logits = s.forward(out[i], true);
                    }
                    alone.add(out);
                }
            }
            int n = ref.prompts().size();
            Forward engine = new Forward(model, pool, 8, 128);
            Session[] sessions = new Session[n];
            int[] next = new int[n];
            int[][] batched = new int[n][steps];
            for (int i = 0; i < n; i++) {
                sessions[i] = new Session(model, 128, engine);
                next[i] = LlamaCppAgreementTest.argmax(sessions[i].prefill(ref.prompts().get(i).promptIds()));
            }
            int vocab = model.config().vocabSize();
            for (int step = 0; step < steps; step++) {
                for (int i = 0; i < n; i++) batched[i][step] = next[i];
                float[] logits = engine.decode(sessions, next, n);
                for (int i = 0; i < n; i++) {
                    next[i] = LlamaCppAgreementTest.argmax(java.util.Arrays.copyOfRange(logits, i * vocab, (i + 1) * vocab));
                }
            }
            // A bad token id is refused before anything runs: no session moves.
            int[] before = new int[n];
            for (int i = 0; i < n; i++) before[i] = sessions[i].position();
            int[] bad = next.clone();
            bad[n - 1] = vocab;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.decode(sessions, bad, n))
                    .isInstanceOf(dev.loupe.core.LoupeException.class).hasMessageContaining("outside the vocabulary");
            for (int i = 0; i < n; i++) assertThat(sessions[i].position()).isEqualTo(before[i]);
            for (int i = 0; i < n; i++) {
                assertThat(batched[i]).as("prompt %d", i).isEqualTo(alone.get(i));
                assertThat(sessions[i].position()).isEqualTo(ref.prompts().get(i).promptIds().length + steps);
            }
        }
    }
}
