package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Steered requests: the same text as a single session steered in-process, unsteered neighbours in the same batches
 * exactly as they are alone, no prefix-cache sharing between steered and unsteered prompts, and 400s for bad names.
 */
class SteeringServeTest {
    static TestServer server;
    static final HookPoint POINT = HookPoint.parse("blocks.1.hook_resid_pre");
    static float[] calm;
    static final float COEF = 6f;
    static final List<String> PROMPTS = List.of("Once upon a time", "The capital of France is", "1, 2, 3, 4,", "Hello, my name is");

    @BeforeAll
    static void start() {
        // the tiny Qwen3 fixture has d_model 64 (checked below through the model's config)
        Random r = new Random(7);
        calm = new float[64];
        for (int i = 0; i < calm.length; i++) calm[i] = (float) r.nextGaussian();
        server = new TestServer(TestServer.options().withParallel(4), Map.of("calm", Steering.term(POINT, calm, 1f)));
        assertThat(server.server.model().model().config().dim()).isEqualTo(64);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Greedy text from one in-process session, steered by {@code coef · calm} through its own hooks (or not, for 0). */
    static String reference(int[] ids, int maxTokens, float coef) {
        ServedModel m = server.server.model();
        try (ThreadPool pool = new ThreadPool(1); Session s = new Session(m.model(), 2048, pool)) {
            if (coef != 0) {
                s.forwardEngine().setHooks(Steering.of(List.of(Steering.term(POINT, calm, coef))).install(new Hooks(m.model().config().layers())));
            }
            return new Generator(s, m.tokenizer()).generate(ids, new int[0], SamplingParams.greedy().withMaxTokens(maxTokens), null).text();
        }
    }

    static JsonNode complete(String prompt, int maxTokens, Float coef) {
        Map<String, Object> body = new HashMap<>(Map.of("prompt", prompt, "max_tokens", maxTokens, "temperature", 0));
        if (coef != null) body.put("steering", List.of(Map.of("name", "calm", "coef", coef)));
        TestServer.Response r = server.post("/v1/completions", body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    static String text(JsonNode completion) {
        return completion.at("/choices/0/text").asText();
    }

    @Test
    void aSteeredRequestIsTheInProcessSteeredTextAndDiffersFromUnsteered() {
        String p = PROMPTS.get(0);
        int[] ids = server.server.model().encodeText(p);
        String plain = text(complete(p, 24, null));
        String steered = text(complete(p, 24, COEF));
        assertThat(plain).isEqualTo(reference(ids, 24, 0));
        assertThat(steered).isEqualTo(reference(ids, 24, COEF)).isNotEqualTo(plain);
        // coefficient 0 is the unsteered text
        assertThat(text(complete(p, 24, 0f))).isEqualTo(plain);
    }

    @Test
    void unsteeredRequestsBatchedWithSteeredOnesEqualTheirSoloOutput() throws Exception {
        List<String> aloneSteered = new ArrayList<>(), alonePlain = new ArrayList<>();
        for (String p : PROMPTS) {
            int[] ids = server.server.model().encodeText(p);
            alonePlain.add(reference(ids, 32, 0));
            aloneSteered.add(reference(ids, 32, COEF));
        }
        double stepsBefore = server.metric("loupe_decode_steps_total");
        double tokensBefore = server.metric("loupe_generated_tokens_total");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> plain = new ArrayList<>(), steered = new ArrayList<>();
            for (String p : PROMPTS) {
                plain.add(pool.submit(() -> text(complete(p, 32, null))));
                steered.add(pool.submit(() -> text(complete(p, 32, COEF))));
            }
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertThat(plain.get(i).get()).as("unsteered " + PROMPTS.get(i)).isEqualTo(alonePlain.get(i));
                assertThat(steered.get(i).get()).as("steered " + PROMPTS.get(i)).isEqualTo(aloneSteered.get(i));
            }
        }
        // They really shared decode steps (a batch of one per step would take one step per token).
        double steps = server.metric("loupe_decode_steps_total") - stepsBefore;
        double tokens = server.metric("loupe_generated_tokens_total") - tokensBefore;
        assertThat(steps).isLessThan(tokens * 0.75);
    }

    @Test
    void steeredAndUnsteeredPromptsDoNotShareCachedBlocks() {
        // 40+ tokens: at least two full KV blocks of 16 for the prefix cache
        String p = "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, "
                + "it was the epoch of belief, it was the epoch of incredulity,";
        int[] ids = server.server.model().encodeText(p);
        assertThat(ids.length).isGreaterThan(33);
        String plain = reference(ids, 8, 0), steered = reference(ids, 8, COEF);
        JsonNode a = complete(p, 8, null);
        JsonNode b = complete(p, 8, COEF);
        assertThat(b.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        assertThat(text(b)).isEqualTo(steered);
        JsonNode c = complete(p, 8, COEF);
        assertThat(c.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isPositive(); // same steering: shared
        assertThat(text(c)).isEqualTo(steered);
        JsonNode d = complete(p, 8, 2 * COEF); // another coefficient is another steering
        assertThat(d.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isZero();
        JsonNode e = complete(p, 8, null);
        assertThat(e.at("/usage/prompt_tokens_details/cached_tokens").asInt()).isPositive();
        assertThat(text(a)).isEqualTo(plain);
        assertThat(text(e)).isEqualTo(plain);
    }

    @Test
    void chatAndOllamaTakeTheFieldToo() {
        ServedModel m = server.server.model();
        int[] chatIds = m.encodeChat(List.of(dev.loupe.core.chat.ChatMessage.user("Hi")));
        TestServer.Response chat = server.post("/v1/chat/completions", Map.of("messages", List.of(Map.of("role", "user", "content", "Hi")),
                "max_tokens", 12, "temperature", 0, "steering", List.of(Map.of("name", "calm", "coef", COEF))));
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        assertThat(chat.json().at("/choices/0/message/content").asText()).isEqualTo(reference(chatIds, 12, COEF));
        TestServer.Response ollama = server.post("/api/generate", Map.of("prompt", PROMPTS.get(1), "raw", true, "stream", false,
                "options", Map.of("temperature", 0, "num_predict", 12, "steering", List.of(Map.of("name", "calm", "coef", COEF)))));
        assertThat(ollama.status()).as(ollama.body()).isEqualTo(200);
        assertThat(ollama.json().get("response").asText()).isEqualTo(reference(m.encodeText(PROMPTS.get(1)), 12, COEF));
    }

    @Test
    void badSteeringIsA400() {
        TestServer.Response r = server.post("/v1/completions", Map.of("prompt", "Hi", "max_tokens", 2,
                "steering", List.of(Map.of("name", "angry", "coef", 2))));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().at("/error/param").asText()).isEqualTo("steering");
        assertThat(r.json().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.json().at("/error/message").asText()).contains("angry", "calm");
        assertThat(server.post("/v1/completions", Map.of("prompt", "Hi", "steering", "calm")).status()).isEqualTo(400);
        assertThat(server.post("/v1/completions", Map.of("prompt", "Hi", "steering", List.of(Map.of("name", "calm", "coef", "x")))).status()).isEqualTo(400);
        TestServer.Response o = server.post("/api/generate", Map.of("prompt", "Hi", "stream", false,
                "options", Map.of("steering", List.of(Map.of("name", "angry")))));
        assertThat(o.status()).isEqualTo(400);
        assertThat(o.json().get("error").asText()).contains("angry");
    }

    @Test
    void aVectorOfAnotherWidthIsRefusedAtStartUp() {
        Map<String, Steering.Term> wide = Map.of("wide", Steering.term(POINT, new float[65], 1f));
        assertThatThrownBy(() -> LoupeServer.start(TestServer.options().withPort(0), wide))
                .isInstanceOf(LoupeException.class).hasMessageContaining("wide").hasMessageContaining("d_model is 64");
    }
}
