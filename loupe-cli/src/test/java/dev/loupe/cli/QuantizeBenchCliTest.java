package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.loupe.cli.CliTest.run;
import static dev.loupe.cli.CliTest.shared;
import static org.assertj.core.api.Assertions.assertThat;

/** The contracts of {@code loupe quantize} and {@code loupe bench}: outputs, JSON shape, one-line errors with exit 2. */
class QuantizeBenchCliTest {
    @TempDir
    Path tmp;

    static Path model(String name) {
        return shared().resolve("fixtures/models").resolve(name);
    }

    @Test
    void quantizeWritesWhatLlamaQuantizeWrote() throws Exception {
        Path out = tmp.resolve("q8.gguf");
        CliTest.Result r = run("quantize", model("tiny-llama-f32.gguf").toString(), out.toString(), "q8_0", "--pure", "-t", "2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("wrote " + out);
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(model("tiny-llama-q8_0.gguf")));
    }

    @Test
    void quantizeBadInputIsOneLineAndExit2() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.gguf"), "not a model");
        String f32 = model("tiny-llama-f32.gguf").toString();
        assertOneLine(run("quantize", f32, tmp.resolve("o.gguf").toString(), "Q7_Z"), "unknown quantization type");
        assertOneLine(run("quantize", text.toString(), tmp.resolve("o.gguf").toString(), "Q8_0"), "notes.gguf");
        assertOneLine(run("quantize", f32, tmp.resolve("missing/dir/o.gguf").toString(), "Q8_0"), "does not exist");
        assertOneLine(run("quantize", model("tiny-llama-q4_0.gguf").toString(), tmp.resolve("o.gguf").toString(), "Q8_0"),
                "--allow-requantize");
        assertOneLine(run("quantize", f32, f32, "Q8_0"), "different file");
        assertThat(tmp.resolve("o.gguf")).doesNotExist();
        try (var files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("notes.gguf"); // no temp files left
        }
    }

    @Test
    void benchJsonHasOneEntryPerTest() throws Exception {
        CliTest.Result r = run("bench", "-m", model("tiny-llama-f32.gguf").toString(), "-t", "2", "-p", "8", "-n", "4", "-r", "2", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode a = new ObjectMapper().readTree(r.out());
        assertThat(a.isArray()).isTrue();
        assertThat(a).hasSize(2);
        assertThat(a.get(0).get("test").asText()).isEqualTo("pp8");
        assertThat(a.get(1).get("test").asText()).isEqualTo("tg4");
        for (JsonNode t : a) {
            assertThat(t.get("threads").asInt()).isEqualTo(2);
            assertThat(t.get("tokens_per_s").asDouble()).isPositive();
            assertThat(t.get("stddev").asDouble()).isNotNegative();
            assertThat(t.get("samples")).hasSize(2);
            // The mapped model (16 MiB of F32) is resident once it has been run.
            assertThat(t.get("rss_bytes").asLong()).isGreaterThan(16L << 20);
        }
    }

    @Test
    void benchTableAndErrors() {
        CliTest.Result r = run("bench", "-m", model("tiny-llama-q8_0.gguf").toString(), "-t", "1", "-p", "0", "-n", "2", "-r", "1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("| tiny-llama-q8_0.gguf").contains("tg2").doesNotContain("pp");
        assertOneLine(run("bench", "-m", model("tiny-llama-q8_0.gguf").toString(), "-p", "0", "-n", "0"), "nothing to measure");
        assertOneLine(run("bench", "-m", tmp.resolve("nope.gguf").toString()), "no such model file");
    }

    private static void assertOneLine(CliTest.Result r, String contains) {
        assertThat(r.code()).as(r.err()).isEqualTo(Main.EXIT_BAD_INPUT);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().get(0)).contains(contains);
    }
}
