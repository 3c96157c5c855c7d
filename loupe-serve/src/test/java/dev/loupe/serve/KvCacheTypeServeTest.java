package dev.loupe.serve;

import dev.loupe.core.model.KvFormat;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.ModelConfig;
import dev.loupe.core.model.Session;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tensor.GgmlType;
import dev.loupe.serve.engine.KvBudget;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A server's KV cache type: the memory budget counts the bytes a block really takes, and replies use the type. */
class KvCacheTypeServeTest {
    private static final Path SMALL = TestServer.MODELS.resolve("small-llama-q4_k_m.gguf");
    private static final KvFormat Q8 = new KvFormat(GgmlType.Q8_0, GgmlType.Q8_0);

    @Test
    void theBudgetCountsTheStoredBytesPerBlock() {
        try (Model m = Model.load(SMALL)) {
            ModelConfig c = m.config(); // 2 layers, 2 KV heads of 64: rows of 128 values
            // A position: per layer 128 keys + 128 values. F16: 2 * 512 bytes; Q8_0: 2 * (4 * 34 + 4 * 34) = 544 bytes.
            long memory = 100_000;
            assertThat(KvBudget.plan(c, KvFormat.DEFAULT, 1, 0, memory, 0).blocks()).isEqualTo((int) (memory / (16 * 1024)));
            assertThat(KvBudget.plan(c, Q8, 1, 0, memory, 0).blocks()).isEqualTo((int) (memory / (16 * 544)));
            assertThat(KvBudget.plan(c, new KvFormat(GgmlType.Q4_0, GgmlType.F16), 1, 0, memory, 0).blocks())
                    .isEqualTo((int) (memory / (16 * 2 * (4 * 18 + 256))));
        }
    }

    @Test
    void aServerWithAQ8CacheHoldsMoreAndAnswersAsAQ8Session() throws Exception {
        long memory = 40L * 16 * 544; // 40 Q8_0 blocks; an F16 cache would get 21
        ServerOptions o = ServerOptions.defaults(SMALL.toString()).withModelsDir(TestServer.MODELS).withThreads(2)
                .withParallel(2).withContextLength(256).withKvMemory(memory).withKvFormat(Q8);
        try (TestServer server = new TestServer(o)) {
            assertThat(server.metric("loupe_kv_blocks_total")).isEqualTo(40);
            ServedModel m = server.server.model();
            // On this prompt greedy decoding with a Q8_0 cache leaves the F16 one's path at step 8 (llama.cpp's too).
            String prompt = "1, 2, 3,";
            String expected = greedy(m, prompt, Q8), f16 = greedy(m, prompt, KvFormat.DEFAULT);
            assertThat(expected).isNotEqualTo(f16);
            TestServer.Response r = server.post("/v1/completions", Map.of("prompt", prompt, "max_tokens", 16, "temperature", 0));
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().at("/choices/0/text").asText()).isEqualTo(expected);
        }
    }

    private static String greedy(ServedModel m, String prompt, KvFormat kv) {
        try (ThreadPool pool = new ThreadPool(2); Session s = new Session(m.model(), 128, pool, kv)) {
            return new Generator(s, m.tokenizer()).generate(m.encodeText(prompt), new int[0],
                    SamplingParams.greedy().withMaxTokens(16), null).text();
        }
    }
}
