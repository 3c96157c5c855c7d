package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code -ctk}/{@code -ctv} on the commands that run a model. */
class KvCacheCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Greedy ids of llama.cpp run with a Q8_0 cache (loupe-core's test resources, see reference/kv/README.md). */
    @Test
    void runWithAQ8CacheReproducesLlamaCppWithTheSameCache() throws Exception {
        Path model = CliTest.shared().resolve("fixtures/models/small-llama-q4_k_m.gguf");
        JsonNode ref = JSON.readTree(Path.of("../loupe-core/src/test/resources/reference/kv/small-llama-q4_k_m.kq8_0-vq8_0-fa1.json")
                .toFile()).get("prompts").get(0);
        CliTest.Result r = CliTest.run("run", "-m", model.toString(), "-p", ref.get("prompt").asText(), "-n", "12", "--temp", "0",
                "--json", "-t", "2", "-ctk", "q8_0", "--cache-type-v", "q8_0");
        assertThat(r.code()).as(r.err()).isZero();
        List<Integer> got = new ArrayList<>(), want = new ArrayList<>();
        JSON.readTree(r.out()).get("ids").forEach(n -> got.add(n.asInt()));
        for (int i = 0; i < 12; i++) want.add(ref.get("greedy_ids").get(i).asInt());
        assertThat(got).isEqualTo(want);
    }

    @Test
    void aBadTypeNameIsOneLineListingTheValidOnes() {
        for (String cmd : new String[]{"run", "chat", "bench", "serve"}) {
            List<String> args = new ArrayList<>(List.of(cmd, "-ctv", "q5_1"));
            if (cmd.equals("run")) args.add("Hi");
            if (cmd.equals("bench")) args.addAll(List.of("-m", CliTest.shared().resolve("fixtures/models/tiny-llama-f32.gguf").toString()));
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as(cmd + ": " + r.err()).isEqualTo(2);
            assertThat(r.errLines()).as(cmd).containsExactly("loupe: unknown KV cache type 'q5_1' (valid: f32, f16, q8_0, q4_0)");
        }
    }

    @Test
    void benchMeasuresWithTheChosenCache() throws Exception {
        CliTest.Result r = CliTest.run("bench", "-m", "../models/loupe-shakespeare.gguf", "-p", "16", "-n", "4", "-r", "1",
                "-t", "2", "-ctk", "q4_0", "-ctv", "q8_0", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(JSON.readTree(r.out())).hasSize(2);
    }
}
