package dev.loupe.core.generate;

import dev.loupe.core.Fixtures;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * N candidates from one shared prompt, decoded together, are exactly the N generations one at a time with seeds
 * seed+i: sharing the prompt's cache and batching the steps change nothing but speed.
 */
class BatchGeneratorTest {
    @Test
    void candidatesEqualSeparateGenerationsWithTheirSeeds() {
        try (Model model = Model.load(Fixtures.model("tiny-llama-q8_0.gguf")); ThreadPool pool = new ThreadPool(2)) {
            Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
            int[] prompt = tok.encode("Once upon a time, there was", true, false);
            SamplingParams params = SamplingParams.defaults().withTemperature(1.2f).withSeed(77).withMaxTokens(12)
                    .withStop(List.of("."));
            BatchGenerator batch = new BatchGenerator(model, tok, pool, 6, 128);
            List<GenerationResult> together = batch.generate(prompt, 5, params);
            assertThat(together).hasSize(5);
            for (int i = 0; i < 5; i++) {
                try (Session s = new Session(model, 128, pool)) {
                    GenerationResult alone = new Generator(s, tok).generate(prompt, new int[0], params.withSeed(77 + i), null);
                    assertThat(together.get(i).ids()).as("candidate %d", i).containsExactly(alone.ids());
                    assertThat(together.get(i).text()).isEqualTo(alone.text());
                    assertThat(together.get(i).finishReason()).isEqualTo(alone.finishReason());
                    assertThat(together.get(i).stopString()).isEqualTo(alone.stopString());
                }
            }
            // Different seeds make different candidates (with temperature 1.2 on a random-weight model, surely).
            assertThat(together.stream().map(GenerationResult::text).distinct().count()).isGreaterThan(1);
            // The generator is reusable: a second call with fewer candidates repeats the first ones.
            List<GenerationResult> again = batch.generate(prompt, 2, params);
            assertThat(again.get(1).ids()).containsExactly(together.get(1).ids());
        }
    }
}
