package dev.loupe.serve;

import dev.loupe.core.LoupeException;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.KvPool;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.serve.engine.KvBudget;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server's KV cache is one pool of blocks: sized from a memory budget, shared, and always given back. */
class PagedKvTest {
    static ModelConfig config() {
        try (Model m = Model.load(TestServer.QWEN3)) {
            return m.config();
        }
    }

    @Test
    void thePoolIsSizedFromTheBudgetAndTheContextFromThePool() {
        ModelConfig c = config();
        long block = KvPool.bytesPerBlock(c, KvPool.DEFAULT_BLOCK_SIZE);
        int trained = c.contextLength();
        // Plenty of heap: the pool holds `parallel` full training contexts, no more.
        KvBudget roomy = KvBudget.plan(c, 3, 0, 0, Long.MAX_VALUE / 4);
        assertThat(roomy.contextLength()).isEqualTo(trained);
        assertThat(roomy.blocks()).isEqualTo(3 * ((trained + 15) / 16));
        // Default budget: half the available memory.
        KvBudget heap = KvBudget.plan(c, 3, 0, 0, 2 * 10 * block);
        assertThat(heap.blocks()).isEqualTo(10);
        assertThat(heap.contextLength()).isEqualTo(Math.min(trained, 160));
        // An explicit budget; the context is what the pool holds.
        KvBudget small = KvBudget.plan(c, 2, 0, 7 * block + 5, 0);
        assertThat(small.blocks()).isEqualTo(7);
        assertThat(small.contextLength()).isEqualTo(Math.min(trained, 112));
        // Asking for more context than the pool holds names both numbers.
        assertThatThrownBy(() -> KvBudget.plan(c, 2, 200, 7 * block, 0)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("--ctx 200").hasMessageContaining("112 tokens");
        assertThatThrownBy(() -> KvBudget.plan(c, 2, 0, block / 16, 0)).isInstanceOf(LoupeException.class)
                .hasMessageContaining("--kv-memory");
    }

    /**
     * Four greedy streams in a pool too small for all of them at once: the scheduler preempts (gives a sequence's
     * blocks to the others and recomputes it later), yet every reply is the single-sequence Generator's, and the
     * blocks all come back.
     */
    @Test
    void aTightPoolPreemptsButKeepsGreedyOutputsAndGetsEveryBlockBack() throws Exception {
        long block = KvPool.bytesPerBlock(config(), KvPool.DEFAULT_BLOCK_SIZE);
        List<String> prompts = List.of("Once upon a time", "The capital of France is", "1, 2, 3, 4,", "Hello, my name is");
        int maxTokens = 40;
        try (TestServer server = new TestServer(TestServer.options().withParallel(4).withContextLength(0).withKvMemory(8 * block))) {
            assertThat(server.metric("loupe_kv_blocks_total")).isEqualTo(8);
            ServedModel m = server.server.model();
            List<String> expected = new ArrayList<>();
            try (ThreadPool pool = new ThreadPool(2); Session s = new Session(m.model(), 128, pool)) {
                for (String p : prompts) {
                    s.rewind(0);
                    GenerationResult ref = new Generator(s, m.tokenizer()).generate(m.encodeText(p), new int[0],
                            SamplingParams.greedy().withMaxTokens(maxTokens), null);
                    expected.add(ref.text());
                }
            }
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<TestServer.Response>> replies = new ArrayList<>();
                for (String p : prompts) {
                    replies.add(clients.submit(() -> server.post("/v1/completions",
                            Map.of("prompt", p, "max_tokens", maxTokens, "temperature", 0))));
                }
                for (int i = 0; i < prompts.size(); i++) {
                    TestServer.Response r = replies.get(i).get();
                    assertThat(r.status()).as(r.body()).isEqualTo(200);
                    assertThat(r.json().at("/choices/0/text").asText()).as(prompts.get(i)).isEqualTo(expected.get(i));
                }
            }
            assertThat(server.metric("loupe_requests_preempted_total")).isPositive();
            server.awaitMetric("loupe_kv_blocks_used", 0, Duration.ofSeconds(5));
            assertThat(server.metric("loupe_kv_blocks_free") + server.metric("loupe_kv_blocks_cached")).isEqualTo(8);
        }
    }
}
