package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --prompt-cache}: the second run starts from the file and gives llama.cpp's greedy tokens all the same; a
 * damaged or foreign file is one warning line and the same output as no file at all.
 */
class PromptCacheCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode runJson(String model, String prompt, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-m", shared().resolve("fixtures/models").resolve(model).toString(),
                "-p", prompt, "-n", "12", "--temp", "0", "--json", "-t", "2"));
        args.addAll(List.of(more));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        ((com.fasterxml.jackson.databind.node.ObjectNode) o).put("stderr", r.err());
        return o;
    }

    @Test
    void aSavedPromptIsReusedAndTheOutputIsUnchanged(@TempDir Path dir) throws Exception {
        JsonNode ref = JSON.readTree(shared().resolve("fixtures/reference/tiny-llama-f32.json").toFile()).get("prompts").get(0);
        String prompt = ref.get("prompt").asText();
        int n = ref.get("prompt_ids").size();
        JsonNode greedy = JSON.valueToTree(iterate(ref.get("greedy_ids"), 12));
        String cache = dir.resolve("p.session").toString();

        JsonNode first = runJson("tiny-llama-f32.gguf", prompt, "--prompt-cache", cache);
        assertThat(first.get("prompt_cached_tokens").asInt()).isZero();
        assertThat(first.get("ids")).isEqualTo(greedy);
        assertThat(Files.exists(Path.of(cache))).isTrue();

        JsonNode second = runJson("tiny-llama-f32.gguf", prompt, "--prompt-cache", cache);
        assertThat(second.get("prompt_cached_tokens").asInt()).isEqualTo(n - 1);
        assertThat(second.get("prompt_ids")).isEqualTo(ref.get("prompt_ids"));
        assertThat(second.get("ids")).isEqualTo(greedy);
        assertThat(second.get("stderr").asText()).isEmpty();

        // A damaged file: one warning, recomputed, same tokens; and the file is good again afterwards.
        byte[] bytes = Files.readAllBytes(Path.of(cache));
        bytes[bytes.length / 2] ^= 1;
        Files.write(Path.of(cache), bytes);
        JsonNode damaged = runJson("tiny-llama-f32.gguf", prompt, "--prompt-cache", cache);
        assertThat(damaged.get("prompt_cached_tokens").asInt()).isZero();
        assertThat(damaged.get("ids")).isEqualTo(greedy);
        assertThat(damaged.get("stderr").asText().lines().toList())
                .containsExactly("warning: prompt cache ignored, recomputing the prompt: p.session is damaged (checksum mismatch)");
        assertThat(runJson("tiny-llama-f32.gguf", prompt, "--prompt-cache", cache).get("prompt_cached_tokens").asInt()).isEqualTo(n - 1);

        // Another model's file: a warning, and exactly what that model gives without a cache; read-only leaves it alone.
        JsonNode plain = runJson("tiny-llama-q8_0.gguf", prompt);
        byte[] before = Files.readAllBytes(Path.of(cache));
        JsonNode other = runJson("tiny-llama-q8_0.gguf", prompt, "--prompt-cache", cache, "--prompt-cache-ro");
        assertThat(other.get("stderr").asText()).contains("was saved for another model");
        assertThat(other.get("ids")).isEqualTo(plain.get("ids"));
        assertThat(Files.readAllBytes(Path.of(cache))).isEqualTo(before);
    }

    @Test
    void promptCacheWithGuessingIsAOneLineError(@TempDir Path dir) {
        CliTest.Result r = run("run", "-p", "Hi", "-n", "2", "--lookup", "--prompt-cache", dir.resolve("x").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.errLines()).containsExactly("loupe: --prompt-cache does not combine with --draft or --lookup yet; drop one of them");
    }

    private static List<Integer> iterate(JsonNode a, int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(a.get(i).asInt());
        return out;
    }
}
