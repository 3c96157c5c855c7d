package dev.loupe.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.model.Forward;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Embeddings over both APIs: the mean of the final hidden states, unit length, the same whichever way asked. */
class EmbeddingsTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static float[] vector(JsonNode arr) {
        float[] v = new float[arr.size()];
        for (int i = 0; i < v.length; i++) v[i] = (float) arr.get(i).asDouble();
        return v;
    }

    @Test
    void openAiEmbeddingIsTheNormalizedMeanHiddenState() {
        String text = "The quick brown fox jumps over the lazy dog";
        TestServer.Response r = server.post("/v1/embeddings", Map.of("input", text, "model", "tiny-qwen3-f16"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("object").asText()).isEqualTo("list");
        assertThat(body.at("/data/0/object").asText()).isEqualTo("embedding");
        float[] e = vector(body.at("/data/0/embedding"));

        // Reference, computed here in one pass over the whole input: mean of the normed rows, then unit length.
        try (Model model = Model.load(TestServer.QWEN3); ThreadPool pool = new ThreadPool(1)) {
            Tokenizer tok = Tokenizer.fromMetadata(model.file().metadata());
            int[] ids = tok.encode(text, true, false);
            assertThat(body.at("/usage/prompt_tokens").asInt()).isEqualTo(ids.length);
            int dim = model.config().dim();
            assertThat(e).hasSize(dim);
            Forward engine = new Forward(model, pool, ids.length, ids.length);
            float[] rows;
            try (Session s = new Session(model, ids.length, engine)) {
                rows = engine.hiddenStates(s, ids);
            }
            double[] mean = new double[dim];
            for (int t = 0; t < ids.length; t++) for (int i = 0; i < dim; i++) mean[i] += rows[t * dim + i] / ids.length;
            double norm = Math.sqrt(java.util.Arrays.stream(mean).map(v -> v * v).sum());
            for (int i = 0; i < dim; i++) assertThat(e[i]).as("dimension %d", i).isCloseTo((float) (mean[i] / norm), within(1e-4f));
        }
    }

    @Test
    void batchBase64TokenIdsAndOllamaAgree() {
        JsonNode batch = server.post("/v1/embeddings", Map.of("input", List.of("Hello world", "Goodbye"))).json();
        float[] hello = vector(batch.at("/data/0/embedding"));
        float[] bye = vector(batch.at("/data/1/embedding"));
        assertThat(batch.at("/data/1/index").asInt()).isEqualTo(1);
        double dot = 0, norm = 0;
        for (int i = 0; i < hello.length; i++) {
            dot += hello[i] * bye[i];
            norm += hello[i] * hello[i];
        }
        assertThat(norm).isCloseTo(1.0, within(1e-4));
        assertThat(dot).isLessThan(0.9999); // different texts, different vectors

        String b64 = server.post("/v1/embeddings", Map.of("input", "Hello world", "encoding_format", "base64")).json().at("/data/0/embedding").asText();
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(b64)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : hello) assertThat(buf.getFloat()).isEqualTo(v);

        JsonNode ids = server.post("/tokenize", Map.of("content", "Hello world", "add_special", true)).json().get("tokens");
        float[] byIds = vector(server.post("/v1/embeddings", Map.of("input", ids)).json().at("/data/0/embedding"));
        assertThat(byIds).containsExactly(hello);

        JsonNode ollama = server.post("/api/embed", Map.of("model", "tiny-qwen3-f16", "input", List.of("Hello world"))).json();
        assertThat(vector(ollama.at("/embeddings/0"))).containsExactly(hello);
        assertThat(ollama.get("prompt_eval_count").asInt()).isEqualTo(ids.size());
        assertThat(vector(server.post("/api/embeddings", Map.of("prompt", "Hello world")).json().get("embedding"))).containsExactly(hello);
    }

    @Test
    void badInputsAre400() {
        assertThat(ErrorsTest.openAiError(server.post("/v1/embeddings", Map.of("input", "")), 400).get("param").asText()).isEqualTo("input");
        assertThat(ErrorsTest.openAiError(server.post("/v1/embeddings", Map.of("input", List.of(-3))), 400).get("param").asText()).isEqualTo("input");
        assertThat(ErrorsTest.openAiError(server.post("/v1/embeddings", Map.of("input", "x", "dimensions", 3)), 400).get("param").asText()).isEqualTo("dimensions");
        String big = "word ".repeat(3000);
        assertThat(ErrorsTest.openAiError(server.post("/v1/embeddings", Map.of("input", big)), 400).get("message").asText()).contains("2048");
    }
}
