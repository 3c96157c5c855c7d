package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.Sampler;
import dev.loupe.core.sample.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Greedy text over HTTP is exactly what the single-sequence Generator produces, alone or batched with others. */
class GreedyAgreementTest {
    static TestServer server;
    static final List<String> PROMPTS = List.of("Once upon a time", "The capital of France is", "1, 2, 3, 4,",
            "def fibonacci(n):", "Hello, my name is", "In the beginning");

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What the Generator gives for the same prompt ids. */
    static GenerationResult reference(int[] ids, int maxTokens) {
        ServedModel m = server.server.model();
        try (ThreadPool pool = new ThreadPool(1); Session s = new Session(m.model(), 2048, pool)) {
            return new Generator(s, m.tokenizer()).generate(ids, new int[0], SamplingParams.greedy().withMaxTokens(maxTokens), null);
        }
    }

    static JsonNode complete(String prompt, int maxTokens) {
        TestServer.Response r = server.post("/v1/completions", Map.of("model", "tiny-qwen3-f16", "prompt", prompt,
                "max_tokens", maxTokens, "temperature", 0));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void completionEqualsGenerator() {
        for (String p : PROMPTS.subList(0, 2)) {
            GenerationResult ref = reference(server.server.model().encodeText(p), 24);
            JsonNode r = complete(p, 24);
            assertThat(r.at("/choices/0/text").asText()).isEqualTo(ref.text());
            assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(ref.ids().length);
            assertThat(r.at("/usage/prompt_tokens").asInt()).isEqualTo(ref.promptIds().length);
            assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo(ref.finishReason().name().toLowerCase());
        }
    }

    @Test
    void chatEqualsGenerator() {
        ServedModel m = server.server.model();
        int[] ids = m.encodeChat(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Why is the sky blue?")));
        GenerationResult ref = reference(ids, 20);
        TestServer.Response r = server.post("/v1/chat/completions", Map.of("messages", List.of(
                Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "Why is the sky blue?")),
                "max_tokens", 20, "temperature", 0));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/choices/0/message/content").asText()).isEqualTo(ref.text());
        assertThat(r.json().at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(r.json().at("/object").asText()).isEqualTo("chat.completion");
    }

    @Test
    void concurrentRequestsEqualAlone() throws Exception {
        List<String> alone = new ArrayList<>();
        for (String p : PROMPTS) alone.add(complete(p, 32).at("/choices/0/text").asText());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> together = new ArrayList<>();
            for (String p : PROMPTS) together.add(pool.submit(() -> complete(p, 32).at("/choices/0/text").asText()));
            for (int i = 0; i < PROMPTS.size(); i++) assertThat(together.get(i).get()).as(PROMPTS.get(i)).isEqualTo(alone.get(i));
        }
        assertThat(server.metric("loupe_decode_steps_total")).isPositive();
    }

    @Test
    void seededSamplingIsReproducible() {
        Map<String, Object> body = Map.of("prompt", "Once upon a time", "max_tokens", 16, "temperature", 1.0, "seed", 42);
        String a = server.post("/v1/completions", body).json().at("/choices/0/text").asText();
        String b = server.post("/v1/completions", body).json().at("/choices/0/text").asText();
        assertThat(a).isEqualTo(b);
    }

    @Test
    void stopStringCutsTheText() {
        String full = complete("1, 2, 3, 4,", 24).at("/choices/0/text").asText();
        String stop = full.substring(full.length() / 2, full.length() / 2 + 1);
        JsonNode r = server.post("/v1/completions", Map.of("prompt", "1, 2, 3, 4,", "max_tokens", 24, "temperature", 0,
                "stop", List.of(stop))).json();
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(full.substring(0, full.indexOf(stop)));
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void logprobsAreReported() {
        JsonNode r = server.post("/v1/completions", Map.of("prompt", "Once upon a time", "max_tokens", 4, "temperature", 0,
                "logprobs", 3)).json();
        JsonNode lp = r.at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(4);
        assertThat(lp.get("token_logprobs").get(0).asDouble()).isLessThanOrEqualTo(0);
        assertThat(lp.get("top_logprobs").get(0).size()).isBetween(1, 3);
        JsonNode chat = server.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "max_tokens", 3, "temperature", 0, "logprobs", true, "top_logprobs", 2)).json();
        assertThat(chat.at("/choices/0/logprobs/content")).hasSize(3);
        assertThat(chat.at("/choices/0/logprobs/content/0/top_logprobs")).hasSize(2);
    }

    @Test
    void echoWithLogprobsScoresThePromptAsASingleSessionWould() {
        ServedModel m = server.server.model();
        String prompt = "Once upon a time there was";
        int[] ids = m.encodeText(prompt);
        float[] expected = new float[ids.length];
        try (ThreadPool pool = new ThreadPool(1); Session s = new Session(m.model(), 2048, pool)) {
            Sampler sampler = new Sampler(SamplingParams.greedy().withLogprobs(1));
            float[] logits = s.forward(ids[0], true);
            for (int i = 1; i < ids.length; i++) {
                expected[i] = sampler.logprobs(logits, ids[i]).chosen().logprob();
                logits = s.forward(ids[i], true);
            }
        }
        JsonNode r = server.post("/v1/completions", Map.of("prompt", prompt, "max_tokens", 6, "temperature", 0,
                "echo", true, "logprobs", 2)).json();
        JsonNode lp = r.at("/choices/0/logprobs");
        assertThat(lp.get("tokens")).hasSize(ids.length + 6);
        assertThat(lp.get("token_logprobs").get(0).isNull()).isTrue();
        for (int i = 1; i < ids.length; i++) {
            assertThat(lp.get("token_logprobs").get(i).floatValue()).as("prompt token %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        String plain = complete(prompt, 6).at("/choices/0/text").asText();
        // The echo is the prompt as sent (not llama_detokenize's " Once" after BOS), then the same greedy text.
        assertThat(r.at("/choices/0/text").asText()).isEqualTo(prompt + plain);
    }
}
