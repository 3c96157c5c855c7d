package dev.loupe.core.model;

import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Final hidden states are what the logits are made from, and chunking the input does not change them. */
class HiddenStatesTest {
    private static final int[] PROMPT = {1, 450, 4996, 17354, 1701, 263, 931};

    @Test
    void outputProjectionOfTheLastRowGivesThePrefillLogits() {
        Path file = Path.of(System.getProperty("loupe.shared"), "fixtures/models/tiny-llama-f32.gguf");
        try (Model model = Model.load(file); ThreadPool pool = new ThreadPool(1)) {
            int dim = model.config().dim();
            int vocab = model.config().vocabSize();
            Forward engine = new Forward(model, pool, 16, 64);
            float[] logits;
            try (Session s = new Session(model, 64, engine)) {
                logits = s.prefill(PROMPT).clone();
            }
            float[] hidden;
            try (Session s = new Session(model, 64, engine)) {
                hidden = engine.hiddenStates(s, PROMPT);
                assertThat(s.position()).isEqualTo(PROMPT.length);
            }
            assertThat(hidden).hasSize(PROMPT.length * dim);
            int last = (PROMPT.length - 1) * dim;
            for (int t = 0; t < vocab; t++) {
                float projected = model.weights().output().dotRow(t, hidden, last);
                assertThat(projected).as("token %d", t).isCloseTo(logits[t], org.assertj.core.data.Offset.offset(1e-3f + 1e-4f * Math.abs(logits[t])));
            }
            // In two chunks, the second continuing from the cache, the rows are the same.
            try (Session s = new Session(model, 64, engine)) {
                float[] a = engine.hiddenStates(s, Arrays.copyOfRange(PROMPT, 0, 3));
                float[] b = engine.hiddenStates(s, Arrays.copyOfRange(PROMPT, 3, PROMPT.length));
                float[] both = new float[hidden.length];
                System.arraycopy(a, 0, both, 0, a.length);
                System.arraycopy(b, 0, both, a.length, b.length);
                for (int i = 0; i < both.length; i++) {
                    assertThat(both[i]).as("element %d", i).isCloseTo(hidden[i], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }
}
