package dev.loupe.core.model;

import dev.loupe.core.Fixtures;
import dev.loupe.core.parallel.ThreadPool;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@link Session#fillSynthetic}, the depth fill of {@code bench --depth-fill random}: real head, noise of the real scale. */
class SyntheticFillTest {
    @Test
    void theHeadIsComputedAndTheRestHasEachLayersScale() throws Exception {
        int[] prompt = PagedKvCacheTest.longPrompt(Reference.load("tiny-llama-q8_0"), 32);
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2);
             Session fresh = new Session(model, 2048, pool); Session s = new Session(model, 2048, pool)) {
            fresh.prefill(prompt);
            float[] expected = fresh.forward(7, true).clone();

            // With no noise positions it is a plain prefill.
            s.fillSynthetic(prompt, prompt.length, 1);
            assertThat(s.forward(7, true)).isEqualTo(expected);

            s.rewind(0);
            s.fillSynthetic(prompt, 1500, 1);
            assertThat(s.position()).isEqualTo(1500);
            for (int l = 0; l < model.config().layers(); l++) {
                for (boolean values : new boolean[]{false, true}) {
                    double real = KvRows.rms(s.cache(), l, values, 0, prompt.length);
                    double noise = KvRows.rms(s.cache(), l, values, prompt.length, 1500);
                    assertThat(real).isPositive();
                    assertThat(noise / real).as("layer %d %s", l, values ? "V" : "K").isCloseTo(1.0, within(0.03));
                }
            }
            // The noise rows are read: the next token's logits differ from those after the real head alone.
            assertThat(Arrays.equals(s.forward(7, true), expected)).isFalse();
        }
    }
}
