package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Prompts of several sessions prefilled in one batch give each session the logits it gets alone. */
class BatchedPrefillTest {
    @Test
    void batchedPrefillEqualsAlone() {
        Path file = Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf");
        int[][] prompts = {{1, 450, 4996, 17354}, {1, 15043}, {1, 9038, 2501, 263, 931, 727, 471}};
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(1)) {
            int vocab = model.config().vocabSize();
            float[][] alone = new float[prompts.length][];
            for (int i = 0; i < prompts.length; i++) {
                try (Session s = new Session(model, 64, pool)) {
                    alone[i] = s.prefill(prompts[i]).clone();
                }
            }
            Forward engine = new Forward(model, pool, 16, 64);
            Session[] sessions = new Session[prompts.length];
            for (int i = 0; i < prompts.length; i++) sessions[i] = new Session(model, 64, engine);
            float[] batched = engine.prefill(sessions, prompts, prompts.length);
            for (int i = 0; i < prompts.length; i++) {
                float[] row = java.util.Arrays.copyOfRange(batched, i * vocab, (i + 1) * vocab);
                assertThat(row).as("session %d", i).containsExactly(alone[i]);
                assertThat(sessions[i].position()).isEqualTo(prompts[i].length);
            }
        }
    }
}
