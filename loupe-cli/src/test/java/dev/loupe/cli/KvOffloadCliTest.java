package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.gen.ModelGenerator;
import dev.loupe.core.gen.ModelShape;
import dev.loupe.core.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.loupe.cli.CliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --kv-ram --kv-offload-dir}: the same tokens as an in-RAM cache, the spill file gone after, one-line errors. */
class KvOffloadCliTest {
    @Test
    void offloadedRunsGiveTheSameTokens(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("deep.gguf");
        // Eight layers: the two-layer window is a quarter of a block, so a budget below the cache means spilling.
        new ModelGenerator(new ModelShape("llama", 64, 8, 2, 1, 32, 96, 0, 512, 10000f, 1e-5f, false), GgmlType.F32, 3, null, 0)
                .write(model, "loupe-generated", null);
        Path spill = Files.createDirectory(dir.resolve("spill"));
        String prompt = "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer ".repeat(4);
        String[] base = {"run", "-m", model.toString(), "-p", prompt, "-n", "24", "--temp", "0", "--json", "-t", "2", "-c", "512"};
        CliTest.Result plain = run(base);
        assertThat(plain.code()).as(plain.err()).isZero();
        String[] off = java.util.stream.Stream.concat(java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--kv-ram", "300K", "--kv-offload-dir", spill.toString())).toArray(String[]::new);
        CliTest.Result offloaded = run(off);
        assertThat(offloaded.code()).as(offloaded.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(plain.out()), b = json.readTree(offloaded.out());
        assertThat(a.get("prompt_ids").size()).isGreaterThan(9 * 16); // past the RAM blocks the budget leaves
        assertThat(b.get("ids")).isEqualTo(a.get("ids"));
        try (var files = Files.list(spill)) {
            assertThat(files).isEmpty();
        }
        CliTest.Result small = run("run", "-m", model.toString(), "-p", "Hi", "-n", "1", "-c", "512", "--kv-ram", "10K", "--kv-offload-dir", spill.toString());
        assertThat(small.code()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(small.errLines()).singleElement().asString().contains("too small for this context");
        CliTest.Result half = run("run", "-m", model.toString(), "-p", "Hi", "-n", "1", "--kv-ram", "10K");
        assertThat(half.errLines()).containsExactly("loupe: --kv-ram needs --kv-offload-dir DIR: where the rest of the KV cache goes");
    }
}
