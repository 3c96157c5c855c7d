package dev.loupe.eval.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which echoed tokens are the continuation's: those whose text reaches past the context, and none generated. */
class EchoSpanTest {
    static JsonNode echo(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void aTokenStraddlingTheSeamIsTheContinuationsAndGeneratedTokensAreNot() throws Exception {
        // "sun" + "day" echoed as <s> ▁s|und|ay, then one generated token " x" at offset 6.
        JsonNode lp = echo("""
                {"tokens": ["<s>", " s", "und", "ay", " x"], "token_logprobs": [null, -1.0, -2.0, -4.0, -8.0],
                 "text_offset": [0, 0, 1, 4, 6],
                 "top_logprobs": [null, {" s": -1.0}, {"und": -2.0}, {"ai": -0.5}, {" x": -8.0}]}
                """);
        LogLikelihood ll = OpenAiLanguageModel.fromEcho(lp, 3, 6);
        assertThat(ll.logProb()).isEqualTo(-6.0);   // "und" (reaches past "sun") + "ay"; " s" ends inside the context
        assertThat(ll.tokens()).isEqualTo(2);
        assertThat(ll.greedy()).isFalse();           // "ai" was preferred to "ay"
        // With the whole text as continuation (empty context) the BOS's null is skipped and " s" counts.
        assertThat(OpenAiLanguageModel.fromEcho(lp, 0, 6).logProb()).isEqualTo(-7.0);
        assertThatThrownBy(() -> OpenAiLanguageModel.fromEcho(lp, 6, 6)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("no continuation tokens");
    }
}
