package dev.loupe.core.lm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.Fixtures;
import dev.loupe.core.sample.SamplingParams;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Log-likelihoods against llama.cpp's recorded logits; prefix reuse changes nothing. */
class LocalLanguageModelTest {
    @Test
    void logLikelihoodEqualsLlamaCppLogits() throws Exception {
        JsonNode p = new ObjectMapper().readTree(Fixtures.reference("tiny-llama-f32.json").toFile()).get("prompts").get(0);
        byte[] raw = Files.readAllBytes(Fixtures.reference("tiny-llama-f32.logits.f32"));
        float[] ref = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(ref);
        int vocab = 32000;
        int[] ids = new int[p.get("prompt_ids").size()];
        for (int i = 0; i < ids.length; i++) ids[i] = p.get("prompt_ids").get(i).asInt();

        // "The capital" + " of France is": tokens 3..5 of the prompt, each scored by the logits one position earlier.
        double expected = 0;
        boolean greedy = true;
        for (int t = 3; t < ids.length; t++) {
            float[] row = java.util.Arrays.copyOfRange(ref, (t - 1) * vocab, t * vocab);
            expected += LocalLanguageModel.logSoftmax(row, ids[t]);
            int best = 0;
            for (int i = 1; i < vocab; i++) if (row[i] > row[best]) best = i;
            greedy &= best == ids[t];
        }
        try (LocalLanguageModel lm = new LocalLanguageModel(Fixtures.model("tiny-llama-f32.gguf"), 2, 256)) {
            LanguageModel.LogLikelihood ll = lm.logLikelihood("The capital", " of France is");
            assertThat(ll.tokens()).isEqualTo(3);
            assertThat(ll.logProb()).isCloseTo(expected, within(1e-3));
            assertThat(ll.greedy()).isEqualTo(greedy);

            // A second request sharing the prefix reuses the cache and must still be exact.
            LanguageModel.LogLikelihood other = lm.logLikelihood("The capital", " of Spain is");
            try (LocalLanguageModel fresh = new LocalLanguageModel(Fixtures.model("tiny-llama-f32.gguf"), 2, 256)) {
                assertThat(other.logProb()).isCloseTo(fresh.logLikelihood("The capital", " of Spain is").logProb(), within(1e-9));
            }
            assertThat(lm.logLikelihood("The capital", " of France is").logProb()).isCloseTo(ll.logProb(), within(1e-9));

            LanguageModel.Completion c = lm.complete("The capital of France is", SamplingParams.greedy().withMaxTokens(4), null);
            assertThat(c.completionTokens()).isEqualTo(4);
            assertThat(c.promptTokens()).isEqualTo(ids.length);
        }
    }
}
