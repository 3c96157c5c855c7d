package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Completions with echo + logprobs echo the prompt as the client sent it and give each token's offset into that
 * text, which is how a client finds where its continuation starts (lm-evaluation-harness-style scoring). Checked on
 * a SentencePiece model, where BOS and the dummy-prefix space are the traps: llama_detokenize of [BOS, ▁Question]
 * gives " Question", one character more than the prompt has.
 */
class EchoOffsetsTest {
    @Test
    void echoIsThePromptAsSentAndOffsetsIndexIt() {
        String prompt = "Question: Was it a café? ☕\nAnswer: yes";
        try (TestServer s = new TestServer(ServerOptions.defaults(TestServer.MODELS.resolve("tiny-llama-f32.gguf").toString())
                .withThreads(2).withContextLength(256))) {
            JsonNode c = s.post("/v1/completions", Map.of("prompt", prompt, "echo", true, "logprobs", 1, "max_tokens", 2,
                    "temperature", 0)).json().at("/choices/0");
            JsonNode tokens = c.at("/logprobs/tokens"), offsets = c.at("/logprobs/text_offset");
            int promptTokens = tokens.size() - 2;
            assertThat(c.get("text").asText()).startsWith(prompt);
            assertThat(tokens.get(0).asText()).isEqualTo("<s>");
            assertThat(offsets.get(0).asInt()).isZero();
            assertThat(offsets.get(1).asInt()).isZero();   // " Question": its dummy-prefix space is not in the prompt
            assertThat(tokens.get(1).asText()).isEqualTo(" Question");
            // Every later whole-character token sits exactly where its text is in the prompt (offsets in code points).
            int checked = 0;
            for (int i = 2; i < promptTokens; i++) {
                String t = tokens.get(i).asText();
                if (t.contains("\uFFFD")) continue;  // a byte of a multi-byte character
                int at = prompt.offsetByCodePoints(0, offsets.get(i).asInt());
                assertThat(prompt.startsWith(t, at)).as("token %d %s at %d", i, t, offsets.get(i).asInt()).isTrue();
                checked++;
            }
            assertThat(checked).isGreaterThan(8);
            // The generated tokens start where the prompt ends.
            assertThat(offsets.get(promptTokens).asInt()).isEqualTo(prompt.codePointCount(0, prompt.length()));
        }
    }
}
