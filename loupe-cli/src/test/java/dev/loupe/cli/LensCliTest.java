package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code loupe lens} commands end to end on a fixture model: outputs, files and user errors. */
class LensCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static String model() {
        return CliTest.shared().resolve("fixtures/models/tiny-llama-f32.gguf").toString();
    }

    @Test
    void logitLensJsonHasARowPerLayerAndThePromptsTokens() throws Exception {
        CliTest.Result r = CliTest.run("lens", "logit-lens", "-m", model(), "-t", "2", "--json", "--top", "2", "The capital of France is");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode o = JSON.readTree(r.out());
        assertThat(o.get("tokens").toString()).isEqualTo("[1,450,7483,310,3444,338]"); // llama.cpp's ids (fixtures/reference)
        assertThat(o.get("layers")).hasSize(3);
        assertThat(o.at("/layers/2/layer").asText()).isEqualTo("L1");
        assertThat(o.at("/layers/0/top/5")).hasSize(2);
    }

    @Test
    void cacheWritesNpyFilesNamedByHookPoint(@TempDir Path dir) throws Exception {
        CliTest.Result r = CliTest.run("lens", "cache", "-m", model(), "-t", "2", "--names", "hook_resid_post|attn.hook_pattern", "-o", dir.toString(), "Hello world");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines()).containsExactly("blocks.0.attn.hook_pattern [4, 3, 3]", "blocks.0.hook_resid_post [3, 64]",
                "blocks.1.attn.hook_pattern [4, 3, 3]", "blocks.1.hook_resid_post [3, 64]");
        // [3, 64] float32: 128-byte header + 768 bytes of data.
        assertThat(Files.size(dir.resolve("blocks.1.hook_resid_post.npy"))).isEqualTo(128 + 3 * 64 * 4);
    }

    @Test
    void ablateComponentsPrintsOneLineEach() {
        CliTest.Result r = CliTest.run("lens", "ablate", "-m", model(), "-t", "2", "--components", "L0H1,L1mlp", "The cat sat on the mat");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(3).first().asString().startsWith("loss baseline ");
    }

    @Test
    void userMistakesAreOneLineAndExitTwo() {
        for (String[] args : new String[][]{
                {"lens", "ablate", "-m", model(), "--components", "L7H0", "hi"},
                {"lens", "cache", "-m", model(), "--names", "nothing-matches", "-o", "/tmp/x", "hi"},
                {"lens", "patch", "-m", model(), "--clean", "a b", "--corrupted", "a b c", "--target", "a", "--foil", "b"},
                {"lens", "ablate", "-m", model(), "--target", "a", "hi"}}) {
            CliTest.Result r = CliTest.run(args);
            assertThat(r.code()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.errLines()).as(String.join(" ", args)).hasSize(1);
        }
    }
}
